"""The one way the course writes a report: metrics as JSON and the confusion matrix as a PNG.

Training recipes (each writes its validation report beside the model) and the evaluation command
line both call :func:`write_report`, so every number the course ships is computed the same way.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from sklearn.metrics import accuracy_score, classification_report, f1_score


def save_report_files(out_dir: Path, record: dict, figure, json_name: str, png_name: str) -> None:
    """``record`` as indented JSON and ``figure`` as a 120-dpi PNG in ``out_dir`` (created if
    missing); the figure is closed. Every report the command line writes goes through here."""
    from matplotlib import pyplot as plt

    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / json_name).write_text(json.dumps(record, indent=2))
    figure.savefig(out_dir / png_name, dpi=120, bbox_inches="tight")
    plt.close(figure)


def write_report(y_true: Sequence[int], y_pred: Sequence[int], classes: Sequence[str],
                 title: str, out_dir: Path, json_name: str = "metrics.json",
                 png_name: str = "confusion.png") -> dict:
    """Accuracy, macro-F1 and the per-class report as ``json_name``, plus the confusion matrix
    as ``png_name`` (a training recipe names them after its model).

    Returns the metrics dict (also printed by the command line).
    """
    from utils.plots import plot_confusion_matrix

    labels = list(range(len(classes)))
    metrics = {
        "title": title,
        "examples": int(len(y_true)),
        "accuracy": float(accuracy_score(y_true, y_pred)),
        "macro_f1": float(f1_score(y_true, y_pred, labels=labels, average="macro", zero_division=0)),
        "per_class": classification_report(y_true, y_pred, labels=labels, target_names=list(classes),
                                           output_dict=True, zero_division=0),
    }
    figure = plot_confusion_matrix(np.asarray(y_true), np.asarray(y_pred), classes, title)
    save_report_files(out_dir, metrics, figure, json_name, png_name)
    return metrics
