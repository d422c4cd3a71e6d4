"""RAVDESS samples: speech wav files in the original's layout, and audio-visual mp4 clips."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import NamedTuple

import numpy as np
import soundfile as sf

from utils.datasets.samples import video
from utils.datasets.samples.speech import RAVDESS_RATE, ravdess_clip
from utils.labels import RAVDESS_EMOTIONS

VERSION = 2  # bump when the files this module writes change: old sample folders regenerate

# Train, validation and test actors of the course: ten actors of 1-20 make a grouped
# cross-validation of five folds of two (the real one has five folds of four).
RAVDESS_ACTORS = (1, 2, 3, 4, 5, 6, 7, 8, 17, 18, 21, 22)
# Four takes of every emotion per actor, as (intensity, statement, repetition); the real
# dataset has eight (four of neutral).
TAKES = ((1, 1, 1), (1, 2, 1), (2, 1, 2), (2, 2, 2))
NEUTRAL_TAKES = ((1, 1, 1), (1, 2, 1), (1, 1, 2), (1, 2, 2))  # neutral has no strong intensity
DEV_COPY_RATE = 16_000  # the course's real dev copy; a few samples use it so loaders must resample
STEREO_FILE = "03-01-05-02-02-02-01.wav"  # the original has five stereo files; one is enough here


class SpeechFile(NamedTuple):
    """The fields of a RAVDESS speech file name (modality 03 audio, channel 01 speech)."""

    emotion: int
    intensity: int
    statement: int
    repetition: int
    actor: int

    @property
    def name(self) -> str:
        return "03-01-" + "-".join(f"{field:02d}" for field in self) + ".wav"

    @property
    def sample_rate(self) -> int:
        """48 kHz like the original, except actor 03's second repetitions at the dev copy's 16 kHz."""
        return DEV_COPY_RATE if self.actor == 3 and self.repetition == 2 else RAVDESS_RATE


def ravdess_files() -> Iterator[SpeechFile]:
    """The speech samples: per actor, four files per emotion (:data:`TAKES`)."""
    for actor in RAVDESS_ACTORS:
        for code, emotion in RAVDESS_EMOTIONS.items():
            for take in NEUTRAL_TAKES if emotion == "neutral" else TAKES:
                yield SpeechFile(int(code), *take, actor)


def write_ravdess(folder: Path) -> None:
    """Speech wav files in the original's layout, and the audio-visual mp4 clips."""
    for file in ravdess_files():
        emotion = RAVDESS_EMOTIONS[f"{file.emotion:02d}"]
        clip = ravdess_clip(emotion, file.intensity, file.statement, file.actor,
                            file.sample_rate, seed=file)
        if file.name == STEREO_FILE:
            clip = np.stack([clip, 0.9 * clip], axis=1)
        path = folder / "Audio_Speech_Actors_01-24" / f"Actor_{file.actor:02d}" / file.name
        path.parent.mkdir(parents=True, exist_ok=True)
        sf.write(path, clip, file.sample_rate, subtype="PCM_16")
    video.write_ravdess_video(folder / "Video_Speech_Actor_01" / "Actor_01" / video.VIDEO_NAME)
    video.write_av_clips(folder)
