"""utils.audio.augment: waveform variants, speed perturbation and SpecAugment.

Every signal is synthetic (tones and noise written in the test); nothing reads /work/shared.
"""

from __future__ import annotations

import numpy as np
import pytest

from audio_signals import SR, speech_like, tone
from utils.audio import augment, features



def test_add_noise_hits_the_asked_snr():
    signal = tone(1.0)
    noisy = augment.add_noise(signal, 10.0, np.random.default_rng(0))
    snr = 10 * np.log10(np.mean(signal ** 2) / np.mean((noisy - signal) ** 2))
    assert snr == pytest.approx(10.0, abs=0.3)


def test_time_shift_pitch_and_speed():
    signal = np.arange(1, 11, dtype=np.float32)
    assert augment.time_shift(signal, 3)[:3].sum() == 0 and augment.time_shift(signal, 3)[3] == 1
    assert augment.time_shift(signal, -2)[0] == 3 and augment.time_shift(signal, 20).sum() == 0
    voice = tone(1.0)
    assert augment.pitch_shift(voice, 2.0).size == voice.size
    assert augment.change_speed(voice, 1.25).size == pytest.approx(voice.size / 1.25, rel=0.02)
    with pytest.raises(ValueError):
        augment.change_speed(voice, 0.0)
    variant = augment.augment(voice, np.random.default_rng(1))
    assert variant.dtype == np.float32 and 0.85 * voice.size < variant.size < 1.15 * voice.size


def test_spec_augment_masks_with_the_floor_consistently():
    windows = features.clip_windows(speech_like())
    masked = augment.spec_augment(windows, np.random.default_rng(3), max_freq=8, max_time=30)
    assert masked.shape == windows.shape and not np.shares_memory(masked, windows)
    changed = masked != windows
    assert changed.any() and np.all(masked[changed] == -1.0)
    # overlapping windows mask the same frames: window 1's first half is window 0's second half
    np.testing.assert_array_equal(masked[0, 50:] == -1.0, masked[1, :50] == -1.0)


def test_speed_perturb_moves_pitch_and_length_together():
    voice = tone(1.0, freq=200.0)
    faster = augment.speed_perturb(voice, 1.25)
    assert faster.dtype == np.float32 and faster.size == pytest.approx(voice.size / 1.25, abs=2)
    spectrum = np.abs(np.fft.rfft(faster))
    peak_hz = spectrum.argmax() * SR / faster.size
    assert peak_hz == pytest.approx(250.0, rel=0.02)  # 200 Hz played 1.25x as fast
    with pytest.raises(ValueError, match="positive"):
        augment.speed_perturb(voice, 0.0)
