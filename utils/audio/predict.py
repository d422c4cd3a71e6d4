"""A speech model ready for signals: features included, one clip or many, or an average of models.

:func:`speech_predictor` loads any speech model the course saves (a ``.json`` linear model, a
``.keras`` network, or a list of them) as one callable; :func:`default_speech_model_paths` names
the shipped pair it loads by default.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from utils.audio.features import clip_windows, speech_features, utterance_log_mel
from utils.audio.io import SAMPLE_RATE


DEFAULT_SPEECH_MODELS = ("speech_logreg.json", "speech_utterance_cnn.keras")


def default_speech_model_paths() -> list[Path]:
    """The shipped speech models the default predictor averages: the linear model on
    :func:`utils.audio.features.speech_features` and the utterance CNN on
    :func:`utils.audio.features.utterance_log_mel`. Together they score better on the validation
    actors 17-20 than either alone (the model cards have the numbers)."""
    from utils.config import MODELS_DIR

    return [MODELS_DIR / name for name in DEFAULT_SPEECH_MODELS]


class SpeechPredictor:
    """A loaded speech model of either kind, as :func:`speech_predictor` returns it.

    Call it on one signal for its 8 class probabilities (:data:`utils.labels.RAVDESS_CLASSES`),
    fast enough for real time; :meth:`predict_batch` scores many signals at once (a dataset
    split). ``model`` is the model inside: the scikit-learn pipeline or the Keras model.
    """

    def __init__(self, model: Any, features: Callable[[np.ndarray, int], np.ndarray],
                 forward_one: Callable[[np.ndarray], np.ndarray],
                 forward_many: Callable[[np.ndarray], np.ndarray]):
        """``features(signal, sr)`` is one clip's model input; ``forward_one`` runs a batch of
        one input, ``forward_many`` a stack of many; both give probabilities (n, 8)."""
        self.model, self.features = model, features
        self._forward_one, self._forward_many = forward_one, forward_many

    def __call__(self, signal: np.ndarray, sr: int = SAMPLE_RATE) -> np.ndarray:
        """The class probabilities of one signal, shape (8,)."""
        return self._forward_one(self.features(signal, sr)[np.newaxis])[0]

    def predict_batch(self, signals: Iterable[np.ndarray], sr: int = SAMPLE_RATE) -> np.ndarray:
        """The class probabilities of many signals, shape (n, 8)."""
        return self._forward_many(np.stack([self.features(signal, sr) for signal in signals]))


class SpeechEnsemble:
    """Several speech predictors as one: the mean of their class probabilities. Called and
    batched like a :class:`SpeechPredictor`; ``members`` are the predictors inside."""

    def __init__(self, members: Sequence[SpeechPredictor]):
        self.members = list(members)

    def __call__(self, signal: np.ndarray, sr: int = SAMPLE_RATE) -> np.ndarray:
        """The mean class probabilities of one signal, shape (8,)."""
        return np.mean([member(signal, sr) for member in self.members], axis=0)

    def predict_batch(self, signals: Iterable[np.ndarray], sr: int = SAMPLE_RATE) -> np.ndarray:
        """The mean class probabilities of many signals, shape (n, 8)."""
        signals = list(signals)
        return np.mean([member.predict_batch(signals, sr) for member in self.members], axis=0)


def speech_predictor(model: Any = None) -> SpeechPredictor | SpeechEnsemble:
    """A speech model ready for signals (16 kHz mono, or pass ``sr``), features included.

    ``model`` is a path or a model: a ``.json`` linear model
    (:func:`utils.audio.models.speech_logreg`, saved by
    :func:`utils.inference.save_linear_pipeline`), a ``.keras`` network / a Keras model (the
    CNN+LSTM or the utterance CNN, told apart by their input), or a list of these, averaged
    (:class:`SpeechEnsemble`). The default is the shipped ensemble,
    :func:`default_speech_model_paths`. This is the one place that tells the kinds apart.
    Class names are :data:`utils.labels.RAVDESS_CLASSES`.
    """
    if model is None:
        model = default_speech_model_paths()
    if isinstance(model, (list, tuple)):
        return SpeechEnsemble([speech_predictor(member) for member in model])
    if isinstance(model, (str, Path)) and Path(model).suffix == ".json":
        return _linear_predictor(model)
    return _network_predictor(model)


def _linear_predictor(path: str | Path) -> SpeechPredictor:
    """:func:`speech_predictor` for a linear model saved as JSON."""
    from utils.labels import RAVDESS_CLASSES
    from utils.inference import load_linear_pipeline

    pipeline, _ = load_linear_pipeline(path)
    seen = pipeline[-1].classes_  # classes absent from training get probability 0

    def forward(features: np.ndarray) -> np.ndarray:
        probabilities = np.zeros((len(features), len(RAVDESS_CLASSES)), np.float32)
        probabilities[:, seen] = pipeline.predict_proba(features)
        return probabilities

    return SpeechPredictor(pipeline, speech_features, forward, forward)


def _network_predictor(model: str | Path | Any) -> SpeechPredictor:
    """:func:`speech_predictor` for a network (a Keras model or a ``.keras`` path): the CNN+LSTM
    reads rolling windows (:func:`utils.audio.features.clip_windows`), the utterance CNN one
    spectrogram (:func:`utils.audio.features.utterance_log_mel`). One clip runs through one
    traced graph, many clips through ``model.predict`` in batches of 64."""
    import keras
    import tensorflow as tf

    from utils.inference import inference_function

    if isinstance(model, (str, Path)):
        model = keras.models.load_model(model)
    forward = inference_function(model)
    features = clip_windows if len(model.input_shape) == 5 else utterance_log_mel
    return SpeechPredictor(model, features,
                           lambda windows: np.asarray(forward(tf.constant(windows))),
                           lambda windows: model.predict(windows, batch_size=64, verbose=0))
