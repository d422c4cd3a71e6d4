"""Speech for the course (notebooks/02_audio): from a sound file to emotion probabilities.

One module per step, each importing only the ones above it:

- :mod:`.io`: any audio file, or a video's sound track, as 16 kHz mono (``load_audio``,
  ``SAMPLE_RATE``).
- :mod:`.features`: the models' inputs: the framing constants, silence trimming, log-mel
  spectrograms and their rolling windows (``log_mel``, ``clip_windows``, ``utterance_log_mel``),
  and the utterance statistics of the classical models (``utterance_features``,
  ``speech_features``).
- :mod:`.augment`: training variants: noise, shift, pitch, speed, speed perturbation,
  SpecAugment (``augment``, ``speed_perturb``, ``spec_augment``, ``SPEED_FACTORS``).
- :mod:`.models`: the unfitted models: the Keras builders ``speech_cnn_lstm`` and
  ``speech_utterance_cnn``, the scikit-learn pipelines ``speech_svm`` and ``speech_logreg``.
- :mod:`.predict`: a saved model ready for signals, or several averaged (``speech_predictor``,
  ``SpeechEnsemble``, ``default_speech_model_paths``).
- :mod:`.train`: training inputs and batches, and the recipes of the shipped models
  (``train_speech``, ``train_speech_logreg``, ``train_speech_utterance_cnn``).
- :mod:`.plots`: a log-mel spectrogram with a Grad-CAM map over it (``plot_log_mel``,
  ``window_maps_to_clip``).

``from utils.audio import features`` and then ``features.log_mel(signal)``; the names other
modules use (``load_audio``, ``speech_predictor``, ...) can also be imported from here directly.
TensorFlow, Keras and librosa are imported only by the functions that need them.
"""

from __future__ import annotations

from utils.audio import augment, features, io, models, plots, predict, train
from utils.audio.features import speech_features
from utils.audio.io import SAMPLE_RATE, load_audio
from utils.audio.predict import default_speech_model_paths, speech_predictor
from utils.audio.train import train_speech, train_speech_logreg, train_speech_utterance_cnn

__all__ = ["augment", "features", "io", "models", "plots", "predict", "train",
           "SAMPLE_RATE", "default_speech_model_paths", "load_audio", "speech_features",
           "speech_predictor", "train_speech", "train_speech_logreg", "train_speech_utterance_cnn"]
