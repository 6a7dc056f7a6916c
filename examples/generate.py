"""Synthesise the example soundscapes that the app offers (examples/*.flac).

Every clip is made here from noise, tones and espeak-ng speech: nothing is recorded, so the
clips carry no third-party licence. Run from anywhere:

    python examples/generate.py                 # every clip, into examples/
    python examples/generate.py park_birdsong   # only the clips named

Needs numpy, scipy, soundfile and the espeak-ng program (apt-get install -y espeak-ng).
The output is deterministic for a given espeak-ng version: each clip has its own fixed seed.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from math import gcd
from pathlib import Path

import numpy as np
import soundfile as sf
from scipy.interpolate import CubicSpline
from scipy.signal import butter, fftconvolve, resample_poly, sosfiltfilt

SR = 32000
"""Sample rate of the clips, Hz."""
DURATION = 15.0
"""Length of every clip, seconds."""
SEED = 5
"""Base seed; each clip mixes in the CRC of its name so that clips are independent."""
OUT_DIR = Path(__file__).resolve().parent
PEAK_CEILING_DB = -1.0
"""Highest sample peak allowed, dBFS."""
SPEED_OF_SOUND = 343.0
"""m/s."""
ESPEAK = "espeak-ng"
ESPEAK_INSTALL = (
    "espeak-ng is needed to synthesise the voices. Install it, e.g.\n"
    "  Debian/Ubuntu: sudo apt-get install -y espeak-ng\n"
    "  macOS:         brew install espeak-ng\n"
    "then run this script again."
)
CRITICAL_DISTANCE = 8.0
"""Metres at which a source's reverberant send equals its direct sound."""

Rng = np.random.Generator


# ---------------------------------------------------------------- signal helpers


def db(level: float) -> float:
    """Amplitude factor of a level in dB."""
    return float(10 ** (level / 20))


def rms(x: np.ndarray) -> float:
    """Root mean square over all samples (tiny floor, never zero)."""
    return float(np.sqrt(np.mean(np.square(x)) + 1e-20))


def at_level(x: np.ndarray, level_db: float) -> np.ndarray:
    """`x` scaled so that its RMS is `level_db` dBFS."""
    return x * (db(level_db) / rms(x))


def n_samples(seconds: float) -> int:
    """Samples in `seconds`."""
    return round(seconds * SR)


def filt(
    x: np.ndarray, lo: float | None = None, hi: float | None = None, order: int = 4
) -> np.ndarray:
    """Zero-phase Butterworth high-pass (lo), low-pass (hi) or band-pass (both), along axis 0."""
    if lo and hi:
        sos = butter(order, [lo, hi], "bandpass", fs=SR, output="sos")
    elif lo:
        sos = butter(order, lo, "highpass", fs=SR, output="sos")
    elif hi:
        sos = butter(order, hi, "lowpass", fs=SR, output="sos")
    else:
        return x
    return sosfiltfilt(sos, x, axis=0)


def noise(rng: Rng, n: int, exponent: float = 0.0, channels: int = 1) -> np.ndarray:
    """Unit-RMS noise with power ∝ 1/f**exponent (0 white, 1 pink, 2 brown), flat below 20 Hz;
    shape (n,) or (n, channels) with independent channels."""
    bins = n // 2 + 1
    spectrum = rng.standard_normal((bins, channels)) + 1j * rng.standard_normal((bins, channels))
    freqs = np.maximum(np.fft.rfftfreq(n, 1 / SR), 20.0)
    x = np.fft.irfft(spectrum * freqs[:, None] ** (-exponent / 2), n, axis=0)
    x /= np.sqrt(np.mean(np.square(x), axis=0))
    return x[:, 0] if channels == 1 else x


def slow_wander(rng: Rng, n: int, hz: float) -> np.ndarray:
    """A smooth random curve (about unit standard deviation) changing at about `hz`."""
    points = int(n / SR * hz) + 4
    knots = np.linspace(0, n, points)
    return CubicSpline(knots, rng.standard_normal(points))(np.arange(n))


def envelope(n: int, attack: float, release: float) -> np.ndarray:
    """Raised-cosine fade-in over `attack` s and fade-out over `release` s, n samples long."""
    env = np.ones(n)
    a, r = min(n_samples(attack), n // 2), min(n_samples(release), n // 2)
    if a:
        env[:a] = 0.5 - 0.5 * np.cos(np.linspace(0, np.pi, a))
    if r:
        env[n - r :] = 0.5 + 0.5 * np.cos(np.linspace(0, np.pi, r))
    return env


def damped_sine(freq: float, tau: float, seconds: float, phase: float = 0.0) -> np.ndarray:
    """A sine at `freq` Hz decaying with time constant `tau` s."""
    t = np.arange(n_samples(seconds)) / SR
    return np.sin(2 * np.pi * freq * t + phase) * np.exp(-t / tau)


def pan(mono: np.ndarray, azimuth: float | np.ndarray) -> np.ndarray:
    """Constant-power stereo pan; azimuth -1 (left) .. +1 (right), scalar or per sample."""
    angle = (np.clip(azimuth, -1, 1) + 1) * np.pi / 4
    return np.stack([mono * np.cos(angle), mono * np.sin(angle)], axis=1) * np.sqrt(2)


def distant(mono: np.ndarray, metres: float) -> np.ndarray:
    """Air absorption and obstacles, crudely: the further, the duller."""
    return filt(mono, hi=min(14000.0, 12000.0 / (1 + metres / 25)), order=2)


def room_ir(rng: Rng, rt60: float) -> np.ndarray:
    """A stereo decaying-noise impulse response with reverberation time `rt60`, unit energy."""
    n = n_samples(rt60 * 1.2)
    decay = np.exp(-6.91 * np.arange(n) / SR / rt60)[:, None]
    ir = filt(noise(rng, n, 0.0, 2), lo=150, hi=6000, order=2) * decay
    ir[: n_samples(0.012)] = 0.0  # pre-delay: the first reflections arrive a little later
    return ir / np.sqrt(np.sum(np.square(ir), axis=0))


@dataclass
class Mix:
    """A stereo dry bus and a reverb send, both `n` samples long."""

    dry: np.ndarray
    send: np.ndarray

    @classmethod
    def empty(cls, seconds: float) -> Mix:
        n = n_samples(seconds)
        return cls(np.zeros((n, 2)), np.zeros((n, 2)))

    @property
    def n(self) -> int:
        return self.dry.shape[0]

    def add(self, stereo: np.ndarray, start: float = 0.0, send: float = 0.0) -> None:
        """Add a stereo sound at `start` s (clipped to the mix); `send` of it also to the reverb."""
        i = n_samples(start)
        if i >= self.n:
            return
        part = stereo[: self.n - i]
        self.dry[i : i + len(part)] += part
        if send:
            self.send[i : i + len(part)] += send * part

    def source(
        self, mono: np.ndarray, start: float, level_db: float, metres: float, azimuth: float
    ) -> None:
        """Place a point source: its RMS set to `level_db`, dulled and reverberated by distance."""
        sound = pan(at_level(distant(mono, metres), level_db), azimuth)
        self.add(sound, start, send=metres / (metres + CRITICAL_DISTANCE))

    def render(self, ir: np.ndarray, reverb_db: float) -> np.ndarray:
        """Dry bus plus the reverberated send."""
        wet = np.stack([fftconvolve(self.send[:, c], ir[:, c])[: self.n] for c in (0, 1)], 1)
        return self.dry + db(reverb_db) * wet


# ---------------------------------------------------------------- birds


@dataclass(frozen=True)
class Bird:
    """A song type: note pitch range, note and gap lengths, notes per phrase, note shape."""

    low_hz: float
    high_hz: float
    note_s: float
    gap_s: float
    notes: tuple[int, int]
    shape: str
    """'fluty' (gliding whistles), 'up'/'down' (sweeps), 'warble' (fast FM) or 'trill'."""
    repeat: bool
    """Repeat one motif through the phrase (as tits and finches do) instead of varying notes."""


BLACKBIRD = Bird(1800, 3200, 0.22, 0.07, (4, 7), "fluty", False)
TIT = Bird(3800, 6500, 0.10, 0.07, (5, 8), "down", True)
WARBLER = Bird(3000, 7000, 0.05, 0.02, (12, 24), "warble", False)
FINCH = Bird(4500, 6200, 0.025, 0.015, (14, 26), "trill", True)
ROBIN = Bird(2500, 7500, 0.12, 0.05, (5, 9), "up", False)


def bird_note(rng: Rng, bird: Bird) -> np.ndarray:
    """One note: a frequency-modulated tone with a smooth envelope and a weak 2nd harmonic."""
    n = n_samples(bird.note_s * rng.uniform(0.8, 1.25))
    t = np.linspace(0, 1, n)
    f_a, f_b = rng.uniform(bird.low_hz, bird.high_hz, 2)
    if bird.shape == "fluty":
        f = f_a + (f_b - f_a) * 0.3 * t**2
    elif bird.shape == "up":
        f = min(f_a, f_b) + abs(f_b - f_a) * t
    elif bird.shape == "down":
        f = max(f_a, f_b) - abs(f_b - f_a) * t
    elif bird.shape == "warble":
        f = f_a * (1 + 0.12 * np.sin(2 * np.pi * rng.uniform(1.5, 3) * t))
    else:  # trill: a quick downward flick
        f = f_a * (1.25 - 0.35 * t)
    f = f * (1 + 0.01 * np.sin(2 * np.pi * 40 * t * n / SR))
    phase = 2 * np.pi * np.cumsum(f) / SR
    tone = np.sin(phase) + 0.15 * np.sin(2 * phase + 0.5)
    return tone * np.sin(np.pi * t) ** 1.5


def bird_phrase(rng: Rng, bird: Bird) -> np.ndarray:
    """A phrase of notes separated by gaps; a motif repeated when the bird repeats."""
    count = int(rng.integers(bird.notes[0], bird.notes[1] + 1))
    motif = [bird_note(rng, bird) for _ in range(2)]
    parts = []
    for i in range(count):
        note = motif[i % 2] if bird.repeat else bird_note(rng, bird)
        gain = 1.0 - 0.4 * i / count if bird.shape != "trill" else 1.0
        parts += [gain * note, np.zeros(n_samples(bird.gap_s * rng.uniform(0.7, 1.4)))]
    return np.concatenate(parts)


def add_bird(
    rng: Rng, mix: Mix, bird: Bird, level_db: float, metres: float, interval: float, first: float
) -> None:
    """A bird singing phrases about every `interval` s from `first` s, at a fixed spot."""
    azimuth = rng.uniform(-0.9, 0.9)
    t = first
    while t < mix.n / SR:
        phrase = bird_phrase(rng, bird)
        mix.source(phrase, t, level_db + rng.uniform(-2, 2), metres, azimuth)
        t += len(phrase) / SR + interval * rng.uniform(0.5, 1.5)


# ---------------------------------------------------------------- weather, water, steps


def wind(rng: Rng, n: int, rustle_db: float = -6.0, gust_hz: float = 0.25) -> np.ndarray:
    """Wind: low-passed noise swelling in gusts, with leaves rustling in the stronger gusts."""
    gust = np.exp(0.6 * slow_wander(rng, n, gust_hz))[:, None]
    body = filt(noise(rng, n, 1.0, 2), lo=50, hi=700, order=2) * gust
    flutter = 1 + 0.5 * filt(noise(rng, n), lo=4, hi=25, order=2)[:, None]
    leaves = filt(noise(rng, n, 0.0, 2), lo=1500, hi=9000, order=2) * gust**2 * flutter
    return body / rms(body) + db(rustle_db) * leaves / rms(leaves)


def fountain(rng: Rng, n: int, drops_per_s: float = 120.0) -> np.ndarray:
    """A fountain: bubbly band-passed noise plus many tiny drop and bubble pings."""
    bubbly = np.clip(1 + 0.7 * filt(noise(rng, n), lo=3, hi=30, order=2), 0.1, None)[:, None]
    splash = filt(noise(rng, n, 0.3, 2), lo=350, hi=7000, order=2) * bubbly
    pings = np.zeros((n, 2))
    for _ in range(int(drops_per_s * n / SR)):
        ping = damped_sine(rng.uniform(700, 4000), rng.uniform(0.002, 0.01), 0.05)
        ping *= 1 + np.linspace(0, rng.uniform(0.05, 0.3), len(ping))  # bubbles chirp upwards
        i = int(rng.integers(0, n - len(ping)))
        pings[i : i + len(ping)] += pan(ping * rng.lognormal(0, 0.6), rng.uniform(-0.4, 0.4))
    return splash / rms(splash) + db(-8) * pings / rms(pings)


def footstep(rng: Rng) -> np.ndarray:
    """One step: a heel thud and a scuffing toe click."""
    seconds = 0.15
    n = n_samples(seconds)
    t = np.arange(n) / SR
    heel = filt(rng.standard_normal(n), lo=250, hi=5000, order=2) * np.exp(-t / 0.012)
    thud = damped_sine(rng.uniform(70, 110), 0.02, seconds)
    toe = np.zeros(n)
    k = n_samples(rng.uniform(0.03, 0.05))
    toe[k:] = filt(rng.standard_normal(n - k), lo=800, order=2) * np.exp(-t[: n - k] / 0.006)
    return heel + 1.5 * thud + 0.4 * toe


def add_walker(
    rng: Rng, mix: Mix, start: float, seconds: float, level_db: float, metres: float
) -> None:
    """Footsteps of someone walking past, nearest `metres` away halfway through `seconds`."""
    cadence = rng.uniform(1.7, 2.1)
    direction = rng.choice([-1.0, 1.0])
    step = start
    while step < start + seconds:
        x = direction * 1.3 * (step - start - seconds / 2)
        r = np.hypot(x, metres)
        mix.source(footstep(rng), step, level_db + 20 * np.log10(metres / r), r, x / r)
        step += rng.normal(1 / cadence, 0.02)


# ---------------------------------------------------------------- vehicles


def engine(rng: Rng, n: int, firing_hz: float, harmonics: int, roughness: float) -> np.ndarray:
    """An engine: harmonics of the firing frequency with a wandering speed, plus firing noise."""
    f0 = firing_hz * (1 + 0.04 * slow_wander(rng, n, 0.5))
    phase = 2 * np.pi * np.cumsum(f0) / SR
    tone = sum(
        np.sin(k * phase + rng.uniform(0, 2 * np.pi)) / k**0.7 for k in range(1, harmonics + 1)
    )
    pulses = filt(noise(rng, n), lo=80, hi=2500, order=2) * (1 + np.sin(phase)) ** 2
    return tone / rms(tone) + roughness * pulses / rms(pulses)


def tyres(rng: Rng, n: int) -> np.ndarray:
    """Tyre-road noise: broadband noise peaking around 1 kHz."""
    broad = filt(noise(rng, n, 1.0), lo=250, hi=4000, order=2)
    peak = filt(noise(rng, n), lo=700, hi=1500, order=2)
    return broad / rms(broad) + peak / rms(peak)


def pass_by(
    source: np.ndarray, t_closest: float, speed: float, metres: float, direction: float = 1.0
) -> np.ndarray:
    """A moving point source heard from the kerb: propagation delay (hence Doppler shift),
    1/r spreading, duller sound from afar and a pan following it. Unit gain when closest."""
    t = np.arange(len(source)) / SR
    x = direction * speed * (t - t_closest)
    r = np.hypot(x, metres)
    emitted = np.interp(t - r / SPEED_OF_SOUND, t, source)
    near = metres / r
    heard = near * emitted + (1 - near) * filt(emitted, hi=1800, order=2)
    return pan(heard * metres / r, x / r)


def car(rng: Rng, n: int, firing_hz: float = 60.0, engine_db: float = -4.0) -> np.ndarray:
    """Source signal of a car: engine and tyres, unit RMS."""
    x = db(engine_db) * engine(rng, n, firing_hz, 12, 0.5) + at_level(tyres(rng, n), 0.0)
    return x / rms(x)


def horn(rng: Rng, seconds: float, tones: tuple[float, float] = (415.0, 520.0)) -> np.ndarray:
    """A two-tone car horn: buzzy harmonic tones, a little wobbly, with quick attack and release."""
    n = n_samples(seconds)
    t = np.arange(n) / SR
    wobble = 1 + 0.003 * np.sin(2 * np.pi * rng.uniform(5, 8) * t)
    x = sum(
        np.sin(2 * np.pi * k * f * np.cumsum(wobble) / SR) / k
        for f in tones
        for k in range(1, 12)
        if k * f < 8000
    )
    return filt(x, lo=300, hi=5000, order=2) * envelope(n, 0.015, 0.04)


# ---------------------------------------------------------------- voices


def espeak_available() -> bool:
    """Whether the espeak-ng program is on the PATH."""
    return shutil.which(ESPEAK) is not None


def speak(text: str, voice: str, pitch: int, speed: int) -> np.ndarray:
    """`text` spoken by espeak-ng (voice e.g. 'de+f2', pitch 0..99, speed in words/min) at SR."""
    with tempfile.TemporaryDirectory() as tmp:
        wav = Path(tmp) / "speech.wav"
        cmd = [ESPEAK, "-v", voice, "-p", str(pitch), "-s", str(speed), "-w", str(wav), text]
        subprocess.run(cmd, check=True, capture_output=True)
        x, rate = sf.read(wav, dtype="float64")
    x = x.mean(axis=1) if x.ndim == 2 else x
    k = gcd(SR, rate)
    return resample_poly(x, SR // k, rate // k)


PHRASES: tuple[tuple[str, str], ...] = (
    ("en", "Shall we get a coffee over there? I think it opens at nine."),
    ("en", "Look at the kids by the fountain, they are soaking wet."),
    ("en-us", "Yeah, we met right here last summer, remember?"),
    ("de", "Wollen wir uns da drüben hinsetzen? Da ist noch Platz."),
    ("fr", "On se retrouve devant la mairie à midi, d'accord?"),
    ("es", "Mira, ahí está la heladería que te decía."),
    ("it", "Andiamo a prendere un gelato, fa proprio caldo oggi."),
    ("nl", "Zullen we even op dat bankje gaan zitten?"),
    ("pt", "Espera um pouco, eu já volto, vou só ali comprar água."),
    ("pl", "Chodź, pokażę ci ten stary kościół za rogiem."),
    ("sv", "Vi kan ta bussen hem sen, det är ingen brådska."),
    ("en", "No, no, the market is on Saturday, not today."),
)
VOICE_VARIANTS: tuple[str, ...] = ("m1", "m2", "m3", "m4", "m7", "f1", "f2", "f3", "f4", "f5")


def random_utterance(rng: Rng) -> np.ndarray:
    """A random phrase in a random language, voice, pitch and pace."""
    language, text = PHRASES[int(rng.integers(len(PHRASES)))]
    variant = VOICE_VARIANTS[int(rng.integers(len(VOICE_VARIANTS)))]
    pitch = int(rng.integers(25, 80))
    speed = int(rng.integers(140, 185))
    return speak(text, f"{language}+{variant}", pitch, speed)


def add_talkers(
    rng: Rng, mix: Mix, count: int, level_db: float, metres: tuple[float, float]
) -> None:
    """`count` voices at random times, levels and places, further away being quieter."""
    for _ in range(count):
        r = rng.uniform(*metres)
        speech = random_utterance(rng)
        start = rng.uniform(-len(speech) / SR / 2, mix.n / SR - 1.0)
        level = level_db + 20 * np.log10(metres[0] / r) + rng.uniform(-3, 3)
        if start < 0:
            speech = speech[n_samples(-start) :]
            start = 0.0
        mix.source(speech, start, level, r, rng.uniform(-1, 1))


def add_conversation(
    rng: Rng, mix: Mix, start: float, turns: int, level_db: float, metres: float
) -> None:
    """Two people taking turns, side by side about `metres` away."""
    azimuth = rng.uniform(-0.7, 0.7)
    voices = [int(rng.integers(0, 5)), int(rng.integers(5, 10))]
    pitches = [int(rng.integers(30, 50)), int(rng.integers(50, 75))]
    t = start
    for i in range(turns):
        language, text = PHRASES[int(rng.integers(len(PHRASES)))]
        who = i % 2
        speech = speak(text, f"{language}+{VOICE_VARIANTS[voices[who]]}", pitches[who], 160)
        mix.source(speech, t, level_db + rng.uniform(-2, 2), metres, azimuth + 0.15 * who)
        t += len(speech) / SR + rng.uniform(0.2, 0.8)


# ---------------------------------------------------------------- construction


def jackhammer_burst(rng: Rng, seconds: float, rate_hz: float = 22.0) -> np.ndarray:
    """A burst of jackhammer blows: broadband cracks with a short metallic ring and a thud,
    over the hiss of the air exhaust."""
    n = n_samples(seconds)
    blow_n = n_samples(0.04)
    t_blow = np.arange(blow_n) / SR
    ring = sum(damped_sine(f, 0.003, 0.04) for f in (870, 2300, 3650))
    thud = damped_sine(60.0, 0.015, 0.04)
    out = np.zeros(n + blow_n)
    t = 0.0
    while t < seconds:
        i = n_samples(t)
        crack = filt(rng.standard_normal(blow_n), lo=300, hi=8000, order=2)
        out[i : i + blow_n] += (crack * np.exp(-t_blow / 0.008) + 0.3 * ring + thud) * rng.uniform(
            0.7, 1.0
        )
        t += rng.normal(1 / rate_hz, 0.002)
    hiss = filt(rng.standard_normal(n), lo=2000, order=2)
    return (out[:n] + 0.15 * hiss / rms(hiss) * rms(out)) * envelope(n, 0.02, 0.05)


def reverse_beeper(seconds: float, freq: float = 1150.0) -> np.ndarray:
    """A reversing vehicle's beeper: half a second on, half off."""
    t = np.arange(n_samples(seconds)) / SR
    gate = (t % 1.0) < 0.5
    return np.sin(2 * np.pi * freq * t) * gate


def clang(rng: Rng) -> np.ndarray:
    """A metal bar struck or dropped: inharmonic ringing partials."""
    base = rng.uniform(300, 600)
    return sum(
        damped_sine(base * ratio, rng.uniform(0.1, 0.5), 1.0, rng.uniform(0, 6)) / (i + 1)
        for i, ratio in enumerate((1.0, 2.76, 5.40, 8.93))
    )


# ---------------------------------------------------------------- the scenes


def park_birdsong(rng: Rng) -> np.ndarray:
    """A park on a breezy morning: five birds singing at different distances, wind in the trees."""
    mix = Mix.empty(DURATION)
    mix.add(at_level(wind(rng, mix.n, rustle_db=-4), -38.0))
    add_bird(rng, mix, BLACKBIRD, -30.0, 12.0, 3.0, rng.uniform(0, 2))
    add_bird(rng, mix, TIT, -33.0, 18.0, 4.0, rng.uniform(0, 4))
    add_bird(rng, mix, WARBLER, -34.0, 15.0, 2.5, rng.uniform(0, 3))
    add_bird(rng, mix, FINCH, -36.0, 25.0, 4.0, rng.uniform(2, 6))
    add_bird(rng, mix, ROBIN, -38.0, 30.0, 5.0, rng.uniform(3, 8))
    return mix.render(room_ir(rng, 0.6), -14.0)


def street_traffic(rng: Rng) -> np.ndarray:
    """A busy street: traffic rumble, cars and a van passing close by, a horn."""
    mix = Mix.empty(DURATION)
    rumble = filt(noise(rng, mix.n, 2.0, 2), hi=500) + 0.3 * filt(
        noise(rng, mix.n, 1.0, 2), hi=3000
    )
    rumble *= np.exp(0.15 * slow_wander(rng, mix.n, 0.15))[:, None]
    mix.add(at_level(rumble, -29.0))
    passes = (  # closest time s, speed m/s, distance m, direction, firing Hz, level dBFS
        (2.5, 12.0, 4.0, 1.0, 55.0, -23.0),
        (6.0, 14.0, 7.0, -1.0, 70.0, -26.0),
        (9.5, 9.0, 3.5, 1.0, 32.0, -20.0),  # a van, lower and louder
        (12.5, 13.0, 5.0, -1.0, 62.0, -24.0),
        (4.5, 11.0, 15.0, -1.0, 50.0, -32.0),
        (11.0, 12.0, 14.0, 1.0, 65.0, -32.0),
    )
    for t_closest, speed, metres, direction, firing_hz, level in passes:
        source = car(rng, mix.n, firing_hz, engine_db=-2.0 if firing_hz < 40 else -5.0)
        mix.add(db(level) * pass_by(source, t_closest, speed, metres, direction), send=0.4)
    mix.source(horn(rng, 0.35), 7.2, -26.0, 20.0, -0.5)
    mix.source(horn(rng, 0.6), 7.7, -25.0, 20.0, -0.5)
    add_walker(rng, mix, 0.5, 6.0, -38.0, 2.0)
    return mix.render(room_ir(rng, 1.0), -12.0)


def public_square_fountain(rng: Rng) -> np.ndarray:
    """A busy public square: people talking in several languages, a fountain, footsteps."""
    mix = Mix.empty(DURATION)
    mix.add(at_level(fountain(rng, mix.n), -33.0), send=0.4)
    mix.add(at_level(filt(noise(rng, mix.n, 2.0, 2), hi=300), -40.0))  # the city around
    add_talkers(rng, mix, 14, -33.0, (8.0, 30.0))
    add_conversation(rng, mix, 0.8, 6, -27.0, 3.0)
    add_conversation(rng, mix, 6.5, 4, -31.0, 6.0)
    for start in (0.0, 4.0, 8.5):
        add_walker(rng, mix, start, 6.0, -31.0, rng.uniform(1.0, 3.0))
    return mix.render(room_ir(rng, 1.4), -10.0)


def quiet_courtyard(rng: Rng) -> np.ndarray:
    """A quiet enclosed courtyard: a couple of birds, a ventilation hum, the city far away."""
    mix = Mix.empty(DURATION)
    t = np.arange(mix.n) / SR
    hum = sum(np.sin(2 * np.pi * f * t) / k for k, f in enumerate((100.0, 200.0, 300.0), 1))
    fan = filt(noise(rng, mix.n, 1.0), lo=60, hi=900, order=2) + 0.3 * hum / rms(hum)
    mix.add(pan(at_level(fan, -45.0), 0.6), send=0.5)
    mix.add(at_level(filt(noise(rng, mix.n, 2.0, 2), hi=250), -44.0))
    mix.add(at_level(wind(rng, mix.n, rustle_db=0.0, gust_hz=0.15), -44.0))
    add_bird(rng, mix, BLACKBIRD, -33.0, 15.0, 5.0, rng.uniform(0.5, 2))
    add_bird(rng, mix, TIT, -40.0, 20.0, 6.0, rng.uniform(4, 7))
    return mix.render(room_ir(rng, 1.2), -10.0)


def construction_site(rng: Rng) -> np.ndarray:
    """Road works by a street: a jackhammer in bursts, a diesel generator, a reversing beeper,
    clangs of metal, cars going by."""
    mix = Mix.empty(DURATION)
    diesel = engine(rng, mix.n, 25.0, 20, 0.8)
    mix.source(diesel, 0.0, -28.0, 10.0, 0.4)
    mix.add(at_level(filt(noise(rng, mix.n, 2.0, 2), hi=500), -32.0))  # traffic beyond
    passes = ((3.0, 10.0, 6.0, 1.0, 55.0, -26.0), (8.0, 9.0, 7.0, -1.0, 35.0, -24.0))
    for t_closest, speed, metres, direction, firing_hz, level in passes:
        source = car(rng, mix.n, firing_hz)
        mix.add(db(level) * pass_by(source, t_closest, speed, metres, direction), send=0.4)
    t = rng.uniform(0.2, 1.0)
    while t < DURATION:
        seconds = rng.uniform(1.5, 3.5)
        mix.source(jackhammer_burst(rng, seconds), t, -22.0, 8.0, -0.3)
        t += seconds + rng.uniform(0.6, 1.8)
    mix.source(reverse_beeper(4.0), 9.0, -34.0, 25.0, 0.8)
    for start in (3.1, 11.7):
        mix.source(clang(rng), start, -30.0, 12.0, rng.uniform(-0.5, 0.5))
    return mix.render(room_ir(rng, 1.0), -12.0)


@dataclass(frozen=True)
class Clip:
    """An example clip: how to make it, its overall RMS level and whether it stays stereo."""

    make: Callable[[Rng], np.ndarray]
    rms_db: float
    stereo: bool = False
    needs_espeak: bool = False


CLIPS: dict[str, Clip] = {
    "park_birdsong": Clip(park_birdsong, -28.0),
    "street_traffic": Clip(street_traffic, -22.0, stereo=True),
    "public_square_fountain": Clip(public_square_fountain, -25.0, needs_espeak=True),
    "quiet_courtyard": Clip(quiet_courtyard, -31.0),
    "construction_site": Clip(construction_site, -20.0),
}


def finish(x: np.ndarray, rms_db: float, stereo: bool) -> np.ndarray:
    """Fade in and out, fold to mono unless stereo, set the RMS, keep the peak under the ceiling."""
    x = x * envelope(len(x), 0.05, 0.3)[:, None]
    x = x if stereo else x.mean(axis=1)
    x = at_level(x, rms_db)
    peak = float(np.max(np.abs(x)))
    return x * min(1.0, db(PEAK_CEILING_DB) / peak)


def render(name: str, out_dir: Path = OUT_DIR) -> Path:
    """Synthesise one clip and write it as 16-bit FLAC; returns its path."""
    clip = CLIPS[name]
    rng = np.random.default_rng([SEED, zlib.crc32(name.encode())])
    audio = finish(clip.make(rng), clip.rms_db, clip.stereo)
    path = out_dir / f"{name}.flac"
    sf.write(path, audio.astype(np.float32), SR, subtype="PCM_16", format="FLAC")
    return path


def describe(path: Path) -> str:
    """One line: duration, RMS, peak and size of a written clip."""
    x, rate = sf.read(path, dtype="float64")
    level = 20 * np.log10(rms(x))
    peak = 20 * np.log10(np.max(np.abs(x)))
    return (
        f"{path.name}: {len(x) / rate:.1f} s, RMS {level:.1f} dBFS, peak {peak:.1f} dBFS, "
        f"{path.stat().st_size / 1e3:.0f} kB"
    )


def main(argv: list[str] | None = None) -> int:
    """Write the clips named on the command line (default: all) and print their levels."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", help=f"clips (default: all): {', '.join(CLIPS)}")
    parser.add_argument("--out", type=Path, default=OUT_DIR, help="output folder")
    args = parser.parse_args(argv)
    names = args.names or list(CLIPS)
    unknown = sorted(set(names) - set(CLIPS))
    if unknown:
        parser.error(f"unknown clip(s) {', '.join(unknown)}; choose from {', '.join(CLIPS)}")
    if any(CLIPS[n].needs_espeak for n in names) and not espeak_available():
        print(ESPEAK_INSTALL, file=sys.stderr)
        return 2
    args.out.mkdir(parents=True, exist_ok=True)
    for name in names:
        print(describe(render(name, args.out)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
