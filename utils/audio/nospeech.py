"""No confident answer from no speech: the checks every speech predictor runs first.

A classifier always answers: one second of digital silence used to come out "angry 0.38". Before
any features, :func:`check_speech` raises :class:`NoSpeech` (a ``ValueError`` with a ``reason``)
for input that holds no usable speech:

- ``"not finite"``: NaN or infinite samples;
- ``"silence"``: digital silence (peak below :data:`utils.audio.features.SILENCE_LEVEL`);
- ``"clipped"``: more than :data:`MAX_CLIPPED` (1%) of the samples at full scale (|x| >= 0.999):
  a distorted recording; none of the 1,200 RAVDESS clips of actors 1-20 has even 0.02%;
- ``"too short"``: under :data:`MIN_SPEECH_SECONDS` (0.5 s) left after trimming the quiet start
  and end (the shortest trimmed RAVDESS clip is 1.05 s).

Not caught: steady noise loud enough to survive trimming (it still gets some answer).
"""

from __future__ import annotations

import warnings

import numpy as np

from utils.audio.io import SAMPLE_RATE

MIN_SPEECH_SECONDS = 0.5
FULL_SCALE = 0.999
MAX_CLIPPED = 0.01


class NoSpeech(ValueError):
    """The input holds no speech to classify; ``reason`` is one word of :func:`check_speech`."""

    def __init__(self, reason: str, detail: str = ""):
        super().__init__(f"no speech ({reason}){': ' + detail if detail else ''}")
        self.reason = reason


def check_speech(signal: np.ndarray, sr: int = SAMPLE_RATE) -> None:
    """Raise :class:`NoSpeech` unless ``signal`` (mono, any rate) can hold speech."""
    from utils.audio.features import is_silent, trim_silence

    signal = np.asarray(signal, np.float32)
    if signal.ndim != 1 or signal.size == 0:
        raise ValueError(f"expected a mono signal with samples, got shape {signal.shape}")
    if not np.all(np.isfinite(signal)):
        raise NoSpeech("not finite", "the signal holds NaN or infinite samples")
    if is_silent(signal):
        raise NoSpeech("silence", f"peak amplitude {float(np.max(np.abs(signal))):.1e}")
    clipped = float(np.mean(np.abs(signal) >= FULL_SCALE))
    if clipped > MAX_CLIPPED:
        raise NoSpeech("clipped", f"{100 * clipped:.1f}% of the samples at full scale")
    with warnings.catch_warnings():  # librosa warns about a signal shorter than one frame
        warnings.simplefilter("ignore", UserWarning)
        seconds = trim_silence(signal).size / sr
    if seconds < MIN_SPEECH_SECONDS:
        raise NoSpeech("too short", f"{seconds:.2f} s of sound after trimming, "
                                    f"{MIN_SPEECH_SECONDS} s needed")
