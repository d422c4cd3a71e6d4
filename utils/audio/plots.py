"""Figures of the speech notebook, and the recorded full-run results some of them show.

:func:`window_maps_to_clip` lays per-window Grad-CAM maps onto the clip's timeline and
:func:`plot_log_mel` draws the spectrogram (and the map); the features themselves are computed
in :mod:`utils.audio.features`. The selection-protocol lesson draws the fold-to-fold spread of a
grouped cross-validation (:func:`plot_fold_spread`), one value grouped by speaker and by emotion
(:func:`plot_speaker_vs_emotion`) and how accuracy grows as a new speaker is heard
(:func:`plot_adaptation`); :func:`recorded` reads the full runs' numbers from ``models/``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np

from utils.audio.features import HOP_LENGTH, N_MELS, WINDOW_FRAMES, WINDOW_STEP, windows_to_frames
from utils.audio.io import SAMPLE_RATE


def window_maps_to_clip(maps: np.ndarray, frames: int = WINDOW_FRAMES, bands: int = N_MELS
                        ) -> np.ndarray:
    """Per-window maps (n_windows, h, w) at a layer's resolution -> one (300, 48) clip map.

    Each window's map is stretched bilinearly to (frames, bands) and the windows are
    overlap-averaged onto the clip's timeline (:func:`utils.audio.features.windows_to_frames`):
    how a Grad-CAM map of the time-distributed CNN is drawn over the log-mel spectrogram.
    """
    from scipy.ndimage import zoom

    maps = np.asarray(maps, dtype=np.float32)
    if maps.ndim != 3:
        raise ValueError(f"expected maps of shape (n_windows, h, w), got {maps.shape}")
    stretched = np.stack([zoom(m, (frames / m.shape[0], bands / m.shape[1]), order=1)
                          [:frames, :bands] for m in maps])
    n_frames = (len(maps) - 1) * WINDOW_STEP + frames
    return windows_to_frames(stretched, n_frames=n_frames)


def plot_log_mel(features: np.ndarray, title: str, ax=None, heatmap: np.ndarray | None = None,
                 show_windows: bool = False):
    """A (frames, bands) log-mel spectrogram as an image: time in seconds, mel band upwards.

    ``heatmap`` (same shape, values in [0, 1], e.g. a Grad-CAM map) is drawn over it in colour;
    ``show_windows`` outlines the rolling windows the speech model sees. Returns the axes.
    """
    from matplotlib import pyplot as plt

    features = np.asarray(features, np.float32)
    if features.ndim == 3:
        features = features[..., 0]
    if ax is None:
        _, ax = plt.subplots(figsize=(8, 3))
    seconds = features.shape[0] * HOP_LENGTH / SAMPLE_RATE
    extent = (0.0, seconds, 0, features.shape[1])
    image = ax.imshow(features.T, origin="lower", aspect="auto", extent=extent,
                      cmap="gray" if heatmap is not None else "magma", vmin=-1, vmax=1)
    if heatmap is not None:
        ax.imshow(np.asarray(heatmap).T, origin="lower", aspect="auto", extent=extent, cmap="jet",
                  alpha=0.45, vmin=0, vmax=1)
    else:
        ax.figure.colorbar(image, ax=ax, fraction=0.03, label="log power (-1 = 80 dB down)")
    if show_windows:  # one bracket per rolling window, stacked so the overlaps show
        step = WINDOW_STEP * HOP_LENGTH / SAMPLE_RATE
        width = WINDOW_FRAMES * HOP_LENGTH / SAMPLE_RATE
        for i in range(int((seconds - width) / step + 1e-6) + 1):
            top = features.shape[1] - 2 - 3 * i
            ax.plot([i * step, i * step + width], [top, top], color="cyan", lw=2, marker="|", ms=10)
            ax.text(i * step + width / 2, top - 0.6, f"window {i + 1}", color="cyan", fontsize=8,
                    ha="center", va="top")
    ax.set_xlabel("time (s)")
    ax.set_ylabel("mel band")
    ax.set_title(title)
    return ax


def recorded(name: str, *keys: str, models_dir: Path | None = None):
    """``models/<name>.json``, or the value under ``keys`` inside it (a full run's recorded
    result). A missing file or key raises a ``LookupError`` that says which and what writes it."""
    from utils.config import MODELS_DIR

    path = Path(models_dir or MODELS_DIR) / f"{name}.json"
    if not path.is_file():
        raise LookupError(f"{path} is missing: it is written by the full run of the speech recipe "
                          f"(models/speech_speaker_norm.md says how)")
    value = json.loads(path.read_text())
    for depth, key in enumerate(keys):
        if not isinstance(value, Mapping) or key not in value:
            found = sorted(value) if isinstance(value, Mapping) else type(value).__name__
            raise LookupError(f"{path.name} has no {'/'.join(keys[:depth + 1])!r} (has {found})")
        value = value[key]
    return value


def plot_fold_spread(folds: Mapping[str, Sequence[float]], title: str, ax=None):
    """Per-fold accuracies of several candidates: one dot per fold, the mean and +-1 standard
    deviation as a bar, the mean written beside it. Returns the axes."""
    from matplotlib import pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=(8, 0.6 + 0.55 * len(folds)))
    for row, (name, scores) in enumerate(folds.items()):
        scores = 100 * np.asarray(scores, float)
        ax.errorbar(scores.mean(), row, xerr=scores.std(), fmt="|", color="black", ms=18,
                    capsize=6)
        ax.scatter(scores, np.full(scores.size, row), s=40, alpha=0.7, zorder=3)
        ax.annotate(f"{scores.mean():.1f} +- {scores.std():.1f}%",
                    (max(scores.max(), scores.mean() + scores.std()), row), xytext=(12, 0),
                    textcoords="offset points", va="center")
    ax.set_yticks(range(len(folds)), list(folds))
    ax.invert_yaxis()
    ax.margins(x=0.15)  # room for the means written right of the dots
    ax.set_xlabel("accuracy of one fold (%): dots; mean +- std: bar")
    ax.set_title(title)
    ax.grid(axis="x", alpha=0.3)
    return ax


def plot_speaker_vs_emotion(values: Sequence[float], speakers: Sequence, emotions: Sequence,
                            title: str, ylabel: str):
    """The same per-clip value grouped by speaker (left) and by emotion (right), as box plots,
    each panel titled with the variance of its group means. Returns the figure."""
    from matplotlib import pyplot as plt

    values = np.asarray(values, float)
    fig, axes = plt.subplots(1, 2, figsize=(14, 3.8), sharey=True)
    for ax, groups, what in ((axes[0], np.asarray(speakers), "speaker"),
                             (axes[1], np.asarray(emotions), "emotion")):
        names = list(dict.fromkeys(groups))
        data = [values[groups == name] for name in names]
        ax.boxplot(data)
        ax.set_xticks(range(1, len(names) + 1), [str(n) for n in names],
                      rotation=45 if what == "emotion" else 0)
        spread = np.var([d.mean() for d in data])
        ax.set(xlabel=what, title=f"by {what}: variance of the {what} means {spread:.1f}")
    axes[0].set_ylabel(ylabel)
    fig.suptitle(title)
    fig.tight_layout()
    return fig


def plot_adaptation(clips_seen: Sequence, accuracy: Sequence[float], title: str, ax=None):
    """Accuracy on a new speaker against the number of their unlabelled clips the normaliser has
    heard (``clips_seen`` may end with ``"all"``). Returns the axes."""
    from matplotlib import pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=(7, 3.5))
    labels = [str(n) for n in clips_seen]
    ax.plot(range(len(labels)), 100 * np.asarray(accuracy, float), marker="o")
    for x, value in enumerate(accuracy):
        ax.annotate(f"{100 * value:.1f}", (x, 100 * value), xytext=(0, 6),
                    textcoords="offset points", ha="center")
    ax.set_xticks(range(len(labels)), labels)
    ax.set(xlabel="unlabelled clips of the new speaker heard so far", ylabel="accuracy (%)",
           title=title)
    ax.grid(alpha=0.3)
    return ax
