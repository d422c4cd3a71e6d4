"""Figures of the speech notebook: a log-mel spectrogram, with a Grad-CAM map over it.

:func:`window_maps_to_clip` lays per-window Grad-CAM maps onto the clip's timeline and
:func:`plot_log_mel` draws the spectrogram (and the map); the features themselves are computed
in :mod:`utils.audio.features`.
"""

from __future__ import annotations

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
