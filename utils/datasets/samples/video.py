"""RAVDESS audio-visual samples: mp4 clips of the astronaut's face with a synthesised voice.

One clip of actor 1 blinks twice with a happy voice (notebook 03's blinks, the real-time demo);
validation and test actors 17, 18, 21, 22 act seven emotions each for fusion: the face rests for
most of the clip and shows the emotion only in a short apex, as an utterance does, so that most
frames of an emotional clip look neutral (notebook 04's per-frame bias).
"""

from __future__ import annotations

import os
import subprocess
import tempfile
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path

import cv2
import numpy as np
import soundfile as sf

from utils.datasets.samples.face import (ASTRONAUT_LANDMARKS, LEFT_EYE, NOSE, RIGHT_EYE, astronaut,
                                         make_expression, skin_tone, warp)
from utils.datasets.samples.seeds import random_stream
from utils.datasets.samples.speech import RAVDESS_RATE, ravdess_clip
from utils.labels import RAVDESS_EMOTIONS

VIDEO_NAME = "01-01-03-01-01-01-01.mp4"  # audio-visual, speech, happy, normal, statement 1, actor 1
VIDEO_SIZE = (640, 360)  # width, height: half of the original's 1280x720
VIDEO_FPS = 25
VIDEO_FRAMES = 75  # 3 s
BLINK_FRAMES = (22, 23, 24, 52, 53, 54)  # two blinks, eyes closed for three frames each
_VIDEO_ZOOM = 1.8  # the photo's face is 93 px wide: 167 px in the video
_HEAD_REGION = (130, 25, 322, 225)  # x0, y0, x1, y1 of the photo holding head and hair
_BACKGROUND = (208, 214, 222)  # a plain light grey-blue wall, RGB


def _closed_eyes(image: np.ndarray) -> np.ndarray:
    """The photo with both eyes shut: eye regions painted with the skin just below them and a
    dark lid line along the lower lid, so landmark detectors see a flat eye."""
    closed = image.astype(np.float32).copy()
    for eye in (RIGHT_EYE, LEFT_EYE):
        points = ASTRONAUT_LANDMARKS[list(eye)]
        skin = skin_tone(image, points[[4, 5]].mean(0) + [0, 7], half=2)
        mask = np.zeros(image.shape[:2], np.float32)
        cv2.fillPoly(mask, [np.round(points).astype(np.int32)], 1.0)
        mask = cv2.GaussianBlur(cv2.dilate(mask, np.ones((5, 5))), (0, 0), 1.5)[..., None]
        closed = closed * (1 - mask) + skin * mask
        lid = np.round(points[[0, 5, 4, 3]] + [0, -1]).astype(np.int32)  # corner, lower lid, corner
        cv2.polylines(closed, [lid], False, (70.0, 45.0, 40.0), 2, cv2.LINE_AA)
    return np.clip(closed, 0, 255)


def _head_sprite(image: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The head region of ``image`` and a soft oval mask that cuts it from its background."""
    x0, y0, x1, y1 = _HEAD_REGION
    head = image[y0:y1, x0:x1].astype(np.float32)
    mask = np.zeros(head.shape[:2], np.float32)
    centre = (int(ASTRONAUT_LANDMARKS[list(NOSE), 0].mean()) - x0, 122 - y0)
    cv2.ellipse(mask, centre, (80, 95), 0, 0, 360, 1.0, -1)
    return head, cv2.GaussianBlur(mask, (0, 0), 4)[..., None]


def blink_frames() -> Iterator[np.ndarray]:
    """The clip's RGB uint8 frames: the head sways and nods slightly and blinks twice."""
    open_head, mask = _head_sprite(astronaut())
    closed_head, _ = _head_sprite(_closed_eyes(astronaut()))
    width, height = VIDEO_SIZE
    background = np.empty((height, width, 3), np.float32)
    background[:] = _BACKGROUND
    for frame in range(VIDEO_FRAMES):
        t = frame / VIDEO_FPS
        angle = 3.0 * np.sin(2 * np.pi * 0.4 * t)
        matrix = cv2.getRotationMatrix2D((open_head.shape[1] / 2, open_head.shape[0] / 2), angle,
                                         _VIDEO_ZOOM * (1 + 0.02 * np.sin(2 * np.pi * 0.3 * t)))
        matrix[:, 2] += np.array([width / 2 + 12 * np.sin(2 * np.pi * 0.5 * t),
                                  height / 2 + 5 * np.sin(2 * np.pi * 0.7 * t)]) \
            - np.array(open_head.shape[1::-1]) / 2
        head = closed_head if frame in BLINK_FRAMES else open_head
        placed = cv2.warpAffine(head, matrix, (width, height), flags=cv2.INTER_LINEAR)
        alpha = cv2.warpAffine(mask, matrix, (width, height), flags=cv2.INTER_LINEAR)[..., None]
        yield np.clip(np.round(background * (1 - alpha) + placed * alpha), 0, 255).astype(np.uint8)


def write_ravdess_video(path: Path) -> None:
    """The blinking clip with a happy voice as H.264 + AAC mp4 (better quality than the others)."""
    seconds = VIDEO_FRAMES / VIDEO_FPS
    voice = ravdess_clip("happy", 1, 1, 1, RAVDESS_RATE, seed=(1, 1, 1, 1), seconds=seconds)
    _encode_mp4(path, blink_frames(), voice[:int(seconds * RAVDESS_RATE)], preset="fast", crf=23,
                audio_bitrate="96k")


# --- clips of validation and test actors, for fusion (notebook 04) ---------------------------

# Two validation and two test actors, every emotion the face model has a class for (calm is
# RAVDESS's own): quick mode fits fusion on validation actors and scores it on test actors with
# exactly the code that reads the real videos.
AV_ACTORS = (17, 18, 21, 22)
AV_EMOTIONS = ("neutral", "happy", "sad", "angry", "fearful", "surprised", "disgust")  # RAVDESS
AV_FRAMES = 40  # 1.6 s at 25 fps
APEX_HALF_WIDTH = 0.08  # the apex holds for 16% of the clip, the onset and offset 9% each
_RAMP = 0.09
# The photo smiles, and a FER2013 model reads its smile whatever else the face does: every face
# of these clips but the happy apex first undoes it (face.py's happy field applied backwards).
UNSMILE = -1.0
_APEX_STRENGTH = {"surprise": 0.5}  # its jaw drop at full strength hides the face from dlib's HOG
_FER_NAME = {"fearful": "fear", "surprised": "surprise", "calm": "neutral"}  # RAVDESS -> face


def av_clip_path(folder: Path, emotion: str, actor: int) -> Path:
    """Where the audio-visual clip of ``emotion`` by ``actor`` lives in the original layout."""
    code = next(c for c, name in RAVDESS_EMOTIONS.items() if name == emotion)
    return (folder / f"Video_Speech_Actor_{actor:02d}" / f"Actor_{actor:02d}"
            / f"01-01-{code}-01-01-01-{actor:02d}.mp4")


def expression_strength(frame: int, frames: int = AV_FRAMES, apex: float = 0.5) -> float:
    """How far the face is from rest at ``frame``: an utterance's onset, apex and offset.

    At rest (0) except around ``apex`` (a fraction of the clip): a rise over 9% of the clip, the
    apex (1) held for 16%, a fall over 9%. As in real recordings, most frames are not the apex:
    two thirds of the frames are at rest.
    """
    x = frame / max(frames - 1, 1)
    edges = np.array([-_RAMP - APEX_HALF_WIDTH, -APEX_HALF_WIDTH, APEX_HALF_WIDTH,
                      APEX_HALF_WIDTH + _RAMP]) + apex
    return float(np.interp(x, edges, [0, 1, 1, 0], left=0.0, right=0.0))


def _region() -> np.ndarray:
    """The photo with only the head region kept: only the head is warped (4x less work)."""
    x0, y0, x1, y1 = _HEAD_REGION
    region = np.zeros_like(astronaut())
    region[y0:y1, x0:x1] = astronaut()[y0:y1, x0:x1]
    return region


@lru_cache(maxsize=8)
def _face_sprite(emotion: str) -> tuple[np.ndarray, np.ndarray]:
    """The head sprite (RGB float32) and mask of a face emotion's apex (cached).

    face.py's expression (its mouth painted, its features moved) on the photo with its smile
    undone (:data:`UNSMILE`), except for happy; ``"neutral"`` is the face at rest.
    """
    painted, dx, dy = make_expression(_region(), ASTRONAUT_LANDMARKS, emotion)
    if emotion != "happy":
        _, smile_dx, smile_dy = make_expression(_region(), ASTRONAUT_LANDMARKS, "happy")
        painted = warp(painted, smile_dx, smile_dy, strength=UNSMILE)
    face = warp(painted, dx, dy, strength=_APEX_STRENGTH.get(emotion, 1.0))
    head, mask = _head_sprite(np.clip(face, 0, 255))
    return head, np.ascontiguousarray(mask[..., 0])


def _expression_sprite(emotion: str, strength: float) -> tuple[np.ndarray, np.ndarray]:
    """The head sprite (uint8) and mask at a strength: the rest face cross-faded into the apex."""
    rest, mask = _face_sprite("neutral")
    if emotion == "neutral" or strength <= 0:
        return np.round(rest).astype(np.uint8), mask
    apex, _ = _face_sprite(emotion)
    return np.round((1 - strength) * rest + strength * apex).astype(np.uint8), mask


def apex_position(emotion: str, actor: int) -> float:
    """Where in the clip (a fraction) the apex of ``emotion`` by ``actor`` is: 0.35-0.65, seeded."""
    return float(random_stream(6, actor, 1 + AV_EMOTIONS.index(emotion)).uniform(0.35, 0.65))


def expression_frames(emotion: str, actor: int, frames: int = AV_FRAMES) -> Iterator[np.ndarray]:
    """RGB frames of the astronaut acting a RAVDESS ``emotion``: rest, a short apex, rest.

    Each actor gets its own head position, sway and wall colour (from a fixed seed), each clip
    its own moment of apex (:func:`apex_position`).
    """
    rng = random_stream(6, actor)
    face_emotion = _FER_NAME.get(emotion, emotion)
    apex = apex_position(emotion, actor)
    width, height = VIDEO_SIZE
    background = np.empty((height, width, 3), np.uint8)
    background[:] = np.round(np.clip(np.array(_BACKGROUND) + rng.uniform(-25, 25, 3), 0, 255))
    zoom = _VIDEO_ZOOM * rng.uniform(0.9, 1.1)
    shift = rng.uniform([-60, -10], [60, 10])
    phase = rng.uniform(0, 2 * np.pi)
    for frame in range(frames):
        head, mask = _expression_sprite(face_emotion, expression_strength(frame, frames, apex))
        t = frame / VIDEO_FPS
        angle = 3.0 * np.sin(2 * np.pi * 0.4 * t + phase)
        matrix = cv2.getRotationMatrix2D((head.shape[1] / 2, head.shape[0] / 2), angle, zoom)
        matrix[:, 2] += np.array([width / 2 + shift[0] + 10 * np.sin(2 * np.pi * 0.5 * t + phase),
                                  height / 2 + shift[1]]) - np.array(head.shape[1::-1]) / 2
        placed = cv2.warpAffine(head, matrix, (width, height), flags=cv2.INTER_LINEAR)
        alpha = cv2.warpAffine(mask, matrix, (width, height), flags=cv2.INTER_LINEAR)
        yield cv2.blendLinear(placed, background, alpha, 1.0 - alpha)


def _encode_mp4(path: Path, frames: Iterator[np.ndarray], sound: np.ndarray,
                preset: str = "ultrafast", crf: int = 26, audio_bitrate: str = "64k") -> None:
    """H.264 + AAC mp4 from RGB frames and a 48 kHz sound, written atomically (temp + rename).

    Encoded by the ffmpeg that imageio-ffmpeg ships; ``preset`` and ``crf`` set x264's speed
    and quality. No encoder version strings or dates: the same frames give the same bytes.
    """
    import imageio_ffmpeg

    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.stem}.{os.getpid()}.partial.mp4")  # one per process
    width, height = VIDEO_SIZE
    with tempfile.TemporaryDirectory() as scratch:
        wav = Path(scratch) / "voice.wav"
        sf.write(wav, sound, RAVDESS_RATE, subtype="PCM_16")
        command = [imageio_ffmpeg.get_ffmpeg_exe(), "-y", "-loglevel", "error",
                   "-f", "rawvideo", "-pix_fmt", "rgb24", "-s", f"{width}x{height}",
                   "-framerate", str(VIDEO_FPS), "-i", "pipe:0", "-i", str(wav),
                   "-c:v", "libx264", "-preset", preset, "-crf", str(crf), "-pix_fmt", "yuv420p",
                   "-c:a", "aac", "-b:a", audio_bitrate, "-shortest", "-map_metadata", "-1",
                   "-fflags", "+bitexact", "-flags", "+bitexact", str(partial)]
        process = subprocess.Popen(command, stdin=subprocess.PIPE, stderr=subprocess.PIPE)
        try:
            for frame in frames:
                process.stdin.write(frame.tobytes())
        except BrokenPipeError:
            pass  # ffmpeg stopped early: its own message follows
        _, errors = process.communicate()
    if process.returncode:
        partial.unlink(missing_ok=True)
        raise RuntimeError(f"ffmpeg could not write {path}: {errors.decode(errors='replace')}")
    os.replace(partial, path)


def write_av_clips(folder: Path) -> list[Path]:
    """The validation and test actors' audio-visual clips that ``folder`` lacks; returns them."""
    written = []
    seconds = AV_FRAMES / VIDEO_FPS
    for actor in AV_ACTORS:
        for emotion in AV_EMOTIONS:
            path = av_clip_path(folder, emotion, actor)
            if path.is_file():
                continue
            code = int(next(c for c, name in RAVDESS_EMOTIONS.items() if name == emotion))
            voice = ravdess_clip(emotion, 1, 1, actor, RAVDESS_RATE, seed=(code, 1, 1, actor, 6),
                                 seconds=seconds)
            _encode_mp4(path, expression_frames(emotion, actor), voice[:int(seconds * RAVDESS_RATE)])
            written.append(path)
    return written
