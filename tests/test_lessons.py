"""The course's lessons hold in quick mode: one test per claim the notebooks' prose makes.

Each test runs the phenomenon on the synthetic samples (the data every offline student, instructor
and CI run sees) through the same library calls the notebook makes, and fails if the samples or a
change to the code stop showing it. The notebook that states the claim is named in each section.
"""

from __future__ import annotations

import numpy as np
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

@pytest.fixture(scope="module")
def faces_shipped():
    """The shipped face model, and the synthetic PublicTest samples' faces, labels and the model's
    flip-averaged predictions, as the notebook computes them."""
    from utils.datasets import fer2013
    from utils.video import predict

    model = predict.load_face_model()
    with pytest.MonkeyPatch.context() as patch:  # module-wide: before the per-test quick mode
        patch.setenv("COURSE_QUICK", "1")
        x, y = fer2013.load("PublicTest")
    return model, x, y, predict.predict_in_batches(model, x, flip=True).argmax(axis=1)


def test_faces_shipped_model_reads_the_synthetic_expressions_above_chance(faces_shipped):
    from sklearn.metrics import f1_score

    _, _, y, predicted = faces_shipped
    majority = np.bincount(y).max() / len(y)  # always answering "happy"
    accuracy = (predicted == y).mean()
    assert accuracy > max(3 / 7, majority + 0.15), accuracy  # chance is 1/7
    assert f1_score(y, predicted, average="macro", labels=range(7)) > 0.35


def test_faces_shipped_model_does_not_call_everything_one_class(faces_shipped):
    _, _, y, predicted = faces_shipped
    counts = np.bincount(predicted, minlength=7)
    assert (counts > 0).sum() >= 5 and counts.max() < 0.5 * len(y), counts


def test_faces_samples_are_imbalanced_like_fer2013():
    from utils import training
    from utils.datasets import fer2013
    from utils.labels import EMOTIONS

    _, y = fer2013.load("Training")
    shares = np.bincount(y, minlength=7) / len(y)
    weights = training.class_weights(y, n_classes=7)
    disgust, happy = EMOTIONS.index("disgust"), EMOTIONS.index("happy")
    assert shares.argmin() == disgust and shares[disgust] < 0.05 and shares.argmax() == happy
    assert max(weights, key=weights.get) == disgust and weights[disgust] > 3 * weights[happy]


def test_faces_duplicate_check_finds_repeats_leaks_and_a_blank():
    from utils.datasets import fer2013

    x_train, _ = fer2013.load("Training")
    x_val, _ = fer2013.load("PublicTest")
    found = fer2013.duplicates(x_train, x_val)
    assert found["repeats"] >= 1 and found["shared"] >= 1, found
    assert (x_train.std(axis=(1, 2)) < 1).sum() >= 1  # the notebook's test for a blank image


def test_faces_gradcam_heat_sits_on_eyes_and_mouth(faces_shipped):
    from utils.video import explain as face_explain

    model, x, _, predicted = faces_shipped
    shares = face_explain.region_shares(face_explain.face_gradcams(model, x, predicted))
    uniform = face_explain.uniform_shares()
    for region in ("eyes", "mouth"):
        assert shares[region].mean() > 1.3 * uniform[region], (region, shares[region].mean())


def test_faces_sad_faces_called_wrong_are_mostly_called_neutral(faces_shipped):
    from utils.labels import EMOTIONS

    _, _, y, predicted = faces_shipped
    sad, neutral = EMOTIONS.index("sad"), EMOTIONS.index("neutral")
    wrong = predicted[(y == sad) & (predicted != sad)]
    assert len(wrong) and np.bincount(wrong, minlength=7).argmax() == neutral, wrong


# ---------------------------------------------------------------------------------------------
# notebooks/04_fusion/04_fusion
# ---------------------------------------------------------------------------------------------

# The per-frame neutral bias (section 3) and the F1 weights' fallbacks (section 4), on the notebook's
# quick-mode clips: the sample clips of validation actors 17, 18 and test actors 21, 22, the shipped
# face model on every FUSION_FRAME_STEP-th frame (the notebook reads every second frame; every fourth
# keeps these tests fast and the apex still covers two or more of the frames read).
FUSION_ACTORS = [17, 18, 21, 22]
FUSION_FRAME_STEP = 4


@pytest.fixture(scope="module")
def fusion_clips():
    """The sample clips (a table), their per-frame face probabilities and canonical labels."""
    from utils.datasets import ravdess
    from utils.labels import EMOTIONS, RAVDESS_TO_CANONICAL
    from utils.video import predict

    with pytest.MonkeyPatch.context() as patch:  # module-scoped: before conftest's quick mode
        patch.setenv("COURSE_QUICK", "1")
        clips = ravdess.table(ravdess.video_root(FUSION_ACTORS), kind="video")
    clips = clips[(clips["modality"] == "audio-visual") & clips["actor"].isin(FUSION_ACTORS)]
    clips = clips.reset_index(drop=True)
    face_predict = predict.face_predictor(predict.load_face_model(), flip=True)
    frames = [predict.video_face_probs(path, face_predict, step=FUSION_FRAME_STEP)[1]
              for path in clips["path"]]
    labels = clips["emotion"].map(RAVDESS_TO_CANONICAL).map(EMOTIONS.index).to_numpy()
    return clips, frames, labels


def test_most_frames_of_an_emotional_sample_clip_read_neutral(fusion_clips):
    import numpy as np

    from utils import fusion
    from utils.labels import EMOTIONS

    clips, frames, labels = fusion_clips
    shares = np.array([fusion.neutral_share(f) for f, y in zip(frames, labels)
                       if y != EMOTIONS.index("neutral")])
    assert len(shares) >= 12, f"only {len(shares)} emotional clips"
    assert np.mean(shares > 0.5) >= 0.75, shares.round(2)  # most clips: a majority of neutral frames
    assert np.mean(shares) > 0.6, shares.round(2)


def test_the_toy_clip_is_neutral_to_the_vote_and_sad_to_the_peak_window():
    import numpy as np

    from utils import fusion
    from utils.datasets import samples
    from utils.labels import EMOTIONS

    strength = np.array([samples.video.expression_strength(i, 75) for i in range(75)])
    rest, apex = np.full(7, 0.4 / 5), np.full(7, 0.15 / 6)  # the notebook's made-up numbers
    rest[[EMOTIONS.index("neutral"), EMOTIONS.index("sad")]] = 0.45, 0.15
    apex[EMOTIONS.index("sad")] = 0.85
    w = strength ** 3
    toy = (1 - w)[:, None] * rest + w[:, None] * apex
    called = {m: EMOTIONS[int(fusion.aggregate_frames(toy, m).argmax())] for m in fusion.AGGREGATIONS}
    assert fusion.neutral_share(toy) > 0.5
    assert called == {"vote": "neutral", "mean": "neutral", "log_mean": "neutral",
                      "confidence": "sad", "peak": "sad"}, called


def test_the_frame_vote_calls_more_sample_clips_neutral_than_there_are(fusion_clips):
    import numpy as np

    from utils import fusion
    from utils.labels import EMOTIONS

    _, frames, labels = fusion_clips
    neutral = EMOTIONS.index("neutral")
    called = np.mean([fusion.aggregate_frames(f, "vote").argmax() == neutral for f in frames])
    assert called >= np.mean(labels == neutral) + 0.5, called


def test_the_peak_window_recovers_clip_labels_more_often_than_the_frame_vote(fusion_clips):
    import numpy as np

    from utils import fusion

    _, frames, labels = fusion_clips
    accuracy = {method: np.mean([fusion.aggregate_frames(f, method).argmax() == y
                                 for f, y in zip(frames, labels)]) for method in ("vote", "peak")}
    assert accuracy["peak"] >= accuracy["vote"] + 0.2, accuracy


def test_f1_weights_are_zero_where_a_modality_never_predicted_an_emotion(fusion_clips):
    import numpy as np

    from utils import fusion

    clips, frames, labels = fusion_clips
    val = (clips["split"] == "val").to_numpy()
    face = np.vstack([fusion.aggregate_frames(f, "peak") for f in frames])[val]
    model = fusion.F1WeightedFusion().fit({"face": face, "text": fusion.missing(val.sum())},
                                          labels[val])
    never = sorted(set(range(7)) - set(fusion.predictions(face).tolist()))
    assert never, "the face model predicted every emotion: the fallback is not on show"
    table, lines = model.table(), model.fallbacks()
    for k in never:  # the notebook's claim: weight 0, and fallbacks() says why
        assert table.loc["face", fusion.EMOTIONS[k]] == 0
        assert any(line.startswith(f"{fusion.EMOTIONS[k]}: face -> weight 0") for line in lines)
    assert (table.loc["text"] == 0).all() and any(line.startswith("text: weight 0") for line in lines)
