"""One place for the course's switches: quick or full mode, paths, runtime, seeds, devices.

Every notebook and module reads these functions instead of its own environment variables, so an
instructor changes one variable and the whole course follows.

Environment variables
---------------------
COURSE_QUICK     ``1`` runs on the synthetic samples with tiny epochs, ``0`` forces the full recipe.
                 Unset, quick mode is on exactly when ``CI`` is set.
COURSE_DATA_DIR  where real datasets are looked for and downloaded to (default: ``data/cache``).
COURSE_OUTPUT_DIR  where figures, checkpoints and reports go (default: ``outputs``).
TF_CPP_MIN_LOG_LEVEL  TensorFlow's C++ log level; set to ``2`` here unless already set.
"""

from __future__ import annotations

import os
import random
import sys
from pathlib import Path
from typing import Any

# TensorFlow prints start-up notices (oneDNN, CPU instructions, the absl "before InitializeLog"
# line) from C++ as soon as it is imported. Every notebook imports this module first, before
# TensorFlow, so setting the level here keeps them out of every notebook, in Colab too; a value
# the user set wins.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

REPO_ROOT = Path(__file__).resolve().parent.parent
MODELS_DIR = REPO_ROOT / "models"
SAMPLES_DIR = REPO_ROOT / "data" / "samples"
DEFAULT_DATA_DIR = REPO_ROOT / "data" / "cache"
DEFAULT_OUTPUT_DIR = REPO_ROOT / "outputs"
DEFAULT_SEED = 42

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


def is_quick() -> bool:
    """True when the course runs in quick mode (synthetic samples, tiny epochs).

    ``COURSE_QUICK`` wins when set to a true or false word; otherwise quick mode follows ``CI``.
    """
    value = os.environ.get("COURSE_QUICK", "").strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    if value:
        raise ValueError(
            f"COURSE_QUICK={value!r} is not understood: set it to 1 (quick mode) or 0 (full mode)."
        )
    return bool(os.environ.get("CI"))


def mode_name() -> str:
    """``"quick"`` or ``"full"``, for titles and reports."""
    return "quick" if is_quick() else "full"


def data_dir() -> Path:
    """Folder where real datasets are found or downloaded to (``COURSE_DATA_DIR``)."""
    return Path(os.environ.get("COURSE_DATA_DIR") or DEFAULT_DATA_DIR).expanduser().resolve()


def output_dir(*parts: str) -> Path:
    """A folder under ``COURSE_OUTPUT_DIR`` (default ``outputs/``), created if missing."""
    base = Path(os.environ.get("COURSE_OUTPUT_DIR") or DEFAULT_OUTPUT_DIR).expanduser()
    path = base.joinpath(*parts)
    path.mkdir(parents=True, exist_ok=True)
    return path


def runtime() -> str:
    """Where the course runs: ``"colab"``, ``"local"`` (a screen for windows) or ``"headless"``."""
    if "google.colab" in sys.modules or os.environ.get("COLAB_RELEASE_TAG"):
        return "colab"
    if sys.platform in ("darwin", "win32"):
        return "local"
    if os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"):
        return "local"
    return "headless"


def seed_everything(seed: int = DEFAULT_SEED) -> int:
    """Seed Python, NumPy and (if installed) TensorFlow/Keras, so runs repeat their numbers.

    TensorFlow is imported only if it is already loaded or installed, so this stays cheap for
    notebooks that never train a network.
    """
    os.environ["PYTHONHASHSEED"] = str(seed)
    random.seed(seed)
    import numpy as np

    np.random.seed(seed)
    try:
        import keras
    except ImportError:
        return seed
    keras.utils.set_random_seed(seed)  # seeds Python, NumPy and the backend together
    return seed


def distribution_strategy() -> Any:
    """The ``tf.distribute`` strategy for this machine: TPU, several GPUs, one GPU, or the CPU.

    Build and compile models inside ``with distribution_strategy().scope():`` and the same code
    scales from a laptop to a Colab TPU.
    """
    import tensorflow as tf

    try:
        resolver = tf.distribute.cluster_resolver.TPUClusterResolver()
        tf.config.experimental_connect_to_cluster(resolver)
        tf.tpu.experimental.initialize_tpu_system(resolver)
        return tf.distribute.TPUStrategy(resolver)
    except (ValueError, RuntimeError, tf.errors.NotFoundError):
        pass  # no TPU here
    gpus = tf.config.list_logical_devices("GPU")
    if len(gpus) > 1:
        return tf.distribute.MirroredStrategy()
    if len(gpus) == 1:
        return tf.distribute.OneDeviceStrategy("/gpu:0")
    return tf.distribute.get_strategy()  # the default strategy: CPU


def data_label(real: str) -> str:
    """What a figure or a printed number was measured on, honestly for the mode.

    ``real`` names the real data and split ("FER2013 PublicTest"). In full mode it is returned as
    it is; in quick mode the data are synthetic samples in that dataset's layout, and the label
    says so, so no real dataset's name stands over synthetic data.
    """
    return f"synthetic samples ({real} layout)" if is_quick() else real


def describe() -> str:
    """One line a notebook prints first: mode, runtime and where data comes from."""
    source = "synthetic samples" if is_quick() else str(data_dir())
    return f"mode={mode_name()} runtime={runtime()} data={source}"
