"""Reading aids: what helps a person read an `Analysis`. Whether a recording tells one story
(`story`), how two clips differ (`compare`), one plain line per panel and "How to read this"
(`guide`), text alternatives of the figures (`alt_text`), and the direction a caption may name
a quality in (`feelings`). Plain strings, no plotting.

May import: labels, places, result, audio."""
