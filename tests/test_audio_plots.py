"""utils.audio.plots: Grad-CAM maps onto the clip, and the log-mel figure.

Every signal is synthetic (tones and noise written in the test); nothing reads /work/shared.
"""

from __future__ import annotations

import numpy as np
import pytest

from audio_signals import speech_like
from utils.audio import features, plots


def test_window_maps_to_clip_shape():
    clip_map = plots.window_maps_to_clip(np.ones((5, 12, 6)))
    assert clip_map.shape == (300, 48)
    np.testing.assert_allclose(clip_map, 1.0, atol=1e-5)


def test_plot_log_mel_draws_seconds_and_the_heatmap():
    windows = features.clip_windows(speech_like())
    ax = plots.plot_log_mel(features.windows_to_frames(windows[..., 0]), "clip", show_windows=True)
    assert ax.get_xlabel() == "time (s)" and ax.get_xlim() == pytest.approx((0.0, 3.0))
    ax = plots.plot_log_mel(windows[0], "one window", heatmap=np.zeros((100, 48)))
    assert len(ax.images) == 2 and ax.get_title() == "one window"
