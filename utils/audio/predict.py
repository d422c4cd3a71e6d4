"""A speech model ready for signals: features included, one clip or many, or an average of models.

:func:`speech_predictor` loads any speech model the course saves (a ``.json`` linear model, a
``.keras`` network, or a list of them) as one callable; :func:`default_speech_model_paths` names
the shipped pair it loads by default: two speaker-normalised linear models, each with a
globally standardised twin for a voice not heard yet (:mod:`utils.audio.train_speaker_norm`).
Every predictor first checks that there is speech at all and raises
:class:`utils.audio.nospeech.NoSpeech` (a ``ValueError``) when there is none.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from utils.audio.features import clip_windows, speech_features, utterance_log_mel
from utils.audio.io import SAMPLE_RATE
from utils.audio.nospeech import check_speech
from utils.audio.normalise import RunningSpeakerNormaliser, speaker_normalise


# openSMILE's member last: it resets its instance on a thread after its run (ReusableSmile), and
# that work then starts as the window's answer is ready instead of beside the librosa member.
DEFAULT_SPEECH_MODELS = ("speech_sn_librosa.json", "speech_sn_compare_realtime.json")
# The earlier default (chosen on validation actors 17-20), still loadable for comparison.
PREVIOUS_SPEECH_MODELS = ("speech_logreg.json", "speech_utterance_cnn.keras")


def default_speech_model_paths() -> list[Path]:
    """The shipped speech models the default predictor averages: speaker-normalised logistic
    regressions on the real-time cut of the ComParE 2016 functionals and on
    :func:`utils.audio.features.speech_features`, each with its model for a voice not heard yet
    (``unheard_model``), chosen by grouped cross-validation over RAVDESS actors 1-20
    (``models/speech_speaker_norm.md``)."""
    from utils.config import MODELS_DIR

    return [MODELS_DIR / name for name in DEFAULT_SPEECH_MODELS]


def feature_function(name: str) -> Callable[..., np.ndarray]:
    """The feature function a saved linear model names in its ``features`` field."""
    from utils.audio.opensmile_features import (compare_features, compare_realtime_features,
                                                egemaps_features)

    known = {"utils.audio.speech_features": speech_features,
             "utils.audio.compare_features": compare_features,
             "utils.audio.compare_realtime_features": compare_realtime_features,
             "utils.audio.egemaps_features": egemaps_features}
    if name not in known:
        raise ValueError(f"unknown speech features {name!r}; known: {sorted(known)}")
    return known[name]


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

    speaker_normalised = False  # True for models that standardise each speaker's features

    def __call__(self, signal: np.ndarray, sr: int = SAMPLE_RATE) -> np.ndarray:
        """The class probabilities of one signal, shape (8,); :class:`NoSpeech` without speech."""
        check_speech(signal, sr)
        return self.predict_checked(signal, sr)

    def predict_checked(self, signal: np.ndarray, sr: int = SAMPLE_RATE) -> np.ndarray:
        """:meth:`__call__` without the speech checks (the caller ran them)."""
        return self._forward_one(self.features(signal, sr)[np.newaxis])[0]

    def features_of(self, signals: Iterable[np.ndarray], sr: int = SAMPLE_RATE) -> np.ndarray:
        """The model inputs of many signals, stacked, each checked for speech first."""
        def checked(signal: np.ndarray) -> np.ndarray:
            check_speech(signal, sr)
            return self.features(signal, sr)

        return np.stack([checked(signal) for signal in signals])

    def predict_batch(self, signals: Iterable[np.ndarray], sr: int = SAMPLE_RATE,
                      speakers: Sequence | None = None) -> np.ndarray:
        """The class probabilities of many signals, shape (n, 8). ``speakers`` (one label per
        signal) matters only to speaker-normalised models."""
        return self._forward_many(self.features_of(signals, sr))


class NormalisedLinearPredictor(SpeechPredictor):
    """A speaker-normalised linear model: features z-scored per speaker, then the pipeline.

    One signal (:meth:`__call__`) is normalised by ``normaliser`` (a
    :class:`~utils.audio.normalise.RunningSpeakerNormaliser`): with ``adapt`` = 0 by the
    training prior only; with ``adapt`` > 0 every call first folds the signal's features into
    the normaliser with that weight, so it adapts to the voice it hears (:meth:`reset` for a new
    speaker). :meth:`predict_batch` with ``speakers`` normalises every speaker's clips with
    their own statistics, as the model was trained.

    ``unheard`` (optional) is the same features' model trained with plain, global
    standardisation: better than the speaker-normalised one for a voice not heard yet (the
    prior is a poor stand-in for a speaker's own statistics). The two are mixed with the
    normaliser's own weights: after n clips the prior holds k / (k + n) of the running mean
    (k = ``prior_weight``), and so does ``unheard`` of the probabilities: all of them before
    the first clip, a third after 4 clips, 3% after 60.
    """

    speaker_normalised = True

    def __init__(self, pipeline: Any, features: Callable, forward: Callable,
                 normaliser: RunningSpeakerNormaliser, adapt: float = 0.0,
                 unheard: Callable[[np.ndarray], np.ndarray] | None = None):
        super().__init__(pipeline, features, forward, forward)
        self.normaliser, self.adapt, self.unheard = normaliser, float(adapt), unheard

    def predict_checked(self, signal: np.ndarray, sr: int = SAMPLE_RATE) -> np.ndarray:
        """The class probabilities of one checked signal, shape (8,), normalised by the
        normaliser (after folding the signal in, when ``adapt`` > 0)."""
        features = self.features(signal, sr)
        if self.adapt > 0:
            self.normaliser.update(features, self.adapt)
        return self._running(features[np.newaxis])[0]

    def _running(self, features: np.ndarray) -> np.ndarray:
        """Probabilities (n, 8) of features normalised by the normaliser's current statistics,
        mixed with ``unheard``'s by the prior's share (see the class docstring)."""
        normalised = self._forward_one(self.normaliser.transform(features))
        if self.unheard is None:
            return normalised
        share = self.normaliser.prior_share
        unheard = self.unheard(np.nan_to_num(features, nan=0.0, posinf=0.0, neginf=0.0))
        return share * unheard + (1 - share) * normalised

    def predict_batch(self, signals: Iterable[np.ndarray], sr: int = SAMPLE_RATE,
                      speakers: Sequence | None = None) -> np.ndarray:
        """Probabilities (n, 8): each speaker's clips normalised with their own statistics, or
        all of them by the normaliser as it stands (:meth:`__call__` without adapting) when
        ``speakers`` is None."""
        features = self.features_of(signals, sr)
        if speakers is None:
            return self._running(features)
        return self._forward_many(speaker_normalise(features, speakers))

    def reset(self) -> None:
        """Forget the voice heard so far (back to the training prior)."""
        self.normaliser.reset()


class SpeechEnsemble:
    """Several speech predictors as one: the mean of their class probabilities. Called and
    batched like a :class:`SpeechPredictor`; ``members`` are the predictors inside."""

    def __init__(self, members: Sequence[SpeechPredictor]):
        self.members = list(members)
        self.speaker_normalised = any(member.speaker_normalised for member in self.members)

    def __call__(self, signal: np.ndarray, sr: int = SAMPLE_RATE) -> np.ndarray:
        """The mean class probabilities of one signal, shape (8,)."""
        check_speech(signal, sr)  # once for all members
        return np.mean([member.predict_checked(signal, sr) for member in self.members], axis=0)

    def predict_batch(self, signals: Iterable[np.ndarray], sr: int = SAMPLE_RATE,
                      speakers: Sequence | None = None) -> np.ndarray:
        """The mean class probabilities of many signals, shape (n, 8)."""
        signals = list(signals)
        return np.mean([member.predict_batch(signals, sr, speakers) for member in self.members],
                       axis=0)

    def reset(self) -> None:
        """Reset every member that adapts to a speaker."""
        for member in self.members:
            if hasattr(member, "reset"):
                member.reset()


def speech_predictor(model: Any = None, adapt: float = 0.0) -> SpeechPredictor | SpeechEnsemble:
    """A speech model ready for signals (16 kHz mono, or pass ``sr``), features included.

    ``model`` is a path or a model: a ``.json`` linear model
    (:func:`utils.audio.models.speech_logreg`, saved by
    :func:`utils.inference.save_linear_pipeline`), a ``.keras`` network / a Keras model (the
    CNN+LSTM or the utterance CNN, told apart by their input), or a list of these, averaged
    (:class:`SpeechEnsemble`). The default is the shipped ensemble,
    :func:`default_speech_model_paths`. This is the one place that tells the kinds apart.
    Class names are :data:`utils.labels.RAVDESS_CLASSES`. ``adapt`` is the weight (in clips)
    with which a speaker-normalised model folds every signal it hears into its running
    normaliser (0: the training prior only; see :class:`NormalisedLinearPredictor`).
    """
    if model is None:
        model = default_speech_model_paths()
    if isinstance(model, (list, tuple)):
        return SpeechEnsemble([speech_predictor(member, adapt) for member in model])
    if isinstance(model, (str, Path)) and Path(model).suffix == ".json":
        return _linear_predictor(model, adapt)
    return _network_predictor(model)


def _linear_predictor(path: str | Path, adapt: float = 0.0) -> SpeechPredictor:
    """:func:`speech_predictor` for a linear model saved as JSON (speaker-normalised when the
    file holds a speaker prior, ``speaker_prior_mean`` and ``speaker_prior_var``; its
    ``unheard_model``, a file beside it, is the model for a voice not heard yet)."""
    from utils.inference import load_linear_pipeline

    pipeline, meta = load_linear_pipeline(path)
    forward = _linear_forward(pipeline)
    features = feature_function(meta.get("features", "utils.audio.speech_features"))
    if "speaker_prior_mean" not in meta:
        return SpeechPredictor(pipeline, features, forward, forward)
    normaliser = RunningSpeakerNormaliser(meta["speaker_prior_mean"], meta["speaker_prior_var"],
                                          meta.get("prior_weight", 2.0))
    unheard = None
    if "unheard_model" in meta:
        twin, _ = load_linear_pipeline(Path(path).parent / meta["unheard_model"])
        unheard = _linear_forward(twin)
    return NormalisedLinearPredictor(pipeline, features, forward, normaliser, adapt, unheard)


def _linear_forward(pipeline: Any) -> Callable[[np.ndarray], np.ndarray]:
    """Features (n, d) -> probabilities (n, 8) of a loaded scaler + multinomial logistic
    regression (classes absent from its training get probability 0). The arithmetic of
    ``pipeline.predict_proba`` in numpy: scikit-learn's input validation cost more than the
    product itself (about 2 ms a call, four calls a window)."""
    scaler, classifier = pipeline[0], pipeline[-1]
    if classifier.coef_.shape[0] == 1:  # a binary model: sigmoid of one score
        return lambda features: _padded(pipeline.predict_proba(features), classifier.classes_)
    weights = (classifier.coef_ / scaler.scale_).T  # standardising folded into the weights
    bias = classifier.intercept_ - (scaler.mean_ / scaler.scale_) @ classifier.coef_.T

    def forward(features: np.ndarray) -> np.ndarray:
        logits = np.asarray(features, np.float64) @ weights + bias
        p = np.exp(logits - logits.max(axis=1, keepdims=True))
        return _padded(p / p.sum(axis=1, keepdims=True), classifier.classes_)

    return forward


def _padded(probabilities: np.ndarray, seen: np.ndarray) -> np.ndarray:
    """Probabilities over the classes a model saw, placed in the 8 RAVDESS columns."""
    from utils.labels import RAVDESS_CLASSES

    out = np.zeros((len(probabilities), len(RAVDESS_CLASSES)), np.float32)
    out[:, seen] = probabilities
    return out


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
