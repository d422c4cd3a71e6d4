"""Measuring text models: the per-trait personality report and the TF-IDF baseline to beat."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np


def personality_report(truth: np.ndarray, predicted: np.ndarray, title: str) -> tuple[dict, Any]:
    """Per-trait accuracy, macro-F1 and majority-class share, plus one confusion matrix per trait.

    ``truth`` and ``predicted`` are 0/1 arrays of shape (essays, 5) in BIG_FIVE order. The
    majority share is the accuracy of always answering the commoner label of these essays (an
    optimistic constant baseline: it peeks at the evaluated labels).
    """
    from matplotlib import pyplot as plt
    from sklearn.metrics import f1_score

    from utils.labels import BIG_FIVE
    from utils.plots import plot_confusion_matrix

    truth, predicted = np.asarray(truth, int), np.asarray(predicted, int)
    if truth.shape != predicted.shape or truth.ndim != 2 or truth.shape[1] != len(BIG_FIVE):
        raise ValueError(f"expected two (essays, {len(BIG_FIVE)}) arrays, got {truth.shape} and "
                         f"{predicted.shape}")
    report: dict[str, Any] = {"title": title, "essays": int(len(truth))}
    fig, axes = plt.subplots(1, len(BIG_FIVE), figsize=(4.2 * len(BIG_FIVE), 3.6))
    for k, (trait, ax) in enumerate(zip(BIG_FIVE, axes)):
        share = float(truth[:, k].mean()) if len(truth) else float("nan")
        report[trait] = {"accuracy": float((truth[:, k] == predicted[:, k]).mean()),
                         "macro_f1": float(f1_score(truth[:, k], predicted[:, k], average="macro",
                                                    labels=[0, 1], zero_division=0)),
                         "majority_share": max(share, 1 - share)}
        plot_confusion_matrix(truth[:, k], predicted[:, k], ["low", "high"], trait, ax=ax)
    report["mean_accuracy"] = float(np.mean([report[t]["accuracy"] for t in BIG_FIVE]))
    report["mean_majority_share"] = float(np.mean([report[t]["majority_share"] for t in BIG_FIVE]))
    fig.suptitle(title)
    fig.tight_layout()
    return report, fig


def tfidf_logreg(train_texts: Sequence[str], train_labels: np.ndarray, test_texts: Sequence[str],
                 C: float = 1.0) -> np.ndarray:
    """The baseline: TF-IDF (sublinear, words seen in 2+ texts, 30k features) + logistic regression.

    ``train_labels`` is 1-D (one class per text) or 2-D (one 0/1 column per trait, one model each).
    Returns the predicted labels of ``test_texts`` in the same shape.
    """
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    vectorizer = TfidfVectorizer(sublinear_tf=True, min_df=2, max_features=30000)
    train = vectorizer.fit_transform(train_texts)
    test = vectorizer.transform(test_texts)
    labels = np.asarray(train_labels)
    fit = lambda y: LogisticRegression(C=C, max_iter=2000).fit(train, y).predict(test)  # noqa: E731
    if labels.ndim == 1:
        return fit(labels)
    return np.stack([fit(labels[:, k]) for k in range(labels.shape[1])], axis=1)
