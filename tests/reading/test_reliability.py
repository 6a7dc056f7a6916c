"""Quiet clips told honestly (issue 20): a clip too quiet to describe is no result, a very
quiet one a less reliable one; the figures of the former are greyed with the reason."""

from __future__ import annotations

from dataclasses import replace

from analyses import make_analysis

from llm_ssd.audio.level import FAINT_WARNING, QUIET_WARNING
from llm_ssd.figures.panels import GREY_VEIL, all_figures
from llm_ssd.reading.reliability import (
    GREYED_MARK,
    LESS_RELIABLE,
    NOT_A_RESULT,
    notice,
    shown_as_result,
)


def test_the_notice_follows_the_level_warning():
    plain = make_analysis()
    assert shown_as_result(plain) and notice(plain) == ""
    faint = replace(plain, warnings=(FAINT_WARNING,))
    assert shown_as_result(faint) and notice(faint) == LESS_RELIABLE
    quiet = replace(plain, warnings=(QUIET_WARNING,))
    assert not shown_as_result(quiet) and notice(quiet) == NOT_A_RESULT


def test_a_too_quiet_clips_figures_are_greyed_with_the_reason():
    quiet = replace(make_analysis(), warnings=(QUIET_WARNING,))
    for greyed, plain in zip(all_figures(quiet), all_figures(make_analysis()), strict=True):
        assert GREYED_MARK in [t.get_text() for t in greyed.texts]
        assert GREYED_MARK not in [t.get_text() for t in plain.texts]
        veils = [p for p in greyed.patches if p.get_alpha() == GREY_VEIL]
        assert len(veils) == 1 and veils[0].get_zorder() > max(a.get_zorder() for a in greyed.axes)
        assert not [p for p in plain.patches if p.get_alpha() == GREY_VEIL]
