"""The real-time demo: webcam (or a video file) + microphone (or the file's sound) + text, fused.

One loop step (:meth:`EmotionLoop.step`) takes a frame and returns a result:

1. the largest face is found on a downscaled copy of the frame (dlib HOG), cropped to 48x48 and
   classified by the face model; its eye aspect ratio feeds a blink counter;
2. every ``speech_every`` seconds the speech model hears the last 3 seconds of a rolling audio
   buffer (skipped when the buffer is silent);
3. face and speech probabilities are smoothed over time (exponential moving average), mapped to
   the canonical seven emotions and fused with the text's, if a text was given
   (:mod:`utils.fusion`).

The loop never dies on one bad input: a missing or blank frame, a frame without a face, a silent
buffer or a model error on one frame is reported in the result's ``status`` and the modality
counts as missing. :func:`run` drives the loop from a camera or a file, shows a window when there
is a screen and writes an annotated mp4 on request; headless it returns one row per frame.

Command line::

    python -m utils.realtime [--camera 0 | --video FILE] [--no-audio] [--seconds N] [--out FILE]

The microphone needs the optional ``sounddevice`` package (and the PortAudio library); without it
the demo runs on the face (and text) alone and says why.
"""

from __future__ import annotations

import argparse
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from utils import fusion
from utils.labels import EMOTIONS

SAMPLE_RATE = 16_000      # the speech model's rate
AUDIO_SECONDS = 3.0       # the speech model hears 3 s at a time
SPEECH_EVERY = 0.5        # seconds between two speech predictions
SILENCE_RMS = 0.003       # root-mean-square level (about -50 dBFS) below which audio is silence
FACE_HOLD = 1.0           # seconds a face's last probabilities are kept after it is lost
WINDOW_NAME = "emotion demo (q quits)"


class CameraError(RuntimeError):
    """A camera or video that cannot be opened, with what to try instead."""


class MicrophoneUnavailable(RuntimeError):
    """No microphone library or device: the demo goes on without sound."""


# ---------------------------------------------------------------------------------------------
# Sources: camera or file, microphone
# ---------------------------------------------------------------------------------------------


def open_capture(source: int | str | Path) -> Any:
    """A ``cv2.VideoCapture`` on a webcam index or a video file, or a clear :class:`CameraError`."""
    import cv2

    if isinstance(source, (str, Path)) and not str(source).isdigit():
        path = Path(source)
        if not path.is_file():
            raise CameraError(f"no video file {path}: check the path, or use --camera 0 for a "
                              f"webcam")
        capture = cv2.VideoCapture(str(path))
        if not capture.isOpened():
            raise CameraError(f"OpenCV cannot read {path}: try an .mp4 (H.264) or .avi file")
        return capture
    index = int(source)
    capture = cv2.VideoCapture(index)
    if not capture.isOpened():
        capture.release()
        raise CameraError(
            f"camera {index} cannot be opened. Try another index (--camera {index + 1}), close "
            f"other programs that use the camera, allow camera access for your terminal or "
            f"Jupyter (macOS: System Settings > Privacy & Security > Camera), or run on a video "
            f"file instead: python -m utils.realtime --video FILE. In Colab the camera belongs to "
            f"the browser, not to Python: see colab_snapshot().")
    return capture


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


# ---------------------------------------------------------------------------------------------
# Small state over time: smoothing and blinks
# ---------------------------------------------------------------------------------------------


class Smoother:
    """Exponential moving average of probability vectors; ``None`` holds the last value a while.

    ``alpha`` is the weight of the newest vector (1: no smoothing). After ``hold`` seconds
    without a new vector the value is dropped (the modality counts as missing).
    """

    def __init__(self, alpha: float = 0.3, hold: float = FACE_HOLD) -> None:
        if not 0 < alpha <= 1:
            raise ValueError(f"alpha must be in (0, 1], not {alpha}")
        self.alpha, self.hold = alpha, hold
        self.value: np.ndarray | None = None
        self.updated = -np.inf

    def update(self, probs: np.ndarray | None, t: float) -> np.ndarray | None:
        """Fold in ``probs`` seen at time ``t`` (seconds); return the smoothed vector or None."""
        if probs is not None and np.all(np.isfinite(probs)):
            probs = np.asarray(probs, dtype=np.float64)
            self.value = probs if self.value is None else \
                self.alpha * probs + (1 - self.alpha) * self.value
            self.updated = t
        elif t - self.updated > self.hold:
            self.value = None
        return self.value


class BlinkCounter:
    """Counts blinks online: a run of 1-``max_frames`` frames with an eye aspect ratio below the
    threshold (frames without a face end a run and never count as closed)."""

    def __init__(self, threshold: float | None = None, max_frames: int = 10) -> None:
        from utils.vision import BLINK_THRESHOLD

        self.threshold = BLINK_THRESHOLD if threshold is None else threshold
        self.max_frames, self.count, self.run = max_frames, 0, 0

    def update(self, ear: float | None) -> int:
        """Fold in one frame's EAR (None or NaN: no face); return the blinks counted so far."""
        if ear is not None and np.isfinite(ear) and ear < self.threshold:
            self.run += 1
            return self.count
        if 1 <= self.run <= self.max_frames:
            self.count += 1
        self.run = 0
        return self.count


# ---------------------------------------------------------------------------------------------
# The loop
# ---------------------------------------------------------------------------------------------


def _as_bgr(frame: Any) -> np.ndarray | None:
    """The frame as a uint8 BGR array, or None if it is not a usable image."""
    if not isinstance(frame, np.ndarray) or frame.size == 0 or frame.ndim not in (2, 3):
        return None
    if frame.dtype != np.uint8:
        return None
    if frame.ndim == 2:
        return np.repeat(frame[..., None], 3, axis=2)
    if frame.shape[2] == 4:
        return np.ascontiguousarray(frame[..., :3])
    return frame if frame.shape[2] == 3 else None


class EmotionLoop:
    """Frame in, fused emotion out: the state and the models of the real-time demo.

    ``face_predict`` maps faces ``(n, 48, 48)`` to FER2013 probabilities and ``speech_predict`` a
    16 kHz signal to RAVDESS probabilities; by default the shipped models are loaded
    (``speech=False`` leaves speech out). ``text_model`` is loaded on the first :meth:`set_text`.
    ``rule`` and ``weights`` are those of :func:`utils.fusion.fuse`.
    """

    def __init__(self, face_predict: Callable | None = None, speech_predict: Callable | None = None,
                 speech: bool = True, alpha: float = 0.3, speech_every: float = SPEECH_EVERY,
                 max_width: int | None = 320, rule: str = "mean",
                 weights: dict[str, float] | None = None, silence_rms: float = SILENCE_RMS,
                 text_model: Any = None) -> None:
        from utils import vision

        if face_predict is None:
            face_predict = vision.face_predictor(vision.load_face_model(), flip=False)
        if speech and speech_predict is None:
            from utils.audio import speech_predictor

            speech_predict = speech_predictor()
        self.face_predict, self.speech_predict = face_predict, speech_predict if speech else None
        self.speech_every, self.max_width, self.silence_rms = speech_every, max_width, silence_rms
        self.rule, self.weights, self.text_model = rule, weights, text_model
        self.audio = AudioBuffer()
        self.face_smoother = Smoother(alpha, hold=FACE_HOLD)
        self.speech_smoother = Smoother(0.5, hold=3 * speech_every)
        self.blinks = BlinkCounter()
        self.text_probs: np.ndarray | None = None
        self.text = ""
        self._last_speech = -np.inf
        self._speech_ran = False
        self._speech_status = "no sound yet" if speech else "speech off"
        self._fps: float | None = None
        self._last_time: float | None = None
        self._start = time.perf_counter()

    # --- text ---------------------------------------------------------------------------------
    def set_text(self, text: str | None) -> np.ndarray | None:
        """The third modality: a sentence, classified once and fused with every frame after.

        An empty text (or one without any known word) removes the text modality.
        """
        self.text = (text or "").strip()
        self.text_probs = None
        if self.text:
            try:
                if self.text_model is None:
                    from utils.text import load_text_model

                    self.text_model = load_text_model("text_emotion")
                raw = self.text_model.predict_proba([self.text])[0]
                self.text_probs = fusion.to_canonical(raw, "text")
            except ValueError:
                self.text_probs = None  # no word the model knows: no text evidence
        return self.text_probs

    # --- one step -----------------------------------------------------------------------------
    def step(self, frame: Any, t: float | None = None) -> dict:
        """Process one frame (BGR, as OpenCV reads it) seen at time ``t`` (seconds).

        Returns a dict: ``time``, ``face`` (found?), ``box``, ``ear``, ``blinks``, the canonical
        probabilities ``face_probs``/``speech_probs``/``text_probs``/``fused`` (None when
        missing), ``label`` (None when nothing is known), ``status`` (what was missing or went
        wrong), ``speech_ran`` (whether this step asked the speech model), ``fps`` and
        ``latency_ms``. Never raises for a bad frame or a model error.
        """
        start = time.perf_counter()
        t = start - self._start if t is None else float(t)
        status: list[str] = []
        result: dict = {"time": t, "face": False, "box": None, "ear": np.nan}
        raw_face = self._face(frame, result, status)
        result["blinks"] = self.blinks.update(result["ear"] if result["face"] else None)
        face = self.face_smoother.update(raw_face, t)
        speech = self.speech_smoother.update(self._speech(t, status), t)
        if self.speech_predict is not None and speech is None and "silence" not in status \
                and self._speech_status:
            status.append(self._speech_status)
        probs = {"face": face, "speech": speech, "text": self.text_probs}
        present = {name: p[None] for name, p in probs.items() if p is not None}
        fused = fusion.fuse(present, self.rule, self.weights)[0] if present else None
        if fused is not None and not np.all(np.isfinite(fused)):
            fused = None
        result["speech_ran"] = self._speech_ran
        result.update(face_probs=face, speech_probs=speech, text_probs=self.text_probs,
                      fused=fused, label=EMOTIONS[int(np.argmax(fused))] if fused is not None
                      else None, status="; ".join(status))
        if self._last_time is not None and start > self._last_time:  # wall clock: real speed
            rate = 1.0 / (start - self._last_time)
            self._fps = rate if self._fps is None else 0.9 * self._fps + 0.1 * rate
        self._last_time = start
        result["fps"] = self._fps
        result["latency_ms"] = 1000 * (time.perf_counter() - start)
        return result

    def _face(self, frame: Any, result: dict, status: list[str]) -> np.ndarray | None:
        """Face probabilities (canonical) of the largest face, or None; fills box and EAR."""
        from utils import vision

        bgr = _as_bgr(frame)
        if bgr is None:
            status.append("no frame")
            return None
        try:
            rgb = np.ascontiguousarray(bgr[..., ::-1])
            boxes, faces = vision.extract_faces(rgb, max_width=self.max_width)
            if not boxes:
                status.append("no face")
                return None
            result.update(face=True, box=tuple(boxes[0]))
            if len(boxes) > 1:
                status.append(f"{len(boxes)} faces: the largest is read")
            try:
                result["ear"] = vision.face_ear(vision.landmarks(rgb, boxes[0]))
            except ValueError:
                pass
            probs = np.asarray(self.face_predict(faces[:1]))[0]
            return fusion.to_canonical(probs, "face")
        except Exception as err:  # noqa: BLE001 - one bad frame must not stop the demo
            status.append(f"face error: {type(err).__name__}: {err}")
            return None

    def _speech(self, t: float, status: list[str]) -> np.ndarray | None:
        """New speech probabilities every ``speech_every`` seconds, or None in between."""
        self._speech_ran = False
        if self.speech_predict is None or t - self._last_speech < self.speech_every:
            return None
        self._last_speech = t
        if self.audio.seconds < 0.5:
            self._speech_status = "no sound yet"
            return None
        if self.audio.rms() < self.silence_rms:
            status.append("silence")
            self.speech_smoother.value = None  # silence: the voice says nothing any more
            return None
        try:
            self._speech_ran = True
            probs = np.asarray(self.speech_predict(self.audio.signal()))
            self._speech_status = ""
            return fusion.to_canonical(probs, "speech")
        except Exception as err:  # noqa: BLE001
            status.append(f"speech error: {type(err).__name__}: {err}")
            return None

    # --- drawing ------------------------------------------------------------------------------
    def annotate(self, frame: Any, result: dict) -> np.ndarray:
        """A copy of the frame with the face box, the top emotions as bars, the label and fps."""
        return annotate(frame, result, text=self.text)


def _top(probs: np.ndarray | None, k: int = 3) -> list[tuple[str, float]]:
    if probs is None:
        return []
    order = np.argsort(probs)[::-1][:k]
    return [(EMOTIONS[i], float(probs[i])) for i in order]


def annotate(frame: Any, result: dict, text: str = "") -> np.ndarray:
    """Draw a result on a copy of its BGR frame (a grey canvas if the frame is unusable)."""
    import cv2

    bgr = _as_bgr(frame)
    canvas = np.full((360, 640, 3), 60, np.uint8) if bgr is None else bgr.copy()
    height, width = canvas.shape[:2]
    scale = max(0.65, width / 1280)  # readable on a 640-pixel frame, proportional above
    font, green, white = cv2.FONT_HERSHEY_SIMPLEX, (80, 220, 80), (255, 255, 255)
    if result.get("box"):
        left, top, right, bottom = result["box"]
        cv2.rectangle(canvas, (left, top), (right, bottom), green, max(1, int(2 * scale)))
    panel_w = int(330 * scale)
    overlay = canvas.copy()
    cv2.rectangle(overlay, (0, 0), (panel_w, int(205 * scale)), (0, 0, 0), -1)
    canvas = cv2.addWeighted(overlay, 0.55, canvas, 0.45, 0)
    line = int(24 * scale)
    label = result.get("label") or "?"
    cv2.putText(canvas, label, (int(8 * scale), line + 4), font, 0.9 * scale * 1.6, green,
                max(1, int(2 * scale)), cv2.LINE_AA)
    y = 2 * line + int(8 * scale)
    for name, p in _top(result.get("fused")):
        bar = int(p * (panel_w - int(190 * scale)))
        cv2.rectangle(canvas, (int(120 * scale), y - line // 2), (int(120 * scale) + bar, y + 2),
                      green, -1)
        cv2.putText(canvas, f"{name}", (int(8 * scale), y), font, 0.5 * scale * 1.6, white, 1,
                    cv2.LINE_AA)
        cv2.putText(canvas, f"{p:.0%}", (int(124 * scale) + bar, y), font, 0.45 * scale * 1.6,
                    white, 1, cv2.LINE_AA)
        y += line
    for modality in ("face", "speech", "text"):
        top = _top(result.get(f"{modality}_probs"), 1)
        said = f"{top[0][0]} {top[0][1]:.0%}" if top else "-"
        cv2.putText(canvas, f"{modality}: {said}", (int(8 * scale), y), font, 0.42 * scale * 1.6,
                    white, 1, cv2.LINE_AA)
        y += int(line * 0.8)
    fps = result.get("fps")
    info = f"{fps:.0f} fps" if fps else ""
    info += f"  blinks {result.get('blinks', 0)}"
    cv2.putText(canvas, info, (int(8 * scale), y), font, 0.42 * scale * 1.6, white, 1,
                cv2.LINE_AA)
    if result.get("status"):
        cv2.putText(canvas, result["status"][:60], (int(8 * scale), height - int(12 * scale)),
                    font, 0.5 * scale * 1.6, (60, 180, 255), 1, cv2.LINE_AA)
    if text:
        cv2.putText(canvas, f"text: {text[:50]}", (int(8 * scale), height - int(40 * scale)),
                    font, 0.45 * scale * 1.6, white, 1, cv2.LINE_AA)
    return canvas


# ---------------------------------------------------------------------------------------------
# Driving the loop
# ---------------------------------------------------------------------------------------------


def _row(result: dict) -> dict:
    """One DataFrame row of a step's result: scalars plus fused_/face_/speech_ probabilities."""
    row = {k: result.get(k) for k in ("time", "face", "box", "ear", "blinks", "label", "status",
                                      "speech_ran", "fps", "latency_ms")}
    for name in ("fused", "face", "speech"):
        probs = result.get(name if name == "fused" else f"{name}_probs")
        for i, emotion in enumerate(EMOTIONS):
            row[f"{name}_{emotion}"] = np.nan if probs is None else float(probs[i])
    return row


def run(source: int | str | Path = 0, loop: EmotionLoop | None = None, sound: bool = True,
        seconds: float | None = None, max_frames: int | None = None, out: str | Path | None = None,
        show: bool | None = None, keep: dict[int, Any] | None = None, text: str | None = None,
        **loop_options: Any) -> pd.DataFrame:
    """Run the demo on a webcam index or a video file; one row per processed frame.

    Sound comes from the microphone for a camera (if ``sounddevice`` works) and from the file's
    own audio track for a video, fed in step with the frames' timestamps. ``show`` opens a window
    (default: when there is a screen and the source is a camera; ``q`` quits). ``out`` writes an
    annotated mp4; ``keep`` is a dict whose keys are frame indices: their annotated images (BGR)
    are stored under those keys. A camera that cannot be opened raises :class:`CameraError`.
    """
    import cv2

    from utils.config import runtime

    is_file = isinstance(source, (str, Path)) and not str(source).isdigit()
    capture = open_capture(source)
    loop = loop or EmotionLoop(speech=sound, **loop_options)
    if text is not None:
        loop.set_text(text)
    show = (runtime() == "local" and not is_file) if show is None else show
    if show and runtime() != "local":
        capture.release()
        raise RuntimeError("no screen to open a window on: pass show=False (or --out FILE to "
                           "write an annotated video)")
    fps = (capture.get(cv2.CAP_PROP_FPS) or 25.0) if is_file else None
    track, microphone = None, None
    if sound and loop.speech_predict is not None:
        if is_file:
            track = _sound_track(source)
        else:
            try:
                microphone = Microphone(loop.audio).__enter__()
            except MicrophoneUnavailable as err:
                print(err)
    writer, rows, fed, failures = None, [], 0, 0
    keep = {} if keep is None else keep
    start = time.perf_counter()
    try:
        while max_frames is None or len(rows) < max_frames:
            ok, frame = capture.read()
            if not ok:
                failures += 1
                if is_file or failures > 50:
                    if not is_file:
                        print(f"camera {source} stopped sending frames")
                    break
                frame = None  # a camera hiccup: one empty frame, the loop goes on
            else:
                failures = 0
            t = len(rows) / fps if is_file else time.perf_counter() - start
            if seconds is not None and t > seconds:
                break
            if track is not None:
                upto = min(len(track), int(round(t * SAMPLE_RATE)) + int(SAMPLE_RATE / fps))
                loop.audio.push(track[fed:upto])
                fed = max(fed, upto)
            result = loop.step(frame, t)
            rows.append(_row(result))
            if out is not None or show or len(rows) - 1 in keep:
                image = loop.annotate(frame, result)
                if len(rows) - 1 in keep:
                    keep[len(rows) - 1] = image
                if out is not None:
                    writer = writer or _writer(out, image.shape, fps or 15.0)
                    writer.write(image)
                if show:
                    cv2.imshow(WINDOW_NAME, image)
                    if cv2.waitKey(1) & 0xFF == ord("q"):
                        break
    finally:
        capture.release()
        if microphone is not None:
            microphone.__exit__(None, None, None)
        if writer is not None:
            writer.release()
        if show:
            cv2.destroyAllWindows()
    return pd.DataFrame(rows)


def video_face_probs(path: str | Path, face_predict: Callable, step: int = 1,
                     max_width: int | None = 320) -> tuple[np.ndarray, np.ndarray]:
    """Face-model probabilities of every ``step``-th frame of a video: ``(times (s), (T, 7))``.

    The largest face of each frame is read; frames without a face are NaN rows (as
    :func:`utils.fusion.aggregate_frames` expects). Offline, for whole clips: no smoothing.
    """
    import cv2

    from utils import vision

    capture = open_capture(path)
    fps = capture.get(cv2.CAP_PROP_FPS) or 25.0
    times, rows, index = [], [], 0
    try:
        while True:
            ok, frame = capture.read()
            if not ok:
                break
            if index % step == 0:
                _, faces = vision.extract_faces(np.ascontiguousarray(frame[..., ::-1]),
                                                max_width=max_width)
                rows.append(np.asarray(face_predict(faces[:1]))[0] if len(faces)
                            else np.full(len(EMOTIONS), np.nan))
                times.append(index / fps)
            index += 1
    finally:
        capture.release()
    if not rows:
        raise ValueError(f"{path}: no frame could be decoded")
    return np.array(times), np.vstack(rows)


def clip_probabilities(paths: Sequence[str | Path], face_predict: Callable,
                       speech_predict: Callable, step: int = 3,
                       aggregation: str = "log_mean") -> dict[str, np.ndarray]:
    """Canonical face and speech probabilities of whole audio-visual clips, for fusion.

    The face modality is :func:`video_face_probs` of every ``step``-th frame aggregated over the
    clip (:func:`utils.fusion.aggregate_frames`, NaN if no frame had a face); the speech modality
    is the speech model on the clip's sound track. Returns ``{"face": (n, 7), "speech": (n, 7)}``.
    """
    from utils.audio import load_audio

    face, speech = [], []
    for path in paths:
        _, frames = video_face_probs(path, face_predict, step=step)
        face.append(fusion.aggregate_frames(frames, aggregation))
        speech.append(fusion.to_canonical(speech_predict(load_audio(path)), "speech"))
    return {"face": np.vstack(face), "speech": np.vstack(speech)}


def _sound_track(path: str | Path) -> np.ndarray | None:
    """A video's audio track at 16 kHz, or None (with a message) if it has none."""
    from utils.audio import load_audio

    try:
        return load_audio(path, sr=SAMPLE_RATE)
    except (ValueError, RuntimeError, OSError) as err:
        print(f"{path}: no usable sound track ({err}); running on the face alone")
        return None


def _writer(path: str | Path, shape: tuple[int, ...], fps: float) -> Any:
    """An mp4 writer for annotated frames of ``shape``."""
    import cv2

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"mp4v"), fps,
                             (shape[1], shape[0]))
    if not writer.isOpened():
        raise RuntimeError(f"OpenCV cannot write {path}: try a .avi file name")
    return writer


def summary(frames: pd.DataFrame) -> dict:
    """What a run saw: frames, share with a face, blinks, the most frequent label, latency."""
    labels = frames["label"].dropna()
    return {"frames": int(len(frames)),
            "face_found": float(frames["face"].mean()) if len(frames) else 0.0,
            "blinks": int(frames["blinks"].max()) if len(frames) else 0,
            "most_frequent_label": labels.mode().iloc[0] if len(labels) else None,
            "median_latency_ms": round(float(frames["latency_ms"].median()), 1)
            if len(frames) else None}


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


# ---------------------------------------------------------------------------------------------
# Command line
# ---------------------------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> pd.DataFrame | None:
    """``python -m utils.realtime``: the demo in a window, or headless on a file."""
    parser = argparse.ArgumentParser(prog="python -m utils.realtime", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    source = parser.add_mutually_exclusive_group()
    source.add_argument("--camera", type=int, default=0, help="webcam index (default 0)")
    source.add_argument("--video", type=Path, help="a video file instead of the webcam")
    parser.add_argument("--no-audio", action="store_true", help="leave speech out")
    parser.add_argument("--seconds", type=float, default=None, help="stop after N seconds")
    parser.add_argument("--out", type=Path, default=None, help="write an annotated mp4 here")
    parser.add_argument("--text", default=None, help="a sentence fused as the third modality")
    parser.add_argument("--no-window", action="store_true", help="no window, even with a screen")
    args = parser.parse_args(argv)
    try:
        frames = run(args.video if args.video is not None else args.camera,
                     sound=not args.no_audio, seconds=args.seconds, out=args.out,
                     show=False if args.no_window else None, text=args.text)
    except (CameraError, RuntimeError) as err:
        parser.exit(2, f"error: {err}\n")
    print(summary(frames))
    if args.out is not None:
        print(f"annotated video: {args.out}")
    return frames


if __name__ == "__main__":
    main()
