"""The astronaut's face (scikit-image's public-domain photo) turned into the seven expressions.

Shared by the FER2013 faces (:mod:`.fer2013`) and the audio-visual clips (:mod:`.video`): the
photo's 68 landmarks, measured once, say where brows, lids and mouth are; an expression paints
a mouth shape, shades wrinkles and moves the features with a smooth displacement field
(:func:`make_expression`, :func:`warp`). The expressions are caricatures, drawn after the
action units of each emotion and checked against what the shipped FER2013 model reads (the
notebook's confusion matrix on the samples shows how well).
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
    wrinkles shaded in, then moves of brows, lids, mouth and jaw."""

    mouth: str  # "smile" (as photographed), "closed", "pressed", "open" or "snarl"
    moves: tuple[Move, ...]
    marks: tuple[str, ...] = ()  # wrinkles: "furrow" (between the brows), "forehead", "nose"


EXPRESSIONS: dict[str, Expression] = {
    "angry": Expression("pressed", (Move(INNER_BROWS, -7, -11, 8), Move(OUTER_BROWS, 0, -3, 8),
                                    Move(UPPER_LIDS, 0, -3, 4), Move(LOWER_LIDS, 0, 2, 4),
                                    Move(MOUTH_CORNERS, -6, -2, 7)), ("furrow",)),
    "disgust": Expression("snarl", (Move(UPPER_LIP, 0, 6, 8), Move((31, 35), 0, 4, 6),
                                    Move(INNER_BROWS, -4, -8, 8), Move(LOWER_LIDS, 0, 3, 4),
                                    Move(MOUTH_CORNERS, -3, -4, 6)), ("furrow", "nose")),
    "fear": Expression("open", (Move(INNER_BROWS, -5, 8, 6), Move(OUTER_BROWS, 0, 2, 6),
                                Move(UPPER_LIDS, 0, 6, 4), Move(MOUTH_CORNERS, 6, -6, 7),
                                Move((7, 8, 9), 0, -4, 16)), ("furrow", "forehead")),
    "happy": Expression("smile", (Move(MOUTH_CORNERS, 5, 8, 8), Move(LOWER_LIDS, 0, 2, 5),
                                  Move((2, 3, 13, 14), 0, 5, 12))),  # cheeks
    "sad": Expression("pressed", (Move(INNER_BROWS, -3, 10, 6), Move(OUTER_BROWS, 0, -6, 6),
                                  Move(UPPER_LIDS, 0, -5, 4), Move(MOUTH_CORNERS, -3, -18, 10),
                                  Move((51, 62, 66, 57), 0, 4, 5)), ("furrow",)),
    "surprise": Expression("open", (Move(BROWS, 0, 10, 11), Move(UPPER_LIDS, 0, 6, 4),
                                    Move(LOWER_LIDS, 0, -2, 4),
                                    Move((7, 8, 9), 0, -9, 18))),  # the jaw drops
    # The photo smiles: at rest the corners come in and down, the cheeks and lower lids relax.
    "neutral": Expression("closed", (Move(MOUTH_CORNERS, -6, -12, 8), Move(LOWER_LIDS, 0, -2, 4))),
}


def skin_tone(image: np.ndarray, centre: np.ndarray, half: int = 3) -> np.ndarray:
    """Mean colour (or grey level) of a small square around ``centre``."""
    x, y = np.round(centre).astype(int)
    return image[y - half:y + half + 1, x - half:x + half + 1].reshape(-1, *image.shape[2:]).mean(0)


def _polyline(points: np.ndarray) -> list[np.ndarray]:
    """Points as the int32 polyline OpenCV draws."""
    return [np.round(points).astype(np.int32)]


def _paint_mouth(image: np.ndarray, points: np.ndarray, mouth: str) -> None:
    """Paint the mouth shape in place: the photo smiles with its teeth showing; every other
    shape first closes the lips over the teeth (lip colour), then draws the lip line or opening.
    Sizes are fractions of the mouth's width, so they follow the face's scale."""
    if mouth == "smile":
        return
    if mouth not in ("closed", "pressed", "open", "snarl"):
        raise ValueError(f"unknown mouth shape {mouth!r}")
    lips = skin_tone(image, points[57], half=2)
    cv2.fillPoly(image, _polyline(points[48:60]), lips.tolist(), cv2.LINE_AA)
    if mouth in ("closed", "pressed"):
        _paint_lip_line(image, points, lips, pressed=mouth == "pressed")
    else:
        _paint_opening(image, points, snarl=mouth == "snarl")


def _paint_lip_line(image: np.ndarray, points: np.ndarray, lips: np.ndarray, pressed: bool) -> None:
    """The line between closed lips: nearly straight from corner to corner when relaxed; when
    pressed, thicker and along the photographed curve (the shipped model reads it as clenched)."""
    sag = np.float32([0, 0.04 * (points[54, 0] - points[48, 0])])
    line = np.stack([points[48], (points[48] + points[54]) / 2 + sag, points[54]])
    if pressed:
        line = np.stack([points[48], *(points[[61, 62, 63]] + points[[67, 66, 65]]) / 2, points[54]])
    cv2.polylines(image, _polyline(line), False, (0.45 * lips).tolist(), 3 if pressed else 2,
                  cv2.LINE_AA)


def _paint_opening(image: np.ndarray, points: np.ndarray, snarl: bool) -> None:
    """A dark open mouth: tall (surprise, fear), or low and wide under lifted upper teeth (snarl)."""
    channels = image.shape[2] if image.ndim == 3 else 1
    width = points[54, 0] - points[48, 0]
    centre = points[list(INNER_LIPS)].mean(0)
    half_w, half_h, down = (0.30, 0.13, -2) if snarl else (0.30, 0.45, 6)
    axes = (int(width * half_w), int(width * half_h))
    at = (int(centre[0]), int(centre[1] + down))
    cv2.ellipse(image, at, axes, 0, 0, 360, [25.0] * channels, -1, cv2.LINE_AA)
    if snarl:  # the upper teeth, under the lifted lip
        cv2.ellipse(image, at, (axes[0], axes[1] // 2 + 1), 0, 180, 360, [200.0] * channels, -1,
                    cv2.LINE_AA)


def _paint_marks(image: np.ndarray, points: np.ndarray, marks: Sequence[str]) -> None:
    """Shade wrinkles in place as soft dark lines (they darken any colour alike): vertical
    furrows between the brows, horizontal lines on the forehead or across the nose."""
    if not marks:
        return
    eyes = np.linalg.norm(points[list(LEFT_EYE)].mean(0) - points[list(RIGHT_EYE)].mean(0))
    mid_x = points[list(NOSE), 0].mean()
    brow_y = points[list(INNER_BROWS), 1].mean()
    lines = {
        "furrow": [[(mid_x + side * 0.07 * eyes, brow_y - 0.05 * eyes),
                    (mid_x + side * 0.05 * eyes, brow_y + 0.30 * eyes)] for side in (-1, 1)],
        "forehead": [[(mid_x - 0.55 * eyes, brow_y - k * eyes), (mid_x, brow_y - (k + 0.05) * eyes),
                      (mid_x + 0.55 * eyes, brow_y - k * eyes)] for k in (0.30, 0.48)],
        "nose": [[(mid_x - 0.12 * eyes, y), (mid_x + 0.12 * eyes, y)]
                 for y in points[[28, 29], 1]]
                + [[points[31] + (-2, -6), points[48] + (-2, 0)],  # folds beside the nose
                   [points[35] + (2, -6), points[54] + (2, 0)]],
    }
    shade = np.zeros(image.shape[:2], np.float32)
    for mark in marks:
        for line in lines[mark]:
            cv2.polylines(shade, _polyline(np.asarray(line, np.float32)), False, 1.0,
                          max(2, int(0.06 * eyes)), cv2.LINE_AA)
    shade = cv2.GaussianBlur(shade, (0, 0), 0.04 * eyes)
    factor = 1 - 0.45 * np.clip(shade / max(shade.max(), 1e-6), 0, 1)
    image *= factor[..., None] if image.ndim == 3 else factor


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
    _paint_marks(painted, points, expression.marks)
    dx, dy = _displacement(painted.shape[:2], points, expression.moves)
    return painted, dx, dy


def warp(image: np.ndarray, dx: np.ndarray, dy: np.ndarray, strength: float) -> np.ndarray:
    """``image`` with its features moved by ``strength`` times the displacement field."""
    ys, xs = np.mgrid[0:image.shape[0], 0:image.shape[1]].astype(np.float32)
    # Backward mapping: each output pixel reads from where the moved feature came from.
    return cv2.remap(image, xs - strength * dx, ys - strength * dy, cv2.INTER_LINEAR,
                     borderMode=cv2.BORDER_REFLECT)
