"""The Gradio page's parts, wired to `llm_ssd`: what the tabs share (`page`), the Describe tab
and its choice of network (`networks`), the Compare tab, rating and the Results page. `app.py`
puts them together; no signal processing or model code lives here.

May import: llm_ssd."""
