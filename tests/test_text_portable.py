"""The shipped text models predict the same with and without WordNet on the machine (they carry a
lemma table and name their tagger), and text without any known word gets a defined answer.
Offline: the shipped models and the project's synthetic samples only."""

from __future__ import annotations

import json

import numpy as np
import pytest

from utils.text import predict, preprocess, resources

SENTENCES = ["i feel so happy and excited about my new friends",
             "i am scared and worried about the exam tomorrow",
             "The children were running through the leaves, laughing; my feelings got better.",
             "Well, I was thinking about the studies I've been doing and the classes I'm taking."]


def _clear_caches() -> None:
    for cached in (resources._wordnet, resources._tagger):
        cached.cache_clear()


@pytest.fixture()
def hide_wordnet(monkeypatch):
    """No WordNet at all: the switch the module honours, and neither NLTK's data nor Debian's."""
    monkeypatch.setenv("COURSE_NO_WORDNET", "1")
    real_has = resources._nltk_has
    monkeypatch.setattr(resources, "_nltk_has", lambda name: "wordnet" not in name and real_has(name))
    monkeypatch.setattr(resources, "debian_wordnet_reader", lambda source=None: None)
    _clear_caches()
    yield
    monkeypatch.undo()
    _clear_caches()


def _outputs(name: str) -> tuple[np.ndarray, list[list[str]]]:
    model = predict.load_text_model(name)
    return model.predict_proba(SENTENCES), [model.tokens(s) for s in SENTENCES]


@pytest.fixture(scope="module")
def with_wordnet():
    """Each shipped model's probabilities and tokens on SENTENCES with this machine's resources."""
    _clear_caches()
    return {name: _outputs(name) for name in ("text_emotion", "personality")}


@pytest.mark.parametrize("name", ["text_emotion", "personality"])
def test_shipped_models_answer_the_same_without_wordnet(name, with_wordnet, hide_wordnet):
    assert resources._wordnet()[0] is None and "NONE" in resources.resolve_resources()["lemmatiser"]
    probs, tokens = _outputs(name)
    assert tokens == with_wordnet[name][1]
    assert np.array_equal(probs, with_wordnet[name][0])


@pytest.mark.parametrize("name", ["text_emotion", "personality"])
def test_shipped_models_carry_what_their_preprocessing_needs(name):
    info = json.loads(predict.model_paths(name)[1].read_text())
    config = info["preprocessing"]
    assert config["tagger"] == "textblob-aptagger" and "WordNet 3.0" in config["lemma_source"]
    assert config["lemma_table"]["v"]["running"] == "run"
    assert len(info["base_rates"]) == len(info["classes"])


@pytest.mark.skipif(resources._wordnet()[0] is None, reason="no WordNet on this machine")
def test_without_a_table_wordnet_changes_the_tokens(hide_wordnet):
    """What the table prevents: the machine's pipeline lemmatises only where WordNet is."""
    assert "running" in preprocess.TextPreprocessor()("they were running")


@pytest.mark.skipif(resources._wordnet()[0] is None, reason="a lemma table is made with WordNet")
def test_lemma_table_replaces_wordnet():
    prep = preprocess.TextPreprocessor(tagger="textblob-aptagger").with_lemma_table(
        ["the dogs were running", "cats"])
    assert prep.lemma_table["v"] == {"running": "run"} and prep.lemma_table["n"] == {  # "were": a stop word
        "cats": "cat", "dogs": "dog"}
    again = preprocess.TextPreprocessor.from_config(json.loads(json.dumps(prep.to_config())))
    assert again("dogs running geese") == ["dog", "run", "geese"]  # "geese" unseen: stays as it is
    assert "lemma table" in again.resources()["lemmatiser"]


def test_a_lemma_table_needs_wordnet(hide_wordnet):
    with pytest.raises(RuntimeError, match="needs WordNet"):
        preprocess.TextPreprocessor().with_lemma_table(["dogs"])


@pytest.mark.skipif(resources._wordnet()[0] is None, reason="a lemma table is made with WordNet")
def test_the_recipe_saves_a_table_and_base_rates(tmp_path):
    from utils.datasets.samples import ensure_samples
    from utils.text.train import train_text_emotion

    emotion = ensure_samples("carer", root=tmp_path / "samples")
    train_text_emotion(emotion, tmp_path / "out", epochs=1, verbose=0)
    info = json.loads((tmp_path / "out" / "text_emotion.text.json").read_text())
    assert info["preprocessing"]["lemma_table"] and info["preprocessing"]["tagger"] == "textblob-aptagger"
    assert sum(info["base_rates"]) == pytest.approx(1.0)


# --------------------------------------------------------------------------- no known word
UNKNOWN = ["xqzt", "", "   !!! ...", bytes(range(256)), "\x00\x7f\ufffd"]


@pytest.mark.parametrize("name", ["text_emotion", "personality"])
@pytest.mark.parametrize("text", UNKNOWN, ids=["oov", "empty", "punctuation", "bytes", "control"])
def test_text_without_known_words(name, text):
    model = predict.load_text_model(name)
    assert model.known_words(text)[0] == 0
    with pytest.raises(predict.NoKnownWords, match="no evidence"):
        model.predict_proba(text)
    probs = model.predict_proba([text, SENTENCES[0]], unknown="base_rates")
    assert np.allclose(probs[0], model.base_rates)
    assert np.allclose(probs[1], model.predict_proba(SENTENCES[0])[0])
    if model.multilabel:  # each trait's share of "high" essays: never an extreme answer
        assert np.all(np.abs(model.base_rates - 0.5) < 0.2)
    else:
        assert model.base_rates.sum() == pytest.approx(1.0) and model.base_rates.max() < 0.5


def test_unknown_choice_is_checked():
    model = predict.load_text_model("text_emotion")
    with pytest.raises(ValueError, match="unknown must be"):
        model.predict_proba("i feel happy", unknown="zero")
