"""utils.video.tracking: faces from about 60 to 300 px in a 640x480 frame, found and followed."""

from __future__ import annotations

import numpy as np
import pytest

from utils.video.tracking import FaceTracker, iou

PHOTO_FACE = (179, 94, 272, 178)  # the astronaut's face in the photo (landmarks' extent), 93 px


def face_frame(width: float, dx: float = 0.0, dy: float = 0.0) -> np.ndarray:
    """A 640x480 RGB frame of the course's sample face (the astronaut photo) zoomed so that the
    face is ``width`` px wide, centred (shifted by dx, dy) on a plain wall."""
    import cv2

    from utils.datasets.samples.face import astronaut

    zoom = width / (PHOTO_FACE[2] - PHOTO_FACE[0])
    fx, fy = (PHOTO_FACE[0] + PHOTO_FACE[2]) / 2, (PHOTO_FACE[1] + PHOTO_FACE[3]) / 2
    matrix = np.array([[zoom, 0, 320 + dx - zoom * fx], [0, zoom, 240 + dy - zoom * fy]])
    return cv2.warpAffine(np.ascontiguousarray(astronaut()), matrix, (640, 480),
                          borderValue=(205, 210, 218))


def expected_box(width: float, dx: float = 0.0, dy: float = 0.0) -> tuple[int, ...]:
    half = width / 2
    return (int(320 + dx - half), int(240 + dy - half), int(320 + dx + half), int(240 + dy + half))


@pytest.mark.parametrize("width", [70, 280])
def test_small_and_large_faces_are_found_and_followed(width):
    tracker = FaceTracker()
    actions = []
    for i in range(8):  # the face drifts 4 px a frame: acquired once, then tracked
        dx = 4.0 * i
        boxes = tracker.find(face_frame(width, dx))
        actions.append(tracker.last_action)
        assert boxes, f"frame {i}: no face of {width} px found ({tracker.last_action})"
        assert iou(boxes[0], expected_box(width, dx)) > 0.4, (boxes[0], expected_box(width, dx))
        assert 0.7 * width < boxes[0].width < 1.4 * width
    assert actions[0] == "acquire" and actions[1:].count("track") >= 6


def test_an_empty_frame_has_no_face_and_a_lost_face_is_found_again():
    from skimage import data

    tracker = FaceTracker(lost_scan_every=3)
    wall = np.full((480, 640, 3), (205, 210, 218), np.uint8)
    assert tracker.find(wall) == [] and tracker.last_action == "blank"
    coffee = np.ascontiguousarray(data.coffee())  # a real photo without a face
    assert tracker.find(coffee) == [] and tracker.last_action == "acquire"
    assert tracker.find(coffee) == [] and tracker.last_action == "wait"  # no scan every frame
    found = [tracker.find(face_frame(120)) for _ in range(3)]  # scanned every third frame
    assert found[-1] and tracker.last_action in ("acquire", "track")
    assert tracker.find(coffee) == [] and tracker.last_action == "acquire"  # lost: a full scan


def test_a_bad_track_size_is_refused():
    with pytest.raises(ValueError, match="80"):
        FaceTracker(track_size=40)
