"""Loading any audio file, or a video's sound track, as 16 kHz mono.

RAVDESS ships 48 kHz 16-bit files (a few stereo) and copies circulate at other rates; everything
the course computes starts from one signal format, :data:`SAMPLE_RATE` mono float32 in [-1, 1].
"""

from __future__ import annotations

import subprocess
import warnings
from pathlib import Path

import numpy as np


SAMPLE_RATE = 16_000
VIDEO_SUFFIXES = (".mp4", ".mov", ".mkv", ".avi")


def _decode_with_ffmpeg(path: Path, sr: int) -> np.ndarray:
    """The audio track of a video file, decoded by the ffmpeg binary that imageio-ffmpeg ships.

    librosa reads audio files only; a container such as RAVDESS's .mp4 needs ffmpeg, and the
    package keeps ffmpeg installable from PyPI alone.
    """
    import imageio_ffmpeg

    command = [imageio_ffmpeg.get_ffmpeg_exe(), "-v", "error", "-i", str(path), "-vn",
               "-ac", "1", "-ar", str(sr), "-f", "f32le", "-"]
    result = subprocess.run(command, capture_output=True, check=False)
    if result.returncode != 0:
        message = result.stderr.decode(errors="replace").strip().splitlines()
        raise ValueError(f"{path}: ffmpeg could not decode its audio track "
                         f"({message[-1] if message else 'no message'}).")
    return np.frombuffer(result.stdout, np.float32).copy()


def load_audio(path: str | Path, sr: int = SAMPLE_RATE) -> np.ndarray:
    """A file's audio as mono float32 at ``sr`` Hz (default 16 kHz), any input rate or channels.

    Video containers (.mp4, ...) give their audio track. An empty, truncated or non-audio file
    raises ValueError naming the file; a file of pure silence loads as zeros.
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"{path}: no such audio file")
    if path.stat().st_size == 0:
        raise ValueError(f"{path}: the file is empty (0 bytes). Replace it with an intact copy.")
    if path.suffix.lower() in VIDEO_SUFFIXES:
        signal = _decode_with_ffmpeg(path, sr)
    else:
        import librosa
        import soundfile

        try:
            from audioread.exceptions import DecodeError
        except ImportError:  # librosa falls back to audioread only when it is installed
            DecodeError = RuntimeError  # noqa: N806
        try:
            with warnings.catch_warnings():  # librosa warns before its audioread fallback
                warnings.simplefilter("ignore", (UserWarning, FutureWarning))
                signal, _ = librosa.load(path, sr=sr, mono=True)
        except (soundfile.LibsndfileError, RuntimeError, EOFError, DecodeError) as err:
            raise ValueError(f"{path}: not a readable audio file ({err}). "
                             f"Replace it with an intact copy.") from err
    if signal.size == 0:
        raise ValueError(f"{path}: holds no audio samples. Replace it with an intact copy.")
    return signal.astype(np.float32, copy=False)
