"""utils.plots: confusion matrices show rates and counts; curves and bars are labelled."""

from __future__ import annotations

import numpy as np
from matplotlib import pyplot as plt

from utils import plots


def _cell_texts(fig) -> list[str]:
    return [t.get_text() for t in fig.axes[0].texts]


def test_confusion_matrix_is_normalised_per_true_class_with_counts():
    fig = plots.plot_confusion_matrix([0, 0, 0, 1], [0, 0, 1, 1], ["a", "b"], "toy, val split")
    texts = _cell_texts(fig)
    assert texts == ["0.67\n(2)", "0.33\n(1)", "0.00\n(0)", "1.00\n(1)"]
    ax = fig.axes[0]
    assert "toy, val split" in ax.get_title() and "75.0%" in ax.get_title()
    assert [t.get_text() for t in ax.get_yticklabels()] == ["a (3)", "b (1)"]
    assert ax.get_xlabel() == "predicted class"
    plt.close(fig)


def test_confusion_matrix_with_an_absent_class_has_no_nan():
    fig = plots.plot_confusion_matrix([0, 0], [0, 1], ["a", "b", "c"], "absent class")
    assert not any("nan" in t for t in _cell_texts(fig))
    plt.close(fig)


def test_confusion_matrix_text_size_is_a_parameter():
    fig = plots.plot_confusion_matrix([0, 1], [0, 1], ["a", "b"], "big", fontsize=12)
    assert {t.get_fontsize() for t in fig.axes[0].texts} == {12}
    assert fig.axes[0].get_xticklabels()[0].get_fontsize() == 12
    plt.close(fig)


def test_history_and_balance():
    fig = plots.plot_history({"loss": [1.0, 0.5], "val_loss": [1.1, 0.7], "accuracy": [0.3, 0.6]},
                             "toy model")
    assert [ax.get_xlabel() for ax in fig.axes] == ["epoch", "epoch"]
    assert len(fig.axes[0].lines) == 2 and len(fig.axes[1].lines) == 1
    bars = plots.plot_class_balance(["a", "b", "b"], ["a", "b", "c"], "balance")
    assert [p.get_height() for p in bars.axes[0].patches] == [1, 2, 0]
    plt.close("all")


def test_history_titles_never_overlap_even_when_long():
    title = "speech_utterance_cnn on RAVDESS actors 1-20, synthetic samples, quick mode, 1 epoch"
    fig = plots.plot_history({"loss": [1.0, 0.5], "val_loss": [1.1, 0.7], "accuracy": [0.3, 0.6],
                              "val_accuracy": [0.2, 0.5]}, title)
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    boxes = [ax.title.get_window_extent(renderer) for ax in fig.axes]
    boxes.append(fig._suptitle.get_window_extent(renderer))
    for i, first in enumerate(boxes):
        for second in boxes[i + 1:]:
            assert not first.overlaps(second)
    assert title.split()[0] in fig._suptitle.get_text()
    plt.close(fig)
