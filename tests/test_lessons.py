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

# (speech lessons go here)


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

# (fusion lessons go here)
