"""Training variants of a signal or a spectrogram: noise, shift, pitch, speed, SpecAugment.

The waveform changes (:func:`add_noise`, :func:`time_shift`, :func:`pitch_shift`,
:func:`change_speed`, :func:`speed_perturb`, and :func:`augment`, a random mix of them) are made
before features; :func:`spec_augment` masks a clip's log-mel windows; and
:func:`speed_perturbed_features` gives the linear model's speed-perturbed training copies.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from utils.audio.features import SILENCE_LEVEL, WINDOW_STEP, _check_signal, speech_features
from utils.audio.io import SAMPLE_RATE


def add_noise(signal: np.ndarray, snr_db: float, rng: np.random.Generator) -> np.ndarray:
    """The signal plus white noise at a signal-to-noise ratio of ``snr_db`` decibels."""
    signal = _check_signal(signal)
    power = float(np.mean(signal ** 2))
    if power == 0.0:
        power = SILENCE_LEVEL ** 2
    noise = rng.normal(0.0, np.sqrt(power / 10 ** (snr_db / 10)), signal.size)
    return (signal + noise).astype(np.float32)


def time_shift(signal: np.ndarray, shift: int) -> np.ndarray:
    """The signal moved by ``shift`` samples (later if positive), filled with silence."""
    signal = _check_signal(signal)
    out = np.zeros_like(signal)
    if shift >= 0:
        out[shift:] = signal[:signal.size - shift] if shift < signal.size else []
    else:
        out[:shift] = signal[-shift:]
    return out


def pitch_shift(signal: np.ndarray, semitones: float, sr: int = SAMPLE_RATE) -> np.ndarray:
    """The signal with its pitch moved by ``semitones`` (same duration)."""
    import librosa

    signal = _check_signal(signal)
    return librosa.effects.pitch_shift(signal, sr=sr, n_steps=semitones).astype(np.float32)


def change_speed(signal: np.ndarray, rate: float) -> np.ndarray:
    """The signal spoken ``rate`` times as fast (same pitch); rate 1.1 is 10% shorter."""
    import librosa

    signal = _check_signal(signal)
    if rate <= 0:
        raise ValueError(f"rate must be positive, not {rate}")
    return librosa.effects.time_stretch(signal, rate=rate).astype(np.float32)


def speed_perturb(signal: np.ndarray, factor: float, sr: int = SAMPLE_RATE) -> np.ndarray:
    """The signal played ``factor`` times as fast, like a tape or record: shorter *and* higher.

    Resampling moves pitch and formants together (factor 1.1: 10% shorter, 1.65 semitones
    higher), much as a smaller or larger vocal tract would; this is the "speed perturbation" of
    speech recognition (Ko et al. 2015). :func:`change_speed` keeps the pitch, and
    :func:`pitch_shift` keeps the duration.
    """
    import librosa

    signal = _check_signal(signal)
    if factor <= 0:
        raise ValueError(f"factor must be positive, not {factor}")
    return librosa.resample(signal, orig_sr=sr, target_sr=round(sr / factor)).astype(np.float32)


def augment(signal: np.ndarray, rng: np.random.Generator, sr: int = SAMPLE_RATE) -> np.ndarray:
    """One random variant of a signal for training: speed 0.9-1.1, pitch -2..+2 semitones
    (each with probability 1/2), then white noise at 15-40 dB SNR.

    Time shift is applied later, by placing the trimmed signal at a random offset in the clip.
    """
    signal = _check_signal(signal)
    if rng.random() < 0.5:
        signal = change_speed(signal, rng.uniform(0.9, 1.1))
    if rng.random() < 0.5:
        signal = pitch_shift(signal, rng.uniform(-2.0, 2.0), sr)
    return add_noise(signal, rng.uniform(15.0, 40.0), rng)


def spec_augment(windows: np.ndarray, rng: np.random.Generator, freq_masks: int = 2,
                 time_masks: int = 2, max_freq: int = 6, max_time: int = 20) -> np.ndarray:
    """SpecAugment-style masking of a clip's windows (n_windows, frames, bands[, 1]).

    Masks are drawn on the clip's timeline: ``freq_masks`` bands of up to ``max_freq`` mel
    bands and ``time_masks`` spans of up to ``max_time`` frames are set to the silence floor (-1)
    in every window, so overlapping windows agree. Returns a new array.
    """
    out = np.array(windows, dtype=np.float32, copy=True)
    n_windows, frames, bands = out.shape[:3]
    timeline = (n_windows - 1) * WINDOW_STEP + frames
    mask = np.zeros((timeline, bands), bool)
    for _ in range(freq_masks):
        width = rng.integers(0, max_freq + 1)
        start = rng.integers(0, bands - width + 1)
        mask[:, start:start + width] = True
    for _ in range(time_masks):
        width = rng.integers(0, max_time + 1)
        start = rng.integers(0, timeline - width + 1)
        mask[start:start + width] = True
    for i in range(n_windows):
        window_mask = mask[i * WINDOW_STEP:i * WINDOW_STEP + frames]
        out[i][window_mask] = -1.0
    return out


SPEED_FACTORS = (0.85, 0.9, 0.95, 1.05, 1.1, 1.15)  # the linear model's training copies


def speed_perturbed_features(signals: list[np.ndarray],
                             factors: Sequence[float] = SPEED_FACTORS) -> np.ndarray:
    """:func:`utils.audio.features.speech_features` of each signal and of its :func:`speed_perturb`
    copies, shape (1 + len(factors), clips, 592): the originals first, then one block per
    factor."""
    from tqdm.auto import tqdm

    versions = [lambda s: s] + [lambda s, f=f: speed_perturb(s, f) for f in factors]
    return np.stack([np.stack([speech_features(version(s), trim=False) for s in signals])
                     for version in tqdm(versions, desc="features (original, then copies)")])
