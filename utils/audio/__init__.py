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
- :mod:`.opensmile_features`: openSMILE's ComParE 2016 and eGeMAPS functionals, built once, and
  the real-time ComParE configuration shipped in ``smile/`` (``compare_features``,
  ``compare_realtime_features``, ``egemaps_features``, ``ReusableSmile``).
- :mod:`.normalise`: speaker normalisation, fitted per speaker on unlabelled features, and the
  live ``RunningSpeakerNormaliser``.
- :mod:`.nospeech`: the checks every predictor runs first (``check_speech``, ``NoSpeech``).
- :mod:`.predict`: a saved model ready for signals, or several averaged (``speech_predictor``,
  ``SpeechEnsemble``, ``default_speech_model_paths``).
- :mod:`.train`: training inputs and batches, and the recipes of the earlier models
  (``train_speech``, ``train_speech_logreg``, ``train_speech_utterance_cnn``).
- :mod:`.train_speaker_norm`: the default model's recipe, grouped cross-validation included
  (``train_speech_speaker_norm``), one fold's fit and the shipped members' C, which the fusion
  reuses (``speaker_norm_fold_probabilities``, ``shipped_c``).
- :mod:`.adaptation`: accuracy against the number of a new voice's clips the live normaliser
  has heard (``adaptation_curve``).
- :mod:`.plots`: a log-mel spectrogram with a Grad-CAM map over it (``plot_log_mel``,
  ``window_maps_to_clip``).

``from utils.audio import features`` and then ``features.log_mel(signal)``; the names other
modules use (``load_audio``, ``speech_predictor``, ...) can also be imported from here directly.
TensorFlow, Keras and librosa are imported only by the functions that need them.
"""

from __future__ import annotations

from utils.audio import (adaptation, augment, features, io, models, normalise, nospeech,
                         opensmile_features, plots, predict, train, train_speaker_norm)
from utils.audio.features import speech_features
from utils.audio.io import SAMPLE_RATE, load_audio
from utils.audio.nospeech import NoSpeech, check_speech
from utils.audio.opensmile_features import (compare_features, compare_realtime_features,
                                            egemaps_features)
from utils.audio.predict import default_speech_model_paths, speech_predictor
from utils.audio.train import train_speech, train_speech_logreg, train_speech_utterance_cnn
from utils.audio.train_speaker_norm import train_speech_speaker_norm

__all__ = ["adaptation", "augment", "features", "io", "models", "normalise", "nospeech",
           "opensmile_features", "plots", "predict", "train", "train_speaker_norm",
           "NoSpeech", "SAMPLE_RATE", "check_speech", "compare_features",
           "compare_realtime_features", "default_speech_model_paths", "egemaps_features", "load_audio", "speech_features",
           "speech_predictor", "train_speech", "train_speech_logreg", "train_speech_speaker_norm",
           "train_speech_utterance_cnn"]
