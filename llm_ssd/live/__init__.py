"""Listening live: the audio a microphone streams, kept per visitor (`recording`: the last 30-s
window for the analysis, the whole up to the session's limit for Describe), and when to analyse
it (`session`: one update at most every interval, skipped rather than queued while one runs, and
the trail of the last minutes' points). No Gradio here: `ui/live.py` wires it to the page.

May import: errors, audio, model, result, analysis."""
