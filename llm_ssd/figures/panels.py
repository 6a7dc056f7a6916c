"""Figures of an Analysis: log-mel, loudness, events, affective qualities and the circumplex;
and of the class's caption ratings.

Built on `matplotlib.figure.Figure` (never pyplot's shared state) so that worker threads can
draw at the same time."""

from __future__ import annotations

from collections.abc import Sequence

import librosa
import matplotlib
import numpy as np
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Circle, Ellipse, Rectangle
from matplotlib.text import Text
from matplotlib.ticker import FuncFormatter, MultipleLocator
from matplotlib.transforms import Bbox

from llm_ssd.audio.checks import clock
from llm_ssd.audio.mel import HOP_LENGTH, MEL_FMAX, MEL_FMIN, N_MELS, SAMPLE_RATE
from llm_ssd.caption.prompt import select_events
from llm_ssd.figures.ensemble import (
    ENSEMBLE_COLOUR,
    ensemble_band,
    ensemble_points,
    ensemble_whiskers,
)
from llm_ssd.figures.legibility import FIGURE_WIDTH, POINTS_PER_INCH, TEXT_PT, apply_style
from llm_ssd.figures.networks import networks_events_figure, networks_paq_figure
from llm_ssd.labels import EVENTS, PAQ_ANGLES, PAQ_CIRCLE, PAQ_SCALE, PAQS, SCENE_LAY_NAMES, Likert
from llm_ssd.loudness import LOUDNESS_STEP
from llm_ssd.places import NEAREST_COUNT, Place, load_places, nearest_places
from llm_ssd.reading.reliability import GREYED_MARK, shown_as_result
from llm_ssd.result import Analysis

matplotlib.use("Agg")
apply_style()

WIDE = (FIGURE_WIDTH, 3.3)
"""Inches of the time-series figures."""
SQUARE = (FIGURE_WIDTH, FIGURE_WIDTH)
EVENTS_SIZE = (FIGURE_WIDTH, 5.6)
DPI = 110
MEL_CMAP = "magma"
MEL_DYNAMIC_RANGE = 80.0
"""dB shown below the clip's maximum; quieter bins share the darkest colour."""
MEL_TICKS_HZ = (100, 500, 1000, 2000, 4000, 8000)
CLOCK_FROM = 60.0
"""Time axes of clips longer than this (seconds) read in minutes and seconds."""
CLOCK_STEPS = (15, 30, 60, 120, 300, 600)
"""Seconds between the ticks of an m:ss axis: the first that gives at most `MAX_TIME_TICKS`."""
MAX_TIME_TICKS = 5
QUADRANT_COLOUR = "#595959"
"""The circumplex's quadrant words: 7:1 contrast on white, quieter than black."""
PLACEHOLDER_COLOUR = "#595959"
GREY_VEIL = 0.7
"""How much of a greyed figure the white veil hides."""
GREY_ZORDER = 100
USED_COLOUR = "#1f77b4"
UNUSED_COLOUR = "#c7c7c7"
OFF_SCALE_MARKER = "^"
WORD_GROUND = {"facecolor": "white", "edgecolor": "none", "pad": 1.0}
WORDS_ZORDER = 3
"""The radar's words are drawn over its rings (axes and spines: 2.5), each on a white ground,
so that no ring runs through one; the outer circle is the grid ring at 5."""
"""Marks a rating the network put outside 1–5, drawn at the scale's edge."""
CLIP_COLOURS = (USED_COLOUR, "#d62728")
"""Clip A (or the only clip) and clip B, in every figure."""
CLIP_NAMES = ("A", "B")
CITY_COLOURS = ("#2ca02c", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf")
"""The surveyed places' cities, in alphabetical order of city: none of them a clip's colour."""
CIRCUMPLEX_SIZE = (FIGURE_WIDTH, 5.9)
"""Inches: the square plot plus the legend of cities below it."""
PLACE_ALPHA = 0.05
"""Fill of a place's ±1 SD ellipse: 26 of them overlap, so each is faint."""
LABEL_SIZE = TEXT_PT
"""Points, the place and coordinate labels on the circumplex."""
LABEL_RADII_PT = (22.0, 40.0, 60.0, 85.0, 115.0, 150.0)
LABEL_ANGLES = 16
"""A label is tried at these distances (points) and this many directions around its point, and
goes to the first spot where it overlaps nothing already drawn and stays inside the plot."""
LEADER_FREE_FROM = 0.25
"""Part of a leader, from its dot, that may pass other labels' boxes."""
DOT_PX = 6.0
"""Half the side of the square a dot keeps free of labels, pixels."""
QUADRANTS = {
    (0.5, 0.5): "vibrant",
    (-0.5, 0.5): "chaotic",
    (-0.5, -0.5): "monotonous",
    (0.5, -0.5): "calm",
}


def _figure(size: tuple[float, float]) -> Figure:
    return Figure(figsize=size, dpi=DPI, layout="constrained")


def time_axis(ax: Axes, seconds: float) -> None:
    """A time axis from 0 to the clip's end, in seconds, or in m:ss past `CLOCK_FROM` seconds, so
    that the spectrogram and the loudness below it share one scale."""
    ax.set_xlim(0.0, max(seconds, LOUDNESS_STEP))
    if seconds > CLOCK_FROM:
        step = next((s for s in CLOCK_STEPS if seconds / s <= MAX_TIME_TICKS), CLOCK_STEPS[-1])
        ax.xaxis.set_major_locator(MultipleLocator(step))
        ax.xaxis.set_major_formatter(FuncFormatter(lambda t, _: clock(t)))
        ax.set_xlabel("time (m:ss)")
    else:
        ax.set_xlabel("time (s)")


def log_mel_figure(analysis: Analysis) -> Figure:
    """The log-mel spectrogram the model saw, time in seconds, mel bands labelled in Hz."""
    fig = _figure(WIDE)
    ax = fig.add_subplot()
    mel = analysis.log_mel.T
    seconds = mel.shape[1] * analysis.mel_pooling * HOP_LENGTH / SAMPLE_RATE
    top = float(mel.max())
    image = ax.imshow(
        mel,
        origin="lower",
        aspect="auto",
        cmap=MEL_CMAP,
        extent=(0.0, seconds, -0.5, N_MELS - 0.5),
        vmin=top - MEL_DYNAMIC_RANGE,
        vmax=top,
    )
    centres = librosa.mel_frequencies(N_MELS + 2, fmin=MEL_FMIN, fmax=MEL_FMAX)[1:-1]
    ticks = [(int(np.argmin(np.abs(centres - hz))), hz) for hz in MEL_TICKS_HZ]
    ax.set_yticks(
        [i for i, _ in ticks], [f"{hz / 1000:g}k" if hz >= 1000 else str(hz) for _, hz in ticks]
    )
    time_axis(ax, analysis.duration)
    ax.set_ylabel("pitch (Hz)")
    ax.set_title("Sound energy by pitch")
    fig.colorbar(image, ax=ax, label="dB")
    return fig


def loudness_figure(analysis: Analysis) -> Figure:
    """ISO 532-1 loudness N(t) with N5 and N10 marked."""
    fig = _figure(WIDE)
    ax = fig.add_subplot()
    t = np.arange(analysis.loudness.size) * LOUDNESS_STEP * analysis.loudness_pooling
    ax.plot(t, analysis.loudness, color="#333333", linewidth=0.8, label="N(t)")
    ax.axhline(analysis.n5, color="#d62728", linestyle="--", label=f"N5 = {analysis.n5:.1f} sone")
    ax.axhline(analysis.n10, color="#ff7f0e", linestyle=":", label=f"N10 = {analysis.n10:.1f} sone")
    ax.set_ylim(bottom=0, top=max(analysis.nmax * 1.1, 1.0))
    time_axis(ax, analysis.duration)
    ax.set_ylabel("loudness (sone)")
    ax.set_title("How loud, over time")
    fig.legend(loc="outside lower center", ncols=2, fontsize=TEXT_PT)  # below the time label
    return fig


def events_figure(analysis: Analysis) -> Figure:
    """The 15 event probabilities, sorted; the ones the caption mentions in colour."""
    fig = _figure(EVENTS_SIZE)
    ax = fig.add_subplot()
    used = {name for name, _ in select_events(analysis.event_probabilities)}
    items = sorted(analysis.event_probabilities.items(), key=lambda kv: kv[1])
    colours = [USED_COLOUR if name in used else UNUSED_COLOUR for name, _ in items]
    bars = ax.barh([n for n, _ in items], [p for _, p in items], color=colours)
    ax.bar_label(bars, labels=[f"{p:.2f}" for _, p in items], padding=2, fontsize=TEXT_PT)
    ensemble_whiskers(ax, analysis, [n for n, _ in items])
    ax.set_xlim(0, 1.12)
    ax.set_xlabel("probability")
    ax.set_title("Sound events")
    return fig


def paq_tick(quality: str, value: float) -> str:
    """A radar axis label: the quality and its rating, saying so when it lies off the scale."""
    low, high = PAQ_SCALE
    if value < low:
        return f"{quality}\n{value:.1f} (below {low:g})"
    if value > high:
        return f"{quality}\n{value:.1f} (above {high:g})"
    return f"{quality}\n{value:.1f}"


def paq_figure(*analyses: Analysis, names: Sequence[str] = CLIP_NAMES) -> Figure:
    """Radar chart of the 8 perceived affective qualities on 1..5, neutral ring at 3; two clips
    are overlaid (A, B), one clip has its values in the axis labels."""
    fig = _figure(SQUARE)
    ax = fig.add_subplot(projection="polar")
    angles = np.deg2rad([PAQ_ANGLES[q] for q in PAQ_CIRCLE])
    closed = np.append(angles, angles[0])
    for analysis, name, colour in zip(analyses, names, CLIP_COLOURS, strict=False):
        values = np.array([analysis.paq[q] for q in PAQ_CIRCLE])
        drawn = np.clip(values, *PAQ_SCALE)  # the JSON keeps the raw value
        ring = np.append(drawn, drawn[0])
        label = name if len(analyses) > 1 else None
        ax.plot(closed, ring, color=colour, linewidth=2, label=label)
        ax.fill(closed, ring, color=colour, alpha=0.25 if len(analyses) == 1 else 0.15)
        if len(analyses) == 1:
            ensemble_band(ax, analysis, closed)
        outside = drawn != values
        if outside.any():
            ax.scatter(angles[outside], drawn[outside], marker=OFF_SCALE_MARKER, s=90,
                       color=colour, edgecolors="black", zorder=5,
                       label="off the 1–5 scale")  # fmt: skip
    ax.plot(
        np.linspace(0, 2 * np.pi, 100),
        np.full(100, float(Likert.NEUTRAL)),
        color="#888888",
        linestyle="--",
        linewidth=1,
        label=f"neutral ({Likert.NEUTRAL:d})",
    )
    ticks = [paq_tick(q, analyses[0].paq[q]) for q in PAQ_CIRCLE]
    ax.set_xticks(angles, ticks if len(analyses) == 1 else list(PAQ_CIRCLE))
    ax.spines["polar"].set_visible(False)  # the grid ring at 5 draws the circle, under the words
    ax.xaxis.set_zorder(WORDS_ZORDER)
    for word in ax.get_xticklabels():
        word.set_bbox(WORD_GROUND)
    ax.set_ylim(*PAQ_SCALE)
    ax.set_yticks([int(level) for level in Likert])
    ax.set_rlabel_position(360 / len(PAQS) / 2)  # scale numbers between two quality axes
    ax.set_title("How it would feel (1–5)")
    ax.legend(
        loc="upper center", bbox_to_anchor=(0.5, -0.1), ncol=3, fontsize=TEXT_PT, frameon=False
    )
    return fig


def city_colours(places: Sequence[Place]) -> dict[str, str]:
    """One colour per city of the surveyed places."""
    return dict(zip(sorted({p.city for p in places}), CITY_COLOURS, strict=False))


def _circumplex_frame(ax) -> None:
    ax.add_patch(Circle((0, 0), 1.0, fill=False, color="#bbbbbb"))
    ax.axhline(0, color="#bbbbbb", linewidth=1)
    ax.axvline(0, color="#bbbbbb", linewidth=1)
    for (x, y), text in QUADRANTS.items():
        ax.text(x, y, text, ha="center", va="center", color=QUADRANT_COLOUR, style="italic")
    ax.set_xlim(-1.05, 1.05)
    ax.set_ylim(-1.05, 1.05)
    ax.set_aspect("equal")
    ax.set_xlabel("annoying  ←  ISO Pleasantness  →  pleasant")
    ax.set_ylabel("uneventful  ←  ISO Eventfulness  →  eventful")


def _draw_places(ax, places: Sequence[Place], colours: dict[str, str]) -> None:
    """Each surveyed place as its mean (a dot) with a ±1 SD ellipse, coloured by city."""
    for p in places:
        colour = colours[p.city]
        ax.add_patch(
            Ellipse(
                (p.isop, p.isoe),
                2 * p.isop_sd,
                2 * p.isoe_sd,
                facecolor=matplotlib.colors.to_rgba(colour, PLACE_ALPHA),
                edgecolor=matplotlib.colors.to_rgba(colour, 3 * PLACE_ALPHA),
                linewidth=0.8,
            )
        )
        ax.plot(p.isop, p.isoe, "o", markersize=4, color=colour, zorder=2)


def _label_spots() -> list[tuple[float, float]]:
    """Offsets in points, nearest first, each ring starting to the upper right."""
    turns = np.arange(LABEL_ANGLES) / LABEL_ANGLES * 2 * np.pi + np.pi / 4
    return [(r * np.cos(t), r * np.sin(t)) for r in LABEL_RADII_PT for t in turns]


def _text_box(note, renderer) -> Bbox:
    """Where an annotation's text lands, without its leader line."""
    note.update_positions(renderer)
    return Text.get_window_extent(note, renderer)


def _boxes_at(fig: Figure, ax, renderer, text: str, point, colour: str):
    """Where a label's text would land at any spot: measured once to each side of its point
    (the text is the same size everywhere), then moved by the spot's offset."""
    measured = {}
    for spot in ((1.0, 0.0), (-1.0, 0.0)):
        note = _label(ax, text, point, spot, colour)
        measured[spot[0] > 0] = (spot, _text_box(note, renderer))
        note.remove()
    pixels_per_point = fig.dpi / POINTS_PER_INCH

    def box_at(spot: tuple[float, float]) -> Bbox:
        (x0, y0), box = measured[spot[0] >= 0]
        return box.translated((spot[0] - x0) * pixels_per_point, (spot[1] - y0) * pixels_per_point)

    return box_at


Segment = tuple[tuple[float, float], tuple[float, float]]


def _crosses(a: Segment, b: Segment) -> bool:
    """Whether two segments cross (touching ends do not count)."""

    def side(p, q, r) -> float:
        return (q[0] - p[0]) * (r[1] - p[1]) - (q[1] - p[1]) * (r[0] - p[0])

    (p1, p2), (q1, q2) = a, b
    return side(p1, p2, q1) * side(p1, p2, q2) < 0 and side(q1, q2, p1) * side(q1, q2, p2) < 0


def _hits(segment: Segment, box: Bbox, steps: int = 12) -> bool:
    """Whether a leader passes through a box, sampled along its length from a little way out
    of its dot (a dot may sit at another label's edge) to its label."""
    (x0, y0), (x1, y1) = segment
    return any(
        box.contains(x0 + (x1 - x0) * t, y0 + (y1 - y0) * t)
        for t in np.linspace(LEADER_FREE_FROM, 1, steps)
    )


def _place_labels(
    fig: Figure, ax, labels: list[tuple[str, tuple[float, float], str]], places: Sequence[Place]
) -> None:
    """Write each (text, point, colour) beside its point, inside the axes, covering no other
    label, quadrant word, clip or place dot. Of such spots the nearest wins whose leader line
    crosses no other leader or label; failing that, the one with the fewest crossings."""
    fig.draw_without_rendering()  # final layout, so that extents are true
    renderer = fig.canvas.get_renderer()
    inside = ax.get_window_extent(renderer).shrunk(0.98, 0.98)
    words = [t.get_window_extent(renderer).expanded(1.1, 1.2) for t in ax.texts]
    dots = [point for _, point, _ in labels] + [(p.isop, p.isoe) for p in places]
    dot_boxes = [
        Bbox.from_bounds(*(ax.transData.transform(xy) - DOT_PX), 2 * DOT_PX, 2 * DOT_PX)
        for xy in dots
    ]
    boxes: list[Bbox] = []
    leaders: list[Segment] = []
    for text, point, colour in labels:
        anchor = tuple(ax.transData.transform(point))
        best: tuple[int, tuple[float, float], Bbox, Segment] | None = None
        boxes_at = _boxes_at(fig, ax, renderer, text, point, colour)
        for spot in _label_spots():
            box = boxes_at(spot)
            if not (inside.contains(box.x0, box.y0) and inside.contains(box.x1, box.y1)):
                continue
            if any(box.overlaps(other) for other in boxes + words + dot_boxes):
                continue
            leader = (anchor, (box.x0 + box.width / 2, box.y0 + box.height / 2))
            crossings = (
                sum(_hits(leader, other) for other in boxes)
                + sum(_crosses(leader, other) for other in leaders)
                + sum(_hits(other, box) for other in leaders)
            )
            if best is None or crossings < best[0]:
                best = (crossings, spot, box, leader)
            if crossings == 0:
                break
        if best is None:  # nowhere free: the nearest spot, overlapping
            spot = _label_spots()[0]
            note = _label(ax, text, point, spot, colour)
            best = (0, spot, _text_box(note, renderer), (anchor, anchor))
        else:
            _label(ax, text, point, best[1], colour)
        boxes.append(best[2].expanded(1.1, 1.6))
        leaders.append(best[3])


def _label(ax, text: str, point: tuple[float, float], spot: tuple[float, float], colour: str):
    """A place or clip label at `spot` points from its point, joined to it by a leader line."""
    note = ax.annotate(
        text,
        point,
        xytext=spot,
        textcoords="offset points",
        ha="left" if spot[0] >= 0 else "right",
        va="center",
        fontsize=LABEL_SIZE,
        color="#222222",
        bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": colour, "alpha": 0.85},
        arrowprops={"arrowstyle": "-", "color": colour, "linewidth": 0.8},
        zorder=6,
    )
    note.set_in_layout(False)  # a label never moves the axes
    return note


def _legend_dot(colour: str, label: str, size: float = 6) -> Line2D:
    return Line2D([], [], marker="o", linestyle="", markersize=size, color=colour, label=label)


def circumplex_figure(*analyses: Analysis, names: Sequence[str] = CLIP_NAMES) -> Figure:
    """ISO Pleasantness × Eventfulness (ISO/TS 12913-3): the surveyed places of the ISD (mean
    and ±1 SD ellipse, coloured by city), the places nearest to each clip named, and each
    clip's point on top."""
    fig = _figure(CIRCUMPLEX_SIZE)
    FigureCanvasAgg(fig)  # a renderer, to measure the labels
    ax = fig.add_subplot()
    _circumplex_frame(ax)
    places = load_places()
    colours = city_colours(places)
    _draw_places(ax, places, colours)

    labels: list[tuple[str, tuple[float, float], str]] = []
    named: set[str] = set()
    handles = []
    for analysis, name, colour in zip(analyses, names, CLIP_COLOURS, strict=False):
        point = (analysis.isop, analysis.isoe)
        ax.scatter(*point, s=140, color=colour, edgecolors="white", linewidths=1.5, zorder=7)
        ensemble_points(ax, analysis)
        single = len(analyses) == 1
        coords = f"({analysis.isop:+.2f}, {analysis.isoe:+.2f})"
        labels.append((coords if single else f"{name} {coords}", point, colour))
        legend = "this clip" if single else f"clip {name}"
        handles.append(_legend_dot(colour, legend, size=9))
        for place, _ in nearest_places(*point, count=NEAREST_COUNT):
            if place.location_id not in named:
                named.add(place.location_id)
                labels.append((place.place, (place.isop, place.isoe), colours[place.city]))
    if any(a.ensemble for a in analyses):  # every mark in the legend
        handles.append(Line2D([], [], marker="o", linestyle="", markerfacecolor="none",
                              color=ENSEMBLE_COLOUR, label="each checkpoint"))  # fmt: skip
    labels_of = {p.city: p.city_label for p in places}
    handles += [_legend_dot(c, labels_of[city]) for city, c in colours.items()]
    ax.set_title("Pleasant × eventful, with real places")
    fig.legend(handles=handles, loc="outside lower center", ncol=2, fontsize=TEXT_PT, frameon=False,
               handletextpad=0.1, columnspacing=0.8)  # fmt: skip
    _place_labels(fig, ax, labels, places)
    fig.set_layout_engine("none")  # laid out for the labels already: drawn without doing it again
    return fig


def events_pair_figure(a: Analysis, b: Analysis, names: Sequence[str] = CLIP_NAMES) -> Figure:
    """The 15 event probabilities of two clips side by side, sorted by the larger of the two."""
    fig = _figure(CIRCUMPLEX_SIZE)  # beside the circumplex, the same size
    ax = fig.add_subplot()
    order = sorted(EVENTS, key=lambda e: max(a.event_probabilities[e], b.event_probabilities[e]))
    y = np.arange(len(order))
    height = 0.4
    shifts = (height / 2, -height / 2)  # A above B in each pair
    for analysis, name, colour, shift in zip((a, b), names, CLIP_COLOURS, shifts, strict=True):
        values = [analysis.event_probabilities[e] for e in order]
        ax.barh(y + shift, values, height, color=colour, label=name)
    ax.set_yticks(y, order)
    ax.set_xlim(0, 1)
    ax.set_xticks([0, 0.5, 1])
    ax.set_xlabel("probability")
    ax.set_title(f"Sound events: {names[0]} and {names[1]}")
    ax.legend(loc="lower right", fontsize=TEXT_PT)
    return fig


def scene_confidences(analysis: Analysis) -> dict[str, float]:
    """Scene probabilities keyed by their lay names, for a label component."""
    return {SCENE_LAY_NAMES[k]: float(v) for k, v in analysis.scene_probabilities.items()}


SOONEST_FIRST = (2, 3, 4, 1, 0)
"""The order the five figures are drawn in, as places in `all_figures`: events, radar and
circumplex (what the page shows first), then loudness and spectrogram."""


def figure_at(analysis: Analysis, i: int) -> Figure:
    """The figure at place `i` of `all_figures` (greyed for a clip too quiet to be a result)."""
    side_by_side = analysis.comparison is not None
    makers = (
        log_mel_figure,
        loudness_figure,
        (lambda a: networks_events_figure(a, DPI)) if side_by_side else events_figure,
        (lambda a: networks_paq_figure(a, SQUARE, DPI)) if side_by_side else paq_figure,
        circumplex_figure,
    )
    figure = makers[i](analysis)
    return figure if shown_as_result(analysis) else greyed(figure)


def all_figures(analysis: Analysis) -> tuple[Figure, Figure, Figure, Figure, Figure]:
    """Log-mel, loudness, events, PAQ radar and circumplex, in that order; for networks side by
    side, the events as a networks × events heat map and every network's ring on the radar;
    greyed, with the reason across them, when the clip is too quiet for them to be results."""
    return tuple(figure_at(analysis, i) for i in range(len(SOONEST_FIRST)))  # type: ignore[return-value]


def greyed(fig: Figure) -> Figure:
    """`fig` behind a pale veil with `GREYED_MARK` across it: shown, but not as a result."""
    veil = Rectangle((0, 0), 1, 1, transform=fig.transFigure, color="white", alpha=GREY_VEIL)
    veil.set_zorder(GREY_ZORDER)
    fig.patches.append(veil)
    fig.text(0.5, 0.5, GREYED_MARK, ha="center", va="center", fontsize="x-large",
             color=PLACEHOLDER_COLOUR, zorder=GREY_ZORDER + 1, wrap=True)  # fmt: skip
    return fig


def placeholder_figure(text: str, size: tuple[float, float] = WIDE) -> Figure:
    """An empty panel saying what it will hold, shown before the first clip."""
    fig = _figure(size)
    ax = fig.add_subplot()
    ax.set_axis_off()
    ax.text(0.5, 0.5, text, ha="center", va="center", wrap=True, color=PLACEHOLDER_COLOUR,
            fontsize="large", transform=ax.transAxes)  # fmt: skip
    return fig
