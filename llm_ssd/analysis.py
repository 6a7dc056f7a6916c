"""`analyze()`: a clip or a whole recording, from a file or an array, to an `Analysis`, through
the stages in order: decoding, windows (features and network), combination.

May import: errors, audio, loudness, model, result."""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np

from llm_ssd.audio.calibration import PAPER, Calibration
from llm_ssd.audio.checks import (
    MAX_DURATION,
    NETWORK_MIN_DURATION,
    AudioError,
    check_audio,
    check_rate,
)
from llm_ssd.audio.decode import AudioStream, DecodedAudio, array_stream, open_audio
from llm_ssd.audio.level import (
    FAINT_WARNING,
    INAUDIBLE_WARNING,
    QUIET_WARNING,
    LevelMeter,
    inaudible,
)
from llm_ssd.audio.mel import SAMPLE_RATE
from llm_ssd.loudness import percentile_loudness
from llm_ssd.model import threads
from llm_ssd.model.networks.registry import Network, is_all
from llm_ssd.model.runtime import LoadedModel, load_models
from llm_ssd.model.runtime import side_by_side as load_side_by_side
from llm_ssd.model.windows import analyse
from llm_ssd.result import (
    Analysis,
    Comparison,
    Ensemble,
    NetworkOutput,
    Prediction,
    mean_prediction,
)

ENSEMBLE_NAME = "ensemble of the published checkpoints"
"""`Analysis.checkpoint` when the outputs are the mean of the four published checkpoints."""


def analyze(
    audio: str | Path | np.ndarray | DecodedAudio,
    sample_rate: int | None = None,
    checkpoint: str | Path | None = None,
    device: str | None = None,
    max_duration: float = MAX_DURATION,
    ensemble: bool = False,
    model: str | None = None,
    calibration: Calibration = PAPER,
) -> Analysis:
    """Scene, events, ISOP/ISOE and PAQ of a clip or a recording: a file path, or samples with
    their rate. Over 45 s it is analysed in 30-s windows (`model.windows`). With `ensemble`, the
    outputs are the mean of the four published checkpoints' (`checkpoint` is not used) and
    `Analysis.ensemble` holds each one's and their spread. `model` picks the network
    (`model.networks.registry`, e.g. "baseline_cnn"; default SoundAQnet, or the network of
    `checkpoint`); "all" runs every network whose weights are present on the same features,
    SoundAQnet's outputs first, and `Analysis.comparison` holds each one's. `calibration` maps
    the samples to pascals (`audio.calibration`; default the paper's convention). `audio` may
    also be a file decoded elsewhere (`audio.decode.decode`)."""
    t_start = time.perf_counter()
    if calibration.level_db is not None:  # a first pass for the recording's own level
        first = _stream(audio, sample_rate, max_duration)
        calibration = calibration.for_recording(first.blocks(), first.rate, first.name)
    stream = _stream(audio, sample_rate, max_duration)
    check_rate(stream.name, stream.source_rate)
    t_opened = time.perf_counter()
    left_out: list[tuple[Network, str]] = []
    if side_by_side := is_all(model):
        if checkpoint is not None or ensemble:
            load_models(checkpoint, device, ensemble, model)  # the usage error it says
        models, left_out = load_side_by_side(device)
    else:
        models = load_models(checkpoint, device, ensemble, model)
    meter = LevelMeter()
    blocks = meter.measure(calibration.apply(stream.blocks()))
    with threads.running():  # this analysis's share of the cores, fitted again at each stage
        recording = analyse(blocks, stream.rate, models, stream.name, side_by_side)
    per_checkpoint = recording.checkpoint_predictions()
    comparison = _comparison(models, per_checkpoint, left_out) if side_by_side else None
    mel, mel_pooling, loudness, loudness_pooling = recording.display()
    curve = recording.loudness()
    duration = recording.samples / stream.rate
    names = tuple(model.name for model in models)
    spread = Ensemble(names, tuple(per_checkpoint)) if ensemble else None
    timings = {"decode": t_opened - t_start + recording.timings.pop("decode"), **recording.timings}
    notes = _network_warnings(models, recording.frames)
    n5 = percentile_loudness(curve, 5.0)
    return Analysis(
        prediction=per_checkpoint[0] if side_by_side else mean_prediction(per_checkpoint),
        log_mel=mel,
        loudness=loudness,
        n5=n5,
        n10=percentile_loudness(curve, 10.0),
        nmax=float(curve.max()) if curve.size else 0.0,
        duration=duration,
        sample_rate=stream.source_rate,
        checkpoint=ENSEMBLE_NAME if ensemble else models[0].name,
        network=models[0].network,
        source=_source(audio),
        timings={**timings, "total": time.perf_counter() - t_start},
        warnings=tuple(_warnings(stream, duration, meter, n5) + notes),
        windows=tuple(recording.windows),
        ensemble=spread,
        comparison=comparison,
        mel_pooling=mel_pooling,
        loudness_pooling=loudness_pooling,
        calibration=calibration.text,
        calibration_gain_db=round(calibration.gain_db, 4),
    )


def _source(audio: str | Path | np.ndarray | DecodedAudio) -> str:
    if isinstance(audio, (str, Path)):
        return Path(audio).name
    return audio.name if isinstance(audio, DecodedAudio) else "array"


def _stream(
    audio: str | Path | np.ndarray | DecodedAudio, sample_rate: int | None, max_duration: float
) -> AudioStream:
    """A file opened for decoding, an array checked and read in blocks, or a decoded stream."""
    if isinstance(audio, DecodedAudio):
        return audio.stream()
    if isinstance(audio, (str, Path)):
        return open_audio(audio, max_duration)
    if sample_rate is None:
        raise AudioError("a sample rate is needed with an array of samples.")
    return array_stream(
        check_audio(audio, sample_rate, "array", max_duration), sample_rate, "array"
    )


def _warnings(stream: AudioStream, duration: float, meter: LevelMeter, n5: float) -> list[str]:
    """What the user should know about the input: a low rate, a looped clip, a clip too quiet
    to describe (by its level, or by its loudness `n5`) or quiet enough to make the results less
    reliable, a cut-short file."""
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
    elif inaudible(n5):
        warnings.append(INAUDIBLE_WARNING)
    elif meter.faint:
        warnings.append(FAINT_WARNING)
    return warnings + stream.warnings


def _comparison(
    models: list[LoadedModel], predictions: list[Prediction], left_out: list[tuple[Network, str]]
) -> Comparison:
    """Each network's outputs, and the networks left out with why and how to get them."""
    outputs = tuple(
        NetworkOutput(m.network, m.spec.label, m.name, m.spec.uses_loudness, p)
        for m, p in zip(models, predictions, strict=True)
    )
    missing = tuple((n.name, n.label, n.how_to_get(), why) for n, why in left_out)
    return Comparison(outputs, missing)


def _network_warnings(models: list[LoadedModel], frames: list[int]) -> list[str]:
    """What the user should know about the networks: which hear no loudness, and which were
    given windows brought to a length they accept."""
    specs = list({m.network: m.spec for m in models}.values())
    notes = []
    deaf = [s.label for s in specs if not s.uses_loudness]
    if deaf:
        who = deaf[0] if len(deaf) == 1 else f"{', '.join(deaf[:-1])} and {deaf[-1]}"
        notes.append(
            f"{who} hear{'s' if len(deaf) == 1 else ''} the log-mel only, not the loudness: the "
            "loudness figures (N5, N10, Nmax, the loudness curve) are measured from the clip, "
            f"and {'its' if len(deaf) == 1 else 'their'} predictions do not use them."
        )
    notes += [note for s in specs if (note := _length_note(s, frames))]
    return notes


def _length_note(spec: Network, frames: list[int]) -> str | None:
    """How many windows a network took at another length than the features', and how."""
    changed = [f for f in frames if not spec.frames.accepts(f)]
    if not changed:
        return None
    target = spec.frames.length_for(changed[0])
    if spec.frames.maximum is None:
        how = f"its log-mel repeated from its start up to {target} frames"
    else:
        how = (
            f"each brought to {target} frames ({(target - 1) / 100:g} s): a shorter one repeated "
            "from its start, a longer one cut to its first frames"
        )
    windows = "the clip" if len(frames) == 1 else f"{len(changed)} of {len(frames)} windows"
    return f"{spec.label} takes {spec.frames.describe()}, so {windows} went in changed: {how}."
