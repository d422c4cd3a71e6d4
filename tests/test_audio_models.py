"""utils.audio.models: the speech networks' shapes and Grad-CAM layer, the SVM baseline.

Every signal is synthetic (tones and noise written in the test); nothing reads /work/shared.
"""

from __future__ import annotations

import numpy as np

from audio_signals import SR, speech_like, tone
from utils.audio import features, models, plots


def test_svm_baseline_separates_two_tones():
    rng = np.random.default_rng(0)
    signals = [tone(1.0, freq=f) + 0.01 * rng.standard_normal(SR).astype(np.float32)
               for f in [200, 210, 220, 230] * 3 + [1500, 1600, 1700, 1800] * 3]
    labels = np.repeat([0, 1], 12)
    x = np.stack([features.utterance_features(s) for s in signals])
    assert models.speech_svm().fit(x, labels).score(x, labels) == 1.0


def test_speech_model_shapes_and_grad_cam():
    from utils.explain import gradcam

    assert models.speech_cnn_lstm().count_params() < 1_000_000
    model = models.speech_cnn_lstm(filters=(4, 4, 4, 4), lstm_units=(4, 4))
    windows = features.clip_windows(speech_like())
    assert model.predict(windows[None], verbose=0).shape == (1, 8)
    cam = gradcam(model, windows[None], layer="lflb4_elu")
    assert cam.shape == (1, 5, 12, 6)
    assert plots.window_maps_to_clip(cam[0]).shape == (300, 48)
