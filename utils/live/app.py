"""The live demo as a web page (Gradio): the browser's webcam and microphone, the same loop.

:func:`build` makes the page and :func:`launch` serves it (``python -m utils.app``, ``make app``,
or inline in a notebook, Colab included: there the camera and microphone are the student's
browser's, which is exactly what the page streams). The browser streams webcam frames
(``gr.Image(sources=["webcam"], streaming=True)``, every :data:`FRAME_EVERY` s) and microphone
chunks (``gr.Audio(streaming=True)``, every :data:`AUDIO_EVERY` s) to Python; both feed one
:class:`Session` per browser tab, around the :class:`~utils.live.loop.EmotionLoop` of the OpenCV
demo. Frames go through the loop and come back annotated by the same overlay; audio is resampled
to 16 kHz and pushed into the loop's buffer, and the speech model runs in the microphone's
handler (:class:`HeardSpeech`), so that a frame never waits for the voice. A text box sets the
text modality; a timer (:data:`TICK`) refreshes the voice and text emotions, the status line and
a timeline of the last :data:`HISTORY_SECONDS` seconds.

Nothing blocks on a missing input: no frame for a while says "no camera", a frame without a face
"no face", a quiet microphone "silence", and every handler catches its own errors.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd

from utils.labels import EMOTIONS
from utils.live.io import SAMPLE_RATE
from utils.live.loop import EmotionLoop
from utils.live.session import warm_up

FRAME_EVERY = 0.06     # s between two webcam frames sent by the browser (at most)
AUDIO_EVERY = 0.5      # s between two microphone chunks
TICK = 0.5             # s between two refreshes of the slow panels
HISTORY_SECONDS = 20.0
STALE = 2.0            # s without a frame (or a sound chunk) before the page says it is off
MODALITIES = {"face": "face_probs", "voice": "speech_probs", "text": "text_probs",
              "fused": "fused"}

# Chrome's voice processing (auto gain, noise suppression, echo cancellation) changes the level
# and spectrum of the microphone; the speech model was trained on unprocessed recordings.
RAW_MIC_JS = """<script>
(() => {
  const md = navigator.mediaDevices;
  if (!md || md.__rawMic) return;
  const original = md.getUserMedia.bind(md);
  md.getUserMedia = (c) => {
    if (c && c.audio) {
      const a = c.audio === true ? {} : c.audio;
      c = {...c, audio: {...a, echoCancellation: false, noiseSuppression: false,
                         autoGainControl: false}};
    }
    return original(c);
  };
  md.__rawMic = true;
})();
</script>"""


class HeardSpeech:
    """The speech model run by the microphone's handler; the loop reads its last answer.

    :meth:`hear` runs the model on a signal; calling the object (what the loop does every half
    second) returns the last probabilities heard, or runs the model once if none was yet.
    """

    def __init__(self, predict: Any) -> None:
        self.predict, self.last = predict, None
        self.lock = threading.Lock()

    def hear(self, signal: np.ndarray) -> np.ndarray | None:
        """The model's answer for ``signal``, kept for the loop; None (and nothing kept) when the
        signal holds no speech (:class:`~utils.audio.nospeech.NoSpeech`)."""
        from utils.audio.nospeech import NoSpeech

        try:
            probs = np.asarray(self.predict(signal))
        except NoSpeech:
            probs = None
        with self.lock:
            self.last = probs
        return probs

    def __call__(self, signal: np.ndarray) -> np.ndarray:
        """The last answer heard; with none, the model itself (a NoSpeech reaches the loop,
        which shows it and goes on)."""
        with self.lock:
            last = self.last
        return np.asarray(self.predict(signal)) if last is None else last


@lru_cache(maxsize=1)
def models() -> dict[str, Any]:
    """The shipped face, speech and text models, loaded and called once, shared by all tabs."""
    from utils.audio import speech_predictor
    from utils.text.predict import load_text_model
    from utils.video.predict import face_predictor, load_face_model

    text = load_text_model("text_emotion")
    text.predict_proba(["warm up"])
    loop = warm_up(EmotionLoop(face_predictor(load_face_model(), flip=False),
                               speech_predictor(), text_model=text))
    return {"face": loop.face_predict, "speech": loop.speech_predict, "text": text}


def to_16k_mono(chunk: tuple[int, np.ndarray] | None) -> np.ndarray | None:
    """A Gradio audio chunk ``(rate, samples (n,) or (n, channels))`` as 16 kHz float32 mono in
    [-1, 1]; None for an empty or malformed chunk."""
    from scipy.signal import resample_poly

    if not chunk or len(chunk) != 2 or chunk[1] is None:
        return None
    rate, samples = int(chunk[0]), np.asarray(chunk[1])
    if samples.size == 0 or rate <= 0:
        return None
    if np.issubdtype(samples.dtype, np.integer):
        samples = samples.astype(np.float32) / float(np.iinfo(samples.dtype).max)
    samples = samples.astype(np.float32)
    if samples.ndim == 2:
        samples = samples.mean(axis=1)
    if rate != SAMPLE_RATE:
        g = np.gcd(rate, SAMPLE_RATE)
        samples = resample_poly(samples, SAMPLE_RATE // g, rate // g).astype(np.float32)
    return samples


class Session:
    """One browser tab: its loop, a lock (frames, audio and the timer arrive on different
    threads), the recent history for the timeline, and when each input was last seen."""

    def __init__(self, loop: EmotionLoop | None = None) -> None:
        if loop is None:
            m = models()
            loop = EmotionLoop(m["face"], HeardSpeech(m["speech"]), text_model=m["text"])
        self.loop, self.lock = loop, threading.Lock()
        self.start = time.perf_counter()
        self.history: deque[dict] = deque()
        self.last_result: dict | None = None
        self.last_frame_at = self.last_audio_at = -np.inf
        self.frames = self.fused_updates = 0

    def __deepcopy__(self, memo: dict) -> Session:
        return self  # Gradio deep-copies a State's value; this one is already per tab

    def now(self) -> float:
        return time.perf_counter() - self.start

    def frame(self, rgb: np.ndarray | None) -> dict:
        """One webcam frame (RGB) through the loop; None steps the loop without a frame."""
        bgr = None if rgb is None else np.ascontiguousarray(np.asarray(rgb)[..., 2::-1])
        with self.lock:
            t = self.now()
            result = self.loop.step(bgr, t)
            if rgb is not None:  # when it was done: a slow first frame must not read as "no camera"
                self.last_frame_at, self.frames = self.now(), self.frames + 1
            self.last_result = result
            self.fused_updates += result["fused"] is not None
            self.history.append({"t": t, **{name: result.get(key)
                                            for name, key in MODALITIES.items()}})
            while self.history[0]["t"] < t - HISTORY_SECONDS:
                self.history.popleft()
            return result

    def audio(self, chunk: tuple[int, np.ndarray] | None) -> None:
        """One microphone chunk: 16 kHz mono into the loop's buffer, then the speech model
        (unless the last 3 s are silent)."""
        samples = to_16k_mono(chunk)
        if samples is None:
            return
        self.loop.audio.push(samples)
        self.last_audio_at = self.now()
        speech = self.loop.speech_predict
        if isinstance(speech, HeardSpeech) and self.loop.audio.rms() >= self.loop.silence_rms:
            speech.hear(self.loop.audio.signal())

    def status(self) -> str:
        """What is missing right now, in words."""
        t, parts = self.now(), []
        if t - self.last_frame_at > STALE:
            parts.append("no camera: allow it and press Record on the webcam panel")
        elif self.last_result is not None and not self.last_result["face"]:
            parts.append("no face in view")
        if t - self.last_audio_at > STALE:
            parts.append("no microphone: allow it and press Record on the microphone panel")
        elif self.loop.audio.rms() < self.loop.silence_rms:
            parts.append("silence")
        if self.last_result is not None:
            parts += [s for s in self.last_result["status"].split("; ")
                      if s and s not in ("no face", "no frame", "silence", "no sound yet")]
        return "; ".join(parts) or "ok: face, voice and text all read"

    def timeline(self, emotion: str) -> pd.DataFrame:
        """The last seconds as a long table: t (s before now), modality, p(emotion)."""
        k = EMOTIONS.index(emotion) if emotion in EMOTIONS else EMOTIONS.index("happy")
        now = self.now()
        rows = [{"t": round(h["t"] - now, 2), "modality": name, "p": float(h[name][k])}
                for h in list(self.history) for name in MODALITIES if h[name] is not None]
        return pd.DataFrame(rows + _legend_rows())


def _legend_rows() -> list[dict]:
    """One empty row per modality: the chart's colours are fixed by the first data it gets, so
    a modality absent then would never get a line."""
    return [{"t": -HISTORY_SECONDS, "modality": name, "p": np.nan} for name in MODALITIES]


def probs_dict(probs: np.ndarray | None) -> dict[str, float] | None:
    """Canonical probabilities as a ``gr.Label`` value (None: nothing shown)."""
    return None if probs is None else {e: float(p) for e, p in zip(EMOTIONS, probs)}


def fused_html(session: Session) -> str:
    """The fused estimate in words, with an update counter (the browser test reads it)."""
    result = session.last_result or {}
    fused = result.get("fused")
    said = f"{result['label']} {float(np.max(fused)):.0%}" if fused is not None \
        else "nothing known yet"
    return (f'<div id="fused_text" data-updates="{session.fused_updates}">fused: <b>{said}</b> '
            f'<small>(update {session.fused_updates}, {session.frames} frames)</small></div>')


# ---------------------------------------------------------------------------------------------
# Event handlers: each catches its own errors, so the page keeps going
# ---------------------------------------------------------------------------------------------


def on_frame(frame: np.ndarray | None, session: Session) -> tuple:
    """A webcam frame: the annotated image, the face emotion, the fused estimate, the blinks."""
    import gradio as gr

    if frame is None:
        return gr.skip(), gr.skip(), gr.skip(), gr.skip()
    try:
        result = session.frame(frame)
        shown = session.loop.annotate(np.asarray(frame)[..., 2::-1], result)[..., ::-1]
        return (shown, probs_dict(result["face_probs"]), fused_html(session),
                str(result["blinks"]))
    except Exception as err:  # noqa: BLE001 - one bad frame must not stop the page
        print(f"frame error: {type(err).__name__}: {err}", flush=True)
        return gr.skip(), gr.skip(), gr.skip(), gr.skip()


def on_audio(chunk: tuple[int, np.ndarray] | None, session: Session) -> None:
    """A microphone chunk into the session's audio buffer (and the speech model)."""
    try:
        session.audio(chunk)
    except Exception as err:  # noqa: BLE001
        print(f"audio error: {type(err).__name__}: {err}", flush=True)


def on_text(text: str, session: Session) -> dict | None:
    """The text modality: classified once, fused with every later frame."""
    try:
        with session.lock:
            return probs_dict(session.loop.set_text(text))
    except Exception as err:  # noqa: BLE001
        print(f"text error: {type(err).__name__}: {err}", flush=True)
        return None


def on_tick(emotion: str, session: Session) -> tuple:
    """Every :data:`TICK` s: voice and text emotions, status, timeline; without camera frames
    it steps the loop itself, so that the voice and the text are still fused and shown."""
    import gradio as gr

    try:
        fused = gr.skip()
        if session.now() - session.last_frame_at > STALE:
            session.frame(None)
            fused = fused_html(session)
        result = session.last_result or {}
        return (probs_dict(result.get("speech_probs")), probs_dict(session.loop.text_probs),
                session.status(), session.timeline(emotion), fused)
    except Exception as err:  # noqa: BLE001
        print(f"tick error: {type(err).__name__}: {err}", flush=True)
        return gr.skip(), gr.skip(), f"error: {err}", gr.skip(), gr.skip()


# ---------------------------------------------------------------------------------------------
# The page
# ---------------------------------------------------------------------------------------------


def _inputs(gr: Any) -> tuple:
    """The webcam, microphone and text box."""
    cam = gr.Image(sources=["webcam"], streaming=True, type="numpy", label="webcam",
                   elem_id="webcam", webcam_options=gr.WebcamOptions(
                       mirror=False, constraints={"video": {"width": {"ideal": 640},
                                                            "height": {"ideal": 480}}}))
    mic = gr.Audio(sources=["microphone"], streaming=True, type="numpy", label="microphone",
                   elem_id="mic")
    text = gr.Textbox(label="text (press Enter)", elem_id="text_in",
                      placeholder="I am so happy to see you!")
    return cam, mic, text


def build() -> Any:
    """The page (a ``gr.Blocks``, not launched); loads the models first."""
    import gradio as gr

    models()  # before the first visitor, not inside their first frame
    with gr.Blocks(title="Live emotion demo") as demo:
        session = gr.State(Session)  # a callable: one Session per browser tab
        gr.Markdown("## Live emotion demo: face, voice and text, fused\n"
                    "Allow the camera and the microphone, press **Record** on the webcam panel, "
                    "then on the microphone panel, and type a sentence.")
        status = gr.Textbox(label="status", elem_id="status", interactive=False,
                            value="press Record on the webcam and the microphone panels")
        with gr.Row():
            with gr.Column(scale=3):
                cam, mic, text = _inputs(gr)
            with gr.Column(scale=4):
                shown = gr.Image(label="what the loop sees", show_label=False,
                                 elem_id="annotated", interactive=False, format="jpeg")
                fused = gr.HTML('<div id="fused_text" data-updates="0">fused: -</div>',
                                elem_id="fused")
                with gr.Row():
                    face_label = gr.Label(label="face", num_top_classes=3, elem_id="face_label")
                    voice_label = gr.Label(label="voice (last 3 s)", num_top_classes=3,
                                           elem_id="voice_label")
                    text_label = gr.Label(label="text", num_top_classes=3, elem_id="text_label")
                blinks = gr.Textbox(label="blinks", value="0", elem_id="blinks",
                                    interactive=False)
        with gr.Row():
            emotion = gr.Dropdown(list(EMOTIONS), value="happy", label="timeline of p(emotion)",
                                  scale=1)
            plot = gr.LinePlot(pd.DataFrame(_legend_rows()), x="t", y="p", color="modality",
                               y_lim=[0, 1], x_lim=[-HISTORY_SECONDS, 0], x_title="seconds ago",
                               y_title="probability", elem_id="timeline", scale=5)
        cam.stream(on_frame, [cam, session], [shown, face_label, fused, blinks],
                   stream_every=FRAME_EVERY, time_limit=None, concurrency_limit=2,
                   show_progress="hidden")
        mic.stream(on_audio, [mic, session], None, stream_every=AUDIO_EVERY, time_limit=None,
                   concurrency_limit=4, show_progress="hidden")
        text.submit(on_text, [text, session], [text_label])
        gr.Timer(TICK).tick(on_tick, [emotion, session],
                            [voice_label, text_label, status, plot, fused],
                            show_progress="hidden", concurrency_limit=4)
    return demo


def launch(host: str = "127.0.0.1", port: int | None = None, block: bool = True,
           **options: Any) -> Any:
    """Build the page and serve it; ``http://127.0.0.1`` is a secure origin for the camera.

    ``block=False`` returns at once with the server running (a notebook, a test); ``options``
    go to ``gr.Blocks.launch`` (``share=True`` for a public link, ``inline`` in a notebook).
    """
    demo = build()
    demo.launch(server_name=host, server_port=port, prevent_thread_lock=not block,
                head=RAW_MIC_JS, show_error=True, **options)
    return demo
