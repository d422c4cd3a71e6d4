"""The real-time demo's inputs and outputs: camera or video file, microphone, sound track, mp4.

- :func:`open_capture` opens a webcam index or a video file and :func:`camera_frames` reads a
  camera frame by frame (a video file is read by :func:`utils.video.io.read_frames`); a camera
  that cannot be opened raises :class:`CameraError` saying what to try;
- :class:`AudioBuffer` keeps the last 3 seconds of sound, filled by a :class:`Microphone` (the
  optional ``sounddevice`` package; :class:`MicrophoneUnavailable` says what to install) or
  from a video's :func:`sound_track`;
- :func:`video_writer` writes annotated frames to an mp4;
- :func:`colab_snapshot` takes one webcam frame through the browser, for Colab.

:mod:`utils.live.session` drives these; nothing here knows about emotions.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np

SAMPLE_RATE = 16_000      # the speech model's rate
AUDIO_SECONDS = 3.0       # the speech model hears 3 s at a time
CAMERA_FAILURES = 50      # failed reads in a row after which a camera counts as gone


class CameraError(RuntimeError):
    """A camera or video that cannot be opened, with what to try instead."""


class MicrophoneUnavailable(RuntimeError):
    """No microphone library or device: the demo goes on without sound."""


# ---------------------------------------------------------------------------------------------
# Camera or video file
# ---------------------------------------------------------------------------------------------


def is_file_source(source: int | str | Path) -> bool:
    """Whether ``source`` names a video file rather than a webcam index (``0``, ``"1"``)."""
    return isinstance(source, (str, Path)) and not str(source).isdigit()


def open_capture(source: int | str | Path) -> Any:
    """A ``cv2.VideoCapture`` on a webcam index or a video file, or a clear :class:`CameraError`."""
    import cv2

    from utils.video.io import open_video

    if is_file_source(source):
        try:
            return open_video(source)
        except (FileNotFoundError, ValueError) as err:
            raise CameraError(f"{err}, or use --camera 0 for a webcam") from err
    index = int(source)
    capture = cv2.VideoCapture(index)
    if not capture.isOpened():
        capture.release()
        raise CameraError(
            f"camera {index} cannot be opened. Try another index (--camera {index + 1}), close "
            f"other programs that use the camera, allow camera access for your terminal or "
            f"Jupyter (macOS: System Settings > Privacy & Security > Camera), or run on a video "
            f"file instead: python -m utils.realtime --video FILE. In Colab the camera belongs to "
            f"the browser, not to Python: see utils.live.io.colab_snapshot().")
    return capture


def camera_frames(capture: Any, source: int | str = 0,
                  max_failures: int = CAMERA_FAILURES) -> Iterator[tuple[float, np.ndarray | None]]:
    """Frames of an open camera: ``(seconds since the first read, BGR frame)``.

    A failed read (a camera hiccup) yields ``None`` as the frame and the stream goes on; more
    than ``max_failures`` failures in a row end it with a message. The capture is released when
    the generator ends or is closed.
    """
    start, failures = time.perf_counter(), 0
    try:
        while True:
            ok, frame = capture.read()
            failures = 0 if ok else failures + 1
            if failures > max_failures:
                print(f"camera {source} stopped sending frames")
                return
            yield time.perf_counter() - start, frame if ok else None
    finally:
        capture.release()


def video_writer(path: str | Path, shape: tuple[int, ...], fps: float) -> Any:
    """An mp4 writer for annotated frames of ``shape``."""
    import cv2

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"mp4v"), fps,
                             (shape[1], shape[0]))
    if not writer.isOpened():
        raise RuntimeError(f"OpenCV cannot write {path}: try a .avi file name")
    return writer


# ---------------------------------------------------------------------------------------------
# Sound: a rolling buffer, the microphone, a video's sound track
# ---------------------------------------------------------------------------------------------


class AudioBuffer:
    """The last ``seconds`` of mono audio at 16 kHz, safe to fill from a microphone thread."""

    def __init__(self, seconds: float = AUDIO_SECONDS, sr: int = SAMPLE_RATE) -> None:
        self.sr = sr
        self.size = int(seconds * sr)
        self._data = np.zeros(0, np.float32)
        self._lock = threading.Lock()

    def push(self, samples: np.ndarray) -> None:
        """Append samples (any shape: channels are averaged), keeping the last ``seconds``."""
        samples = np.asarray(samples, dtype=np.float32)
        if samples.ndim == 2:
            samples = samples.mean(axis=1)
        samples = np.nan_to_num(samples.ravel())
        with self._lock:
            self._data = np.concatenate([self._data, samples])[-self.size:]

    def signal(self) -> np.ndarray:
        """A copy of what the buffer holds (up to ``seconds`` long)."""
        with self._lock:
            return self._data.copy()

    @property
    def seconds(self) -> float:
        """How much audio the buffer holds, in seconds."""
        return len(self._data) / self.sr

    def rms(self) -> float:
        """Root-mean-square level of the buffer (0 when empty)."""
        data = self.signal()
        return float(np.sqrt(np.mean(data ** 2))) if data.size else 0.0


class Microphone:
    """The default microphone feeding an :class:`AudioBuffer` (needs ``sounddevice``).

    Use as a context manager. Raises :class:`MicrophoneUnavailable` with what to install when
    the package, the PortAudio library or an input device is missing.
    """

    def __init__(self, buffer: AudioBuffer, device: int | str | None = None) -> None:
        self.buffer, self.device, self.stream = buffer, device, None

    @staticmethod
    def library() -> Any:
        """The ``sounddevice`` module, or :class:`MicrophoneUnavailable` saying how to get it."""
        try:
            import sounddevice
        except ImportError as err:
            raise MicrophoneUnavailable(
                "no microphone library: `pip install sounddevice` (Linux also needs PortAudio: "
                "`sudo apt-get install libportaudio2`). Running without sound.") from err
        except OSError as err:  # the package is there, the PortAudio library is not
            raise MicrophoneUnavailable(
                f"sounddevice cannot load PortAudio ({err}): `sudo apt-get install libportaudio2` "
                f"on Debian/Ubuntu, `brew install portaudio` on macOS. Running without sound."
            ) from err
        return sounddevice

    def __enter__(self) -> Microphone:
        sd = self.library()

        def callback(indata, frames, time_info, status) -> None:  # runs in PortAudio's thread
            self.buffer.push(indata[:, 0])

        try:
            self.stream = sd.InputStream(samplerate=self.buffer.sr, channels=1, dtype="float32",
                                         device=self.device, callback=callback)
            self.stream.start()
        except Exception as err:  # noqa: BLE001 - no device, busy device, no permission
            raise MicrophoneUnavailable(f"the microphone cannot be opened ({err}). Check the "
                                        f"input device and its permission. Running without "
                                        f"sound.") from err
        return self

    def __exit__(self, *exc: object) -> None:
        if self.stream is not None:
            self.stream.stop()
            self.stream.close()


def sound_track(path: str | Path) -> np.ndarray | None:
    """A video's audio track at 16 kHz, or None (with a message) if it has none."""
    from utils.audio import load_audio

    try:
        return load_audio(path, sr=SAMPLE_RATE)
    except (ValueError, RuntimeError, OSError) as err:
        print(f"{path}: no usable sound track ({err}); running on the face alone")
        return None


# ---------------------------------------------------------------------------------------------
# Colab: the camera belongs to the browser
# ---------------------------------------------------------------------------------------------

_SNAPSHOT_JS = """
async function courseSnapshot(quality) {
  const video = document.createElement('video');
  const stream = await navigator.mediaDevices.getUserMedia({video: true});
  document.body.appendChild(video);
  video.srcObject = stream;
  await video.play();
  await new Promise((resolve) => setTimeout(resolve, 800));  // let the exposure settle
  const canvas = document.createElement('canvas');
  canvas.width = video.videoWidth;
  canvas.height = video.videoHeight;
  canvas.getContext('2d').drawImage(video, 0, 0);
  stream.getVideoTracks()[0].stop();
  video.remove();
  return canvas.toDataURL('image/jpeg', quality);
}
"""


def colab_snapshot(quality: float = 0.8) -> np.ndarray:
    """One webcam frame (BGR) taken by the browser, for Colab, where Python has no camera.

    Colab's Python runs on a server in a data centre: ``cv2.VideoCapture(0)`` there finds no
    camera. The browser has yours, so a little JavaScript asks for it (the browser shows a
    permission prompt), draws one frame on a canvas and sends it back as a JPEG. One snapshot
    per call: a live stream through the notebook is too slow for a real-time loop.
    """
    import base64

    import cv2
    from google.colab.output import eval_js  # only in Colab
    from IPython.display import Javascript, display

    display(Javascript(_SNAPSHOT_JS))
    data = eval_js(f"courseSnapshot({quality})")
    raw = np.frombuffer(base64.b64decode(data.split(",", 1)[1]), np.uint8)
    return cv2.imdecode(raw, cv2.IMREAD_COLOR)
