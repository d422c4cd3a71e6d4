"""Driving the real-time loop: a camera or a video file, its sound, a window, an annotated mp4.

:func:`run` feeds an :class:`~utils.live.loop.EmotionLoop` from a webcam (with the microphone) or
a video file (with its own sound track, in step with the frames' timestamps), shows a window when
there is a screen and writes an annotated mp4 on request; headless it returns one row per frame.
:func:`summary` says what a run saw and :func:`benchmark` how fast it went; :func:`warm_up`
calls every model once, so that the first frames do not pay for TensorFlow's tracing.
"""

from __future__ import annotations

import time
from itertools import islice
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from utils.labels import EMOTIONS
from utils.live.io import (SAMPLE_RATE, AudioBuffer, Microphone, MicrophoneUnavailable,
                           camera_frames, is_file_source, open_capture, sound_track, video_writer)
from utils.live.loop import EmotionLoop
from utils.video.io import frame_rate, read_frames

WINDOW_NAME = "emotion demo (q quits)"
STAGES = ("detect", "landmarks", "face_model", "speech", "fusion", "overlay")  # ms_<stage> columns


def warm_up(loop: EmotionLoop) -> EmotionLoop:
    """Call the loop's models once each on dummy input (the first speech call traces for seconds,
    the 68-landmark model is read on first use); return the loop."""
    from utils.video.faces import landmarks

    loop.face_predict(np.zeros((1, 48, 48), np.uint8))
    if loop.speech_predict is not None:
        noise = np.random.default_rng(0).standard_normal(3 * SAMPLE_RATE).astype(np.float32)
        try:
            loop.speech_predict(0.01 * noise)
        except ValueError:  # NoSpeech: the call still traced and loaded what it needed
            pass
        if hasattr(loop.speech_predict, "reset"):
            loop.speech_predict.reset()  # a normaliser adapting to voices must not keep the noise
    landmarks(np.full((120, 120), 128, np.uint8), (10, 10, 110, 110))
    loop.tracker.find(np.full((480, 640), 128, np.uint8))
    return loop


def _row(result: dict) -> dict:
    """One DataFrame row of a step's result: scalars, ms_ of each stage (NaN: did not run),
    fused_/face_/speech_ probabilities."""
    row = {k: result.get(k) for k in ("time", "face", "box", "ear", "blinks", "label", "status",
                                      "speech_ran", "fps", "latency_ms")}
    row.update({f"ms_{stage}": result.get("ms", {}).get(stage, np.nan) for stage in STAGES})
    for name in ("fused", "face", "speech"):
        probs = result.get(name if name == "fused" else f"{name}_probs")
        for i, emotion in enumerate(EMOTIONS):
            row[f"{name}_{emotion}"] = np.nan if probs is None else float(probs[i])
    return row


def _sound_source(loop: EmotionLoop, source: int | str | Path,
                  is_file: bool) -> tuple[np.ndarray | None, Microphone | None]:
    """A video file's sound track, or the microphone started for a camera (None if unavailable)."""
    if is_file:
        return sound_track(source), None
    try:
        return None, Microphone(loop.audio).__enter__()
    except MicrophoneUnavailable as err:
        print(err)
        return None, None


def _feed(buffer: AudioBuffer, track: np.ndarray, fed: int, t: float, fps: float) -> int:
    """Push a sound track into ``buffer`` up to one frame past ``t`` (s); return the samples fed."""
    upto = min(len(track), int(round(t * SAMPLE_RATE)) + int(SAMPLE_RATE / fps))
    buffer.push(track[fed:upto])
    return max(fed, upto)


def run(source: int | str | Path = 0, loop: EmotionLoop | None = None, sound: bool = True,
        seconds: float | None = None, max_frames: int | None = None, out: str | Path | None = None,
        show: bool | None = None, keep: dict[int, Any] | None = None, text: str | None = None,
        draw: bool = False, **loop_options: Any) -> pd.DataFrame:
    """Run the demo on a webcam index or a video file; one row per processed frame.

    Sound comes from the microphone for a camera (if ``sounddevice`` works) and from the file's
    own audio track for a video, fed in step with the frames' timestamps. ``show`` opens a window
    (default: when there is a screen and the source is a camera; ``q`` quits). ``out`` writes an
    annotated mp4; ``keep`` is a dict whose keys are frame indices: their annotated images (BGR)
    are stored under those keys; ``draw`` annotates every frame even when nothing shows it (to
    time the overlay). Each row's ``wall`` is the wall clock (s) when its frame was done. A camera
    that cannot be opened raises :class:`CameraError`.
    """
    import cv2

    from utils.config import runtime

    is_file = is_file_source(source)
    capture = open_capture(source)
    # a live camera must never wait for the speech model; a file stays the same on every run
    loop = loop or EmotionLoop(speech=sound, **({"background_speech": not is_file} | loop_options))
    if text is not None:
        loop.set_text(text)
    show = (runtime() == "local" and not is_file) if show is None else show
    if show and runtime() != "local":
        capture.release()
        raise RuntimeError("no screen to open a window on: pass show=False (or --out FILE to "
                           "write an annotated video)")
    fps = frame_rate(capture) if is_file else None
    track, microphone = _sound_source(loop, source, is_file) \
        if sound and loop.speech_predict is not None else (None, None)
    frames = read_frames(capture) if is_file else camera_frames(capture, source)
    writer, rows, fed = None, [], 0
    keep = {} if keep is None else keep
    try:
        for t, frame in islice(frames, max_frames):
            if seconds is not None and t > seconds:
                break
            if track is not None:
                fed = _feed(loop.audio, track, fed, t, fps)
            result, image = loop.step(frame, t), None
            if draw or out is not None or show or len(rows) in keep:
                clock = time.perf_counter()
                image = loop.annotate(frame, result)
                result["ms"]["overlay"] = 1000 * (time.perf_counter() - clock)
            rows.append({**_row(result), "wall": time.perf_counter()})
            if image is None:
                continue
            if len(rows) - 1 in keep:
                keep[len(rows) - 1] = image
            if out is not None:
                writer = writer or video_writer(out, image.shape, fps or 15.0)
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


def summary(frames: pd.DataFrame) -> dict:
    """What a run saw: frames, share with a face, blinks, the most frequent label, latency."""
    labels = frames["label"].dropna()
    return {"frames": int(len(frames)),
            "face_found": float(frames["face"].mean()) if len(frames) else 0.0,
            "blinks": int(frames["blinks"].max()) if len(frames) else 0,
            "most_frequent_label": labels.mode().iloc[0] if len(labels) else None,
            "median_latency_ms": round(float(frames["latency_ms"].median()), 1)
            if len(frames) else None}


def benchmark(frames: pd.DataFrame, warmup: int = 10) -> dict:
    """How fast a run went: ``fps`` (frames after the first ``warmup`` over their wall time),
    ``face_found`` (share of frames), ``frames`` and the median ms of each stage that ran."""
    timed = frames.iloc[warmup:] if len(frames) > warmup + 1 else frames
    seconds = float(timed["wall"].iloc[-1] - timed["wall"].iloc[0]) if len(timed) > 1 else 0.0
    report = {"fps": round((len(timed) - 1) / seconds, 1) if seconds > 0 else None,
              "face_found": round(float(frames["face"].mean()), 3) if len(frames) else 0.0,
              "frames": int(len(frames))}
    for stage in STAGES:
        values = frames[f"ms_{stage}"].dropna() if len(frames) else []
        if len(values):
            report[f"{stage}_ms"] = round(float(values.median()), 2)
    report["step_ms"] = round(float(timed["latency_ms"].median()), 2) if len(timed) else None
    return report
