"""Voices for the RAVDESS samples: a small formant synthesiser with emotional prosody.

:func:`ravdess_clip` speaks one of RAVDESS's two statements ("Kids are talking by the door",
"Dogs are sitting by the door") with an emotion's pitch, loudness, tempo and voice quality
(:data:`PROSODY`) in an actor's voice (:func:`speaker`), the way that actor acts it (:func:`habit`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, fields, replace
from functools import lru_cache

import numpy as np
from scipy import signal

from utils.datasets.samples.seeds import random_stream

RAVDESS_RATE = 48_000  # the original's rate


@dataclass(frozen=True)
class Prosody:
    """How a voice carries one emotion.

    pitch: f0 relative to the speaker's base; contour: f0 change over the utterance in octaves
    (rising > 0); swing: pitch accent on stressed syllables in octaves; loudness: peak level 0-1;
    rate: syllables per second; jitter: random f0 wobble (harshness); breath: aspiration noise;
    tremolo: depth of a 7 Hz tremor; brightness: 0 dull and soft .. 1 bright and pressed;
    final_rise: the contour change comes on the last syllables (a surprised question).
    """

    pitch: float
    contour: float
    swing: float
    loudness: float
    rate: float
    jitter: float
    breath: float
    tremolo: float
    brightness: float
    final_rise: bool = False


PROSODY: dict[str, Prosody] = {  # keys are RAVDESS's own emotion names
    "neutral": Prosody(1.00, -0.10, 0.08, 0.35, 5.0, 0.004, 0.02, 0.00, 0.50),
    "calm": Prosody(0.92, -0.15, 0.05, 0.20, 4.4, 0.003, 0.08, 0.00, 0.25),
    "happy": Prosody(1.30, 0.35, 0.25, 0.60, 5.6, 0.008, 0.03, 0.00, 0.70),
    "sad": Prosody(0.85, -0.45, 0.04, 0.16, 4.0, 0.010, 0.12, 0.00, 0.15),
    "angry": Prosody(1.20, -0.20, 0.20, 0.90, 5.8, 0.040, 0.10, 0.00, 1.00),
    "fearful": Prosody(1.45, 0.10, 0.10, 0.45, 6.2, 0.015, 0.10, 0.07, 0.60),
    "disgust": Prosody(0.90, -0.30, 0.18, 0.40, 4.2, 0.025, 0.05, 0.00, 0.40),
    "surprised": Prosody(1.30, 0.80, 0.15, 0.70, 5.4, 0.010, 0.05, 0.00, 0.75, final_rise=True),
}
STRONG_INTENSITY = 1.35  # intensity 02 moves every parameter this much further from neutral


def prosody_of(emotion: str, intensity: int) -> Prosody:
    """The prosody of a RAVDESS emotion at intensity 1 (normal) or 2 (strong)."""
    base, normal = PROSODY["neutral"], PROSODY[emotion]
    if intensity == 1:
        return normal
    changes = {f.name: getattr(base, f.name)
               + STRONG_INTENSITY * (getattr(normal, f.name) - getattr(base, f.name))
               for f in fields(Prosody) if f.name != "final_rise"}
    changes["loudness"] = min(changes["loudness"], 0.95)
    return replace(normal, **changes)


@dataclass(frozen=True)
class Speaker:
    """Per-actor voice: base f0 (Hz), formant scale (vocal tract length), speaking tempo, level,
    and timbre (brightness and breathiness added to every emotion's)."""

    f0: float
    formant_scale: float
    tempo: float
    gain: float
    brightness: float = 0.0
    breath: float = 0.0


def speaker(actor: int) -> Speaker:
    """RAVDESS convention: odd actors are male, even actors female (higher f0 and formants).

    Voices differ a lot, as real ones do: within a sex f0 varies from -20% to +25%, vocal tract
    length by +-8%, tempo by +-10% and level by a factor of two, so that speakers differ in mean
    pitch more than one speaker's emotions do (the lesson of speaker normalisation).
    """
    rng = random_stream(2, actor)
    female = actor % 2 == 0
    return Speaker(f0=(215.0 if female else 105.0) * rng.uniform(0.8, 1.25),
                   formant_scale=(1.15 if female else 1.0) * rng.uniform(0.92, 1.08),
                   tempo=rng.uniform(0.92, 1.1), gain=rng.uniform(0.5, 1.0),
                   brightness=rng.uniform(-0.2, 0.2), breath=rng.uniform(0.0, 0.06))


MIN_RATE = 3.4  # syllables per second: the slowest take still fits RAVDESS's clip length
HABIT_SPREAD = 0.22  # how far an actor's way of acting an emotion strays from the common one


def habit(actor: int, emotion: str) -> dict[str, float]:
    """How one actor acts one emotion: fixed relative changes of its pitch, loudness, rate,
    pitch swing and brightness, the same in every take (actors have personal habits; a model
    that has heard an actor's "sad" recognises that actor's other "sad" takes more easily)."""
    rng = random_stream(2, actor, list(PROSODY).index(emotion) + 1)
    return {name: float(rng.normal(0.0, HABIT_SPREAD))
            for name in ("pitch", "loudness", "rate", "swing", "brightness")}


def acted_prosody(emotion: str, intensity: int, actor: int, rng: np.random.Generator
                  ) -> Prosody:
    """The prosody of one take: the emotion at its intensity, the actor's habit for it, the
    actor's timbre, and a little take-to-take variation (``rng``)."""
    base, voice = prosody_of(emotion, intensity), speaker(actor)
    change = {name: getattr(base, name) * np.exp(shift + rng.normal(0.0, 0.03))
              for name, shift in habit(actor, emotion).items()}
    change["loudness"] = min(change["loudness"], 0.95)
    change["rate"] = max(change["rate"], MIN_RATE / voice.tempo)
    change["brightness"] = float(np.clip(change["brightness"] + voice.brightness, 0.0, 1.0))
    return replace(base, breath=base.breath + voice.breath, **change)


# Male formants F1-F3 (Hz) of the vowels in the two RAVDESS statements (Peterson & Barney).
VOWELS = {"I": (390, 1990, 2550), "a": (730, 1090, 2440),
          "o": (570, 840, 2410), "e": (500, 1500, 2500), "ai": (660, 1720, 2410)}
# Consonant noise: (low Hz, high Hz, duration s, level relative to the vowel).
CONSONANTS = {"k": (1500, 4000, 0.03, 0.30), "t": (3000, 7000, 0.03, 0.30),
              "d": (2000, 5000, 0.02, 0.15), "b": (300, 1500, 0.015, 0.15),
              "s": (4000, 9000, 0.09, 0.25), "dh": (2000, 6000, 0.04, 0.08), "": (0, 0, 0, 0)}
# (consonant, vowel, relative duration): "Kids are talking by the door" / "Dogs are sitting ...".
STATEMENTS = {
    1: (("k", "I", 1.0), ("", "a", 0.7), ("t", "o", 1.3), ("k", "I", 0.8), ("b", "ai", 1.0),
        ("dh", "e", 0.6), ("d", "o", 1.5)),
    2: (("d", "o", 1.2), ("", "a", 0.7), ("s", "I", 1.2), ("t", "I", 0.8), ("b", "ai", 1.0),
        ("dh", "e", 0.6), ("d", "o", 1.5)),
}
_STRESSED = (0, 2, 6)  # syllables carrying a pitch accent in both statements


def _smooth_noise(rng: np.random.Generator, n: int, rate: int, hz: float) -> np.ndarray:
    """Unit-variance random wobble band-limited to about ``hz`` (for jitter and shimmer)."""
    coarse = rng.standard_normal(int(n * hz / rate) + 4)
    return np.interp(np.arange(n) * hz / rate, np.arange(coarse.size), coarse)


def _glottal_source(f0: np.ndarray, rate: int) -> np.ndarray:
    """Derivative of a Rosenberg glottal pulse train following the f0 track (Hz per sample)."""
    phase = np.cumsum(f0 / rate) % 1.0
    opening, closing = 0.4, 0.16
    pulse = np.where(phase < opening, 0.5 * (1 - np.cos(np.pi * phase / opening)),
                     np.where(phase < opening + closing,
                              np.cos(np.pi * (phase - opening) / (2 * closing)), 0.0))
    return np.diff(pulse, prepend=0.0) * rate / f0.mean()  # lip radiation ~ differentiation


def _formant_filter(formants: Sequence[float], rate: int) -> np.ndarray:
    """Cascade of two-pole resonators with unit gain at 0 Hz (Klatt's formant filter), as SOS."""
    sections = []
    for frequency, bandwidth in zip(formants, (80, 100, 150)):
        radius = np.exp(-np.pi * bandwidth / rate)
        a1, a2 = -2 * radius * np.cos(2 * np.pi * frequency / rate), radius ** 2
        sections.append([1 + a1 + a2, 0, 0, 1, a1, a2])
    return np.array(sections)


@lru_cache(maxsize=64)
def _band_pass(low: float, high: float, rate: int) -> np.ndarray:
    """Butterworth band-pass as SOS (cached: the same few bands serve every clip)."""
    return signal.butter(2, [low, min(high, 0.45 * rate)], btype="bandpass", fs=rate, output="sos")


def _band_noise(rng: np.random.Generator, n: int, low: float, high: float, rate: int) -> np.ndarray:
    """``n`` samples of white noise filtered to the band ``low``-``high`` Hz."""
    return signal.sosfilt(_band_pass(low, high, rate), rng.standard_normal(n))


def _pitch_track(prosody: Prosody, voice: Speaker, starts: np.ndarray, n: int, rate: int,
                 rng: np.random.Generator) -> np.ndarray:
    """f0 in Hz for every sample of the speech: level, contour, accents, jitter and tremor."""
    position = np.linspace(0, 1, n)
    shape = position ** 4 if prosody.final_rise else position
    octaves = prosody.contour * shape
    t = np.arange(n) / rate
    for index in _STRESSED:
        start = starts[index]
        end = starts[index + 1] if index + 1 < len(starts) else n
        bump = np.zeros(n)
        bump[start:end] = np.sin(np.linspace(0, np.pi, end - start))
        octaves += prosody.swing * bump
    octaves += prosody.jitter * _smooth_noise(rng, n, rate, 60.0)
    octaves += prosody.tremolo * np.sin(2 * np.pi * 7.0 * t)
    return voice.f0 * prosody.pitch * 2.0 ** octaves


def synthesise_speech(prosody: Prosody, voice: Speaker, statement: int, rate: int,
                      rng: np.random.Generator) -> np.ndarray:
    """One spoken statement (no silence around it), float64 peaking at the prosody's loudness."""
    plan = STATEMENTS[statement]
    weights = np.array([syllable[2] for syllable in plan])
    seconds = weights / weights.mean() / (prosody.rate * voice.tempo)
    lengths = np.round(seconds * rate).astype(int)
    starts = np.concatenate([[0], np.cumsum(lengths)[:-1]])
    n = int(lengths.sum())
    f0 = _pitch_track(prosody, voice, starts, n, rate, rng)
    source = _glottal_source(f0, rate)
    # Harsh voices have an uneven amplitude from period to period (shimmer) as well.
    source *= 1 + 3 * prosody.jitter * _smooth_noise(rng, n, rate, 80.0)
    source *= 1 + 2 * prosody.tremolo * np.sin(2 * np.pi * 7.0 * np.arange(n) / rate)
    tail = int(0.03 * rate)  # resonances ring on after a syllable ends
    speech, voiced = np.zeros(n + tail), np.zeros(n + tail)
    for (consonant, vowel, _), start, length in zip(plan, starts, lengths):
        low, high, duration, level = CONSONANTS[consonant]
        onset = int(duration * rate)
        envelope = signal.windows.tukey(length - onset, 0.5)
        formants = [f * voice.formant_scale for f in VOWELS[vowel]]
        excitation = np.pad(source[start + onset:start + length] * envelope, (0, tail))
        vowel_part = signal.sosfilt(_formant_filter(formants, rate), excitation)
        speech[start + onset:start + length + tail] += vowel_part
        voiced[start + onset:start + length] = envelope
        if onset:
            burst = _band_noise(rng, onset, low, high, rate) * signal.windows.hann(onset)
            speech[start:start + onset] += level * burst / (np.abs(burst).max() + 1e-9)
    speech /= np.abs(speech).max()
    # Soft voices lose their high harmonics: a one-pole low-pass that opens with brightness.
    pole = 0.92 * (1 - prosody.brightness)
    speech = signal.lfilter([1 - pole], [1, -pole], speech)
    speech += prosody.breath * _band_noise(rng, speech.size, 1000, 8000, rate) * voiced
    return speech / np.abs(speech).max() * prosody.loudness * voice.gain


def ravdess_clip(emotion: str, intensity: int, statement: int, actor: int, rate: int,
                 seed: Sequence[int], seconds: float = 1.6) -> np.ndarray:
    """A RAVDESS-like clip: a short silence, the statement, a short silence, at ``rate`` Hz.

    The clip lasts at least ``seconds`` (fast speech gets a longer silence after it).
    """
    rng = random_stream(3, *seed)
    prosody = acted_prosody(emotion, intensity, actor, rng)
    speech = synthesise_speech(prosody, speaker(actor), statement, rate, rng)
    before, after = (int(rng.uniform(0.1, 0.2) * rate) for _ in range(2))
    after = max(after, int(seconds * rate) - before - speech.size)
    clip = np.concatenate([np.zeros(before), speech, np.zeros(after)])
    return clip + 3e-4 * rng.standard_normal(clip.size)  # the recording room's noise floor


