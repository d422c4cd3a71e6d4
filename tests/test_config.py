"""utils.config: mode switch, paths, runtime detection, seeds, device strategy."""

from __future__ import annotations

import sys

import numpy as np
import pytest

from utils import config


@pytest.mark.parametrize(("quick", "ci", "expected"), [
    ("1", None, True), ("true", None, True), ("0", "true", False), ("off", None, False),
    (None, "true", True), (None, None, False), ("", None, False),
])
def test_quick_mode_follows_course_quick_then_ci(monkeypatch, quick, ci, expected):
    for name, value in (("COURSE_QUICK", quick), ("CI", ci)):
        if value is None:
            monkeypatch.delenv(name, raising=False)
        else:
            monkeypatch.setenv(name, value)
    assert config.is_quick() is expected
    assert config.mode_name() == ("quick" if expected else "full")


def test_unknown_quick_value_is_a_clear_error(monkeypatch):
    monkeypatch.setenv("COURSE_QUICK", "maybe")
    with pytest.raises(ValueError, match="COURSE_QUICK"):
        config.is_quick()


def test_data_dir_default_and_override(monkeypatch, tmp_path):
    monkeypatch.delenv("COURSE_DATA_DIR", raising=False)
    assert config.data_dir() == config.DEFAULT_DATA_DIR.resolve()
    monkeypatch.setenv("COURSE_DATA_DIR", str(tmp_path))
    assert config.data_dir() == tmp_path.resolve()


def test_output_dir_is_created_under_course_output_dir(monkeypatch, tmp_path):
    monkeypatch.setenv("COURSE_OUTPUT_DIR", str(tmp_path / "out"))
    folder = config.output_dir("figures", "faces")
    assert folder == tmp_path / "out" / "figures" / "faces"
    assert folder.is_dir()


def test_runtime_detection(monkeypatch):
    monkeypatch.setattr(sys, "platform", "linux")
    for name in ("DISPLAY", "WAYLAND_DISPLAY", "COLAB_RELEASE_TAG"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.delitem(sys.modules, "google.colab", raising=False)
    assert config.runtime() == "headless"
    monkeypatch.setenv("DISPLAY", ":0")
    assert config.runtime() == "local"
    monkeypatch.setitem(sys.modules, "google.colab", object())
    assert config.runtime() == "colab"


def test_seed_everything_repeats_numpy_and_keras_draws():
    import keras

    config.seed_everything(7)
    first = np.random.rand(3), keras.random.uniform((3,)).numpy()
    config.seed_everything(7)
    second = np.random.rand(3), keras.random.uniform((3,)).numpy()
    np.testing.assert_array_equal(first[0], second[0])
    np.testing.assert_array_equal(first[1], second[1])


def test_distribution_strategy_on_a_cpu_machine():
    import tensorflow as tf

    strategy = config.distribution_strategy()
    assert isinstance(strategy, tf.distribute.Strategy)
    assert strategy.num_replicas_in_sync >= 1


def test_describe_names_mode_and_data(monkeypatch):
    monkeypatch.setenv("COURSE_QUICK", "1")
    assert "mode=quick" in config.describe() and "synthetic samples" in config.describe()


def test_tensorflow_starts_quietly_after_the_course_config():
    """The setup cell imports utils.config before TensorFlow: no start-up notice reaches a notebook."""
    import os
    import subprocess

    env = {k: v for k, v in os.environ.items() if k != "TF_CPP_MIN_LOG_LEVEL"}
    done = subprocess.run([sys.executable, "-c", "from utils import config; import tensorflow"],
                          capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode == 0, done.stderr
    for notice in ("absl::InitializeLog", "oneDNN", "cpu_feature_guard"):
        assert notice not in done.stderr + done.stdout


def test_data_label_says_synthetic_in_quick_mode(monkeypatch):
    monkeypatch.setenv("COURSE_QUICK", "1")
    assert config.data_label("FER2013 PublicTest") == "synthetic samples (FER2013 PublicTest layout)"
    monkeypatch.setenv("COURSE_QUICK", "0")
    assert config.data_label("FER2013 PublicTest") == "FER2013 PublicTest"
