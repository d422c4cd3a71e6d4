"""utils.live and utils.realtime: the demo loop survives bad input, smooths, runs headless on a clip."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from utils import realtime
from utils.labels import EMOTIONS, RAVDESS_CLASSES
from utils.live import overlay
from utils.live.io import SAMPLE_RATE, CameraError
from utils.live.loop import BlinkCounter, EmotionLoop, Smoother
from utils.live.session import run, summary
from utils.video.io import video_frames


class FakeSpeech:
    """A speech model that always hears anger, and counts how often it is asked."""

    def __init__(self) -> None:
        self.calls = 0

    def __call__(self, signal: np.ndarray) -> np.ndarray:
        self.calls += 1
        assert signal.ndim == 1 and signal.size <= 3 * SAMPLE_RATE
        probs = np.full(8, 0.02)
        probs[RAVDESS_CLASSES.index("angry")] = 0.86
        return probs


def fake_face(faces: np.ndarray) -> np.ndarray:
    """A face model that always sees happiness."""
    probs = np.full((len(faces), 7), 0.05)
    probs[:, EMOTIONS.index("happy")] = 0.7
    return probs


@pytest.fixture(scope="module")
def clip(tmp_path_factory) -> Path:
    """The course's synthetic audio-visual clip (3 s, a face blinking twice, a happy voice)."""
    from utils.datasets import samples

    path = tmp_path_factory.mktemp("clip") / samples.video.VIDEO_NAME
    samples.video.write_ravdess_video(path)
    return path


@pytest.fixture(scope="module")
def frame(clip) -> np.ndarray:
    return next(video_frames(clip))[1]


@pytest.fixture
def loop() -> EmotionLoop:
    return EmotionLoop(face_predict=fake_face, speech_predict=FakeSpeech())


def _voice(seconds: float = 2.0) -> np.ndarray:
    t = np.arange(int(seconds * SAMPLE_RATE)) / SAMPLE_RATE
    return (0.2 * np.sin(2 * np.pi * 180 * t)).astype(np.float32)


# --- surviving bad input ----------------------------------------------------------------------


@pytest.mark.parametrize("bad", [None, np.zeros((0, 0, 3), np.uint8), "not an image",
                                 np.zeros((48, 64, 3), np.float64)], ids=str)
def test_a_missing_or_unusable_frame_is_reported_not_raised(loop, bad):
    result = loop.step(bad, t=0.0)
    assert result["status"].startswith("no frame") and result["label"] is None
    assert overlay.annotate(bad, result).shape == (360, 640, 3)  # the overlay still draws


@pytest.mark.parametrize("blank", [np.zeros((480, 640, 3), np.uint8),
                                   np.full((480, 640), 255, np.uint8)], ids=["black", "white"])
def test_a_blank_frame_means_no_face(loop, blank):
    result = loop.step(blank, t=0.0)
    assert not result["face"] and "no face" in result["status"] and result["label"] is None


def test_a_frame_without_a_face_keeps_the_other_modalities(loop):
    from skimage import data

    loop.audio.push(_voice())
    result = loop.step(np.ascontiguousarray(data.coffee()[..., ::-1]), t=0.0)
    assert not result["face"] and "no face" in result["status"]
    assert result["face_probs"] is None and result["label"] == "angry"  # the voice is heard


def test_silent_audio_is_not_sent_to_the_speech_model(frame):
    speech = FakeSpeech()
    loop = EmotionLoop(face_predict=fake_face, speech_predict=speech)
    loop.audio.push(np.zeros(2 * SAMPLE_RATE, np.float32))
    result = loop.step(frame, t=0.0)
    assert speech.calls == 0 and "silence" in result["status"] and not result["speech_ran"]
    assert result["speech_probs"] is None and result["label"] == "happy"  # the face alone


def test_speech_runs_every_half_second_and_is_fused(frame, loop):
    loop.audio.push(_voice())
    results = [loop.step(frame, t=i / 25) for i in range(25)]  # one second of frames
    assert loop.speech_predict.calls == 2
    assert [r["speech_ran"] for r in results].count(True) == 2 and results[0]["speech_ran"]
    fused = results[-1]["fused"]
    assert np.isclose(fused.sum(), 1) and results[-1]["face"]
    assert fused[EMOTIONS.index("angry")] > 0.2 and fused[EMOTIONS.index("happy")] > 0.2


def test_a_model_error_on_one_frame_does_not_stop_the_loop(frame):
    calls = []

    def flaky_face(faces):
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("simulated failure")
        return fake_face(faces)

    loop = EmotionLoop(face_predict=flaky_face, speech=False)
    results = [loop.step(frame, t=i / 25) for i in range(3)]
    assert "face error: RuntimeError: simulated failure" in results[1]["status"]
    assert results[2]["label"] == "happy" and results[2]["status"] == ""


def test_text_is_fused_and_an_empty_text_removes_it(frame):
    class FakeText:
        def predict_proba(self, texts):
            return np.array([[0.9, 0.02, 0.02, 0.02, 0.02, 0.02]])  # sadness

    loop = EmotionLoop(face_predict=fake_face, speech=False, text_model=FakeText())
    loop.set_text("i feel hopeless today")
    with_text = loop.step(frame, t=0.0)
    assert with_text["text_probs"] is not None
    assert with_text["fused"][EMOTIONS.index("sad")] > 0.2
    loop.set_text("")
    assert loop.step(frame, t=0.04)["text_probs"] is None


# --- smoothing and blinks ----------------------------------------------------------------------


def test_smoother_averages_holds_then_drops():
    smoother = Smoother(alpha=0.5, hold=1.0)
    a, b = np.eye(7)[0], np.eye(7)[1]
    smoother.update(a, 0.0)
    assert np.allclose(smoother.update(b, 0.1), (a + b) / 2)
    assert smoother.update(None, 0.5) is not None  # a face lost for half a second is held
    assert smoother.update(None, 1.5) is None      # ... and dropped after a second


def test_blink_counter_counts_short_closures_only():
    counter = BlinkCounter(threshold=0.2, max_frames=3)
    for ear in [0.3, 0.1, 0.1, 0.3, 0.3, 0.1, 0.1, 0.1, 0.1, 0.1, 0.3, None, 0.1, np.nan]:
        counter.update(ear)
    assert counter.count == 2  # the 5-frame closure is not a blink


# --- the demo's runs -----------------------------------------------------------------------------


def test_a_missing_video_file_is_an_error_that_names_it(tmp_path):
    """Called from Python (a notebook) the error stays an exception; tests/test_commands.py
    checks that the command line turns it into one line."""
    with pytest.raises(CameraError, match="nothing.mp4"):
        realtime.main(["--video", str(tmp_path / "nothing.mp4"), "--no-window"])


def test_a_window_without_a_screen_is_refused(clip, monkeypatch):
    monkeypatch.setattr("utils.config.runtime", lambda: "headless")
    loop = EmotionLoop(face_predict=fake_face, speech=False)
    with pytest.raises(RuntimeError, match="no screen"):
        run(clip, loop=loop, show=True)


# --- headless on the sample clip, with the shipped face model -----------------------------------


def test_headless_run_on_the_sample_clip(clip, tmp_path):
    import cv2

    from utils.datasets import samples

    speech = FakeSpeech()
    loop = EmotionLoop(speech_predict=speech)  # the shipped face model
    out = tmp_path / "annotated.mp4"
    kept = {0: None, 30: None}
    frames = run(clip, loop=loop, out=out, keep=kept)
    assert len(frames) == samples.video.VIDEO_FRAMES  # one row per frame
    assert frames["face"].mean() >= 0.9  # a face on (almost) every frame
    assert frames["blinks"].iloc[-1] == 2  # the clip blinks twice
    assert 4 <= speech.calls <= 7  # every 0.5 s of a 3-s clip, once sound has arrived
    probs = frames[[f"fused_{e}" for e in EMOTIONS]].to_numpy()
    assert np.allclose(probs.sum(axis=1), 1)
    assert kept[30].shape == (360, 640, 3) and kept[0].dtype == np.uint8
    capture = cv2.VideoCapture(str(out))
    assert capture.get(cv2.CAP_PROP_FRAME_COUNT) == samples.video.VIDEO_FRAMES
    capture.release()
    assert summary(frames)["face_found"] >= 0.9
    assert len(run(clip, loop=loop, max_frames=5)) == 5


# --- the overlay's text size and the benchmark line ---------------------------------------------


def _drawn_height(image: np.ndarray, colour: tuple[int, int, int]) -> int:
    """Rows holding pixels of (about) ``colour``: the height of what was drawn in it."""
    rows = np.flatnonzero((np.abs(image.astype(int) - colour).sum(axis=2) < 60).any(axis=1))
    return int(rows[-1] - rows[0] + 1) if rows.size else 0


@pytest.mark.parametrize("width", [640, 1280])
def test_overlay_capitals_are_14_px_high_at_640_and_grow_with_the_frame(width):
    black = np.zeros((width * 3 // 4, width, 3), np.uint8)
    drawn = overlay.annotate(black, {"status": "NO FACE"})  # the status line alone is orange
    height = _drawn_height(drawn, overlay.ORANGE)
    assert 14 * width / 640 <= height <= 17 * width / 640, height


def test_benchmark_prints_one_json_line(clip, capsys):
    import json

    realtime.main(["--video", str(clip), "--no-window", "--no-audio", "--benchmark"])
    lines = capsys.readouterr().out.strip().splitlines()
    report = json.loads(lines[-1])
    assert report["frames"] == 75 and report["face_found"] >= 0.9 and report["fps"] > 0
    for stage in ("detect", "landmarks", "face_model", "fusion", "overlay"):
        assert report[f"{stage}_ms"] >= 0
    assert "speech_ms" not in report  # --no-audio


def test_no_speech_from_the_model_is_shown_and_the_loop_keeps_going(frame):
    from utils.audio.nospeech import NoSpeech

    def no_speech(signal: np.ndarray) -> np.ndarray:
        raise NoSpeech("too short")

    loop = EmotionLoop(face_predict=fake_face, speech_predict=no_speech)
    loop.audio.push(_voice())
    result = loop.step(frame, t=0.0)
    assert "no speech (too short)" in result["status"] and result["speech_probs"] is None
    assert result["label"] == "happy"  # the face alone


def test_background_speech_never_holds_a_frame(frame):
    """The speech model blocks until released: steps go on meanwhile, and its answer is fused
    from the first step after it finished."""
    import threading

    release, started = threading.Event(), threading.Event()

    def slow_speech(signal: np.ndarray) -> np.ndarray:
        started.set()
        release.wait(timeout=30)
        return np.eye(8)[2]  # RAVDESS happy (canonical index 3)

    loop = EmotionLoop(face_predict=fake_face, speech_predict=slow_speech, background_speech=True)
    loop.audio.push(_voice())
    first = loop.step(frame, t=0.0)
    assert started.wait(timeout=10) and not release.is_set()
    later = loop.step(frame, t=1.0)  # the model is still busy: this step does not wait for it
    assert first["speech_probs"] is None and later["speech_probs"] is None
    release.set()
    loop._pending.result(timeout=10)
    heard = loop.step(frame, t=2.0)
    assert heard["speech_probs"] is not None and np.argmax(heard["speech_probs"]) == 3  # happy
