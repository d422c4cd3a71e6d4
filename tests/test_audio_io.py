"""utils.audio.io: any file into 16 kHz mono, and clear errors for broken files.

Every signal is synthetic (tones and noise written in the test); nothing reads /work/shared.
"""

from __future__ import annotations

import numpy as np
import pytest
import soundfile

from audio_signals import SR, tone
from utils.audio import features, io



def test_load_audio_resamples_and_downmixes(tmp_path):
    stereo = np.stack([tone(1.0, 44_100), tone(1.0, 44_100, freq=330)], axis=1)
    soundfile.write(tmp_path / "stereo.wav", stereo, 44_100)
    signal = io.load_audio(tmp_path / "stereo.wav")
    assert signal.ndim == 1 and signal.dtype == np.float32
    assert abs(signal.size - SR) <= 2
    soundfile.write(tmp_path / "low.wav", tone(0.5, 8_000), 8_000, subtype="PCM_16")
    assert abs(io.load_audio(tmp_path / "low.wav").size - SR // 2) <= 2


def test_load_audio_bad_files_raise_clear_errors(tmp_path):
    with pytest.raises(FileNotFoundError):
        io.load_audio(tmp_path / "missing.wav")
    (tmp_path / "empty.wav").write_bytes(b"")
    with pytest.raises(ValueError, match="empty"):
        io.load_audio(tmp_path / "empty.wav")
    (tmp_path / "corrupt.wav").write_bytes(b"RIFF\x00\x00garbage" + bytes(range(200)))
    with pytest.raises(ValueError, match="corrupt.wav"):
        io.load_audio(tmp_path / "corrupt.wav")


def test_silent_file_loads_as_zeros(tmp_path):
    soundfile.write(tmp_path / "silence.wav", np.zeros(SR, np.float32), SR)
    signal = io.load_audio(tmp_path / "silence.wav")
    assert signal.size == SR and not signal.any()
    assert features.is_silent(signal)
