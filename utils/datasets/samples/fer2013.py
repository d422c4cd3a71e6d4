"""FER2013 samples: ``fer2013.csv`` of 48x48 astronaut faces warped into the seven expressions.

The faces are framed as FER2013 frames its faces (eyes and mouth where dlib places them on the
mean real Training face), vary in identity (face width and height, pose, lighting, contrast, blur)
and come in FER2013's class proportions, with its flaws at about its rates (exact repeats, faces
shared between Training and PublicTest, a blank image): what the notebook measures on FER2013
(imbalance, duplicates) is on the samples too.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import cv2
import numpy as np
import pandas as pd

from utils.datasets.samples.face import (ASTRONAUT_LANDMARKS, INNER_LIPS, LEFT_EYE, RIGHT_EYE,
                                         astronaut, make_expression, warp)
from utils.datasets.samples.seeds import random_stream
from utils.labels import EMOTIONS

VERSION = 2  # bump when the files this module writes change: old sample folders regenerate

# FER2013's Training class shares (angry 13.9%, disgust 1.5%, fear 14.3%, happy 25.1%, sad 16.8%,
# surprise 11.0%, neutral 17.3%) scaled to about 150 faces, disgust kept at 4 so it can be scored;
# the test splits are about a third of that, like FER2013's 3,589 against 28,709.
FER_COUNTS = {"Training": (21, 4, 21, 38, 25, 17, 26), "PublicTest": (8, 2, 8, 13, 9, 7, 9),
              "PrivateTest": (8, 2, 8, 13, 9, 7, 9)}
# FER2013's own flaws, at about its rates (measured on the real Training and PublicTest with
# ``python -m utils.evaluate face --describe-training``: 1,236 exact repeats in Training, 4.3%;
# 280 of PublicTest's 3,589 images also in Training, 7.8%; 12 uniform images, no face at all).
FER_REPEATS = 6  # Training rows repeated exactly, elsewhere in the split
FER_LEAKS = 4  # PublicTest faces replaced by a Training face of the same class, pixel for pixel
FER_BLANK = 1  # a Training face replaced by a uniform grey image (its label kept)
FER_SIZE = 48
# Where FER2013 puts a face: dlib's 68 landmarks on real Training faces (up to 1,500 per class, the
# 6,514 the HOG detector found on the faces enlarged 4x; mean after aligning eyes and nose) put the
# eye centres at (15.5, 18.5) and (32.1, 18.4) and the mouth's centre at (24.0, 36.7) of the 48x48
# crop. Only these three numbers per point are kept here, no image.
_FER_FRAME = np.float32([[15.5, 18.5], [32.1, 18.4], [24.0, 36.7]])
_REGION = (125, 28, 325, 228)  # x0, y0, x1, y1 of the photo: the face and room to rotate


def _region_landmarks() -> np.ndarray:
    """The photo's landmarks in the coordinates of the face region."""
    return ASTRONAUT_LANDMARKS - np.float32(_REGION[:2])


def _anchor_points(points: np.ndarray) -> np.ndarray:
    """Eye centres and mouth centre of a face (the three points :data:`_FER_FRAME` places)."""
    return np.float32([points[list(RIGHT_EYE)].mean(0), points[list(LEFT_EYE)].mean(0),
                       points[list(INNER_LIPS)].mean(0)])


@lru_cache(maxsize=len(EMOTIONS))
def _fer_expression(emotion: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The grey face region painted for ``emotion``, and its displacement field (cached)."""
    x0, y0, x1, y1 = _REGION
    grey = cv2.cvtColor(np.ascontiguousarray(astronaut()[y0:y1, x0:x1]), cv2.COLOR_RGB2GRAY)
    return make_expression(grey, _region_landmarks(), emotion)


def _random_crop_matrix(rng: np.random.Generator) -> np.ndarray:
    """2x3 affine matrix from the region to a 48x48 FER-framed crop of a random identity: the
    face's width and height stretched, rotated, shifted and maybe mirrored."""
    target = _FER_FRAME.copy()
    centre = target.mean(0)
    target = centre + (target - centre) * [rng.uniform(0.88, 1.12), rng.uniform(0.88, 1.12)]
    angle = np.deg2rad(rng.uniform(-8, 8))
    rotation = np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]])
    target = (target - centre) @ rotation.T + centre + rng.uniform(-1.5, 1.5, size=2)
    matrix = cv2.getAffineTransform(_anchor_points(_region_landmarks()), np.float32(target))
    if rng.random() < 0.5:  # horizontal flip about the crop's centre
        matrix[0] = -matrix[0]
        matrix[0, 2] += FER_SIZE - 1
    return matrix


def fer_face(emotion: str, rng: np.random.Generator) -> np.ndarray:
    """One 48x48 uint8 face showing ``emotion``, randomly posed, shaped, lit and noisy."""
    face = warp(*_fer_expression(emotion), strength=rng.uniform(0.8, 1.2))
    face = cv2.GaussianBlur(face, (0, 0), rng.uniform(1.0, 1.8))  # anti-alias, focus varies
    crop = cv2.warpAffine(face, _random_crop_matrix(rng), (FER_SIZE, FER_SIZE),
                          flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT)
    crop = 255 * (np.clip(crop, 0, 255) / 255) ** rng.uniform(0.7, 1.4)  # lighting
    crop += np.linspace(-1, 1, FER_SIZE)[None, :] * rng.uniform(-25, 25)  # light from one side
    crop = (crop - crop.mean()) * rng.uniform(0.75, 1.25) + crop.mean() + rng.uniform(-25, 25)
    crop += rng.normal(0, 4, crop.shape)
    return np.clip(np.round(crop), 0, 255).astype(np.uint8)


def _pixels(image: np.ndarray) -> str:
    """An image as the csv's space-separated pixel values."""
    return " ".join(map(str, image.ravel()))


def _split_rows(usage: str, rng: np.random.Generator) -> list[list]:
    """The rows ``[emotion, pixels, Usage]`` of one split, its faces in random order."""
    labels = rng.permutation(np.repeat(np.arange(len(EMOTIONS)), FER_COUNTS[usage]))
    return [[int(label), _pixels(fer_face(EMOTIONS[label], rng)), usage] for label in labels]


def _add_flaws(training: list[list], public: list[list], rng: np.random.Generator) -> None:
    """FER2013's flaws, in place: repeats and a blank image in Training, Training faces in
    PublicTest (:data:`FER_REPEATS`, :data:`FER_BLANK`, :data:`FER_LEAKS`)."""
    for row in rng.choice(len(public), FER_LEAKS, replace=False):
        same_class = [r for r in training if r[0] == public[row][0]]
        public[row][1] = same_class[rng.integers(len(same_class))][1]
    for row in rng.choice(len(training), FER_BLANK, replace=False):
        training[row][1] = _pixels(np.full((FER_SIZE, FER_SIZE), 128, np.uint8))
    for source in rng.choice(len(training), FER_REPEATS, replace=False):
        training.insert(int(rng.integers(len(training) + 1)), list(training[source]))


def write_fer2013(folder: Path) -> None:
    """``fer2013.csv`` with columns emotion, pixels, Usage, like the Kaggle challenge file."""
    rng = random_stream(1)
    splits = {usage: _split_rows(usage, rng) for usage in FER_COUNTS}
    _add_flaws(splits["Training"], splits["PublicTest"], rng)
    rows = [row for usage in FER_COUNTS for row in splits[usage]]
    folder.mkdir(parents=True, exist_ok=True)
    pd.DataFrame(rows, columns=["emotion", "pixels", "Usage"]).to_csv(folder / "fer2013.csv",
                                                                       index=False)
