"""The course's lessons hold in quick mode: one test per claim the notebooks' prose makes.

Each test runs the phenomenon on the synthetic samples (the data every offline student, instructor
and CI run sees) through the same library calls the notebook makes, and fails if the samples or a
change to the code stop showing it. The notebook that states the claim is named in each section.
"""

from __future__ import annotations

import pytest

# ---------------------------------------------------------------------------------------------
# notebooks/01_text: personality and text emotion
# ---------------------------------------------------------------------------------------------

# (text lessons go here)


# ---------------------------------------------------------------------------------------------
# notebooks/02_audio/02_speech
# ---------------------------------------------------------------------------------------------

# The claims of sections 3 and 5: a random split leaks the speakers, speakers differ more than
# emotions, speaker normalisation helps, and a grouped cross-validation's folds disagree. All on
# the synthetic samples, with the notebook's calls (features, models, folds, normalisation).
# Fits run on one BLAS thread: on the shared 2-core machine more threads made them 15x slower.


@pytest.fixture(scope="module")
def speech_lesson():
    """The notebook's inputs on the samples of actors 1-20: table, features, labels, folds."""
    import numpy as np

    from utils.audio import features, io
    from utils.datasets import ravdess
    from utils.datasets.samples import ensure_samples
    from utils.labels import RAVDESS_CLASSES

    from threadpoolctl import threadpool_limits

    frame = ravdess.table(ensure_samples("ravdess"))
    frame = frame[frame["split"] != "test"].reset_index(drop=True)
    with threadpool_limits(1):
        signals = [features.trim_silence(io.load_audio(path)) for path in frame["path"]]
        values = np.stack([features.speech_features(s, trim=False) for s in signals])
    actors = frame["actor"].to_numpy()
    fold_of = {a: k for k, group in enumerate(ravdess.actor_folds(actors)) for a in group}
    return {"frame": frame, "signals": signals, "F": values,
            "X": values[:, :len(features.utterance_feature_names())],
            "y": frame["emotion"].map(RAVDESS_CLASSES.index).to_numpy(),
            "actors": actors, "folds": np.array([fold_of[a] for a in actors])}


def _grouped_cv(lesson: dict, model, values):
    """Per-fold accuracies of the notebook's grouped cross-validation (section 5)."""
    from sklearn.model_selection import GroupKFold, cross_val_score
    from threadpoolctl import threadpool_limits

    folds = lesson["folds"]
    with threadpool_limits(1):
        return cross_val_score(model, values, lesson["y"], groups=folds,
                               cv=GroupKFold(n_splits=len(set(folds))))


def _speaker_independent_svm(lesson: dict) -> float:
    """Section 3: the SVM trained on the training actors, scored on the validation actors."""
    from utils.audio import models

    train = (lesson["frame"]["split"] == "train").to_numpy()
    svm = models.speech_svm().fit(lesson["X"][train], lesson["y"][train])
    return float(svm.score(lesson["X"][~train], lesson["y"][~train]))


def test_speech_random_split_beats_speaker_independent(speech_lesson):
    from sklearn.model_selection import train_test_split

    from utils.audio import models

    X, y = speech_lesson["X"], speech_lesson["y"]
    random_train, random_test = train_test_split(range(len(y)), test_size=0.2, random_state=42)
    leaky = models.speech_svm().fit(X[random_train], y[random_train])
    random_accuracy = float(leaky.score(X[random_test], y[random_test]))
    honest = _speaker_independent_svm(speech_lesson)
    assert random_accuracy >= honest + 0.10, f"random {random_accuracy:.2f}, by speaker {honest:.2f}"


def test_speech_speaker_independent_is_above_chance_and_below_perfect(speech_lesson):
    from utils.audio import models

    assert _speaker_independent_svm(speech_lesson) >= 3 / 8, "chance is 1/8"
    linear = _grouped_cv(speech_lesson, models.speech_logreg(0.01), speech_lesson["F"])
    assert 3 / 8 <= linear.mean() <= 0.95, f"linear model, grouped CV {linear.mean():.2f}"


def test_speech_speakers_differ_more_in_pitch_than_emotions(speech_lesson):
    import librosa
    import numpy as np
    import pandas as pd

    pitch = pd.Series([12 * np.log2(np.median(librosa.yin(s, fmin=60, fmax=500, sr=16_000)) / 27.5)
                       for s in speech_lesson["signals"]])
    by_speaker = pitch.groupby(speech_lesson["actors"]).mean().var()
    by_emotion = pitch.groupby(speech_lesson["frame"]["emotion"]).mean().var()
    assert by_speaker >= 1.5 * by_emotion, f"speakers {by_speaker:.1f}, emotions {by_emotion:.1f}"


def test_speech_speaker_normalisation_helps_the_grouped_cv(speech_lesson):
    from utils.audio import models, normalise

    values = speech_lesson["F"]
    plain = _grouped_cv(speech_lesson, models.speech_logreg(0.01), values)
    normalised = _grouped_cv(speech_lesson, models.speech_logreg(0.01),
                             normalise.speaker_normalise(values, speech_lesson["actors"]))
    assert normalised.mean() >= plain.mean() + 0.03, f"{plain.mean():.2f} -> {normalised.mean():.2f}"
    assert (normalised > plain).sum() >= 3, f"per fold {plain.round(2)} -> {normalised.round(2)}"


def test_speech_grouped_cv_folds_disagree(speech_lesson):
    from utils.audio import models

    scores = _grouped_cv(speech_lesson, models.speech_svm(), speech_lesson["X"])
    assert len(scores) == 5 and scores.max() - scores.min() >= 2 / 64, scores.round(3)


# ---------------------------------------------------------------------------------------------
# notebooks/03_video/03_faces
# ---------------------------------------------------------------------------------------------

# (face lessons go here)


# ---------------------------------------------------------------------------------------------
# notebooks/04_fusion/04_fusion
# ---------------------------------------------------------------------------------------------

# (fusion lessons go here)
