"""utils.live.app without a browser: one session per tab, missing inputs said, never raising."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

from utils.labels import EMOTIONS, RAVDESS_CLASSES
from utils.live import app
from utils.live.loop import EmotionLoop


def fake_face(faces: np.ndarray) -> np.ndarray:
    probs = np.full((len(faces), 7), 0.05)
    probs[:, EMOTIONS.index("happy")] = 0.7
    return probs


def fake_speech(signal: np.ndarray) -> np.ndarray:
    probs = np.full(8, 0.02)
    probs[RAVDESS_CLASSES.index("angry")] = 0.86
    return probs


@pytest.fixture
def session() -> app.Session:
    return app.Session(EmotionLoop(fake_face, app.HeardSpeech(fake_speech)))


@pytest.fixture(scope="module")
def face_rgb() -> np.ndarray:
    from utils.datasets.samples import video

    return next(video.blink_frames())


def _chunk(seconds: float = 0.5, rate: int = 48_000, level: float = 0.3) -> tuple[int, np.ndarray]:
    t = np.arange(int(seconds * rate)) / rate
    return rate, (level * 32767 * np.sin(2 * np.pi * 200 * t)).astype(np.int16)


def test_a_session_is_one_per_tab_and_survives_gradios_deepcopy(session):
    import copy

    assert copy.deepcopy(session) is session


def test_before_any_input_the_page_says_what_to_do(session):
    status = session.status()
    assert "no camera" in status and "no microphone" in status


def test_a_webcam_frame_comes_back_annotated_with_the_face_emotion(session, face_rgb):
    shown, face, fused, blinks = app.on_frame(face_rgb, session)
    assert shown.shape == face_rgb.shape and not np.array_equal(shown, face_rgb)
    assert max(face, key=face.get) == "happy" and "happy" in fused and blinks == "0"
    assert "no camera" not in session.status()


def test_a_frame_without_a_face_and_silence_are_said(session):
    app.on_frame(np.full((480, 640, 3), 128, np.uint8), session)
    app.on_audio(_chunk(level=0.0), session)
    status = session.status()
    assert "no face in view" in status and "silence" in status


def test_the_voice_is_heard_in_the_microphone_handler_and_fused_without_frames(session):
    for _ in range(4):
        app.on_audio(_chunk(), session)
    assert session.loop.speech_predict.last is not None  # the model ran in the handler
    voice, text, status, timeline, fused = app.on_tick("angry", session)  # no camera: ticks step
    assert max(voice, key=voice.get) == "angry" and "angry" in fused and text is None
    assert "no camera" in status and set(timeline["modality"]) >= {"voice", "fused"}


def test_bad_input_never_raises():
    import gradio as gr

    broken = app.Session(EmotionLoop(fake_face, app.HeardSpeech(fake_speech)))
    broken.loop = None  # anything inside a handler failing
    assert app.on_audio(_chunk(), broken) is None
    assert app.on_frame(np.zeros((4, 4, 3), np.uint8), broken)[0] is not None  # gr.skip()
    assert app.on_tick("happy", broken)[2].startswith("error")
    assert app.on_frame(None, broken)[0] == gr.skip()
    assert app.to_16k_mono(None) is None and app.to_16k_mono((48_000, np.array([]))) is None


def test_audio_chunks_become_16_khz_mono():
    rate, samples = _chunk(0.5, 48_000)
    mono = app.to_16k_mono((rate, np.stack([samples, samples], axis=1)))
    assert mono.dtype == np.float32 and mono.shape == (8000,) and 0.2 < np.abs(mono).max() <= 0.31


def test_the_command_has_a_plain_help():
    done = subprocess.run([sys.executable, "-m", "utils.app", "--help"], capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0 and "--port" in done.stdout and "``" not in done.stdout
