"""utils.live.io: cameras, files and microphones fail with advice; buffers and streams behave."""

from __future__ import annotations

import numpy as np
import pytest

from utils.live import io as live_io


class FakeCamera:
    """A capture whose reads succeed or fail as scripted (True: a frame), then keep failing."""

    def __init__(self, script: list[bool]) -> None:
        self.script, self.released = list(script), False

    def read(self) -> tuple[bool, np.ndarray | None]:
        ok = self.script.pop(0) if self.script else False
        return ok, np.zeros((4, 4, 3), np.uint8) if ok else None

    def release(self) -> None:
        self.released = True


def test_a_camera_that_cannot_be_opened_says_what_to_try():
    with pytest.raises(live_io.CameraError, match=r"--camera 98.*--video FILE"):
        live_io.open_capture(97)


def test_a_missing_or_unreadable_video_file_is_a_clear_error(tmp_path):
    with pytest.raises(live_io.CameraError, match="no video file .*nothing.mp4.*--camera 0"):
        live_io.open_capture(tmp_path / "nothing.mp4")
    (tmp_path / "broken.mp4").write_bytes(b"not a video")
    with pytest.raises(live_io.CameraError, match="OpenCV cannot read .*broken.mp4"):
        live_io.open_capture(str(tmp_path / "broken.mp4"))


def test_file_sources_and_camera_indices_are_told_apart(tmp_path):
    assert live_io.is_file_source(tmp_path / "clip.mp4") and live_io.is_file_source("clip.mp4")
    assert not live_io.is_file_source(0) and not live_io.is_file_source("1")


def test_camera_hiccups_are_empty_frames_and_a_dead_camera_ends_the_stream(capsys):
    camera = FakeCamera([True, False, True])
    frames = list(live_io.camera_frames(camera, source=3, max_failures=2))
    assert [frame is None for _, frame in frames] == [False, True, False, True, True]
    assert all(later >= earlier for (earlier, _), (later, _) in zip(frames, frames[1:]))
    assert camera.released and "camera 3 stopped sending frames" in capsys.readouterr().out


def test_a_stream_closed_early_releases_the_camera():
    camera = FakeCamera([True] * 10)
    stream = live_io.camera_frames(camera)
    next(stream)
    stream.close()
    assert camera.released


@pytest.mark.parametrize("error,advice", [(ImportError, "pip install sounddevice"),
                                          (OSError, "libportaudio2")])
def test_no_microphone_library_gives_a_clear_message(monkeypatch, error, advice):
    import builtins

    real_import = builtins.__import__

    def no_sounddevice(name, *args, **kwargs):
        if name == "sounddevice":
            raise error("simulated: no sounddevice here")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_sounddevice)
    with pytest.raises(live_io.MicrophoneUnavailable, match=advice):
        live_io.Microphone.library()


def test_audio_buffer_keeps_the_last_seconds_and_downmixes():
    buffer = live_io.AudioBuffer(seconds=1.0)
    buffer.push(np.ones((12_000, 2), np.float32))
    buffer.push(np.zeros(8_000, np.float32))
    assert buffer.seconds == 1.0 and buffer.signal()[:8_000].mean() == 1.0
    assert buffer.signal()[8_000:].max() == 0.0


def test_a_video_without_sound_is_reported_not_raised(tmp_path, capsys):
    assert live_io.sound_track(tmp_path / "silent.mp4") is None
    assert "no usable sound track" in capsys.readouterr().out


def test_video_writer_writes_frames(tmp_path):
    import cv2

    path = tmp_path / "out" / "annotated.mp4"
    writer = live_io.video_writer(path, (48, 64, 3), fps=10.0)
    for _ in range(3):
        writer.write(np.full((48, 64, 3), 128, np.uint8))
    writer.release()
    capture = cv2.VideoCapture(str(path))
    assert capture.get(cv2.CAP_PROP_FRAME_COUNT) == 3
    capture.release()
