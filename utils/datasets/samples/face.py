"""The astronaut's face (scikit-image's public-domain photo) turned into the seven expressions.

Shared by the FER2013 faces (:mod:`.fer2013`) and the audio-visual clips (:mod:`.video`): the
photo's 68 landmarks, measured once, say where brows, lids and mouth are; an expression paints
a mouth shape and moves the features with a smooth displacement field (:func:`make_expression`,
:func:`warp`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import cv2
import numpy as np

# dlib's 68 face landmarks (face_recognition_models' predictor) on skimage.data.astronaut(),
# measured once and written here so that generating samples needs neither dlib nor its 100 MB model.
ASTRONAUT_LANDMARKS = np.array([
    [179, 104], [180, 116], [181, 127], [182, 139], [185, 150], [191, 160], [200, 168], [209, 176],
    [220, 178], [232, 177], [243, 171], [253, 163], [260, 154], [265, 143], [268, 131], [270, 120],
    [272, 108], [186, 94], [192, 88], [200, 87], [208, 89], [216, 92], [236, 93], [244, 91],
    [252, 91], [260, 92], [265, 99], [226, 102], [225, 111], [225, 119], [225, 127], [214, 131],
    [219, 133], [224, 134], [229, 133], [234, 132], [195, 101], [200, 98], [207, 98], [212, 104],
    [206, 104], [199, 104], [237, 106], [243, 100], [250, 100], [255, 105], [250, 107], [244, 107],
    [201, 139], [209, 139], [218, 139], [224, 141], [230, 140], [238, 140], [246, 141], [238, 151],
    [229, 155], [222, 156], [216, 155], [208, 150], [204, 141], [218, 143], [223, 144], [230, 143],
    [243, 142], [229, 150], [223, 151], [217, 150],
], dtype=np.float32)
NOSE = tuple(range(27, 36))  # its mean x is the line between the left and right of the face
RIGHT_EYE, LEFT_EYE = tuple(range(36, 42)), tuple(range(42, 48))  # subject's right = image left
BROWS, INNER_BROWS, OUTER_BROWS = tuple(range(17, 27)), (20, 21, 22, 23), (17, 18, 25, 26)
UPPER_LIDS, LOWER_LIDS = (37, 38, 43, 44), (40, 41, 46, 47)
MOUTH_CORNERS, UPPER_LIP, INNER_LIPS = (48, 54), (50, 51, 52), tuple(range(60, 68))


@lru_cache(maxsize=1)
def astronaut() -> np.ndarray:
    """The public-domain photo of astronaut Eileen Collins (NASA) in scikit-image, RGB uint8."""
    from skimage import data

    image = data.astronaut()
    image.flags.writeable = False  # cached and shared: callers copy before painting
    return image


@dataclass(frozen=True)
class Move:
    """A smooth local displacement: landmarks ``points`` move by ``outward`` (away from the nose
    line) and ``up`` pixels of the original photo, fading out with a Gaussian of width ``sigma``."""

    points: tuple[int, ...]
    outward: float
    up: float
    sigma: float


@dataclass(frozen=True)
class Expression:
    """How the (smiling) astronaut is turned into one expression: a mouth shape painted first,
    then moves of brows, lids, mouth and jaw."""

    mouth: str  # "smile" (as photographed), "closed", "open" (tall, dark) or "stretched"
    moves: tuple[Move, ...]


EXPRESSIONS: dict[str, Expression] = {
    "angry": Expression("closed", (Move(INNER_BROWS, -5, -10, 8), Move((19, 24), 0, -6, 9),
                                   Move(UPPER_LIDS, 0, -3, 5), Move(MOUTH_CORNERS, -3, -3, 6))),
    "disgust": Expression("closed", (Move(UPPER_LIP, 0, 5, 9), Move((31, 33, 35), 0, 3, 8),
                                     Move(BROWS, 0, -5, 9), Move(MOUTH_CORNERS, 0, -5, 6))),
    "fear": Expression("stretched", (Move(BROWS, 0, 8, 10), Move(INNER_BROWS, -2, 4, 6),
                                     Move(UPPER_LIDS, 0, 3, 5), Move(MOUTH_CORNERS, 7, -2, 7))),
    "happy": Expression("smile", (Move(MOUTH_CORNERS, 5, 8, 8), Move(LOWER_LIDS, 0, 2, 5),
                                  Move((2, 3, 13, 14), 0, 5, 12))),  # cheeks
    "sad": Expression("closed", (Move(INNER_BROWS, -2, 7, 5), Move(OUTER_BROWS, 0, -4, 6),
                                 Move(MOUTH_CORNERS, -2, -11, 8))),
    "surprise": Expression("open", (Move(BROWS, 0, 12, 11), Move(UPPER_LIDS, 0, 4, 5),
                                    Move((7, 8, 9), 0, -9, 18))),  # the jaw drops
    "neutral": Expression("closed", (Move(MOUTH_CORNERS, 0, -4, 7),)),
}


def skin_tone(image: np.ndarray, centre: np.ndarray, half: int = 3) -> np.ndarray:
    """Mean colour (or grey level) of a small square around ``centre``."""
    x, y = np.round(centre).astype(int)
    return image[y - half:y + half + 1, x - half:x + half + 1].reshape(-1, *image.shape[2:]).mean(0)


def _paint_mouth(image: np.ndarray, points: np.ndarray, mouth: str) -> None:
    """Paint the mouth shape in place: the photo smiles with teeth showing, other expressions
    close the lips or open the mouth wider."""
    if mouth == "smile":
        return
    inner = np.round(points[list(INNER_LIPS)]).astype(np.int32)
    centre = inner.mean(0)
    width = points[64, 0] - points[60, 0]
    dark = [25.0] * (image.shape[2] if image.ndim == 3 else 1)  # inside of an open mouth
    if mouth == "closed":
        lips = skin_tone(image, points[57], half=2)
        cv2.fillPoly(image, [inner], lips.tolist(), cv2.LINE_AA)
        cv2.polylines(image, [inner[:5]], False, (0.55 * lips).tolist(), 2, cv2.LINE_AA)
    elif mouth == "open":
        axes = (int(width * 0.33), int(width * 0.45))
        cv2.ellipse(image, (int(centre[0]), int(centre[1] + 6)), axes, 0, 0, 360, dark, -1,
                    cv2.LINE_AA)
    elif mouth == "stretched":
        axes = (int(width * 0.45), int(width * 0.14))
        cv2.ellipse(image, (int(centre[0]), int(centre[1] + 1)), axes, 0, 0, 360, dark, -1,
                    cv2.LINE_AA)
    else:
        raise ValueError(f"unknown mouth shape {mouth!r}")


def _displacement(shape: tuple[int, int], points: np.ndarray,
                  moves: Sequence[Move]) -> tuple[np.ndarray, np.ndarray]:
    """The smooth displacement field (dx, dy) of ``moves`` over an image of ``shape``."""
    ys, xs = np.mgrid[0:shape[0], 0:shape[1]].astype(np.float32)
    dx, dy = np.zeros(shape, np.float32), np.zeros(shape, np.float32)
    centre_x = points[list(NOSE), 0].mean()
    for move in moves:
        # A group of landmarks moves as one region: the largest bump, not their sum, sets the
        # weight; "outward" changes sign smoothly across the nose line so nothing tears there.
        weight = np.max([np.exp(-((xs - px) ** 2 + (ys - py) ** 2) / (2 * move.sigma ** 2))
                         for px, py in points[list(move.points)]], axis=0)
        side = np.tanh((xs - centre_x) / move.sigma)
        dx += move.outward * side * weight
        dy -= move.up * weight
    return dx, dy


def make_expression(image: np.ndarray, points: np.ndarray,
                    emotion: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The face in ``image`` (landmarks ``points`` in its pixels) prepared for ``emotion``.

    Returns the image with the expression's mouth painted, and the displacement field (dx, dy)
    of its moves at strength 1; :func:`warp` applies the field at any strength.
    """
    expression = EXPRESSIONS[emotion]
    painted = np.ascontiguousarray(image, dtype=np.float32).copy()
    _paint_mouth(painted, points, expression.mouth)
    dx, dy = _displacement(painted.shape[:2], points, expression.moves)
    return painted, dx, dy


def warp(image: np.ndarray, dx: np.ndarray, dy: np.ndarray, strength: float) -> np.ndarray:
    """``image`` with its features moved by ``strength`` times the displacement field."""
    ys, xs = np.mgrid[0:image.shape[0], 0:image.shape[1]].astype(np.float32)
    # Backward mapping: each output pixel reads from where the moved feature came from.
    return cv2.remap(image, xs - strength * dx, ys - strength * dy, cv2.INTER_LINEAR,
                     borderMode=cv2.BORDER_REFLECT)
