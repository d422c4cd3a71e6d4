"""The real-time demo's loop: one frame in, the fused emotion out (:class:`EmotionLoop`).

One loop step (:meth:`EmotionLoop.step`) takes a frame and returns a result:

1. the largest face is found by a :class:`~utils.video.tracking.FaceTracker` (dlib HOG: a full
   scan now and then, a small crop around the last face in between, so faces from 60 px are
   found), cropped to 48x48 and classified by the face model; its eye aspect ratio feeds a blink
   counter (:class:`BlinkCounter`);
2. every ``speech_every`` seconds the speech model hears the last 3 seconds of a rolling audio
   buffer (skipped when the buffer is silent);
3. face and speech probabilities are smoothed over time (:class:`Smoother`, an exponential moving
   average), mapped to the canonical seven emotions and fused with the text's, if a text was given
   (:mod:`utils.fusion`).

The loop never dies on one bad input: a missing or blank frame, a frame without a face, a silent
buffer or a model error on one frame is reported in the result's ``status`` and the modality
counts as missing. Each result's ``ms`` says how long each stage took (detect, landmarks,
face_model, speech, fusion), for ``python -m utils.realtime --benchmark``.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

import numpy as np

from utils import fusion
from utils.labels import EMOTIONS
from utils.live.io import AUDIO_SECONDS, AudioBuffer
from utils.live.overlay import annotate
from utils.video.blinks import BLINK_THRESHOLD, face_ear
from utils.video.faces import as_bgr, crop_face, landmarks, to_gray
from utils.video.predict import face_predictor, load_face_model
from utils.video.tracking import FaceTracker

SPEECH_EVERY = 0.5        # seconds between two speech predictions
SILENCE_RMS = 0.003       # root-mean-square level (about -50 dBFS) below which audio is silence
FACE_HOLD = 1.0           # seconds a face's last probabilities are kept after it is lost


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


class EmotionLoop:
    """Frame in, fused emotion out: the state and the models of the real-time demo.

    ``face_predict`` maps faces ``(n, 48, 48)`` to FER2013 probabilities and ``speech_predict`` a
    16 kHz signal to RAVDESS probabilities; by default the shipped models are loaded
    (``speech=False`` leaves speech out). ``text_model`` is loaded on the first :meth:`set_text`.
    ``rule`` and ``weights`` are those of :func:`utils.fusion.rules.fuse`; ``tracker`` finds
    the faces (default: a :class:`~utils.video.tracking.FaceTracker` for faces from 60 px).
    ``background_speech`` runs the speech model on a worker thread, so a frame never waits for it
    (its answer is fused from the next step on); off by default, so a video file gives the same
    result on every run.
    """

    def __init__(self, face_predict: Callable | None = None, speech_predict: Callable | None = None,
                 speech: bool = True, alpha: float = 0.3, speech_every: float = SPEECH_EVERY,
                 tracker: FaceTracker | None = None, rule: str = "mean",
                 weights: dict[str, float] | None = None, silence_rms: float = SILENCE_RMS,
                 text_model: Any = None, background_speech: bool = False) -> None:
        if face_predict is None:
            face_predict = face_predictor(load_face_model(), flip=False)
        if speech and speech_predict is None:
            from utils.audio import speech_predictor

            # adapts to the voice it hears; overlapping windows each count as part of a clip
            speech_predict = speech_predictor(adapt=speech_every / AUDIO_SECONDS)
        self.face_predict, self.speech_predict = face_predict, speech_predict if speech else None
        self.tracker = tracker or FaceTracker()
        self.speech_every, self.silence_rms = speech_every, silence_rms
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
        self._worker = ThreadPoolExecutor(max_workers=1) if background_speech else None
        self._pending: Future | None = None
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
                    from utils.text.predict import load_text_model

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
        ``latency_ms``, and ``ms``, the milliseconds of each stage that ran. Never raises for a
        bad frame or a model error.
        """
        start = time.perf_counter()
        t = start - self._start if t is None else float(t)
        status: list[str] = []
        result: dict = {"time": t, "face": False, "box": None, "ear": np.nan, "ms": {}}
        raw_face = self._face(frame, result, status)
        result["blinks"] = self.blinks.update(result["ear"] if result["face"] else None)
        face = self.face_smoother.update(raw_face, t)
        clock = time.perf_counter()
        speech = self.speech_smoother.update(self._speech(t, status), t)
        if self._speech_ran:
            result["ms"]["speech"] = 1000 * (time.perf_counter() - clock)
        clock = time.perf_counter()
        if self.speech_predict is not None and speech is None and "silence" not in status \
                and self._speech_status:
            status.append(self._speech_status)
        probs = {"face": face, "speech": speech, "text": self.text_probs}
        present = {name: p[None] for name, p in probs.items() if p is not None}
        fused = fusion.fuse(present, self.rule, self.weights)[0] if present else None
        if fused is not None and not np.all(np.isfinite(fused)):
            fused = None
        result["ms"]["fusion"] = 1000 * (time.perf_counter() - clock)
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
        bgr = as_bgr(frame)
        if bgr is None:
            status.append("no frame")
            return None
        try:
            ms, clock = result["ms"], time.perf_counter()
            gray = to_gray(np.ascontiguousarray(bgr[..., ::-1]))  # once for every stage
            boxes = self.tracker.find(gray)
            ms["detect"] = 1000 * (time.perf_counter() - clock)
            if not boxes:
                status.append("no face")
                return None
            result.update(face=True, box=tuple(boxes[0]))
            if len(boxes) > 1:
                status.append(f"{len(boxes)} faces: the largest is read")
            clock = time.perf_counter()
            try:
                result["ear"] = face_ear(landmarks(gray, boxes[0]))
            except ValueError:
                pass
            ms["landmarks"], clock = 1000 * (time.perf_counter() - clock), time.perf_counter()
            probs = np.asarray(self.face_predict(crop_face(gray, boxes[0], margin=0.1)[None]))[0]
            ms["face_model"] = 1000 * (time.perf_counter() - clock)
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
        self._speech_ran = True
        if self._worker is not None:
            return self._speech_in_background(status)
        return self._speech_answer(lambda: self.speech_predict(self.audio.signal()), status)

    def _speech_in_background(self, status: list[str]) -> np.ndarray | None:
        """Start the speech model on the current buffer unless it is still busy; the answer of
        the run that finished since (None if none did)."""
        done = self._pending if self._pending is not None and self._pending.done() else None
        if self._pending is None or done is not None:
            self._pending = self._worker.submit(self.speech_predict, self.audio.signal())
        return None if done is None else self._speech_answer(done.result, status)

    def _speech_answer(self, answer: Callable[[], Any], status: list[str]) -> np.ndarray | None:
        """Canonical probabilities from ``answer()`` (the speech model's output); None, with the
        reason in ``status``, when there is no speech or the model failed."""
        from utils.audio.nospeech import NoSpeech

        try:
            probs = np.asarray(answer())
            self._speech_status = ""
            return fusion.to_canonical(probs, "speech")
        except NoSpeech as err:  # no voice in the buffer: say so, keep no stale speech answer
            status.append(f"no speech ({err.reason})")
            self.speech_smoother.value = None
            return None
        except Exception as err:  # noqa: BLE001
            status.append(f"speech error: {type(err).__name__}: {err}")
            return None

    # --- drawing ------------------------------------------------------------------------------
    def annotate(self, frame: Any, result: dict) -> np.ndarray:
        """A copy of the frame with the face box, the top emotions as bars, the label and fps."""
        return annotate(frame, result, text=self.text)
