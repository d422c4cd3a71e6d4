"""Faces in images and videos (notebooks/03_video): detection, landmarks, blinks, the face models.

The pipeline of the course's video lesson and of the real-time demo, one module a step:

- :mod:`.faces`: :func:`~.faces.detect_faces` (dlib HOG, on a downscaled copy of the frame),
  :func:`~.faces.landmarks` (dlib's 68 points), :func:`~.faces.crop_face` and
  :func:`~.faces.extract_faces` (the 48x48 grayscale face a FER2013 model reads), the
  :class:`~.faces.Box` they return, and the frame checks :func:`~.faces.to_gray` and
  :func:`~.faces.as_bgr`;
- :mod:`.tracking`: :class:`~.tracking.FaceTracker` finds faces 60-300 px wide in a stream of
  frames at real-time cost (a full scan now and then, a small crop around the last face in
  between); the real-time demo's loop uses it;
- :mod:`.blinks`: :func:`~.blinks.eye_aspect_ratio`, :func:`~.blinks.face_ear` and
  :func:`~.blinks.count_blinks` turn the eye landmarks into blinks;
- :mod:`.io`: :func:`~.io.video_frames` reads a video file frame by frame with each frame's time
  (:func:`~.io.open_video`, :func:`~.io.read_frames` on an open capture, :func:`~.io.frame_rate`);
- :mod:`.augment`: :func:`~.augment.augment_faces`, the training-time augmentation (TensorFlow
  ops on a batch, so it runs inside a ``tf.data`` pipeline);
- :mod:`.models`: the Keras builders :func:`~.models.mini_xception` and
  :func:`~.models.face_resnet`, and the shipped model's size :data:`~.models.FACE_RESNET`;
- :mod:`.predict`: :func:`~.predict.load_face_model`, :func:`~.predict.face_predictor` (fast, one
  frame at a time), :func:`~.predict.predict_in_batches` (a dataset split), and over whole clips
  :func:`~.predict.video_face_probs` (the face model) and :func:`~.predict.video_ear` (blinks);
- :mod:`.explain`: Grad-CAM over a dataset split (:func:`~.explain.face_gradcams`), class-mean
  maps, and the share of the heat on the eyes and the mouth (:func:`~.explain.region_shares`);
- :mod:`.train`: the shipped model's recipe, :func:`~.train.face_batches` and
  :func:`~.train.train_face_model`.

Bad frames (empty, blank, wrong dtype or shape) give an empty result or a clear ``ValueError``,
never a crash deep inside dlib, so a real-time loop can keep going. TensorFlow, Keras, dlib and
OpenCV are imported inside the functions that need them: importing this package is cheap.
"""

from utils.video import augment, blinks, explain, faces, io, models, predict, tracking, train
from utils.video.augment import augment_faces
from utils.video.blinks import (BLINK_THRESHOLD, LEFT_EYE, RIGHT_EYE, count_blinks,
                                eye_aspect_ratio, face_ear)
from utils.video.faces import (FACE_SIZE, Box, as_bgr, crop_face, detect_faces, extract_faces,
                               landmarks, to_gray)
from utils.video.io import DEFAULT_FPS, frame_rate, open_video, read_frames, video_frames
from utils.video.models import FACE_RESNET, face_resnet, mini_xception
from utils.video.predict import (default_face_model_path, face_predictor, load_face_model,
                                 predict_in_batches, video_ear, video_face_probs)
from utils.video.tracking import FaceTracker
from utils.video.train import face_batches, train_face_model

__all__ = [
    "augment", "blinks", "explain", "faces", "io", "models", "predict", "tracking", "train",
    "augment_faces",
    "BLINK_THRESHOLD", "LEFT_EYE", "RIGHT_EYE", "count_blinks", "eye_aspect_ratio", "face_ear",
    "FACE_SIZE", "Box", "as_bgr", "crop_face", "detect_faces", "extract_faces", "landmarks",
    "to_gray",
    "DEFAULT_FPS", "frame_rate", "open_video", "read_frames", "video_frames",
    "FACE_RESNET", "face_resnet", "mini_xception",
    "default_face_model_path", "face_predictor", "load_face_model", "predict_in_batches",
    "video_ear", "video_face_probs",
    "FaceTracker",
    "face_batches", "train_face_model",
]
