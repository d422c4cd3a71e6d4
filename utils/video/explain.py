"""Where the face model looks, over many faces: Grad-CAM per face, class means, heat on features.

:func:`face_gradcams` runs :func:`utils.explain.gradcam` over a dataset split in batches;
:func:`region_shares` says how much of each map's heat falls on the eyes and on the mouth of a
FER2013-framed 48x48 face (:data:`FEATURE_REGIONS`), against :func:`uniform_shares` for a map
that looks everywhere alike; :func:`class_mean_maps` averages the maps of the correctly classified
faces of each class and :func:`plot_class_maps` draws them without any face pixels, so a figure
made from real faces can be shipped.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from utils.explain import gradcam, heatmap_colorbar
from utils.video.faces import FACE_SIZE

# Rows and columns of a 48x48 face framed like FER2013's (dlib puts the eye centres at y 18.5
# and the mouth's centre at y 36.7 on the mean real Training face): the eyes and brows band,
# and the mouth.
FEATURE_REGIONS = {"eyes": (slice(12, 25), slice(8, 40)), "mouth": (slice(30, 44), slice(14, 34))}


def face_gradcams(model, faces: np.ndarray, classes: Sequence[int],
                  batch_size: int = 256) -> np.ndarray:
    """Grad-CAM maps ``(n, 48, 48)`` in [0, 1] of ``faces`` for one class each, batch by batch."""
    classes = np.asarray(classes)
    return np.concatenate([gradcam(model, faces[i:i + batch_size],
                                   class_index=classes[i:i + batch_size])
                           for i in range(0, len(faces), batch_size)])


def region_shares(maps: np.ndarray) -> dict[str, np.ndarray]:
    """Share of each map's total heat inside each of :data:`FEATURE_REGIONS`, ``{name: (n,)}``."""
    total = np.maximum(maps.sum(axis=(1, 2)), 1e-12)
    return {name: maps[:, rows, cols].sum(axis=(1, 2)) / total
            for name, (rows, cols) in FEATURE_REGIONS.items()}


def uniform_shares() -> dict[str, float]:
    """The shares :func:`region_shares` gives a map that is the same everywhere (the regions'
    areas): the level a map that singles out the features must beat."""
    uniform = np.ones((1, FACE_SIZE, FACE_SIZE), np.float32)
    return {name: float(share[0]) for name, share in region_shares(uniform).items()}


def class_mean_maps(maps: np.ndarray, labels: np.ndarray, predicted: np.ndarray,
                    n_classes: int) -> tuple[np.ndarray, np.ndarray]:
    """Mean map of the correctly classified faces of each class ``(n_classes, 48, 48)`` (zeros
    where a class has none) and how many faces each mean is over."""
    means = np.zeros((n_classes, *maps.shape[1:]), np.float32)
    counts = np.zeros(n_classes, np.int64)
    for c in range(n_classes):
        picks = (labels == c) & (predicted == c)
        counts[c] = picks.sum()
        if counts[c]:
            means[c] = maps[picks].mean(axis=0)
    return means, counts


def plot_class_maps(means: np.ndarray, counts: np.ndarray, classes: Sequence[str], title: str):
    """One panel per class: its mean map alone (no face pixels), with the eyes and mouth regions
    outlined and their shares of the heat; a colour bar."""
    from matplotlib import pyplot as plt

    fig, axes = plt.subplots(1, len(classes), figsize=(2.1 * len(classes), 2.9))
    for ax, mean, count, name in zip(axes, means, counts, classes):
        ax.imshow(mean, cmap="jet", vmin=0, vmax=1)
        ax.set_xticks([]), ax.set_yticks([])
        for rows, cols in FEATURE_REGIONS.values():
            ax.add_patch(plt.Rectangle((cols.start - 0.5, rows.start - 0.5), cols.stop - cols.start,
                                       rows.stop - rows.start, fill=False, color="white", lw=1))
        shares = region_shares(mean[None]) if count else {}
        detail = ", ".join(f"{k} {v[0]:.0%}" for k, v in shares.items()) or "no face correct"
        ax.set_title(f"{name} ({count} faces)\n{detail}", fontsize=8)
    heatmap_colorbar(fig, axes, label="mean Grad-CAM")
    fig.suptitle(title, fontsize=10)
    return fig
