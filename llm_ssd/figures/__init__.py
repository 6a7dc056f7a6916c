"""Figures of an `Analysis` (matplotlib, never pyplot's shared state): the five panels and the
circumplex (`panels`), what an ensemble adds to them (`ensemble`), what networks side by side
draw instead (`networks`: the radar of each, the networks × events heat map), the timeline of a
long recording (`timeline`), the class's caption ratings (`ratings`), and the circumplex of a live
session with its fading trail (`live`), and an archive's soundscape diary over the hours of the
day (`diary`); a figure drawn once and encoded for the page and the downloads (`images`), and
the five drawn side by side in processes of their own (`processes`).

May import: labels, places, result, reading, audio, loudness, caption, ratings."""
