"""openSMILE's standard feature sets: ComParE 2016 and eGeMAPS functionals of one utterance.

The ``opensmile`` wheel ships the native openSMILE library and its configurations, so these work
offline. :func:`compare_features` (6,373 numbers) is the standard set;
:func:`compare_realtime_features` (6,061) its real-time cut, one input of the default speech model;
:func:`egemaps_features` (88, the Geneva minimalistic set) is the small, interpretable set the
notebook shows beside the course's librosa statistics.

Why not ``opensmile.Smile.process_signal``: it builds openSMILE's component graph on every call
(33 ms of CPU for ComParE on the course's machine, most of the real-time budget).
:class:`ReusableSmile` builds the native instance once and ``reset``\\ s it between signals,
and reads the functionals through ``smile/single_field_sink.conf.inc`` (one array field), which
takes the reset from 31 to 12 ms; the numbers are bit-identical to ``process_signal``'s (tested).
"""

from __future__ import annotations

import functools
import os
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import numpy as np

from utils.audio.io import SAMPLE_RATE

SMILE_DIR = Path(__file__).parent / "smile"
# name -> an openSMILE feature set of the wheel, or a configuration file shipped in smile/
FEATURE_SETS = {"compare": "ComParE_2016", "egemaps": "eGeMAPSv02",
                "compare_realtime": str(SMILE_DIR / "ComParE_2016_realtime.conf")}


class ReusableSmile:
    """One openSMILE instance (functionals of ``feature_set``) run again for every signal.

    Call it on a mono float signal in [-1, 1] at ``sampling_rate`` for one feature vector
    (NaN everywhere when openSMILE finds the segment too short). The native instance holds
    state while it runs, so calls are serialised by a lock: safe from several threads, but one
    at a time (give each worker thread its own instance to run them in parallel).

    After each call a worker thread resets the instance, after the features are returned: the
    reset (about 12 ms, a quarter of the default speech model's CPU per window) is then done
    while the caller goes on, and a call only waits for it when it comes sooner than the reset
    ends (in the live loop a window comes every 0.5 s). ``ctypes`` releases the GIL during
    native calls, so the reset does not hold up the caller's Python. (The worker keeps normal
    priority: at the lowest, a busy machine starved it, and back-to-back calls, which wait for
    it, ran 20 times slower.)
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
        options.update(sampleRate=sampling_rate, nBits=16,
                       sink=str(SMILE_DIR / "single_field_sink.conf.inc"),
                       selFile=str(SMILE_DIR / "every_element.sel"))
        self.sampling_rate = sampling_rate
        self.feature_names = list(self._wrapper.feature_names)
        self._smile = self._wrapper._smile(options=options)
        self._lock = threading.Lock()
        # one long-lived worker resets the instance after each call
        self._resetter = ThreadPoolExecutor(1, "opensmile-reset")
        self._resetting: Future | None = None  # the reset after the last call

    def __call__(self, signal: np.ndarray) -> np.ndarray:
        """The functionals of one signal, float32, one per name in ``feature_names``."""
        # as process_signal converts (x 32768), clipped so that full scale cannot wrap around
        pcm = (np.clip(np.asarray(signal, np.float32), -1, 32767 / 32768) * 32768).astype(np.int16)
        with self._lock:
            if self._resetting is not None:
                self._resetting.result()  # usually long finished
            features = self._run(pcm.tobytes())
            self._resetting = self._resetter.submit(self._smile.reset)
        return features

    def _run(self, pcm: bytes) -> np.ndarray:
        """Feed a new or reset instance the samples and run it to the end of input."""
        source, sink = self._config.EXTERNAL_SOURCE_COMPONENT, self._config.EXTERNAL_OUTPUT_COMPONENT
        out: list[np.ndarray] = []  # a reset instance forgets its sink callback: register it again
        self._smile._callbacks.clear()  # the wrapper keeps every callback alive; one is needed
        self._smile.external_sink_set_callback_ex(sink, lambda data, _: out.append(data.copy()))
        self._smile.external_audio_source_write_data(source, pcm)
        self._smile.external_audio_source_set_eoi(source)
        self._smile.run()
        if not out:
            return np.full(len(self.feature_names), np.nan, np.float32)
        return np.asarray(out[0], np.float32).ravel()


def shared_includes() -> dict[str, str]:
    """The wheel's files that a configuration outside the wheel's folder includes, named by the
    options it reads them from (the wheel's own configurations find them by relative paths):
    the buffer modes, and ComParE 2016's functionals, which the real-time cut uses unchanged."""
    import opensmile

    config = Path(opensmile.__file__).parent / "core" / "config"
    return {"bufferModeConf": str(config / "shared" / "BufferMode.conf.inc"),
            "bufferModeRbLagConf": str(config / "shared" / "BufferModeRbLag.conf.inc"),
            "compareFunctionalsConf": str(config / "compare" / "ComParE_2016_core.func.conf.inc")}


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


def compare_realtime_features(signal: np.ndarray, sr: int = SAMPLE_RATE,
                              trim: bool = True) -> np.ndarray:
    """ComParE 2016 functionals made for real time (``smile/ComParE_2016_realtime.conf``: what
    it changes and why is in its header; 6,061 numbers) of the trimmed utterance: the default
    speech model's openSMILE member."""
    return smile_features(signal, sr, trim, "compare_realtime")


def egemaps_features(signal: np.ndarray, sr: int = SAMPLE_RATE, trim: bool = True) -> np.ndarray:
    """eGeMAPS v02 functionals (88 numbers) of the trimmed utterance."""
    return smile_features(signal, sr, trim, "egemaps")


def smile_feature_names(name: str = "compare") -> list[str]:
    """Names of the numbers :func:`smile_features` returns for ``name``."""
    return reusable_smile(name).feature_names
