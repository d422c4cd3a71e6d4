"""Faces in images: detection (dlib HOG), 68 landmarks, eye aspect ratio and blinks, 48x48 crops.

The pipeline of the course's video lesson and of the real-time demo:

1. :func:`detect_faces` finds faces with dlib's Histogram-of-Oriented-Gradients detector, on a
   downscaled copy of the frame for speed, and maps the boxes back to the full frame;
2. :func:`landmarks` places dlib's 68 facial landmarks in a box;
3. :func:`eye_aspect_ratio` and :func:`count_blinks` turn the eye landmarks into blinks;
4. :func:`crop_face` zooms on a box and returns the 48x48 grayscale face a FER2013 model reads.

:func:`video_frames` reads a video file frame by frame with each frame's time
(:func:`read_frames` on an already open capture); :func:`video_ear` (blinks over a clip) and
:func:`video_face_probs` (the face model over a clip) read their clips with them.

:func:`augment_faces` is the training-time augmentation of the face models (TensorFlow ops on a
batch, so it runs inside a ``tf.data`` pipeline).

Bad frames (empty, blank, wrong dtype or shape) give an empty result or a clear ``ValueError``,
never a crash deep inside dlib, so a real-time loop can keep going.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np

from utils.labels import EMOTIONS

FACE_SIZE = 48
DEFAULT_FPS = 25.0  # frames per second assumed for a video file that does not say its rate


# --------------------------------------------------------------------------- augmentation


def augment_faces(images, max_rotation: float = 10.0, max_zoom: float = 0.1,
                  max_shift: float = 0.1, contrast: float = 0.2, brightness: float = 20.0,
                  erase_probability: float = 0.25, seed: int | None = None):
    """Randomly flip, rotate, zoom, shift, recolour and partly erase a batch of faces.

    ``images`` is a float tensor ``(batch, height, width, 1)`` of pixel values in 0-255 (the
    models rescale inside). Rotation is in degrees, zoom and shift are fractions of the image
    size, ``brightness`` is in pixel values. Random erasing (Zhong et al., 2020) hides one
    rectangle of 2-20% of the image with noise in a quarter of the faces, so the model cannot rely on
    one region only (a mouth, one eye). Returns a tensor of the same shape, still in 0-255.
    """
    import tensorflow as tf

    images = tf.convert_to_tensor(images, tf.float32)
    rng = tf.random.Generator.from_seed(seed) if seed is not None else tf.random.get_global_generator()
    shape = tf.shape(images)
    batch, height, width = shape[0], shape[1], shape[2]
    h, w = tf.cast(height, tf.float32), tf.cast(width, tf.float32)

    flip = rng.uniform([batch]) < 0.5
    images = tf.where(flip[:, None, None, None], tf.reverse(images, axis=[2]), images)

    # Affine transform as the 8 parameters ImageProjectiveTransformV3 reads: they map each
    # output pixel (x, y) to the input pixel it samples.
    angle = rng.uniform([batch], -max_rotation, max_rotation) * (math.pi / 180.0)
    scale = rng.uniform([batch], 1.0 - max_zoom, 1.0 + max_zoom)
    tx = rng.uniform([batch], -max_shift, max_shift) * w
    ty = rng.uniform([batch], -max_shift, max_shift) * h
    cx, cy = (w - 1.0) / 2.0, (h - 1.0) / 2.0
    a0, a1 = tf.cos(angle) / scale, -tf.sin(angle) / scale
    b0, b1 = tf.sin(angle) / scale, tf.cos(angle) / scale
    a2 = cx - a0 * cx - a1 * cy + tx
    b2 = cy - b0 * cx - b1 * cy + ty
    zeros = tf.zeros([batch])
    transforms = tf.stack([a0, a1, a2, b0, b1, b2, zeros, zeros], axis=1)
    images = tf.raw_ops.ImageProjectiveTransformV3(
        images=images, transforms=transforms, output_shape=tf.stack([height, width]),
        fill_value=0.0, interpolation="BILINEAR", fill_mode="REFLECT")

    mean = tf.reduce_mean(images, axis=[1, 2, 3], keepdims=True)
    gain = rng.uniform([batch, 1, 1, 1], 1.0 - contrast, 1.0 + contrast)
    offset = rng.uniform([batch, 1, 1, 1], -brightness, brightness)
    images = tf.clip_by_value((images - mean) * gain + mean + offset, 0.0, 255.0)

    if erase_probability > 0:
        area = rng.uniform([batch], 0.02, 0.2) * h * w
        aspect = tf.exp(rng.uniform([batch], math.log(0.3), math.log(3.3)))
        eh = tf.minimum(tf.sqrt(area * aspect), h)
        ew = tf.minimum(tf.sqrt(area / aspect), w)
        y0 = rng.uniform([batch]) * (h - eh)
        x0 = rng.uniform([batch]) * (w - ew)
        rows = tf.range(h)[None, :]
        cols = tf.range(w)[None, :]
        in_rows = (rows >= y0[:, None]) & (rows < (y0 + eh)[:, None])
        in_cols = (cols >= x0[:, None]) & (cols < (x0 + ew)[:, None])
        erase = in_rows[:, :, None] & in_cols[:, None, :]
        erase &= (rng.uniform([batch]) < erase_probability)[:, None, None]
        noise = rng.uniform(tf.shape(images), 0.0, 255.0)
        images = tf.where(erase[..., None], noise, images)
    return images


# --------------------------------------------------------------------------- frames and boxes

# dlib's 68-point scheme (iBUG 300-W): the six points of each eye, as seen in the image.
RIGHT_EYE = slice(36, 42)  # the subject's right eye, on the left of the image
LEFT_EYE = slice(42, 48)
BLINK_THRESHOLD = 0.21     # eye aspect ratio below which an eye counts as closed


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


# --------------------------------------------------------------------------- video files


def open_video(path: str | Path) -> Any:
    """A ``cv2.VideoCapture`` on a video file, or a clear error naming the file.

    A missing file raises ``FileNotFoundError``, one OpenCV cannot open ``ValueError``.
    """
    import cv2

    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"no video file {path}: check the path")
    capture = cv2.VideoCapture(str(path))
    if not capture.isOpened():
        capture.release()
        raise ValueError(f"OpenCV cannot read {path}: try an .mp4 (H.264) or .avi file")
    return capture


def frame_rate(capture: Any) -> float:
    """The frames per second an open capture reports, or :data:`DEFAULT_FPS` if it reports none."""
    import cv2

    return float(capture.get(cv2.CAP_PROP_FPS) or DEFAULT_FPS)


def read_frames(capture: Any, step: int = 1,
                max_frames: int | None = None) -> Iterator[tuple[float, np.ndarray]]:
    """Every ``step``-th frame of an open capture: ``(time in seconds, BGR frame)``.

    Ends at the first frame that cannot be decoded, or once ``max_frames`` frames are yielded;
    the capture is released when the generator ends or is closed.
    """
    try:
        if step < 1 or (max_frames is not None and max_frames < 0):
            raise ValueError(f"step must be at least 1 and max_frames not negative; got step="
                             f"{step}, max_frames={max_frames}")
        fps, index, count = frame_rate(capture), 0, 0
        while max_frames is None or count < max_frames:
            ok, frame = capture.read()
            if not ok:
                return
            if index % step == 0:
                yield index / fps, frame
                count += 1
            index += 1
    finally:
        capture.release()


def _undecodable(path: str | Path) -> ValueError:
    """The error for a video file that opens but yields no frame."""
    return ValueError(f"{path}: no frame could be decoded; re-encode it (e.g. to H.264 mp4)")


def video_frames(path: str | Path, step: int = 1,
                 max_frames: int | None = None) -> Iterator[tuple[float, np.ndarray]]:
    """Every ``step``-th frame of a video file (at most ``max_frames``): ``(time (s), BGR frame)``.

    A missing file raises ``FileNotFoundError``; a file OpenCV cannot open, or whose first frame
    cannot be decoded, ``ValueError``. As a generator it raises them on the first ``next()``.
    """
    decoded = False
    for t, frame in read_frames(open_video(path), step, max_frames):
        decoded = True
        yield t, frame
    if not decoded and max_frames != 0:
        raise _undecodable(path)


def video_ear(path: str | Path, max_frames: int | None = None,
              max_width: int | None = 320) -> dict:
    """Eye aspect ratio of the largest face in every frame of a video file.

    Returns ``{"time": seconds, "ear": values (NaN where no face was found), "fps": rate,
    "frames": count}``. Unreadable files raise ``FileNotFoundError``/``ValueError``.
    """
    capture = open_video(path)
    fps = frame_rate(capture)
    values = []
    for _, frame in read_frames(capture, max_frames=max_frames):
        rgb = frame[..., ::-1]
        boxes = detect_faces(rgb, max_width=max_width)
        values.append(face_ear(landmarks(rgb, boxes[0])) if boxes else np.nan)
    if not values:
        raise _undecodable(path)
    ear = np.array(values)
    return {"time": np.arange(len(ear)) / fps, "ear": ear, "fps": fps, "frames": len(ear)}


def video_face_probs(path: str | Path, face_predict: Callable, step: int = 1,
                     max_width: int | None = 320) -> tuple[np.ndarray, np.ndarray]:
    """Face-model probabilities of every ``step``-th frame of a video: ``(times (s), (T, 7))``.

    The largest face of each frame is read; frames without a face are NaN rows (as
    :func:`utils.fusion.aggregate_frames` expects). Offline, for whole clips: no smoothing.
    """
    times, rows = [], []
    for t, frame in video_frames(path, step=step):
        _, faces = extract_faces(np.ascontiguousarray(frame[..., ::-1]), max_width=max_width)
        rows.append(np.asarray(face_predict(faces[:1]))[0] if len(faces)
                    else np.full(len(EMOTIONS), np.nan))
        times.append(t)
    return np.array(times), np.vstack(rows)


# --------------------------------------------------------------------------- the face model


def default_face_model_path() -> Path:
    """The shipped face model used by default: ``models/face_resnet.keras`` (its model card has
    the numbers)."""
    from utils.config import MODELS_DIR

    return MODELS_DIR / "face_resnet.keras"


def load_face_model(path: str | Path | None = None):
    """The shipped face model (:func:`default_face_model_path`) or another saved Keras model."""
    import keras

    return keras.models.load_model(default_face_model_path() if path is None else path, compile=False)


def face_predictor(model, flip: bool = True):
    """A fast function ``faces (n, 48, 48) -> probabilities (n, 7)`` for a face model.

    The call is compiled by :func:`utils.inference.inference_function` (one graph, about 15x faster
    than ``model.predict`` for one face). With ``flip`` the probabilities are averaged over each face
    and its mirror image (test-time augmentation, as the shipped model's card reports).
    Faces are ``uint8`` or float pixel values 0-255, with or without the channel axis.
    """
    import tensorflow as tf

    from utils.inference import inference_function

    mirror = (lambda x: tf.reverse(x, axis=[2])) if flip else None  # left-right, in the graph
    run = inference_function(model, average_with=mirror)

    def predict(faces) -> np.ndarray:
        faces = np.asarray(faces)
        if faces.ndim == 2:
            faces = faces[None]
        if faces.ndim == 3:
            faces = faces[..., None]
        if faces.ndim != 4 or faces.shape[1:] != (FACE_SIZE, FACE_SIZE, 1):
            raise ValueError(f"expected faces of shape (n, {FACE_SIZE}, {FACE_SIZE}); "
                             f"got {faces.shape}")
        if len(faces) == 0:
            return np.empty((0, model.output_shape[-1]), np.float32)
        return run(tf.constant(faces, tf.float32)).numpy()

    return predict


def predict_in_batches(model, faces: np.ndarray, flip: bool = True, batch_size: int = 256):
    """Class probabilities for many faces (a dataset split), batch by batch, optionally flip-averaged."""
    faces = np.asarray(faces, np.float32)
    if faces.ndim == 3:
        faces = faces[..., None]
    probs = model.predict(faces, batch_size=batch_size, verbose=0)
    if flip:
        probs = (probs + model.predict(faces[:, :, ::-1], batch_size=batch_size, verbose=0)) / 2
    return probs


# --------------------------------------------------------------------------- the shipped model's recipe


def face_batches(images, labels, batch_size: int = 128, augment: bool = False,
                 shuffle: bool = False, seed: int = 42, n_classes: int = 7):
    """A ``tf.data`` pipeline of FER2013 faces: float pixels 0-255 ``(b, 48, 48, 1)``, one-hot labels.

    ``augment`` applies :func:`utils.vision.augment_faces` to every batch (training only).
    """
    import tensorflow as tf

    x = np.asarray(images, np.float32)[..., None]
    y = np.eye(n_classes, dtype=np.float32)[np.asarray(labels)]
    data = tf.data.Dataset.from_tensor_slices((x, y))
    if shuffle:
        data = data.shuffle(len(x), seed=seed, reshuffle_each_iteration=True)
    data = data.batch(batch_size)
    if augment:
        data = data.map(lambda a, b: (augment_faces(a), b), num_parallel_calls=tf.data.AUTOTUNE)
    return data.prefetch(tf.data.AUTOTUNE)


# The shipped model's size: a budget chosen for a shared 2-core CPU (see models/face_resnet.md).
FACE_RESNET = {"widths": (32, 64, 128), "blocks": (1, 2, 2), "stem": 32}


def train_face_model(data, epochs: int = 30, batch_size: int = 64, peak_lr: float = 2e-3,
                     weight_decay: float = 0.05, label_smoothing: float = 0.1,
                     time_budget_min: float | None = None, out=None, seed: int = 42,
                     limit: int | None = None, init=None):
    """The shipped face model's recipe: :func:`utils.models.face_resnet` on FER2013 Training.

    AdamW (decoupled weight decay), a warm-up then cosine learning rate
    (:func:`utils.training.warmup_cosine`, optionally bounded by a wall-clock budget), label
    smoothing, augmentation (:func:`utils.vision.augment_faces`), mixed precision (bfloat16 on a
    CPU, fast where it has AMX or AVX-512 BF16; float16 on a GPU); the checkpoint with the best
    PublicTest accuracy is kept. The shipped file is rebuilt in float32 so it loads and runs
    anywhere. ``init`` (a ``.keras`` file of the same architecture) starts from its weights
    instead of random ones: a second warm-up and cosine cycle on top of an earlier run. Returns
    the training history.
    """
    import json
    from pathlib import Path

    import keras
    import tensorflow as tf

    from utils.config import MODELS_DIR, seed_everything
    from utils.datasets import fer2013
    from utils.models import face_resnet
    from utils.training import warmup_cosine

    seed_everything(seed)
    out = Path(out) if out is not None else MODELS_DIR
    out.mkdir(parents=True, exist_ok=True)
    x_train, y_train = fer2013.load("Training", folder=data)
    x_val, y_val = fer2013.load("PublicTest", folder=data)
    if limit:
        x_train, y_train, x_val, y_val = x_train[:limit], y_train[:limit], x_val[:limit], y_val[:limit]
    gpu = bool(tf.config.list_logical_devices("GPU"))
    keras.mixed_precision.set_global_policy("mixed_float16" if gpu else "mixed_bfloat16")
    model = face_resnet(**FACE_RESNET)
    if init is not None:
        model.set_weights(keras.models.load_model(init).get_weights())
    steps = epochs * int(np.ceil(len(x_train) / batch_size))
    model.compile(
        optimizer=keras.optimizers.AdamW(peak_lr, weight_decay=weight_decay),
        loss=keras.losses.CategoricalCrossentropy(label_smoothing=label_smoothing),
        metrics=["accuracy"])
    checkpoint = out / "face_resnet_checkpoint.keras"
    callbacks = [
        warmup_cosine(peak_lr, steps, time_budget_s=time_budget_min * 60 if time_budget_min else None),
        keras.callbacks.ModelCheckpoint(checkpoint, monitor="val_accuracy", mode="max",
                                        save_best_only=True),
        keras.callbacks.CSVLogger(out / "face_resnet_training.csv"),
    ]
    history = model.fit(face_batches(x_train, y_train, batch_size, augment=True, shuffle=True, seed=seed),
                        validation_data=face_batches(x_val, y_val, 256), epochs=epochs,
                        shuffle=False,  # face_batches shuffles; Keras cannot shuffle a tf.data set
                        callbacks=callbacks, verbose=2)
    best = keras.models.load_model(checkpoint)
    keras.mixed_precision.set_global_policy("float32")
    shipped = face_resnet(**FACE_RESNET)
    shipped.set_weights(best.get_weights())
    shipped.save(out / "face_resnet.keras")
    checkpoint.unlink(missing_ok=True)
    record = {k: [float(v) for v in vals] for k, vals in history.history.items()}
    (out / "face_resnet_history.json").write_text(json.dumps(record, indent=1))
    return record
