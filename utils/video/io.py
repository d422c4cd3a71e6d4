"""Video files: opening, the frame rate, frames with their times.

:func:`video_frames` reads a video file frame by frame with each frame's time
(:func:`read_frames` on an already open capture, from :func:`open_video`). A missing or
unreadable file raises a clear error naming it.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np

DEFAULT_FPS = 25.0  # frames per second assumed for a video file that does not say its rate


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
