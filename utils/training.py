"""Training helpers shared by the modality notebooks: class weights, standard callbacks, epochs.

Keras' own callbacks do the work; this module only picks the course's defaults in one place.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
from sklearn.utils.class_weight import compute_class_weight

from utils.config import is_quick


def class_weights(labels: Sequence[int], n_classes: int) -> dict[int, float]:
    """Balanced class weights for ``model.fit(class_weight=...)``; absent classes get weight 1."""
    labels = np.asarray(labels)
    present = np.unique(labels)
    weights = compute_class_weight("balanced", classes=present, y=labels)
    result = {i: 1.0 for i in range(n_classes)}
    result.update({int(c): float(w) for c, w in zip(present, weights)})
    return result


def epochs(full: int, quick: int = 2) -> int:
    """Number of epochs for the current mode: the real recipe in full mode, a few in quick mode."""
    return quick if is_quick() else full


def standard_callbacks(checkpoint: Path, monitor: str = "val_accuracy", patience: int = 10,
                       lr_patience: int = 4) -> list:
    """Best-checkpoint, early stopping and learning-rate reduction, all watching ``monitor``.

    The best weights are kept twice over: restored into the model at the end of ``fit`` and saved
    to ``checkpoint`` (a ``.keras`` file) whenever the monitored metric improves.
    """
    import keras

    checkpoint.parent.mkdir(parents=True, exist_ok=True)
    mode = "min" if "loss" in monitor else "max"
    return [
        keras.callbacks.ModelCheckpoint(checkpoint, monitor=monitor, mode=mode, save_best_only=True),
        keras.callbacks.EarlyStopping(monitor=monitor, mode=mode, patience=patience,
                                      restore_best_weights=True),
        keras.callbacks.ReduceLROnPlateau(monitor=monitor, mode=mode, factor=0.5,
                                          patience=lr_patience, min_lr=1e-6),
    ]


def warmup_cosine_rate(progress: float, peak: float, warmup: float = 0.05) -> float:
    """Learning rate at ``progress`` (0 to 1): a linear warm-up to ``peak``, then a half cosine to 0."""
    if progress < warmup:
        return peak * progress / warmup
    return float(peak * 0.5 * (1 + np.cos(np.pi * (progress - warmup) / (1 - warmup))))


def warmup_cosine(peak: float, total_steps: int, warmup: float = 0.05,
                  time_budget_s: float | None = None):
    """A Keras callback setting :func:`warmup_cosine_rate` before every batch.

    Progress is the larger of ``step / total_steps`` and, when ``time_budget_s`` is given,
    ``elapsed / time_budget_s``; training stops when progress reaches 1, so a run on a busy machine
    still ends on time with a fully annealed rate. (Built inside a function so that this module
    imports without Keras.)
    """
    import time

    import keras

    class WarmupCosine(keras.callbacks.Callback):
        def __init__(self) -> None:
            super().__init__()
            self.step, self.start = 0, time.monotonic()

        def progress(self) -> float:
            done = self.step / max(total_steps, 1)
            if time_budget_s:
                done = max(done, (time.monotonic() - self.start) / time_budget_s)
            return min(done, 1.0)

        def on_train_begin(self, logs=None):
            self.start = time.monotonic()

        def on_train_batch_begin(self, batch, logs=None):
            self.model.optimizer.learning_rate.assign(
                warmup_cosine_rate(self.progress(), peak, warmup))

        def on_train_batch_end(self, batch, logs=None):
            self.step += 1
            if self.progress() >= 1.0:
                self.model.stop_training = True

        def on_epoch_end(self, epoch, logs=None):
            if logs is not None:
                logs["learning_rate"] = float(self.model.optimizer.learning_rate)

    return WarmupCosine()


def mixup(x: np.ndarray, y: np.ndarray, rng: np.random.Generator,
          alpha: float = 0.4) -> tuple[np.ndarray, np.ndarray]:
    """Mixup (Zhang et al. 2018): each example blended with a random partner of the same batch.

    ``y`` is one-hot (or soft) labels. The weight is drawn from Beta(alpha, alpha) per example
    and folded to at least 0.5, so each mix keeps most of its own example. Returns new arrays.
    """
    weight = rng.beta(alpha, alpha, len(x)).astype(np.float32)
    weight = np.maximum(weight, 1.0 - weight)
    partner = rng.permutation(len(x))
    wx = weight.reshape((-1,) + (1,) * (x.ndim - 1))
    return wx * x + (1 - wx) * x[partner], weight[:, None] * y + (1 - weight[:, None]) * y[partner]
