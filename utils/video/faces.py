"""Faces in a frame: dlib HOG detection, the 68 landmarks, 48x48 crops.

:func:`detect_faces` finds faces with dlib's Histogram-of-Oriented-Gradients detector, on a
downscaled copy of the frame for speed, and maps the boxes back to the full frame;
:func:`landmarks` places dlib's 68 facial landmarks in a box; :func:`crop_face` zooms on a box and
returns the 48x48 grayscale face a FER2013 model reads (:func:`extract_faces` does both for every
face of a frame). :func:`to_gray` and :func:`as_bgr` check and convert frames.

Bad frames (empty, blank, wrong dtype or shape) give an empty result or a clear ``ValueError``,
never a crash deep inside dlib, so a real-time loop can keep going.
"""

from __future__ import annotations

from typing import Any

import numpy as np

FACE_SIZE = 48


class Box(tuple):
    """A face box ``(left, top, right, bottom)`` in pixels of the full frame."""

    __slots__ = ()

    def __new__(cls, left: int, top: int, right: int, bottom: int):
        return super().__new__(cls, (int(left), int(top), int(right), int(bottom)))

    left = property(lambda self: self[0])
    top = property(lambda self: self[1])
    right = property(lambda self: self[2])
    bottom = property(lambda self: self[3])
    width = property(lambda self: self[2] - self[0])
    height = property(lambda self: self[3] - self[1])
    area = property(lambda self: max(self.width, 0) * max(self.height, 0))

    def __repr__(self) -> str:
        return f"Box(left={self[0]}, top={self[1]}, right={self[2]}, bottom={self[3]})"


def to_gray(image: np.ndarray) -> np.ndarray:
    """A frame as a contiguous ``uint8`` grayscale array, or a ``ValueError`` saying what is wrong.

    Accepts ``(h, w)`` grayscale, ``(h, w, 1)``, ``(h, w, 3)`` RGB or ``(h, w, 4)`` RGBA arrays of
    ``uint8``; a float array in [0, 1] (as scikit-image returns) is scaled to 0-255. Colour frames
    are taken as RGB: convert OpenCV's BGR frames with ``frame[..., ::-1]`` first (for grayscale
    the difference is small).
    """
    if not isinstance(image, np.ndarray):
        raise ValueError(f"expected a numpy array, got {type(image).__name__}")
    if image.size == 0:
        raise ValueError(f"empty frame of shape {image.shape}")
    if image.ndim == 3 and image.shape[2] == 1:
        image = image[..., 0]
    if image.ndim not in (2, 3) or (image.ndim == 3 and image.shape[2] not in (3, 4)):
        raise ValueError(f"expected a frame of shape (h, w), (h, w, 3) or (h, w, 4); "
                         f"got {image.shape}")
    if image.dtype == np.uint8:
        pass
    elif np.issubdtype(image.dtype, np.floating):
        if not np.isfinite(image).all() or image.min() < 0 or image.max() > 1:
            raise ValueError("a float frame must hold values in [0, 1]; convert 0-255 frames "
                             "with .astype(np.uint8)")
        image = np.round(image * 255).astype(np.uint8)
    else:
        raise ValueError(f"expected a uint8 frame (or floats in [0, 1]); got dtype {image.dtype}")
    if image.ndim == 3:
        import cv2

        code = cv2.COLOR_RGB2GRAY if image.shape[2] == 3 else cv2.COLOR_RGBA2GRAY
        image = cv2.cvtColor(np.ascontiguousarray(image), code)
    return np.ascontiguousarray(image)


def as_bgr(frame: Any) -> np.ndarray | None:
    """A frame as a ``uint8`` BGR array ``(h, w, 3)``, or None if it is not a usable image.

    Grayscale frames get three channels and BGRA frames lose their alpha; the real-time loop
    and its overlay use this instead of raising, so one bad frame never stops them.
    """
    if not isinstance(frame, np.ndarray) or frame.size == 0 or frame.ndim not in (2, 3):
        return None
    if frame.dtype != np.uint8:
        return None
    if frame.ndim == 2:
        return np.repeat(frame[..., None], 3, axis=2)
    if frame.shape[2] == 4:
        return np.ascontiguousarray(frame[..., :3])
    return frame if frame.shape[2] == 3 else None


_CACHE: dict[str, object] = {}


def _detector():
    if "detector" not in _CACHE:
        import dlib

        _CACHE["detector"] = dlib.get_frontal_face_detector()
    return _CACHE["detector"]


def _predictor():
    if "predictor" not in _CACHE:
        import dlib
        import face_recognition_models

        _CACHE["predictor"] = dlib.shape_predictor(
            face_recognition_models.pose_predictor_model_location())
    return _CACHE["predictor"]


def detect_faces(image: np.ndarray, max_width: int | None = 320, upsample: int = 0) -> list[Box]:
    """Faces in a frame with dlib's HOG + linear SVM detector (Dalal and Triggs 2005; King 2009).

    The frame is shrunk to at most ``max_width`` pixels wide before detection (about 4x faster
    on a 640x480 webcam frame; faces smaller than about 80 pixels in the shrunk frame can be
    missed, so pass ``max_width=None`` or ``upsample=1`` for small faces) and the boxes are
    mapped back to the full frame and clipped to it. Returns the boxes largest first; an empty
    list for a frame without a (frontal) face, including a blank one.
    """
    import cv2

    gray = to_gray(image)
    height, width = gray.shape
    scale = 1.0
    if max_width is not None and width > max_width:
        scale = max_width / width
        gray = cv2.resize(gray, (max_width, max(1, round(height * scale))),
                          interpolation=cv2.INTER_AREA)
    if min(gray.shape) < 16 or gray.min() == gray.max():
        return []  # too small or blank: nothing to find (and nothing for dlib to choke on)
    boxes = []
    for r in _detector()(gray, upsample):
        box = Box(max(0, round(r.left() / scale)), max(0, round(r.top() / scale)),
                  min(width, round((r.right() + 1) / scale)), min(height, round((r.bottom() + 1) / scale)))
        if box.width > 0 and box.height > 0:
            boxes.append(box)
    return sorted(boxes, key=lambda b: b.area, reverse=True)


def landmarks(image: np.ndarray, box: Box | tuple) -> np.ndarray:
    """The 68 facial landmarks (dlib's iBUG 300-W scheme) of the face in ``box``, ``(68, 2)`` x, y.

    Uses the shape predictor that ``face_recognition_models`` ships (Kazemi and Sullivan 2014),
    so nothing is downloaded. Points 36-41 and 42-47 are the eyes, 48-67 the mouth.
    """
    import dlib

    gray = to_gray(image)
    left, top, right, bottom = (int(v) for v in box)
    if right <= left or bottom <= top:
        raise ValueError(f"empty box {tuple(box)}: expected (left, top, right, bottom)")
    shape = _predictor()(gray, dlib.rectangle(left, top, right - 1, bottom - 1))
    return np.array([(p.x, p.y) for p in shape.parts()], dtype=np.float32)



def crop_face(image: np.ndarray, box: Box | tuple, size: int = FACE_SIZE,
              margin: float = 0.0) -> np.ndarray:
    """Zoom on a face: the box (grown by ``margin`` of its size each side), grayscale, ``size``².

    Returns ``(size, size) uint8``, the input a FER2013 model reads. dlib's boxes are tight
    (brows to chin); FER2013's faces include a little more forehead, hence the option.
    """
    import cv2

    gray = to_gray(image)
    left, top, right, bottom = (int(v) for v in box)
    dx, dy = round((right - left) * margin), round((bottom - top) * margin)
    left, top = max(0, left - dx), max(0, top - dy)
    right, bottom = min(gray.shape[1], right + dx), min(gray.shape[0], bottom + dy)
    if right <= left or bottom <= top:
        raise ValueError(f"box {tuple(box)} does not overlap the {gray.shape[1]}x{gray.shape[0]} frame")
    face = gray[top:bottom, left:right]
    interpolation = cv2.INTER_AREA if face.shape[0] > size else cv2.INTER_LINEAR
    return cv2.resize(face, (size, size), interpolation=interpolation)


def extract_faces(image: np.ndarray, max_width: int | None = 320,
                  margin: float = 0.1) -> tuple[list[Box], np.ndarray]:
    """Detect every face and crop each to 48x48: ``(boxes, faces (n, 48, 48) uint8)``."""
    boxes = detect_faces(image, max_width=max_width)
    faces = [crop_face(image, box, margin=margin) for box in boxes]
    stack = np.stack(faces) if faces else np.empty((0, FACE_SIZE, FACE_SIZE), np.uint8)
    return boxes, stack
