"""utils.audio.features: log-mel spectrograms, rolling windows and utterance statistics.

Every signal is synthetic (tones and noise written in the test); nothing reads /work/shared.
"""

from __future__ import annotations

import numpy as np
import pytest

from audio_signals import SR, speech_like, tone
from utils.audio import features


def test_log_mel_shape_range_and_gain_invariance():
    signal = speech_like()
    mel = features.log_mel(signal)
    assert mel.shape == (1 + signal.size // features.HOP_LENGTH, features.N_MELS)
    assert mel.min() >= -1.0 and mel.max() == pytest.approx(1.0)
    np.testing.assert_allclose(features.log_mel(0.05 * signal), mel, atol=1e-4)


def test_silence_gives_the_floor_everywhere():
    assert np.all(features.log_mel(np.zeros(SR, np.float32)) == -1.0)
    windows = features.clip_windows(np.zeros(SR, np.float32))
    assert windows.shape == (5, 100, 48, 1) and np.all(windows == -1.0)


@pytest.mark.parametrize("seconds", [0.01, 0.5, 3.0, 5.5])
def test_clip_windows_always_gives_the_model_input(seconds):
    windows = features.clip_windows(tone(seconds))
    assert windows.shape == (5, features.WINDOW_FRAMES, features.N_MELS, 1)
    assert windows.dtype == np.float32 and np.isfinite(windows).all()


def test_clip_windows_resamples_other_rates():
    at_48k = features.clip_windows(speech_like(sr=48_000), sr=48_000)
    at_16k = features.clip_windows(speech_like())
    assert at_48k.shape == at_16k.shape
    assert np.mean(np.abs(at_48k - at_16k)) < 0.1


def test_trim_silence_removes_the_quiet_ends():
    signal = speech_like(seconds=1.0)
    trimmed = features.trim_silence(signal)
    assert abs(trimmed.size - SR) < 0.1 * SR
    silent = np.zeros(100, np.float32)
    assert features.trim_silence(silent).size == 100


def test_fit_length_pads_and_cuts():
    signal = np.ones(10, np.float32)
    padded = features.fit_length(signal, 20)
    assert padded.size == 20 and padded.sum() == 10 and padded[5] == 1 and padded[4] == 0
    assert features.fit_length(signal, 20, offset=0)[:10].all()
    assert features.fit_length(np.arange(30, dtype=np.float32), 10)[0] == 10
    with pytest.raises(ValueError):
        features.fit_length(signal, 0)


def test_rolling_windows_count_padding_and_inverse():
    frames = np.random.default_rng(0).standard_normal((300, 8)).astype(np.float32)
    windows = features.rolling_windows(frames, window=100, step=50)
    assert windows.shape == (5, 100, 8)
    np.testing.assert_array_equal(windows[1], frames[50:150])
    np.testing.assert_allclose(features.windows_to_frames(windows, 300, step=50), frames, rtol=1e-6)
    short = features.rolling_windows(frames[:30], window=100, step=50)
    assert short.shape == (1, 100, 8) and np.all(short[0, 30:] == frames[:30].min())
    with pytest.raises(ValueError):
        features.rolling_windows(np.zeros((0, 8)))
    with pytest.raises(ValueError):
        features.rolling_windows(np.zeros(300))


def test_bad_signals_raise():
    with pytest.raises(ValueError, match="no samples"):
        features.log_mel(np.zeros(0, np.float32))
    with pytest.raises(ValueError, match="mono"):
        features.log_mel(np.zeros((100, 2), np.float32))
    with pytest.raises(ValueError, match="NaN"):
        features.clip_windows(np.full(100, np.nan, np.float32))


def test_utterance_features_match_their_names_and_stay_finite():
    names = features.utterance_feature_names()
    for signal in (speech_like(), np.zeros(SR, np.float32), tone(0.01)):
        vector = features.utterance_features(signal)
        assert vector.shape == (len(names),) and np.isfinite(vector).all()
    assert len(set(names)) == len(names)
    assert features.mfcc(tone(1.0)).shape[1] == 13


def test_speech_features_match_their_names_and_stay_finite():
    names = features.speech_feature_names()
    assert (len(set(names)) == len(names)
            == len(features.utterance_feature_names()) + 7 * features.N_MELS)
    for signal in (speech_like(), np.zeros(SR, np.float32), tone(0.01), tone(0.005)):
        vector = features.speech_features(signal)
        assert vector.shape == (len(names),) and np.isfinite(vector).all()
    # resampled to 16 kHz first: the same voice at 48 kHz gives nearly the same vector
    at_48k = features.speech_features(speech_like(sr=48_000), sr=48_000)
    assert np.corrcoef(at_48k, features.speech_features(speech_like()))[0, 1] > 0.99


def test_utterance_log_mel_is_always_three_seconds():
    for signal in (speech_like(1.0), speech_like(5.0), np.zeros(SR, np.float32), tone(0.01)):
        mel = features.utterance_log_mel(signal)
        assert mel.shape == (features.CLIP_FRAMES, features.N_MELS, 1)
        assert np.isfinite(mel).all() and mel.min() >= -1.0
    padded = features.fit_frames(np.zeros((10, 3)), frames=14)
    assert padded.shape == (14, 3) and (padded[:2] == -1).all() and (padded[2:12] == 0).all()
    assert features.fit_frames(np.arange(20.0)[:, None], frames=5, offset=3)[0, 0] == 3
