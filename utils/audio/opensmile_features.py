"""openSMILE's standard feature sets: ComParE 2016 and eGeMAPS functionals of one utterance.

The ``opensmile`` wheel ships the native openSMILE library and its configurations, so these work
offline. :func:`compare_features` (6,373 numbers) is one input of the default speech model;
:func:`egemaps_features` (88, the Geneva minimalistic set) is the small, interpretable set the
notebook shows beside the course's librosa statistics.

Why not ``opensmile.Smile.process_signal``: it parses the configuration and builds openSMILE's
component graph on every call (about 6 ms for eGeMAPS, 17 ms for ComParE, half the real-time
budget). :class:`ReusableSmile` builds the native instance once and ``reset``\\ s it between
signals; the numbers are bit-identical to ``process_signal``'s (tested).
"""

from __future__ import annotations

import functools
import os
import threading
from pathlib import Path

import numpy as np

from utils.audio.io import SAMPLE_RATE

SMILE_DIR = Path(__file__).parent / "smile"
# name -> an openSMILE feature set of the wheel, or a configuration file shipped in smile/
FEATURE_SETS = {"compare": "ComParE_2016", "egemaps": "eGeMAPSv02",
                "compare_fast": str(SMILE_DIR / "ComParE_2016_fast.conf")}


class ReusableSmile:
    """One openSMILE instance (functionals of ``feature_set``) run again for every signal.

    Call it on a mono float signal in [-1, 1] at ``sampling_rate`` for one feature vector
    (NaN everywhere when openSMILE finds the segment too short). The native instance holds
    state while it runs, so calls are serialised by a lock: safe from several threads, but one
    at a time (give each worker thread its own instance to run them in parallel).
    """

    def __init__(self, feature_set: str = "ComParE_2016", sampling_rate: int = SAMPLE_RATE):
        """``feature_set``: a name of ``opensmile.FeatureSet`` or the path of a ``.conf`` file."""
        import opensmile
        from opensmile.core.config import config

        self._config = config
        is_file = feature_set.endswith(".conf")
        self._wrapper = opensmile.Smile(
            feature_set=feature_set if is_file else getattr(opensmile.FeatureSet, feature_set),
            feature_level=opensmile.FeatureLevel.Functionals,
            options=shared_includes() if is_file else None)
        options = self._wrapper._options()  # the options process_signal would pass
        options["source"] = os.path.join(self._wrapper.default_config_root,
                                         config.EXTERNAL_INPUT_CONFIG)
        options.update(sampleRate=sampling_rate, nBits=16)
        self.sampling_rate = sampling_rate
        self.feature_names = list(self._wrapper.feature_names)
        self._smile = self._wrapper._smile(options=options)
        self._fresh, self._lock = True, threading.Lock()

    def __call__(self, signal: np.ndarray) -> np.ndarray:
        """The functionals of one signal, float32, one per name in ``feature_names``."""
        # as process_signal converts (x 32768), clipped so that full scale cannot wrap around
        pcm = (np.clip(np.asarray(signal, np.float32), -1, 32767 / 32768) * 32768).astype(np.int16)
        with self._lock:
            return self._run(pcm.tobytes())

    def _run(self, pcm: bytes) -> np.ndarray:
        """Reset the instance (unless new), feed it the samples, run it to the end of input."""
        source, sink = self._config.EXTERNAL_SOURCE_COMPONENT, self._config.EXTERNAL_OUTPUT_COMPONENT
        if not self._fresh:
            self._smile.reset()  # a reset instance forgets its sink callback: register it again
        self._fresh = False
        out: list[np.ndarray] = []
        self._smile.external_sink_set_callback_ex(sink, lambda data, _: out.append(data.copy()))
        self._smile.external_audio_source_write_data(source, pcm)
        self._smile.external_audio_source_set_eoi(source)
        self._smile.run()
        if not out:
            return np.full(len(self.feature_names), np.nan, np.float32)
        return np.asarray(out[0], np.float32).ravel()


def shared_includes() -> dict[str, str]:
    """The wheel's buffer-mode includes, named by the options a configuration outside the
    wheel's folder needs (the wheel's own configurations find them by relative paths)."""
    import opensmile

    shared = Path(opensmile.__file__).parent / "core" / "config" / "shared"
    return {"bufferModeConf": str(shared / "BufferMode.conf.inc"),
            "bufferModeRbLagConf": str(shared / "BufferModeRbLag.conf.inc")}


@functools.lru_cache(maxsize=4)
def reusable_smile(name: str = "compare") -> ReusableSmile:
    """The process's shared :class:`ReusableSmile` of ``name`` (a key of :data:`FEATURE_SETS`)."""
    return ReusableSmile(FEATURE_SETS[name])


def smile_features(signal: np.ndarray, sr: int = SAMPLE_RATE, trim: bool = True,
                   name: str = "compare") -> np.ndarray:
    """The openSMILE functionals ``name`` of one utterance (silence trimmed first, as the
    course's other features), from any sample rate."""
    from utils.audio.features import _at_sample_rate, trim_silence

    signal = _at_sample_rate(signal, sr)
    if trim:
        signal = trim_silence(signal)
    return reusable_smile(name)(signal)


def compare_features(signal: np.ndarray, sr: int = SAMPLE_RATE, trim: bool = True) -> np.ndarray:
    """ComParE 2016 functionals (6,373 numbers) of the trimmed utterance."""
    return smile_features(signal, sr, trim, "compare")


def compare_fast_features(signal: np.ndarray, sr: int = SAMPLE_RATE,
                          trim: bool = True) -> np.ndarray:
    """ComParE 2016 functionals made fast enough for real time (``smile/ComParE_2016_fast.conf``:
    what it keeps and why is in its header) of the trimmed utterance."""
    return smile_features(signal, sr, trim, "compare_fast")


def egemaps_features(signal: np.ndarray, sr: int = SAMPLE_RATE, trim: bool = True) -> np.ndarray:
    """eGeMAPS v02 functionals (88 numbers) of the trimmed utterance."""
    return smile_features(signal, sr, trim, "egemaps")


def smile_feature_names(name: str = "compare") -> list[str]:
    """Names of the numbers :func:`smile_features` returns for ``name``."""
    return reusable_smile(name).feature_names
