"""FER2013 samples: ``fer2013.csv`` of 48x48 astronaut faces warped into the seven expressions."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import cv2
import numpy as np
import pandas as pd

from utils.datasets.samples.face import ASTRONAUT_LANDMARKS, NOSE, astronaut, make_expression, warp
from utils.datasets.samples.seeds import random_stream
from utils.labels import EMOTIONS

VERSION = 1  # bump when the files this module writes change: old sample folders regenerate

FER_PER_CLASS = {"Training": 20, "PublicTest": 6, "PrivateTest": 6}
FER_SIZE = 48
_FER_REGION = (125, 28, 325, 228)  # x0, y0, x1, y1 of the photo: the face and room to rotate
_FER_FACE_SIDE = 135.0  # photo pixels across the 48-pixel FER crop (forehead to chin, like FER)


def _fer_region_landmarks() -> np.ndarray:
    """The photo's landmarks in the coordinates of the FER face region."""
    return ASTRONAUT_LANDMARKS - np.float32(_FER_REGION[:2])


@lru_cache(maxsize=len(EMOTIONS))
def _fer_expression(emotion: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The grey face region painted for ``emotion``, and its displacement field (cached)."""
    x0, y0, x1, y1 = _FER_REGION
    grey = cv2.cvtColor(np.ascontiguousarray(astronaut()[y0:y1, x0:x1]), cv2.COLOR_RGB2GRAY)
    return make_expression(grey, _fer_region_landmarks(), emotion)


def _random_crop_matrix(rng: np.random.Generator, centre: np.ndarray) -> np.ndarray:
    """2x3 affine matrix from the region to a 48x48 crop: random rotation, scale, shift and flip."""
    angle = rng.uniform(-10, 10)
    scale = FER_SIZE / _FER_FACE_SIDE * rng.uniform(0.92, 1.08)
    half = FER_SIZE / 2
    matrix = cv2.getRotationMatrix2D((float(centre[0]), float(centre[1])), angle, scale)
    matrix[:, 2] += np.array([half, half]) - centre + rng.uniform(-2.5, 2.5, size=2)
    if rng.random() < 0.5:  # horizontal flip about the crop's centre
        matrix[0] = -matrix[0]
        matrix[0, 2] += FER_SIZE - 1
    return matrix


def fer_face(emotion: str, rng: np.random.Generator) -> np.ndarray:
    """One 48x48 uint8 face showing ``emotion``, randomly posed, lit and noisy."""
    face = warp(*_fer_expression(emotion), strength=rng.uniform(0.7, 1.2))
    face = cv2.GaussianBlur(face, (0, 0), 1.2)  # anti-alias before shrinking about 3x
    nose = _fer_region_landmarks()[list(NOSE)].mean(0)
    crop = cv2.warpAffine(face, _random_crop_matrix(rng, nose),
                          (FER_SIZE, FER_SIZE), flags=cv2.INTER_LINEAR,
                          borderMode=cv2.BORDER_REFLECT)
    crop = (crop - crop.mean()) * rng.uniform(0.75, 1.25) + crop.mean() + rng.uniform(-30, 30)
    crop += rng.normal(0, 5, crop.shape)
    return np.clip(np.round(crop), 0, 255).astype(np.uint8)


def write_fer2013(folder: Path) -> None:
    """``fer2013.csv`` with columns emotion, pixels, Usage, like the Kaggle challenge file."""
    rng = random_stream(1)
    rows = []
    for usage, per_class in FER_PER_CLASS.items():
        labels = rng.permutation(np.repeat(np.arange(len(EMOTIONS)), per_class))
        for label in labels:
            face = fer_face(EMOTIONS[label], rng)
            rows.append((int(label), " ".join(map(str, face.ravel())), usage))
    folder.mkdir(parents=True, exist_ok=True)
    pd.DataFrame(rows, columns=["emotion", "pixels", "Usage"]).to_csv(folder / "fer2013.csv",
                                                                       index=False)
