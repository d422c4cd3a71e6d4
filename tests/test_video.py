"""utils.video: faces, landmarks, eye aspect ratio, blinks, crops, augmentation, fast prediction."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from skimage import data

from utils.video import augment, blinks, faces, io, predict, train


@pytest.fixture(scope="module")
def astronaut() -> np.ndarray:
    return data.astronaut()  # public-domain photo, 512x512 RGB, one frontal face


@pytest.fixture(scope="module")
def astronaut_box(astronaut) -> faces.Box:
    boxes = faces.detect_faces(astronaut)
    assert len(boxes) == 1
    return boxes[0]


def test_hog_finds_the_astronaut_face(astronaut_box):
    box = astronaut_box
    # The face is about 115 px wide, centred near (220, 130) in the photo.
    assert 80 < box.width < 160 and 80 < box.height < 160
    assert 180 < (box.left + box.right) / 2 < 260 and 90 < (box.top + box.bottom) / 2 < 170


def test_downscaled_detection_maps_boxes_back(astronaut, astronaut_box):
    full = faces.detect_faces(astronaut, max_width=None)
    assert len(full) == 1
    # Same face, same place: the centres agree; the sizes differ by the detector's scale steps.
    for a, b in ((full[0], astronaut_box),):
        assert abs((a.left + a.right) - (b.left + b.right)) / 2 < 10
        assert abs((a.top + a.bottom) - (b.top + b.bottom)) / 2 < 10
        assert 0.7 < a.width / b.width < 1.4
    gray = faces.to_gray(astronaut)
    assert faces.detect_faces(gray) == faces.detect_faces(astronaut)  # grayscale input too


@pytest.mark.parametrize("frame", [
    np.zeros((480, 640), np.uint8),
    np.full((480, 640, 3), 200, np.uint8),
    np.random.default_rng(0).integers(0, 256, (240, 320), dtype=np.uint8),
    np.zeros((5, 5), np.uint8),
    np.zeros((480, 640, 3), np.float32),
], ids=["black", "grey-rgb", "noise", "tiny", "float-black"])
def test_frames_without_faces_give_no_boxes(frame):
    assert faces.detect_faces(frame) == []
    boxes, crops = faces.extract_faces(frame)
    assert boxes == [] and crops.shape == (0, 48, 48) and crops.dtype == np.uint8


@pytest.mark.parametrize("frame, message", [
    (np.zeros((48, 48), np.int64), "dtype"),
    (np.zeros((48, 48, 2), np.uint8), "shape"),
    (np.zeros((2, 48, 48, 3), np.uint8), "shape"),
    (np.zeros((0, 10), np.uint8), "empty"),
    (np.full((8, 8), 3.0), r"\[0, 1\]"),
    ([[0, 1], [1, 0]], "numpy array"),
])
def test_bad_frames_raise_clear_errors(frame, message):
    with pytest.raises(ValueError, match=message):
        faces.detect_faces(frame)


def test_landmarks_and_open_eyes(astronaut, astronaut_box):
    points = faces.landmarks(astronaut, astronaut_box)
    assert points.shape == (68, 2)
    box = astronaut_box
    inside = ((points[:, 0] > box.left - 20) & (points[:, 0] < box.right + 20)
              & (points[:, 1] > box.top - 20) & (points[:, 1] < box.bottom + 20))
    assert inside.all()
    assert points[blinks.RIGHT_EYE, 0].mean() < points[blinks.LEFT_EYE, 0].mean()
    assert points[36:48, 1].mean() < points[48:68, 1].mean()  # eyes above the mouth
    assert 0.22 < blinks.face_ear(points) < 0.45  # open eyes
    with pytest.raises(ValueError, match="empty box"):
        faces.landmarks(astronaut, (10, 10, 10, 50))


def test_eye_aspect_ratio_of_a_known_eye():
    # corners 6 px apart, lids 3 px apart at both inner points: EAR = (3 + 3) / (2 * 6) = 0.5
    eye = np.array([[0, 0], [2, -1.5], [4, -1.5], [6, 0], [4, 1.5], [2, 1.5]])
    assert blinks.eye_aspect_ratio(eye) == pytest.approx(0.5)
    closed = eye * [1, 0.1]
    assert blinks.eye_aspect_ratio(closed) == pytest.approx(0.05)
    assert blinks.eye_aspect_ratio(eye * 10) == pytest.approx(0.5)  # scale-free
    with pytest.raises(ValueError, match="six"):
        blinks.eye_aspect_ratio(eye[:5])
    with pytest.raises(ValueError, match="degenerate"):
        blinks.eye_aspect_ratio(np.zeros((6, 2)))
    with pytest.raises(ValueError, match="68"):
        blinks.face_ear(np.zeros((5, 2)))


def test_count_blinks():
    ear = np.full(30, 0.3)
    ear[5:8] = 0.1          # a blink of three frames
    ear[15] = 0.15          # a one-frame blink
    ear[20:22] = np.nan     # face lost: never a blink
    ear[24:30] = 0.05       # eyes closed to the end
    assert blinks.count_blinks(ear) == [(5, 7), (15, 15), (24, 29)]
    assert blinks.count_blinks(ear, min_frames=2) == [(5, 7), (24, 29)]
    assert blinks.count_blinks(ear, min_frames=2, max_frames=4) == [(5, 7)]
    assert blinks.count_blinks(np.full(10, np.nan)) == []
    with pytest.raises(ValueError, match="1-D"):
        blinks.count_blinks(np.zeros((3, 3)))


def test_crop_face(astronaut, astronaut_box):
    face = faces.crop_face(astronaut, astronaut_box)
    assert face.shape == (48, 48) and face.dtype == np.uint8 and face.std() > 20
    wider = faces.crop_face(astronaut, astronaut_box, margin=0.2)
    assert not np.array_equal(face, wider)
    edge = faces.crop_face(astronaut, (-50, -50, 30, 30), size=32)  # clipped to the frame
    assert edge.shape == (32, 32)
    with pytest.raises(ValueError, match="overlap"):
        faces.crop_face(astronaut, (600, 600, 700, 700))


def test_video_ear_marks_frames_without_a_face(tmp_path, astronaut):
    cv2 = pytest.importorskip("cv2")
    path = tmp_path / "clip.avi"
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), 10, (512, 512))
    assert writer.isOpened()
    blank = np.zeros_like(astronaut)
    for frame in (astronaut, astronaut, blank, astronaut):
        writer.write(np.ascontiguousarray(frame[..., ::-1]))
    writer.release()
    result = predict.video_ear(path)
    assert result["frames"] == 4 and result["fps"] == pytest.approx(10)
    assert np.isnan(result["ear"][2]) and np.isfinite(result["ear"][[0, 1, 3]]).all()
    assert result["time"][1] == pytest.approx(0.1)
    with pytest.raises(FileNotFoundError):
        predict.video_ear(tmp_path / "missing.mp4")
    (tmp_path / "broken.mp4").write_bytes(b"not a video")
    with pytest.raises(ValueError):
        predict.video_ear(tmp_path / "broken.mp4")


def _grey_clip(path: Path, frames: int = 7, fps: float = 10.0) -> Path:
    """A synthetic MJPG clip whose frame i is uniformly grey at level 30 * i."""
    import cv2

    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), fps, (64, 48))
    assert writer.isOpened()
    for i in range(frames):
        writer.write(np.full((48, 64, 3), 30 * i, np.uint8))
    writer.release()
    return path


def test_video_frames_reads_every_step_th_frame_with_its_time(tmp_path):
    path = _grey_clip(tmp_path / "grey.avi")
    frames = list(io.video_frames(path))
    assert len(frames) == 7 and frames[0][1].shape == (48, 64, 3)
    assert [t for t, _ in frames] == pytest.approx([i / 10 for i in range(7)])
    every_third = list(io.video_frames(path, step=3))
    assert [t for t, _ in every_third] == pytest.approx([0.0, 0.3, 0.6])
    assert [round(frame.mean() / 30) for _, frame in every_third] == [0, 3, 6]
    assert len(list(io.video_frames(path, max_frames=2))) == 2
    first_two = [t for t, _ in io.video_frames(path, step=2, max_frames=2)]
    assert first_two == pytest.approx([0, 0.2])
    with pytest.raises(ValueError, match="step"):
        next(io.video_frames(path, step=0))


def test_video_frames_names_a_missing_or_unreadable_file(tmp_path):
    with pytest.raises(FileNotFoundError, match="missing.mp4"):
        next(io.video_frames(tmp_path / "missing.mp4"))
    (tmp_path / "broken.mp4").write_bytes(b"not a video")
    with pytest.raises(ValueError, match=r"broken.mp4.*(mp4|avi)"):
        next(io.video_frames(tmp_path / "broken.mp4"))


def test_read_frames_releases_the_capture_when_closed_early(tmp_path):
    capture = io.open_video(_grey_clip(tmp_path / "grey.avi"))
    frames = io.read_frames(capture)
    next(frames)
    assert capture.isOpened()
    frames.close()
    assert not capture.isOpened()


def test_augment_faces_keeps_shape_and_range():
    faces = np.random.default_rng(0).uniform(0, 255, (6, 48, 48, 1)).astype(np.float32)
    out = augment.augment_faces(faces, seed=3).numpy()
    assert out.shape == faces.shape and out.min() >= 0 and out.max() <= 255
    assert np.array_equal(out, augment.augment_faces(faces, seed=3).numpy())  # seeded: repeatable
    assert not np.allclose(out, faces)
    still = augment.augment_faces(faces, max_rotation=0, max_zoom=0, max_shift=0, contrast=0,
                                 brightness=0, erase_probability=0, seed=1).numpy()
    for a, b in zip(still, faces):  # only flips remain
        assert np.allclose(a, b, atol=1e-3) or np.allclose(a, b[:, ::-1], atol=1e-3)


def test_default_face_model_is_the_shipped_file():
    from utils.config import MODELS_DIR

    assert predict.default_face_model_path() == MODELS_DIR / "face_resnet.keras"
    assert predict.default_face_model_path().is_file()


def test_face_predictor_averages_mirror_images():
    from utils.video.models import mini_xception

    model = mini_xception()
    faces = np.random.default_rng(1).integers(0, 256, (3, 48, 48), dtype=np.uint8)
    plain = predict.face_predictor(model, flip=False)
    both = predict.face_predictor(model, flip=True)
    p = both(faces)
    assert p.shape == (3, 7) and np.allclose(p.sum(axis=1), 1, atol=1e-5)
    expected = (plain(faces) + plain(faces[:, :, ::-1])) / 2
    assert np.allclose(p, expected, atol=1e-5)
    assert both(faces[0]).shape == (1, 7)            # one face, no batch axis
    assert both(faces[:0]).shape == (0, 7)           # no faces in the frame
    with pytest.raises(ValueError, match="48"):
        both(np.zeros((2, 64, 64), np.uint8))
    batch = predict.predict_in_batches(model, faces, flip=True)
    assert np.allclose(batch, p, atol=1e-4)


def test_face_batches_give_pixels_and_one_hot_labels():
    images = np.random.default_rng(0).integers(0, 256, (10, 48, 48), dtype=np.uint8)
    labels = np.arange(10) % 7
    batches = list(train.face_batches(images, labels, batch_size=4, augment=True, shuffle=True))
    assert [b[0].shape[0] for b in batches] == [4, 4, 2]
    x, y = batches[0]
    assert x.shape[1:] == (48, 48, 1) and y.shape[1:] == (7,)
    assert np.allclose(np.sum(y, axis=1), 1.0)
    assert 0.0 <= float(np.min(x)) and float(np.max(x)) <= 255.0


def test_train_face_model_writes_a_float32_model_and_can_start_from_one(tmp_path):
    import keras

    from utils.datasets.samples import ensure_samples

    folder = ensure_samples("fer2013", root=tmp_path / "samples")
    first = tmp_path / "first"
    history = train.train_face_model(folder, epochs=1, batch_size=32, out=first, limit=64)
    model = keras.models.load_model(first / "face_resnet.keras")
    assert model.dtype_policy.name == "float32" and model.output_shape == (None, 7)
    assert "val_accuracy" in history and not (first / "face_resnet_checkpoint.keras").exists()
    # a second cycle from those weights: with a learning rate of 0 the kernels stay as they were
    second = train.train_face_model(folder, epochs=1, batch_size=32, peak_lr=0.0,
                                     out=tmp_path / "second", limit=64,
                                     init=first / "face_resnet.keras")
    assert "loss" in second
    again = keras.models.load_model(tmp_path / "second" / "face_resnet.keras")
    kernel = lambda m: next(w for w in m.weights if "kernel" in w.path).numpy()  # noqa: E731
    np.testing.assert_allclose(kernel(again), kernel(model), rtol=1e-2, atol=1e-3)
