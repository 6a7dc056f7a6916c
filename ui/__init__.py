"""The Gradio page's parts, wired to `llm_ssd`: the Describe tab, the Compare tab, rating and
the Results page. `app.py` puts them together; no signal processing or model code lives here."""
