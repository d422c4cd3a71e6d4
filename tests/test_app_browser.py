"""The web app in a real browser: Debian's Chromium, headless, with a fake webcam and microphone.

The webcam is a .y4m of the course's sample face clip and the microphone a .wav of its happy
voice, both written at test time; the app runs as ``python -m utils.app`` on a free port and
Playwright drives ``/usr/bin/chromium`` (never ``playwright install``). The test starts the
webcam, then the microphone, types a sentence, and waits (bounded) until the page shows the
annotated frame, a face emotion, a voice emotion, a text emotion and a fused estimate; then it
counts how often the fused estimate changes on the page.

Chromium is installed by ``.ci/run`` (``apt-get install chromium fonts-liberation``); without it
this test FAILS saying so. ``COURSE_NO_BROWSER=1`` skips it instead (a laptop without Chromium).
``COURSE_APP_SCREENSHOT=docs/app.png`` also saves a small screenshot of the page there.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
import wave
from collections.abc import Iterable, Iterator
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = Path("/usr/bin/chromium")
SERVER_START_S = 240   # TensorFlow, three models and their warm-up on a busy 2-core machine
PAGE_READY_S = 60      # from the clicks on Record to every panel shown
RATE_WINDOW_S = 8      # seconds over which the fused estimate's updates are counted
EMOTION_WORDS = ("angry", "disgust", "fear", "happy", "sad", "surprise", "neutral")


def rgb_to_i420(rgb: np.ndarray) -> bytes:
    """One RGB frame as I420 bytes (BT.601 limited range: Y, then U and V at half size)."""
    r, g, b = (rgb[..., i].astype(np.float32) for i in range(3))
    y = 16 + 0.257 * r + 0.504 * g + 0.098 * b
    u = 128 - 0.148 * r - 0.291 * g + 0.439 * b
    v = 128 + 0.439 * r - 0.368 * g - 0.071 * b
    h, w = y.shape
    half = [c.reshape(h // 2, 2, w // 2, 2).mean(axis=(1, 3)) for c in (u, v)]
    return b"".join(np.clip(np.round(p), 0, 255).astype(np.uint8).tobytes() for p in [y, *half])


def write_y4m(path: Path, frames: Iterable[np.ndarray], fps: int) -> None:
    """RGB frames (one even size) as a .y4m, the raw format Chromium's fake camera reads."""
    with open(path, "wb") as out:
        for i, rgb in enumerate(frames):
            if i == 0:
                out.write(f"YUV4MPEG2 W{rgb.shape[1]} H{rgb.shape[0]} F{fps}:1 Ip A1:1 "
                          f"C420jpeg\n".encode())
            out.write(b"FRAME\n" + rgb_to_i420(rgb))


def write_wav(path: Path, signal: np.ndarray, rate: int) -> None:
    """A mono float signal in [-1, 1] as 16-bit PCM."""
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(np.clip(np.round(signal * 32767), -32768, 32767).astype("<i2").tobytes())


def voice(seconds: float, rate: int) -> np.ndarray:
    """The samples' happy voice, repeated without long pauses, peak 0.7."""
    from utils.datasets.samples.speech import ravdess_clip

    clip = ravdess_clip("happy", 1, 1, 1, rate, seed=(1, 1, 1, 1))
    signal = np.tile(clip, int(np.ceil(seconds * rate / clip.size)))[:int(seconds * rate)]
    return 0.7 * signal / max(float(np.abs(signal).max()), 1e-6)


@pytest.fixture(scope="module")
def chromium() -> Path:
    if os.environ.get("COURSE_NO_BROWSER") == "1":
        pytest.skip("COURSE_NO_BROWSER=1: the browser test is skipped")
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: install it (Debian/Ubuntu: sudo apt-get install "
                    f"chromium fonts-liberation; .ci/run does) or set COURSE_NO_BROWSER=1 to skip "
                    f"the browser test")
    pytest.importorskip("playwright", reason="pip install -r requirements-dev.txt")
    return CHROMIUM


@pytest.fixture(scope="module")
def media(tmp_path_factory) -> tuple[Path, Path]:
    """The sample face clip as .y4m (3 s, looped by Chromium) and its voice as .wav."""
    from utils.datasets.samples import video

    folder = tmp_path_factory.mktemp("media")
    write_y4m(folder / "face.y4m", video.blink_frames(), video.VIDEO_FPS)
    write_wav(folder / "voice.wav", voice(3.0, 48_000), 48_000)
    return folder / "face.y4m", folder / "voice.wav"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_http(url: str, process: subprocess.Popen, timeout: float) -> None:
    """Until ``url`` answers; fails if the server died or the time is up."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert process.poll() is None, f"the app exited with code {process.returncode}"
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            time.sleep(0.5)
    pytest.fail(f"{url} did not answer within {timeout} s")


@pytest.fixture(scope="module")
def server(chromium, tmp_path_factory) -> Iterator[str]:
    port = free_port()
    log = tmp_path_factory.mktemp("log") / "app.log"
    env = {**os.environ, "GRADIO_ANALYTICS_ENABLED": "False", "PYTHONUNBUFFERED": "1",
           "TF_CPP_MIN_LOG_LEVEL": "3"}
    with open(log, "w") as out:
        process = subprocess.Popen([sys.executable, "-m", "utils.app", "--port", str(port)],
                                   cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        wait_http(f"http://127.0.0.1:{port}/", process, SERVER_START_S)
        yield f"http://127.0.0.1:{port}/"
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
        print("\n--- app log (tail) ---\n" + "\n".join(log.read_text().splitlines()[-15:]))


def start_stream(page, panel: str) -> None:
    """Press a panel's Record (the webcam first asks "Click to Access Webcam"); a click during a
    re-render can be lost, so check that a Stop button appeared."""
    access = page.locator(f"{panel} button", has_text="Access Webcam")
    if access.count():
        access.first.click(timeout=15_000)
    for _ in range(3):
        page.locator(f"{panel} button", has_text="Record").first.click(timeout=15_000)
        try:
            page.locator(f"{panel} button", has_text="Stop").first.wait_for(timeout=10_000)
            return
        except Exception:  # noqa: BLE001 - Playwright's TimeoutError
            continue
    pytest.fail(f"{panel} never started streaming")


def shows_emotion(text: str) -> bool:
    return any(word in text.lower() for word in EMOTION_WORDS)


def panels(page) -> dict[str, str]:
    """The text of every panel the test reads (a Textbox's value is read with input_value)."""
    seen = {name: page.locator(f"#{name}").inner_text(timeout=2_000)
            for name in ("face_label", "voice_label", "text_label", "fused")}
    seen["status"] = page.locator("#status textarea").input_value()
    return seen


COUNT_UPDATES_JS = """(seconds) => new Promise((resolve) => {
  const seen = new Set();
  const read = () => { const el = document.querySelector('#fused_text');
                       if (el) seen.add(el.dataset.updates); };
  const observer = new MutationObserver(read);
  observer.observe(document.querySelector('#fused'),
                   {subtree: true, childList: true, characterData: true, attributes: true});
  setTimeout(() => { observer.disconnect(); resolve(seen.size); }, seconds * 1000);
})"""


def save_screenshot(page, path: Path) -> None:
    """A PNG of the page, 1000 px wide (about 200 KB)."""
    import cv2

    raw = np.frombuffer(page.screenshot(full_page=True), np.uint8)
    image = cv2.imdecode(raw, cv2.IMREAD_COLOR)
    scale = 1000 / image.shape[1]
    small = cv2.resize(image, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    path.parent.mkdir(parents=True, exist_ok=True)
    assert cv2.imwrite(str(path), small, [cv2.IMWRITE_PNG_COMPRESSION, 9]), path


def test_the_app_shows_face_voice_and_fused_emotions_in_chromium(chromium, server, media):
    from playwright.sync_api import sync_playwright

    video, audio = media
    args = ["--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream",
            f"--use-file-for-fake-video-capture={video}",
            f"--use-file-for-fake-audio-capture={audio}"]
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(chromium), args=args)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1100})
            page.goto(server, wait_until="domcontentloaded")  # a Gradio page is never idle
            page.wait_for_selector("#webcam", timeout=60_000)
            start_stream(page, "#webcam")  # one getUserMedia at a time: the camera first,
            page.wait_for_timeout(2_000)   # then the microphone (asked together, it was lost)
            start_stream(page, "#mic")
            page.locator("#text_in textarea").fill("What a wonderful, happy day!")
            page.locator("#text_in textarea").press("Enter")
            started, seen = time.monotonic(), {}
            while time.monotonic() - started < PAGE_READY_S:
                seen = panels(page)
                if all(shows_emotion(seen[n]) for n in ("face_label", "voice_label", "fused",
                                                        "text_label")):
                    break
                page.wait_for_timeout(500)
            ready_s = time.monotonic() - started
            assert page.locator("#annotated img").count(), "no annotated frame shown"
            for name in ("face_label", "voice_label", "text_label", "fused"):
                assert shows_emotion(seen[name]), f"no {name} after {PAGE_READY_S} s: {seen}"
            updates = page.evaluate(COUNT_UPDATES_JS, RATE_WINDOW_S) / RATE_WINDOW_S
            if os.environ.get("COURSE_APP_SCREENSHOT"):
                save_screenshot(page, ROOT / os.environ["COURSE_APP_SCREENSHOT"])
            print("\nBROWSER", json.dumps({"ready_s": round(ready_s, 1),
                                           "fused_updates_per_s": round(updates, 1),
                                           "status": seen["status"]}))
            assert updates >= 2, f"the fused estimate updated {updates:.1f} times a second"
        finally:
            browser.close()
