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


def test_recorded_reads_a_value_and_names_what_is_missing(tmp_path):
    (tmp_path / "run.json").write_text('{"candidates": {"a": {"fold_accuracy": [0.5, 0.6]}}}')
    assert plots.recorded("run", "candidates", "a", "fold_accuracy", models_dir=tmp_path) == [0.5, 0.6]
    with pytest.raises(LookupError, match="has no 'candidates/b'"):
        plots.recorded("run", "candidates", "b", models_dir=tmp_path)
    with pytest.raises(LookupError, match="missing"):
        plots.recorded("absent", models_dir=tmp_path)


def test_fold_spread_and_adaptation_figures_label_their_numbers():
    ax = plots.plot_fold_spread({"one": [0.5, 0.7], "two": [0.6, 0.6]}, "folds")
    assert [t.get_text() for t in ax.get_yticklabels()] == ["one", "two"]
    assert any("60.0 +- 10.0%" in t.get_text() for t in ax.texts)
    ax = plots.plot_adaptation([0, 1, "all"], [0.5, 0.6, 0.7], "curve")
    assert [t.get_text() for t in ax.get_xticklabels()] == ["0", "1", "all"]


def test_speaker_vs_emotion_titles_the_variance_of_group_means():
    fig = plots.plot_speaker_vs_emotion([1, 3, 5, 7], [1, 1, 2, 2], ["a", "b", "a", "b"], "t", "f0")
    left, right = fig.axes
    assert "variance of the speaker means 4.0" in left.get_title()
    assert "variance of the emotion means 1.0" in right.get_title()
