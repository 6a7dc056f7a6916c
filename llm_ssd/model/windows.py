"""Recordings of any length as 30-s windows, each analysed as the published model expects a 30-s
clip, the windows through the network in batches, and their outputs combined.

A recording up to `SINGLE_WINDOW_MAX` (45 s) is one window, analysed whole, exactly as a clip
always was. A longer one is cut into 30-s windows that follow each other without overlap (the
hop is 30 s). What remains after the last full window is a window of its own when it lasts at
least `LAST_WINDOW_MIN`; a shorter remainder is analysed as the recording's last 30 s,
overlapping the window before. Each window weighs the seconds it adds to the windows before it
(30 s, or the remainder): the recording's probabilities and ratings are the weighted mean of its
windows', and its N5, N10 and Nmax are those of its whole loudness curve (the windows' curves
joined, each from where the window before ended).

Memory does not grow with the length: the audio streams through, at most a window and the part
of the next read so far; a batch of features; the log-mel and loudness kept for display are
max-pooled to at most `MAX_DISPLAY_COLUMNS` columns. Only the loudness curve, kept whole for
exact percentiles, grows: 14 MB an hour."""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import partial

import numpy as np
import torch

from llm_ssd.audio.checks import check_finite, check_length, loop_to_min_duration
from llm_ssd.audio.mel import HOP_LENGTH, SAMPLE_RATE
from llm_ssd.labels import EVENTS, PAQS, SCENES
from llm_ssd.loudness import LOUDNESS_STEP, Loudness, percentile_loudness
from llm_ssd.model import threads
from llm_ssd.model.inputs import log_mel_of, loudness_of
from llm_ssd.model.runtime import LoadedModel, normalise_loudness, normalise_mel
from llm_ssd.model.soundaqnet import KERNELS, SoundAQnet
from llm_ssd.result import Prediction, Window, mean_prediction

WINDOW_SECONDS = 30.0
"""Length of a window: the training clips' length, and the hop from one window to the next."""
SINGLE_WINDOW_MAX = 45.0
"""Recordings up to this long are one window, analysed whole."""
LAST_WINDOW_MIN = 10.0
"""A remainder at least this long is a window of its own; a shorter one is read as the last 30 s."""
BATCH_WINDOWS = {"cpu": 2, "cuda": 16}
"""Windows per network call. On a CPU larger batches run no faster and need ~100 MB more each."""
MAX_DISPLAY_COLUMNS = 6000
"""Most time columns kept for display of a recording longer than one window."""
MEL_STEP = HOP_LENGTH / SAMPLE_RATE
"""Seconds between log-mel frames."""


@dataclass(frozen=True)
class Span:
    """A window, in samples: [start, end), of which [new, end) no earlier window covers."""

    start: int
    end: int
    new: int
    single: bool = False
    """The one window of a recording up to `SINGLE_WINDOW_MAX`, analysed whole."""


def window_sizes(rate: int) -> tuple[int, int, int]:
    """Samples in a window, in the longest single window, and in the shortest last window."""
    seconds = (WINDOW_SECONDS, SINGLE_WINDOW_MAX, LAST_WINDOW_MIN)
    size, single, last_min = (round(s * rate) for s in seconds)
    return size, single, last_min


def plan(n: int, rate: int) -> list[Span]:
    """The windows of `n` samples at `rate` (what `cut` yields, known in advance)."""
    size, single, _ = window_sizes(rate)
    if n <= single:
        return [Span(0, n, 0, single=True)]
    spans = [Span(s, s + size, s) for s in range(0, n - size + 1, size)]
    tail = _tail(n, len(spans) * size, rate)
    return spans + ([tail] if tail else [])


def _tail(n: int, covered: int, rate: int) -> Span | None:
    """The last window of a long recording after `covered` samples of full windows."""
    size, _, last_min = window_sizes(rate)
    if n == covered:
        return None
    return Span(covered, n, covered) if n - covered >= last_min else Span(n - size, n, covered)


def cut(blocks: Iterable[np.ndarray], rate: int) -> Iterator[tuple[Span, np.ndarray]]:
    """The windows of a stream of blocks with their samples, holding at most a window and the
    part of the next read so far (and the single window of a short recording)."""
    size, single, _ = window_sizes(rate)
    buffer, buffer_start, next_start, total = np.zeros(0, np.float32), 0, 0, 0
    for block in blocks:
        buffer = np.concatenate([buffer, block])
        total += block.size
        while total > single and total >= next_start + size:
            offset = next_start - buffer_start
            yield Span(next_start, next_start + size, next_start), buffer[offset : offset + size]
            next_start += size
            drop = next_start - size - buffer_start  # keep the last window for an overlap
            buffer, buffer_start = buffer[drop:], buffer_start + drop
    if total <= single:
        yield Span(0, total, 0, single=True), buffer
    elif tail := _tail(total, next_start, rate):
        yield tail, buffer[tail.start - buffer_start :]


class MaxPool:
    """Rows (time on the first axis) kept max-pooled by a factor that doubles whenever more than
    `limit` rows would be kept."""

    def __init__(self, limit: int = MAX_DISPLAY_COLUMNS) -> None:
        self.limit, self.factor = limit, 1
        self.pooled: list[np.ndarray] = []
        self.partial: np.ndarray | None = None
        self.count = 0
        """Input rows in `partial`, a group not yet full."""

    def add(self, x: np.ndarray) -> None:
        if self.partial is not None:
            head, x = x[: self.factor - self.count], x[self.factor - self.count :]
            if len(head):
                self.partial = np.maximum(self.partial, head.max(axis=0))
                self.count += len(head)
            if self.count == self.factor:
                self.pooled.append(self.partial[None])
                self.partial, self.count = None, 0
        n = len(x) // self.factor * self.factor
        if n:
            self.pooled.append(x[:n].reshape(-1, self.factor, *x.shape[1:]).max(axis=1))
        if len(x) > n:
            self.partial, self.count = x[n:].max(axis=0), len(x) - n
        while sum(map(len, self.pooled)) + (self.partial is not None) > self.limit:
            self._double()

    def _double(self) -> None:
        rows = np.concatenate(self.pooled)
        even = len(rows) // 2 * 2
        self.pooled = [rows[:even].reshape(-1, 2, *rows.shape[1:]).max(axis=1)]
        if even < len(rows):  # the odd last row starts the partial group
            last = rows[-1] if self.partial is None else np.maximum(rows[-1], self.partial)
            self.partial, self.count = last, self.factor + self.count
        self.factor *= 2

    def result(self) -> np.ndarray:
        parts = [*self.pooled, *([self.partial[None]] if self.partial is not None else [])]
        return np.concatenate(parts)


Features = tuple[Span, torch.Tensor, np.ndarray]
"""A window's span, log-mel (frames, 64), and its samples (looped to the network's minimum),
whose loudness is computed when its batch goes through the network (`_predict`)."""
TIMED = ("decode", "log_mel", "loudness", "model")
"""Stages timed over all windows."""


@dataclass(eq=False)
class Recording:
    """What the windows of a recording gave, in order."""

    rate: int
    side_by_side: bool = False
    """Several networks compared: each window holds the first one's outputs, not their mean."""
    samples: int = 0
    frames: list[int] = field(default_factory=list)
    """Log-mel frames of each window's features."""
    windows: list[Window] = field(default_factory=list)
    per_checkpoint: list[list[Prediction]] = field(default_factory=list)
    """For each window, each checkpoint's outputs."""
    loudness_parts: list[np.ndarray] = field(default_factory=list)
    mel_display: MaxPool = field(default_factory=MaxPool)
    loudness_display: MaxPool = field(default_factory=MaxPool)
    whole: tuple[np.ndarray, np.ndarray] | None = None
    """A single window's log-mel and loudness, kept whole."""
    timings: dict[str, float] = field(default_factory=lambda: dict.fromkeys(TIMED, 0.0))

    def add(self, span: Span, mel: np.ndarray, loudness: np.ndarray, preds: list[Prediction]):
        """One window's features and each checkpoint's outputs."""
        start, end, new = (x / self.rate for x in (span.start, span.end, span.new))
        n5 = percentile_loudness(loudness, 5.0)
        combined = preds[0] if self.side_by_side else mean_prediction(preds)
        self.windows.append(Window(start, end, combined, n5))
        self.frames.append(len(mel))
        self.per_checkpoint.append(preds)
        if span.single:  # kept whole, looped to the network's minimum if it was shorter
            self.whole = mel, loudness
            self.loudness_parts.append(loudness)
            return
        steps = round((new - start) / LOUDNESS_STEP), round((end - start) / LOUDNESS_STEP)
        self.loudness_parts.append(loudness[steps[0] : steps[1]])
        frames = round((new - start) / MEL_STEP), round((end - start) / MEL_STEP)
        self.mel_display.add(mel[frames[0] : frames[1]])
        self.loudness_display.add(loudness[steps[0] : steps[1]])

    @property
    def weights(self) -> list[float]:
        """Seconds each window adds to those before it."""
        ends = [0.0] + [w.end for w in self.windows[:-1]]
        return [w.end - max(w.start, before) for w, before in zip(self.windows, ends, strict=True)]

    def checkpoint_predictions(self) -> list[Prediction]:
        """Each checkpoint's outputs for the whole recording: its windows' weighted mean."""
        weights = self.weights
        return [
            mean_prediction([preds[i] for preds in self.per_checkpoint], weights)
            for i in range(len(self.per_checkpoint[0]))
        ]

    def loudness(self) -> np.ndarray:
        """The whole recording's loudness curve, sone every 2 ms."""
        parts = self.loudness_parts
        return parts[0] if len(parts) == 1 else np.concatenate(parts)

    def display(self) -> tuple[np.ndarray, int, np.ndarray, int]:
        """Log-mel and loudness for display, with the frames pooled into each column."""
        if self.whole is not None:
            return self.whole[0], 1, self.whole[1], 1
        mel, loud = self.mel_display, self.loudness_display
        return mel.result(), mel.factor, loud.result(), loud.factor


def analyse(
    blocks: Iterable[np.ndarray],
    rate: int,
    models: list[LoadedModel],
    name: str,
    side_by_side: bool = False,
) -> Recording:
    """Every window of a stream of mono blocks at `rate`, through each model in batches, on the
    same features (computed once per window)."""
    recording = Recording(rate, side_by_side)
    batch: list[Features] = []
    size = BATCH_WINDOWS.get(models[0].device.split(":")[0], BATCH_WINDOWS["cuda"])
    for span, samples in cut(_timed(blocks, recording), rate):
        recording.samples = max(recording.samples, span.end)
        check_length(name, samples.size, rate)
        check_finite(name, samples)
        threads.fit()  # the share of the analyses running now (`threads.running`)
        looped = loop_to_min_duration(samples, rate)
        t0 = time.perf_counter()
        mel = log_mel_of(looped, rate, models[0].device)
        recording.timings["log_mel"] += time.perf_counter() - t0
        if batch and (len(batch) == size or mel.shape != batch[0][1].shape):
            _predict(recording, models, batch)
            batch = []
        batch.append((span, mel, looped))
    _predict(recording, models, batch)
    return recording


def _timed(blocks: Iterable[np.ndarray], recording: Recording) -> Iterator[np.ndarray]:
    """The blocks, with the seconds spent decoding them added to the recording's timings."""
    iterator = iter(blocks)
    while True:
        t0 = time.perf_counter()
        block = next(iterator, None)
        recording.timings["decode"] += time.perf_counter() - t0
        if block is None:
            return
        yield block


def _predict(recording: Recording, models: list[LoadedModel], batch: list[Features]) -> None:
    """A batch of windows' loudness, then the batch through every model, added to the recording.
    With more than one thread, each window's loudness runs on a thread of its own; and a lone
    window through SoundAQnet on a CPU has its mel towers computed while its loudness is
    (`_overlapped`). Either way each operation is the same, so the numbers are."""
    if not batch:
        return
    width = threads.fit()
    t0 = time.perf_counter()
    if len(batch) == 1 and width > 1 and _towered(models):
        loud, outs, loudness_seconds = _overlapped(models, batch[0], recording.rate, width)
        louds = [loud]
    else:
        louds = threads.in_parallel(
            [partial(loudness_of, looped, recording.rate) for _, _, looped in batch], width
        )
        loudness_seconds = time.perf_counter() - t0
        mel = torch.stack([m for _, m, _ in batch])
        loud = torch.from_numpy(np.stack([n.n.astype(np.float32) for n in louds]))
        outs = [model.predict(mel, loud) for model in models]
    recording.timings["loudness"] += loudness_seconds
    recording.timings["model"] += time.perf_counter() - t0 - loudness_seconds  # beyond it
    for i, ((span, m, _), n) in enumerate(zip(batch, louds, strict=True)):
        recording.add(span, m.cpu().numpy(), n.n, [_prediction(out, i) for out in outs])


def _towered(models: list[LoadedModel]) -> bool:
    """Whether every model is SoundAQnet on a CPU, whose towers may run on threads of their own."""
    return all(isinstance(m.model, SoundAQnet) and m.device == "cpu" for m in models)


def _overlapped(
    models: list[LoadedModel], window: Features, rate: int, width: int
) -> tuple[Loudness, list[dict[str, np.ndarray]], float]:
    """One window through SoundAQnet models with its loudness computed alongside their mel
    towers, `width` parts at a time, the longest first (`threads.in_parallel`): the loudness
    runs on one thread no slower than on two, the towers share the cores with it. Returns the
    loudness, each model's outputs, and the seconds the loudness took."""
    _, mel, looped = window
    mels = [normalise_mel(m.norm, mel[None]) for m in models]
    seconds: list[float] = []

    def loudness_part() -> tuple[Loudness, list[list[torch.Tensor]]]:
        t0 = time.perf_counter()
        loud = loudness_of(looped, rate)
        seconds.append(time.perf_counter() - t0)
        n = torch.from_numpy(loud.n[None].astype(np.float32))
        with torch.inference_mode():
            nodes = [
                [m.model.loudness_node(normalise_loudness(m.norm, n), k) for k in KERNELS]
                for m in models
            ]
        return loud, nodes

    def mel_part(i: int, kernel: int) -> torch.Tensor:
        with torch.inference_mode():
            return models[i].model.mel_node(mels[i], kernel)

    towers = [(i, k) for i in range(len(models)) for k in sorted(KERNELS, reverse=True)]
    done = threads.in_parallel([loudness_part] + [partial(mel_part, *t) for t in towers], width)
    loud, loudness_nodes = done[0]
    mel_nodes = dict(zip(towers, done[1:], strict=True))
    outs = []
    with torch.inference_mode():
        for i, model in enumerate(models):
            nodes = [mel_nodes[i, k] for k in KERNELS] + loudness_nodes[i]
            outs.append(model.outputs(model.model.from_nodes(nodes)))
    return loud, outs, seconds[0]


def _prediction(out: dict[str, np.ndarray], i: int) -> Prediction:
    """Item `i` of a batch's outputs."""
    return Prediction(
        scene_probabilities=dict(zip(SCENES, out["scene"][i].tolist(), strict=True)),
        event_probabilities=dict(zip(EVENTS, out["event"][i].tolist(), strict=True)),
        isop=float(out["isop"][i]),
        isoe=float(out["isoe"][i]),
        paq=dict(zip(PAQS, out["paq"][i].tolist(), strict=True)),
    )
