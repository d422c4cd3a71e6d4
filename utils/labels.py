"""The course's one list of emotions, and how each dataset's labels map onto it.

The canonical list is FER2013's seven basic emotions in FER2013's order, so a face model's output
index is directly a canonical index. Datasets with other labels map onto it here, and say where a
label has no counterpart (``None``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

EMOTIONS: tuple[str, ...] = ("angry", "disgust", "fear", "happy", "sad", "surprise", "neutral")

# FER2013's integer labels are already canonical indices; the image-folder copies name the classes.
FER2013_CLASSES: tuple[str, ...] = EMOTIONS

# RAVDESS: emotion code in the file name (01..08) -> its own label; speech models keep all eight.
RAVDESS_EMOTIONS: dict[str, str] = {
    "01": "neutral",
    "02": "calm",
    "03": "happy",
    "04": "sad",
    "05": "angry",
    "06": "fearful",
    "07": "disgust",
    "08": "surprised",
}
RAVDESS_CLASSES: tuple[str, ...] = tuple(RAVDESS_EMOTIONS.values())
RAVDESS_TO_CANONICAL: dict[str, str | None] = {
    "neutral": "neutral",
    "calm": "neutral",  # calm has no basic-emotion counterpart; it is closest to neutral
    "happy": "happy",
    "sad": "sad",
    "angry": "angry",
    "fearful": "fear",
    "disgust": "disgust",
    "surprised": "surprise",
}

# CARER / dair-ai emotion: integer labels of the parquet copy, in the dataset's own order.
CARER_CLASSES: tuple[str, ...] = ("sadness", "joy", "love", "anger", "fear", "surprise")
CARER_TO_CANONICAL: dict[str, str | None] = {
    "sadness": "sad",
    "joy": "happy",
    "love": None,  # an attitude, not a basic emotion: no counterpart in the canonical seven
    "anger": "angry",
    "fear": "fear",
    "surprise": "surprise",
}

# Essays: the Big Five traits, in the order the course reports them.
BIG_FIVE: tuple[str, ...] = ("EXT", "NEU", "AGR", "CON", "OPN")


def canonical_index(label: str) -> int:
    """Index of a canonical emotion name; a clear error for anything else."""
    try:
        return EMOTIONS.index(label)
    except ValueError:
        raise ValueError(f"{label!r} is not one of the course's emotions {EMOTIONS}") from None


# --- one label space for the three modalities (used by fusion and by each predictor) ---------
N_CLASSES = len(EMOTIONS)
MODALITIES: tuple[str, ...] = ("face", "speech", "text")

# Each modality's label list and its mapping onto the canonical seven (None: no counterpart).
CLASSES: dict[str, tuple[str, ...]] = {"face": EMOTIONS, "speech": RAVDESS_CLASSES,
                                       "text": CARER_CLASSES}
MAPPINGS: dict[str, Mapping[str, str | None]] = {
    "face": {e: e for e in EMOTIONS},
    "speech": RAVDESS_TO_CANONICAL,
    "text": CARER_TO_CANONICAL,
}





def expressible(modality: str) -> np.ndarray:
    """Boolean mask over :data:`EMOTIONS`: the canonical emotions ``modality`` can express."""
    targets = set(MAPPINGS[_check_modality(modality)].values())
    return np.array([e in targets for e in EMOTIONS])


def _check_modality(modality: str) -> str:
    if modality not in MAPPINGS:
        raise ValueError(f"unknown modality {modality!r}: choose one of {', '.join(MAPPINGS)}")
    return modality


def canonical_mass(probs: np.ndarray | Sequence[float], modality: str) -> np.ndarray:
    """A model's probabilities (its own classes, ``(k,)`` or ``(n, k)``) summed onto the seven
    canonical emotions, without any filling: several source classes may land on one emotion
    (RAVDESS calm and neutral both become ``neutral``), a class without counterpart (CARER
    ``love``) is dropped, so a row sums to one minus the dropped mass."""
    classes = CLASSES[_check_modality(modality)]
    probs = np.asarray(probs, dtype=np.float64)
    if probs.shape[-1:] != (len(classes),) or probs.ndim > 2:
        raise ValueError(f"{modality}: expected {len(classes)} probabilities per row "
                         f"({', '.join(classes)}), got shape {probs.shape}")
    matrix = np.zeros((len(classes), N_CLASSES))
    for i, name in enumerate(classes):
        target = MAPPINGS[modality][name]
        if target is not None:
            matrix[i, EMOTIONS.index(target)] = 1.0
    return probs @ matrix


def to_canonical(probs: np.ndarray | Sequence[float], modality: str) -> np.ndarray:
    """A model's probabilities (its own classes, shape ``(k,)`` or ``(n, k)``) -> ``(.., 7)``.

    :func:`canonical_mass`, then the canonical emotions the modality cannot express get 1/7
    each and the expressible ones share the remaining mass in proportion, so every row sums to
    one (:func:`fill_unexpressed`). A row of NaN (a missing modality) stays NaN.
    """
    mass = canonical_mass(probs, modality)
    out = fill_unexpressed(mass, expressible(modality))
    return out[0] if mass.ndim == 1 else out


def fill_unexpressed(probs: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """Rows over the seven emotions where the classes outside ``mask`` get 1/7 ("no opinion").

    The classes inside ``mask`` share the remaining ``mask.sum() / 7`` in proportion to ``probs``
    (uniformly if they are all zero). NaN rows stay NaN.
    """
    probs = np.atleast_2d(np.asarray(probs, dtype=np.float64))
    mask = np.asarray(mask, dtype=bool)
    out = np.full(probs.shape, 1.0 / N_CLASSES)
    inside = np.clip(probs[:, mask], 0, None)
    total = inside.sum(axis=1, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        share = np.where(total > 0, inside / total, 1.0 / mask.sum())
    out[:, mask] = share * mask.sum() / N_CLASSES
    out[np.isnan(probs).any(axis=1)] = np.nan
    return out


def mapping_table() -> "pd.DataFrame":
    """Which source labels of each modality feed each canonical emotion ("-": cannot express)."""
    import pandas as pd

    rows = {}
    for emotion in EMOTIONS:
        rows[emotion] = {m: " + ".join(c for c in CLASSES[m] if MAPPINGS[m][c] == emotion) or "-"
                         for m in MODALITIES}
    table = pd.DataFrame(rows).T
    table.loc["(no counterpart)"] = {m: " + ".join(c for c in CLASSES[m] if MAPPINGS[m][c] is None)
                                     or "-" for m in MODALITIES}
    return table


def missing(n: int = 1) -> np.ndarray:
    """``n`` rows of NaN: the canonical probabilities of a modality that is absent."""
    return np.full((n, N_CLASSES), np.nan)
