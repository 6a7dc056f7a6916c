"""`analyze()`: a clip or a whole recording, from a file or an array, to an `Analysis`, through
the stages in order: decoding, windows (features and network), combination.

May import: errors, audio, loudness, model, result."""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np

from llm_ssd.audio.checks import (
    MAX_DURATION,
    NETWORK_MIN_DURATION,
    AudioError,
    check_audio,
    check_rate,
)
from llm_ssd.audio.decode import AudioStream, array_stream, open_audio
from llm_ssd.audio.level import FAINT_WARNING, QUIET_WARNING, LevelMeter
from llm_ssd.audio.mel import SAMPLE_RATE
from llm_ssd.loudness import percentile_loudness
from llm_ssd.model.runtime import load_models
from llm_ssd.model.windows import analyse
from llm_ssd.result import Analysis, Ensemble, mean_prediction

ENSEMBLE_NAME = "ensemble of the published checkpoints"
"""`Analysis.checkpoint` when the outputs are the mean of the four published checkpoints."""


def analyze(
    audio: str | Path | np.ndarray,
    sample_rate: int | None = None,
    checkpoint: str | Path | None = None,
    device: str | None = None,
    max_duration: float = MAX_DURATION,
    ensemble: bool = False,
) -> Analysis:
    """Scene, events, ISOP/ISOE and PAQ of a clip or a recording: a file path, or samples with
    their rate. Over 45 s it is analysed in 30-s windows (`model.windows`). With `ensemble`, the
    outputs are the mean of the four published checkpoints' (`checkpoint` is not used) and
    `Analysis.ensemble` holds each one's and their spread."""
    t_start = time.perf_counter()
    stream = _stream(audio, sample_rate, max_duration)
    check_rate(stream.name, stream.source_rate)
    t_opened = time.perf_counter()
    models = load_models(checkpoint, device, ensemble)
    meter = LevelMeter()
    recording = analyse(meter.measure(stream.blocks()), stream.rate, models, stream.name)
    per_checkpoint = recording.checkpoint_predictions()
    mel, mel_pooling, loudness, loudness_pooling = recording.display()
    curve = recording.loudness()
    duration = recording.samples / stream.rate
    names = tuple(model.name for model in models)
    spread = Ensemble(names, tuple(per_checkpoint)) if ensemble else None
    timings = {"decode": t_opened - t_start + recording.timings.pop("decode"), **recording.timings}
    return Analysis(
        prediction=mean_prediction(per_checkpoint),
        log_mel=mel,
        loudness=loudness,
        n5=percentile_loudness(curve, 5.0),
        n10=percentile_loudness(curve, 10.0),
        nmax=float(curve.max()) if curve.size else 0.0,
        duration=duration,
        sample_rate=stream.source_rate,
        checkpoint=ENSEMBLE_NAME if ensemble else models[0].name,
        source=Path(audio).name if isinstance(audio, (str, Path)) else "array",
        timings={**timings, "total": time.perf_counter() - t_start},
        warnings=tuple(_warnings(stream, duration, meter)),
        windows=tuple(recording.windows),
        ensemble=spread,
        mel_pooling=mel_pooling,
        loudness_pooling=loudness_pooling,
    )


def _stream(
    audio: str | Path | np.ndarray, sample_rate: int | None, max_duration: float
) -> AudioStream:
    """A file opened for decoding, or an array checked and read in blocks."""
    if isinstance(audio, (str, Path)):
        return open_audio(audio, max_duration)
    if sample_rate is None:
        raise AudioError("a sample rate is needed with an array of samples.")
    return array_stream(
        check_audio(audio, sample_rate, "array", max_duration), sample_rate, "array"
    )


def _warnings(stream: AudioStream, duration: float, meter: LevelMeter) -> list[str]:
    """What the user should know about the input: a low rate, a looped clip, a clip too quiet
    to describe or quiet enough to make the results less reliable, a cut-short file."""
    warnings = []
    if stream.source_rate < SAMPLE_RATE:
        warnings.append(
            f"The clip was recorded at {stream.source_rate} Hz, so it holds no sound above "
            f"{stream.source_rate / 2000:g} kHz; the model, trained on full-band recordings, may "
            "read that as a different place. Record at 16 kHz or more if you can."
        )
    if duration < NETWORK_MIN_DURATION:
        warnings.append(
            f"The clip is {duration:.2f} s long; the model needs {NETWORK_MIN_DURATION:.2f} s, "
            "so it was looped to that length. Longer clips give more reliable results."
        )
    if meter.too_quiet:
        warnings.append(QUIET_WARNING)
    elif meter.faint:
        warnings.append(FAINT_WARNING)
    return warnings + stream.warnings
