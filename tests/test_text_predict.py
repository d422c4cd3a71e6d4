"""utils.text.predict: saving and loading text models, predictions from raw text, the shipped
models, CARER to canonical emotions, and the word-level saliency of utils.explain. Offline."""

from __future__ import annotations

import numpy as np
import pytest

from utils.labels import CARER_CLASSES, EMOTIONS
from utils.text import predict, preprocess, sequences


@pytest.fixture(scope="module")
def tiny_model(tmp_path_factory):
    from utils.text.models import text_emotion_bilstm

    folder = tmp_path_factory.mktemp("models")
    prep = preprocess.TextPreprocessor(keep_negations=True)
    vocab = sequences.Vocabulary.build([prep("i feel happy and glad"), prep("i feel sad and lonely")])
    model = text_emotion_bilstm(len(vocab), 6, dim=8, units=4)
    predict.save_text_model(model, vocab, prep, CARER_CLASSES, 6, "tiny", folder)
    return predict.load_text_model("tiny", folder)


def test_saved_model_round_trip(tiny_model):
    probs = tiny_model.predict_proba(["i feel happy", "sad and lonely today"])
    assert probs.shape == (2, 6) and np.allclose(probs.sum(1), 1, atol=1e-5)
    assert set(tiny_model.predict("i feel glad")) == set(CARER_CLASSES)
    assert tiny_model.predict_proba("caf\xe9 happy".encode("cp1252")).shape == (1, 6)


def test_prediction_needs_a_known_word(tiny_model):
    with pytest.raises(predict.NoKnownWords, match="no evidence"):
        tiny_model.predict_proba("")
    with pytest.raises(ValueError, match="no evidence"):
        tiny_model.predict_proba("the and of !!!")
    with pytest.raises(ValueError, match="stores no base rates"):  # saved without them
        tiny_model.predict_proba("the and of !!!", unknown="base_rates")


def test_missing_model_says_how_to_retrain(tmp_path):
    with pytest.raises(FileNotFoundError, match="utils.retrain text-emotion"):
        predict.load_text_model("text_emotion", tmp_path)


def test_word_saliency(tiny_model):
    from utils.explain import plot_word_saliency, word_saliency

    ids = tiny_model.encode(["i feel happy"])[0]
    scores = word_saliency(tiny_model.model, ids, 1)
    assert scores.shape == (6,) and np.all(scores[ids == 0] == 0) and np.any(scores != 0)
    fig = plot_word_saliency(["feel", "happy"], scores[:2], "tiny model")
    assert fig.axes[0].get_title() == "tiny model"
    with pytest.raises(ValueError, match="no words"):
        plot_word_saliency([], [], "empty")


@pytest.mark.parametrize("name", ["text_emotion", "personality"])
def test_shipped_models_load_and_answer(name):
    model = predict.load_text_model(name)
    probs = model.predict_proba(["i feel so happy and excited about my new friends",
                                 "i am scared and worried about the exam tomorrow"])
    assert probs.shape == (2, len(model.classes)) and np.all((probs >= 0) & (probs <= 1))
    if name == "text_emotion":
        assert [model.classes[i] for i in probs.argmax(1)] == ["joy", "fear"]


def test_to_canonical_drops_love_and_masks_what_text_cannot_say():
    probs = np.array([0.1, 0.3, 0.4, 0.1, 0.05, 0.05])  # CARER order
    canonical, mask = predict.to_canonical(probs)
    assert canonical.sum() == pytest.approx(1.0 - 0.4)  # love's share has no counterpart
    assert canonical[EMOTIONS.index("happy")] == pytest.approx(0.3)
    assert not mask[EMOTIONS.index("disgust")] and not mask[EMOTIONS.index("neutral")]
    with pytest.raises(ValueError, match="6 probabilities"):
        predict.to_canonical([0.5, 0.5])
