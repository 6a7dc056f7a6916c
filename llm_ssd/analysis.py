"""`analyze()`: one clip from a file or an array to an `Analysis`, through the stages in order."""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import torch

from .audio import (
    MAX_DURATION,
    NETWORK_MIN_DURATION,
    SAMPLE_RATE,
    AudioError,
    check_audio,
)
from .decode import read_clip
from .features import features
from .inference import load_model
from .labels import EVENTS, PAQS, SCENES
from .result import Analysis


def analyze(
    audio: str | Path | np.ndarray,
    sample_rate: int | None = None,
    checkpoint: str | Path | None = None,
    device: str | None = None,
    max_duration: float = MAX_DURATION,
) -> Analysis:
    """Scene, events, ISOP/ISOE and PAQ of one clip: a file path, or samples with their rate."""
    t_start = time.perf_counter()
    if isinstance(audio, (str, Path)):
        source = Path(audio).name
        samples, sample_rate = read_clip(audio, max_duration)
    else:
        if sample_rate is None:
            raise AudioError("a sample rate is needed with an array of samples.")
        source = "array"
        samples = check_audio(audio, sample_rate, source, max_duration)
    duration = samples.size / sample_rate
    warnings = []
    if sample_rate < SAMPLE_RATE:
        warnings.append(
            f"The clip was recorded at {sample_rate} Hz, so it holds no sound above "
            f"{sample_rate / 2000:g} kHz; the model, trained on full-band recordings, may read "
            "that as a different place. Record at 16 kHz or more if you can."
        )
    if duration < NETWORK_MIN_DURATION:
        warnings.append(
            f"The clip is {duration:.2f} s long; the model needs {NETWORK_MIN_DURATION:.2f} s, "
            "so it was looped to that length. Longer clips give more reliable results."
        )
    t_decoded = time.perf_counter()

    model = load_model(checkpoint, device)
    mel, loud, timings = features(samples, sample_rate, model.device)
    t_model = time.perf_counter()
    pred = model.predict(mel[None], torch.from_numpy(loud.n.astype(np.float32))[None])
    t_end = time.perf_counter()
    return Analysis(
        scene_probabilities=dict(zip(SCENES, pred["scene"][0].tolist(), strict=True)),
        event_probabilities=dict(zip(EVENTS, pred["event"][0].tolist(), strict=True)),
        isop=float(pred["isop"][0]),
        isoe=float(pred["isoe"][0]),
        paq=dict(zip(PAQS, pred["paq"][0].tolist(), strict=True)),
        log_mel=mel.cpu().numpy(),
        loudness=loud.n,
        n5=loud.n5,
        n10=loud.n10,
        nmax=loud.nmax,
        duration=duration,
        sample_rate=sample_rate,
        checkpoint=model.name,
        source=source,
        timings={
            "decode": t_decoded - t_start,
            **timings,
            "model": t_end - t_model,
            "total": t_end - t_start,
        },
        warnings=tuple(warnings),
    )
