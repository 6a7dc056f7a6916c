"""Reading aids: what helps a person read an `Analysis`. Whether a recording tells one story
(`story`), how two clips differ (`compare`), one plain line per panel and "How to read this"
(`guide`), and text alternatives of the figures (`alt_text`). Plain strings, no plotting.

May import: labels, places, result, audio."""
