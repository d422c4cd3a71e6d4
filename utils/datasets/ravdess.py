"""RAVDESS (Livingstone & Russo 2018): 24 actors speaking two statements with eight emotions.

Every file name encodes its content: ``MM-VV-EE-II-SS-RR-AA`` = modality (01 audio-visual,
02 video only, 03 audio only), vocal channel (01 speech, 02 song), emotion (01..08), intensity
(01 normal, 02 strong), statement (01 "Kids are talking by the door", 02 "Dogs are sitting by the
door"), repetition (01, 02) and actor (01..24; odd male, even female).

The course's split is speaker-independent: actors 1-16 train, 17-20 validation, 21-24 test, so a
model is always scored on voices it has never heard.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from utils.datasets import dataset_root
from utils.labels import RAVDESS_EMOTIONS

NAME = "ravdess"
ACTOR_SPLITS: dict[str, range] = {"train": range(1, 17), "val": range(17, 21), "test": range(21, 25)}
MODALITIES = {"01": "audio-visual", "02": "video-only", "03": "audio-only"}
CHANNELS = {"01": "speech", "02": "song"}
INTENSITIES = {"01": "normal", "02": "strong"}
STATEMENTS = {"01": "Kids are talking by the door", "02": "Dogs are sitting by the door"}
_NAME_PATTERN = re.compile(r"^(\d\d)-(\d\d)-(\d\d)-(\d\d)-(\d\d)-(\d\d)-(\d\d)$")


def parse_name(path: str | Path) -> dict:
    """The fields encoded in a RAVDESS file name, decoded; ValueError for any other name."""
    path = Path(path)
    match = _NAME_PATTERN.match(path.stem)
    codes = match.groups() if match else ()
    if not match or codes[0] not in MODALITIES or codes[1] not in CHANNELS \
            or codes[2] not in RAVDESS_EMOTIONS or codes[3] not in INTENSITIES \
            or codes[4] not in STATEMENTS or not 1 <= int(codes[6]) <= 24:
        raise ValueError(f"{path.name}: not a RAVDESS file name (MM-VV-EE-II-SS-RR-AA, "
                         f"e.g. 03-01-05-02-01-01-12.wav)")
    actor = int(codes[6])
    return {
        "path": str(path),
        "modality": MODALITIES[codes[0]],
        "vocal_channel": CHANNELS[codes[1]],
        "emotion": RAVDESS_EMOTIONS[codes[2]],
        "intensity": INTENSITIES[codes[3]],
        "statement": STATEMENTS[codes[4]],
        "repetition": int(codes[5]),
        "actor": actor,
        "sex": "male" if actor % 2 else "female",
        "split": split_of_actor(actor),
    }


def split_of_actor(actor: int) -> str:
    """``"train"``, ``"val"`` or ``"test"`` for an actor number."""
    for split, actors in ACTOR_SPLITS.items():
        if actor in actors:
            return split
    raise ValueError(f"RAVDESS has actors 1-24, not {actor}")


def parse_actors(text: str) -> list[int]:
    """Actor numbers from a range such as ``"21-24"`` or a list such as ``"1,3,5"``."""
    actors: list[int] = []
    for part in text.split(","):
        low, _, high = part.strip().partition("-")
        actors.extend(range(int(low), int(high or low) + 1))
    return actors


def actor_folds(actors: Sequence[int], folds: int = 5) -> list[list[int]]:
    """The course's speaker-independent folds: the sorted actors cut into ``folds`` groups of
    consecutive actors (1-4, 5-8, ..., 17-20 for actors 1-20; RAVDESS alternates male and female
    actors, so each group of four holds two of each). Fewer actors than folds: one per group."""
    unique = sorted(set(int(a) for a in actors))
    if min(folds, len(unique)) < 2:
        raise ValueError(f"grouped folds need at least 2 actors and 2 folds, got actors {unique} "
                         f"and folds={folds}")
    return [group.tolist() for group in np.array_split(unique, min(folds, len(unique)))]


def _files(folder: Path, pattern: str) -> list[Path]:
    return sorted(p for p in folder.rglob(pattern) if _NAME_PATTERN.match(p.stem))


def has_speech_copy(folder: Path) -> bool:
    """Whether ``folder`` holds RAVDESS speech audio (``Actor_NN/03-01-*.wav``)."""
    return any(_files(folder, "03-01-*.wav"))


def table(folder: Path | None = None, kind: str = "speech") -> pd.DataFrame:
    """One row per file with every decoded field; ``kind`` is ``"speech"`` (wav) or ``"video"`` (mp4).

    ``folder`` defaults to the dataset folder of the current mode. Video files are found, not
    downloaded: call :func:`video_root` first in full mode.
    """
    if kind not in ("speech", "video"):
        raise ValueError(f"kind must be 'speech' or 'video', not {kind!r}")
    if folder is None:
        folder = dataset_root(NAME, has_speech_copy) if kind == "speech" else video_root()
    pattern = "03-01-*.wav" if kind == "speech" else "0[12]-01-*.mp4"
    rows = [parse_name(p) for p in _files(Path(folder), pattern)]
    if not rows:
        raise FileNotFoundError(f"No RAVDESS {kind} files ({pattern}) below {folder}.")
    return pd.DataFrame(rows)


def video_root(actors: list[int] | None = None) -> Path:
    """Folder with RAVDESS speech videos of ``actors`` (default: actor 1), downloading if needed.

    Each actor's video zip is about half a gigabyte, so only the actors asked for are fetched.
    """
    actors = actors or [1]
    wanted = {f"{actor:02d}" for actor in actors}

    def has_videos(folder: Path) -> bool:
        found = {parse_name(p)["actor"] for p in _files(folder, "0[12]-01-*.mp4")}
        return {int(a) for a in wanted} <= found

    return dataset_root(NAME, has_videos, remote="ravdess_video",
                        only=[f"Video_Speech_Actor_{a}.zip" for a in sorted(wanted)])


def check_speaker_independent(frame: pd.DataFrame, column: str = "split") -> None:
    """Raise if any actor appears in more than one split of ``frame``."""
    splits_per_actor = frame.groupby("actor")[column].nunique()
    leaking = splits_per_actor[splits_per_actor > 1]
    if not leaking.empty:
        raise AssertionError(f"actors {list(leaking.index)} appear in more than one split")
