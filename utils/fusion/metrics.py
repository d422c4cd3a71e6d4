"""Scores of fused probabilities: accuracy and macro-F1 over the seven emotions, top classes."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from utils.labels import N_CLASSES


def scores(y_true: Sequence[int], probs: np.ndarray) -> dict[str, float]:
    """Accuracy and macro-F1 (over the seven emotions) of fused probabilities.

    Rows that are NaN (no modality present) count as wrong: every method is scored on the same
    examples.
    """
    from sklearn.metrics import accuracy_score, f1_score

    predicted = predictions(probs)
    y_true = np.asarray(y_true)
    return {"accuracy": float(accuracy_score(y_true, predicted)),
            "macro_f1": float(f1_score(y_true, predicted, labels=range(N_CLASSES),
                                       average="macro", zero_division=0)),
            "examples": int(len(y_true))}


def predictions(probs: np.ndarray) -> np.ndarray:
    """Top class of each row; -1 for a NaN row (nothing to predict from)."""
    probs = np.atleast_2d(np.asarray(probs, dtype=np.float64))
    out = np.full(len(probs), -1)
    valid = ~np.isnan(probs).any(axis=1)
    out[valid] = probs[valid].argmax(axis=1)
    return out
