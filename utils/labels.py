"""The course's one list of emotions, and how each dataset's labels map onto it.

The canonical list is FER2013's seven basic emotions in FER2013's order, so a face model's output
index is directly a canonical index. Datasets with other labels map onto it here, and say where a
label has no counterpart (``None``).
"""

from __future__ import annotations

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
