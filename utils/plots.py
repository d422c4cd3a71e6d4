"""Figures every notebook shares: confusion matrices, training curves, class balance.

Every figure has a title and labelled axes; every confusion matrix is normalised per true class
and shows the counts too, so a student sees both the rate and how many examples it rests on.
"""

from __future__ import annotations

import textwrap
from collections.abc import Mapping, Sequence

import numpy as np
from matplotlib import pyplot as plt
from sklearn.metrics import confusion_matrix


def plot_confusion_matrix(
    y_true: Sequence[int],
    y_pred: Sequence[int],
    classes: Sequence[str],
    title: str,
    ax: plt.Axes | None = None,
    fontsize: float = 8,
) -> plt.Figure:
    """Confusion matrix normalised per true class (row), each cell showing rate and count.

    ``title`` should say the model, the dataset and the split, e.g.
    ``"mini-Xception, FER2013 PublicTest"``. ``fontsize`` sets the cells' and the labels' text
    (larger for a grid of several matrices).
    """
    labels = np.arange(len(classes))
    counts = confusion_matrix(y_true, y_pred, labels=labels)
    totals = counts.sum(axis=1, keepdims=True)
    rates = np.divide(counts, totals, out=np.zeros(counts.shape, float), where=totals > 0)

    if ax is None:
        size = 1.0 + 0.75 * len(classes)
        _, ax = plt.subplots(figsize=(size + 1.5, size))
    image = ax.imshow(rates, cmap="Blues", vmin=0.0, vmax=1.0)
    for i, j in np.ndindex(counts.shape):
        colour = "white" if rates[i, j] > 0.5 else "black"
        ax.text(j, i, f"{rates[i, j]:.2f}\n({counts[i, j]})", ha="center", va="center",
                fontsize=fontsize, color=colour)
    ax.tick_params(labelsize=max(fontsize, 10))
    ax.set_xticks(labels, classes, rotation=45, ha="right")
    ax.set_yticks(labels, [f"{c} ({n})" for c, n in zip(classes, totals[:, 0])])
    ax.set_xlabel("predicted class")
    ax.set_ylabel("true class (examples)")
    accuracy = np.trace(counts) / max(counts.sum(), 1)
    ax.set_title(f"{title}\naccuracy {accuracy:.1%} on {counts.sum()} examples")
    ax.figure.colorbar(image, ax=ax, fraction=0.046, label="share of the true class")
    return ax.figure


def plot_history(history: Mapping[str, Sequence[float]], title: str,
                 metrics: Sequence[str] = ("loss", "accuracy")) -> plt.Figure:
    """Training and validation curves from a Keras ``History.history`` dict, one panel per metric.

    ``title`` (wrapped if long) stands once above the panels; each panel is titled by its metric,
    so long titles never run into each other.
    """
    fig, axes = plt.subplots(1, len(metrics), figsize=(5 * len(metrics), 3.8), squeeze=False)
    fig.suptitle(textwrap.fill(title, width=45 * len(metrics)))
    for ax, metric in zip(axes[0], metrics):
        for prefix, style in (("", "-"), ("val_", "--")):
            values = history.get(prefix + metric)
            if values is not None:
                epochs = np.arange(1, len(values) + 1)
                ax.plot(epochs, values, style, marker="o", ms=3,
                        label="validation" if prefix else "training")
        ax.set_xlabel("epoch")
        ax.set_ylabel(metric)
        ax.set_title(metric)
        ax.legend()
        ax.grid(alpha=0.3)
    fig.tight_layout()
    return fig


def plot_class_balance(labels: Sequence[str], classes: Sequence[str], title: str) -> plt.Figure:
    """Bar chart of how many examples each class has, with the count over each bar."""
    counts = [int(np.sum(np.asarray(labels) == c)) for c in classes]
    fig, ax = plt.subplots(figsize=(1.0 + 0.8 * len(classes), 3.5))
    bars = ax.bar(classes, counts, color="tab:blue")
    ax.bar_label(bars)
    ax.set_xlabel("class")
    ax.set_ylabel("examples")
    ax.set_title(title)
    ax.tick_params(axis="x", rotation=45)
    fig.tight_layout()
    return fig
