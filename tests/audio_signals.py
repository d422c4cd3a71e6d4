"""Synthetic signals for the audio tests: tones, and tones between silences as in RAVDESS."""

from __future__ import annotations

import numpy as np

from utils.audio.io import SAMPLE_RATE

SR = SAMPLE_RATE


def tone(seconds: float, sr: int = SR, freq: float = 220.0, amplitude: float = 0.3) -> np.ndarray:
    t = np.arange(int(seconds * sr)) / sr
    return (amplitude * np.sin(2 * np.pi * freq * t)).astype(np.float32)


def speech_like(seconds: float = 2.0, sr: int = SR, seed: int = 0) -> np.ndarray:
    """A tone with silence before and after, as a RAVDESS clip has."""
    rng = np.random.default_rng(seed)
    silence = 0.001 * rng.standard_normal(int(0.5 * sr)).astype(np.float32)
    return np.concatenate([silence, tone(seconds, sr), silence])
