"""Blinks from landmarks: the eye aspect ratio (Soukupova and Cech 2016) and blink runs.

:func:`eye_aspect_ratio` of one eye's six landmarks, :func:`face_ear` of both eyes of a face's
68 landmarks (:func:`utils.video.faces.landmarks`), and :func:`count_blinks` in a per-frame
series of them (:func:`utils.video.predict.video_ear` makes one for a video file).
"""

from __future__ import annotations

import numpy as np

# dlib's 68-point scheme (iBUG 300-W): the six points of each eye, as seen in the image.
RIGHT_EYE = slice(36, 42)  # the subject's right eye, on the left of the image
LEFT_EYE = slice(42, 48)
BLINK_THRESHOLD = 0.21     # eye aspect ratio below which an eye counts as closed


def eye_aspect_ratio(eye: np.ndarray) -> float:
    """Eye aspect ratio (Soukupova and Cech 2016) of one eye's six landmarks ``(6, 2)``.

    ``(|p2 - p6| + |p3 - p5|) / (2 |p1 - p4|)``: the eye's height over its width, about 0.25-0.35
    when open and near 0 when closed, whatever the face's size.
    """
    eye = np.asarray(eye, dtype=np.float64)
    if eye.shape != (6, 2):
        raise ValueError(f"expected six (x, y) eye landmarks, shape (6, 2); got {eye.shape}")
    width = np.linalg.norm(eye[0] - eye[3])
    if width == 0:
        raise ValueError("degenerate eye: its corners p1 and p4 coincide")
    return float((np.linalg.norm(eye[1] - eye[5]) + np.linalg.norm(eye[2] - eye[4])) / (2 * width))


def face_ear(points: np.ndarray) -> float:
    """Mean eye aspect ratio of both eyes from a face's 68 landmarks."""
    points = np.asarray(points)
    if points.shape != (68, 2):
        raise ValueError(f"expected 68 (x, y) landmarks; got shape {points.shape}")
    return (eye_aspect_ratio(points[RIGHT_EYE]) + eye_aspect_ratio(points[LEFT_EYE])) / 2


def count_blinks(ear: np.ndarray, threshold: float = BLINK_THRESHOLD,
                 min_frames: int = 1, max_frames: int | None = None) -> list[tuple[int, int]]:
    """Blinks in a per-frame eye-aspect-ratio series: ``(first, last)`` frame of each.

    A blink is a run of at least ``min_frames`` consecutive frames whose EAR is below
    ``threshold`` (and at most ``max_frames``, if given: longer runs are closed eyes, not
    blinks). Frames without a face (NaN) end a run and never count as closed.
    """
    ear = np.asarray(ear, dtype=np.float64)
    if ear.ndim != 1:
        raise ValueError(f"expected a 1-D series of EAR values; got shape {ear.shape}")
    closed = np.nan_to_num(ear, nan=np.inf) < threshold
    blinks, start = [], None
    for i, shut in enumerate(np.append(closed, False)):
        if shut and start is None:
            start = i
        elif not shut and start is not None:
            length = i - start
            if length >= min_frames and (max_frames is None or length <= max_frames):
                blinks.append((start, i - 1))
            start = None
    return blinks
