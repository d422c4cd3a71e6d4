"""The face model at work: loading it, fast prediction, whole clips.

:func:`load_face_model` loads the shipped model (:func:`default_face_model_path`) or another;
:func:`face_predictor` compiles a fast ``faces -> probabilities`` call for one frame at a time and
:func:`predict_in_batches` reads a dataset split. Over a video file, :func:`video_face_probs`
gives the face model's probabilities of every frame and :func:`video_ear` the eye aspect ratio.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np

from utils.labels import EMOTIONS
from utils.video.blinks import face_ear
from utils.video.faces import FACE_SIZE, detect_faces, extract_faces, landmarks
from utils.video.io import _undecodable, frame_rate, open_video, read_frames, video_frames


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
    :func:`utils.fusion.clips.aggregate_frames` expects). Offline, for whole clips: no smoothing.
    """
    times, rows = [], []
    for t, frame in video_frames(path, step=step):
        _, faces = extract_faces(np.ascontiguousarray(frame[..., ::-1]), max_width=max_width)
        rows.append(np.asarray(face_predict(faces[:1]))[0] if len(faces)
                    else np.full(len(EMOTIONS), np.nan))
        times.append(t)
    return np.array(times), np.vstack(rows)
