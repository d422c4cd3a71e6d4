"""Faces 60-300 px wide in every webcam frame, fast: detect now and then, track in between.

dlib's HOG detector (Dalal and Triggs 2005; King 2009) slides an 80x80 window over an image
pyramid: it misses faces under 80 px in the image it is given, and its cost grows with the image's
area. Shrinking a 640x480 frame to 320 px wide (the demo's first version) misses every face under
about 160 px; scanning the frame enlarged 1.33x to reach 60-px faces costs about 2.4x a plain
full-resolution scan. :class:`FaceTracker` pays for such a scan only when it has lost the face:

1. **acquire**: no face is followed: HOG on the whole frame, enlarged so that a face of
   ``min_face`` px fills dlib's window (only every ``lost_scan_every`` frames while nothing is
   found, so an empty scene does not cost a full scan per frame);
2. **track**: between scans, HOG on a crop around the last box (grown by ``margin`` of its size on
   each side) rescaled so the face is ``track_size`` px wide: a search of about 200x200 px whatever
   the face's size, an eighth of a 640x480 scan. The crop follows the face every frame; a face
   that leaves its crop is looked for by a full scan in the same frame;
3. **refresh**: every ``refresh_every`` frames a full-resolution scan adds faces that walked in,
   so the tracker does not stay locked on one face.

Boxes are :class:`~utils.video.faces.Box` in pixels of the full frame, largest first.
"""

from __future__ import annotations

import numpy as np

from utils.video.faces import Box, to_gray

HOG_WINDOW = 80  # px: the smallest face dlib's frontal HOG detector finds in the image it reads


def iou(a: tuple, b: tuple) -> float:
    """Intersection over union of two ``(left, top, right, bottom)`` boxes (0: no overlap)."""
    inter = max(min(a[2], b[2]) - max(a[0], b[0]), 0) * max(min(a[3], b[3]) - max(a[1], b[1]), 0)
    union = Box(*a).area + Box(*b).area - inter
    return inter / union if union > 0 else 0.0


class FaceTracker:
    """The faces of a stream of frames: full scans when needed, small crop searches in between.

    Call :meth:`find` once per frame, in order. ``min_face`` (px) is the smallest face acquired;
    ``track_size`` the face width (px) a crop is rescaled to (at least dlib's 80-px window, plus
    room for the face to shrink between two frames); ``margin`` the crop's extra room on each
    side, as a fraction of the face's size; ``refresh_every`` the frames between two
    full-resolution scans while tracking; ``lost_scan_every`` the frames between two acquisition
    scans while no face is found; ``max_faces`` how many faces are followed (the largest).
    ``last_action`` says what the last call did: acquire, track, refresh, wait or blank.
    """

    def __init__(self, min_face: int = 60, track_size: int = 100, margin: float = 0.5,
                 refresh_every: int = 25, lost_scan_every: int = 3, max_faces: int = 2) -> None:
        import dlib

        if track_size < HOG_WINDOW:
            raise ValueError(f"track_size must be at least {HOG_WINDOW} px (dlib's window)")
        self.detector = dlib.get_frontal_face_detector()
        self.acquire_scale = max(1.0, HOG_WINDOW / min_face)
        self.track_size, self.margin = track_size, margin
        self.refresh_every, self.lost_scan_every = refresh_every, lost_scan_every
        self.max_faces = max_faces
        self.boxes: list[Box] = []
        self.frame_index = 0
        self.last_scan = -10 ** 9
        self.last_action = ""

    def find(self, frame: np.ndarray) -> list[Box]:
        """The faces of this frame (RGB or grey uint8), largest first; [] if there is none."""
        gray = to_gray(frame)
        self.frame_index += 1
        if gray.min() == gray.max():
            self.boxes, self.last_action = [], "blank"
            return []
        was_tracking = bool(self.boxes)
        if self.boxes:
            self._follow(gray)
            if self.boxes and self.frame_index - self.last_scan >= self.refresh_every:
                self._refresh(gray)
        if not self.boxes:
            gap = 1 if was_tracking else self.lost_scan_every
            if self.frame_index - self.last_scan >= gap:
                self._acquire(gray)
            else:
                self.last_action = "wait"
        return list(self.boxes)

    def reset(self) -> None:
        """Forget every face (a new video or camera)."""
        self.boxes, self.last_scan, self.frame_index = [], -10 ** 9, 0

    # --- the three steps ---------------------------------------------------------------------
    def _acquire(self, gray: np.ndarray) -> None:
        """A full scan of the frame, enlarged so that ``min_face`` fills dlib's window."""
        self.last_action, self.last_scan = "acquire", self.frame_index
        self.boxes = self._detect(gray, self.acquire_scale)[:self.max_faces]

    def _refresh(self, gray: np.ndarray) -> None:
        """A full-resolution scan: faces not yet followed are added (known boxes kept)."""
        self.last_action, self.last_scan = "refresh", self.frame_index
        new = [b for b in self._detect(gray, 1.0) if all(iou(b, k) < 0.3 for k in self.boxes)]
        self.boxes = sorted(self.boxes + new, key=lambda b: b.area, reverse=True)[:self.max_faces]

    def _follow(self, gray: np.ndarray) -> None:
        """Each followed face looked for near its last box; faces not found are dropped."""
        self.last_action = "track"
        found = [box for box in (self._search_crop(gray, b) for b in self.boxes) if box is not None]
        kept: list[Box] = []
        for box in sorted(found, key=lambda b: b.area, reverse=True):  # two tracks, one face
            if all(iou(box, other) < 0.5 for other in kept):
                kept.append(box)
        self.boxes = kept

    # --- helpers -----------------------------------------------------------------------------
    def _detect(self, gray: np.ndarray, scale: float) -> list[Box]:
        """HOG boxes of ``gray`` read at ``scale``, in ``gray``'s pixels, largest first."""
        import cv2

        image = gray if scale == 1.0 else cv2.resize(gray, None, fx=scale, fy=scale,
                                                      interpolation=cv2.INTER_LINEAR)
        if min(image.shape) < HOG_WINDOW:
            return []
        height, width = gray.shape
        boxes = [Box(max(0, round(r.left() / scale)), max(0, round(r.top() / scale)),
                     min(width, round((r.right() + 1) / scale)),
                     min(height, round((r.bottom() + 1) / scale)))
                 for r in self.detector(image, 0)]
        return sorted((b for b in boxes if b.width > 0 and b.height > 0),
                      key=lambda b: b.area, reverse=True)

    def _search_crop(self, gray: np.ndarray, box: Box) -> Box | None:
        """HOG on the crop around ``box``, rescaled so the face is ``track_size`` px wide."""
        dx, dy = box.width * self.margin, box.height * self.margin
        x0, y0 = int(max(0, box[0] - dx)), int(max(0, box[1] - dy))
        x1, y1 = int(min(gray.shape[1], box[2] + dx)), int(min(gray.shape[0], box[3] + dy))
        found = self._detect(np.ascontiguousarray(gray[y0:y1, x0:x1]),
                             self.track_size / max(box.width, 1))
        shifted = [Box(b[0] + x0, b[1] + y0, b[2] + x0, b[3] + y0) for b in found]
        return max(shifted, key=lambda b: iou(b, box)) if shifted else None
