"""Clip-level faces: per-frame face probabilities into one vector per clip, for fusion.

:func:`aggregate_frames` turns a clip's per-frame face probabilities into one clip-level vector
(:func:`clip_probabilities` does it for whole video files, with their sound tracks).
Counting votes of frames favours ``neutral`` (most frames of an utterance are its onset and offset);
the mean of log-probabilities, a confidence-weighted mean or the window of the clip farthest from
neutral (its peak) let the few expressive frames speak.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

from utils.fusion.rules import EPSILON
from utils.labels import EMOTIONS, N_CLASSES, missing, to_canonical

AGGREGATIONS: tuple[str, ...] = ("vote", "mean", "log_mean", "confidence", "peak")
PEAK_WINDOW = 0.25  # the share of a clip's frames the "peak" aggregation reads


def aggregate_frames(frame_probs: np.ndarray, method: str = "log_mean") -> np.ndarray:
    """One clip-level vector ``(7,)`` from per-frame face probabilities ``(frames, 7)``.

    Frames without a face are NaN rows and are skipped; a clip without any face gives NaN (the
    face modality is missing for it). Methods:

    - ``"vote"``: share of frames whose top class is each emotion (the majority vote of frames,
      as the reference slides did). Onset and offset frames are mostly neutral, so it is biased
      towards ``neutral``;
    - ``"mean"``: the mean probability over frames;
    - ``"log_mean"``: the normalised geometric mean (mean of log-probabilities), which rewards the
      classes every frame finds at least somewhat plausible and lets strong frames count more;
    - ``"confidence"``: the mean weighted by each frame's confidence, one minus its normalised
      entropy, so the clear apex frames outweigh the ambiguous ones;
    - ``"peak"``: the mean over the window of consecutive frames (a quarter of the clip,
      :data:`PEAK_WINDOW`) where the face is least neutral: where the utterance's apex is. A
      neutral clip stays neutral only if even its least neutral window is.
    """
    frames = np.atleast_2d(np.asarray(frame_probs, dtype=np.float64))
    if frames.shape[1:] != (N_CLASSES,):
        raise ValueError(f"expected per-frame probabilities of shape (frames, {N_CLASSES}); "
                         f"got {frames.shape}")
    frames = frames[~np.isnan(frames).any(axis=1)]
    if len(frames) == 0:
        return np.full(N_CLASSES, np.nan)
    if method == "vote":
        return np.bincount(frames.argmax(axis=1), minlength=N_CLASSES) / len(frames)
    if method == "mean":
        return frames.mean(axis=0) / frames.mean(axis=0).sum()
    if method == "log_mean":
        logs = np.log(np.clip(frames, EPSILON, 1.0)).mean(axis=0)
        out = np.exp(logs - logs.max())
        return out / out.sum()
    if method == "confidence":
        p = np.clip(frames, EPSILON, 1.0)
        entropy = -(p * np.log(p)).sum(axis=1) / np.log(N_CLASSES)
        weights = np.clip(1.0 - entropy, 1e-3, None)
        out = (weights[:, None] * frames).sum(axis=0)
        return out / out.sum()
    if method == "peak":
        return _peak_window(frames)
    raise ValueError(f"unknown method {method!r}: choose one of {', '.join(AGGREGATIONS)}")


def _peak_window(frames: np.ndarray) -> np.ndarray:
    """The mean of the :data:`PEAK_WINDOW` consecutive frames with the lowest mean neutral
    probability (the earliest such window on a tie)."""
    width = max(1, int(round(PEAK_WINDOW * len(frames))))
    neutral = np.convolve(frames[:, EMOTIONS.index("neutral")], np.ones(width), mode="valid")
    start = int(np.argmin(neutral))
    out = frames[start:start + width].mean(axis=0)
    return out / out.sum()


def neutral_share(frame_probs: np.ndarray) -> float:
    """The share of a clip's frames with a face whose top class is ``neutral`` (NaN: no face)."""
    frames = np.atleast_2d(np.asarray(frame_probs, dtype=np.float64))
    frames = frames[~np.isnan(frames).any(axis=1)]
    return float(np.mean(frames.argmax(axis=1) == EMOTIONS.index("neutral"))) if len(frames) \
        else float("nan")


def clip_probabilities(paths: Sequence[str | Path], face_predict: Callable,
                       speech_predict: Callable, step: int = 3,
                       aggregation: str = "log_mean") -> dict[str, np.ndarray]:
    """Canonical face and speech probabilities of whole audio-visual clips, for fusion.

    The face modality is :func:`utils.video.predict.video_face_probs` of every ``step``-th frame
    aggregated over the clip (:func:`aggregate_frames`, NaN if no frame had a face); the speech
    modality is the speech model on the clip's sound track (a row of NaN, a missing modality, when
    the track holds no speech: :class:`~utils.audio.nospeech.NoSpeech`). Returns
    ``{"face": (n, 7), "speech": (n, 7)}``.
    """
    from utils.audio import load_audio
    from utils.audio.nospeech import NoSpeech
    from utils.video.predict import video_face_probs

    face, speech = [], []
    for path in paths:
        _, frames = video_face_probs(path, face_predict, step=step)
        face.append(aggregate_frames(frames, aggregation))
        try:
            speech.append(to_canonical(speech_predict(load_audio(path)), "speech"))
        except NoSpeech:
            speech.append(missing()[0])
    return {"face": np.vstack(face), "speech": np.vstack(speech)}

