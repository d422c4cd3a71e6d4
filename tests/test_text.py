"""utils.text: the NLTK pipeline and its resources, sequences, Word2Vec, saving/loading text models,
the essays split, and the word-level saliency of utils.explain. Offline; never reads ../shared."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from utils import text
from utils.labels import BIG_FIVE, CARER_CLASSES, EMOTIONS


@pytest.fixture(scope="module")
def prep():
    return text.TextPreprocessor()


# --------------------------------------------------------------------------- resources


def test_every_step_says_which_resource_it_uses():
    found = text.resolve_resources()
    assert set(found) == {"tokeniser", "stop words", "POS tagger", "lemmatiser"}
    assert all(isinstance(v, str) and v for v in found.values())
    lines = text.TextPreprocessor().describe().splitlines()
    assert len(lines) == 4 and all(":" in line for line in lines)


@pytest.mark.skipif(text.debian_wordnet_reader() is None, reason="Debian's wordnet-base not installed")
def test_debian_wordnet_lemmatises_like_nltk():
    lemmatize = text._lemmatizer_for(text.debian_wordnet_reader())
    assert lemmatize("running", "v") == "run"
    assert lemmatize("feet", "n") == "foot"
    assert lemmatize("better", "a") == "good"
    assert lemmatize("unknownwordxyz", "n") == "unknownwordxyz"


def test_debian_reader_is_none_without_the_database(tmp_path):
    assert text.debian_wordnet_reader(tmp_path) is None


def test_missing_resources_are_stated_and_steps_fall_back(monkeypatch):
    monkeypatch.setattr(text, "_wordnet", lambda: (None, "NONE: no WordNet found"))
    monkeypatch.setattr(text, "_tagger", lambda: (None, "NONE: no tagger data found"))
    plain = text.TextPreprocessor()
    assert "NONE" in plain.resources()["lemmatiser"] and "NONE" in plain.resources()["POS tagger"]
    steps = plain.steps("The dogs were running")
    assert steps["lemmas"] == ["dogs", "running"]  # not lemmatised, but nothing is dropped
    assert all(tag == "NN" for _, tag in steps["POS tags"])


# --------------------------------------------------------------------------- pipeline


def test_pipeline_steps_on_one_sentence(prep):
    steps = prep.steps("I didn't think I'd be running 3 miles!!! Sooooo tired... http://x.com/a")
    assert list(steps) == ["tokens", "standardised", "no punctuation", "lowercased",
                           "no stop words", "POS tags", "lemmas"]
    assert "http://x.com/a" in steps["tokens"]  # web addresses stay whole
    assert {"not", "would", "number", "url", "Soo"} <= set(steps["standardised"])
    assert all(t.isalnum() for t in steps["no punctuation"])
    assert "run" in steps["lemmas"] or text._wordnet()[0] is None


def test_negations_can_be_kept():
    sentence = "im not happy and i never was"
    assert "not" not in text.TextPreprocessor()(sentence)
    kept = text.TextPreprocessor(keep_negations=True)(sentence)
    assert "not" in kept and "never" in kept


def test_bare_contractions_are_spelled_out():
    assert text.standardize(["didnt", "im", "cant"]) == ["did", "not", "i", "am", "can", "not"]


@pytest.mark.parametrize("empty", ["", "   \n\t", "!!! ... ,,,", b""])
def test_text_without_words_gives_no_tokens(prep, empty):
    assert prep(empty) == []


def test_non_english_text_is_processed_not_rejected(prep):
    tokens = prep("Das ist ein schönes Haus. これは日本語です。 Ça va très bien")
    assert tokens and all(isinstance(t, str) and t for t in tokens)
    assert "schönes" in tokens  # non-ASCII letters survive punctuation removal


def test_bytes_are_decoded_utf8_then_cp1252():
    assert text.to_text("café".encode("utf-8")) == "café"
    assert text.to_text(b"don\x92t caf\xe9") == "don\u2019t café"  # cp1252, as the original essays
    assert text.to_text(b"\x81\x8d") == "\x81\x8d"  # not cp1252 either: Latin-1, defined
    with pytest.raises(TypeError, match="str or bytes"):
        text.to_text(42)


def test_a_100000_word_text_is_processed(prep):
    tokens = prep(" ".join(["I", "was", "there", "and", "it", "was", "the", "best", "of", "times"] * 10000))
    assert len(tokens) == 20000  # all but "best" and "times" are stop words
    assert set(tokens) <= {"best", "good", "time", "times"}


def test_preprocessor_config_round_trip(prep):
    config = json.loads(json.dumps(prep.to_config()))
    again = text.TextPreprocessor.from_config(config)
    assert again.stop_words == prep.stop_words
    sentence = "We were walking to the libraries"
    assert again(sentence) == prep(sentence)


def test_from_config_warns_when_resources_differ(prep):
    config = prep.to_config()
    config["resources"]["lemmatiser"] = "something else"
    with pytest.warns(UserWarning, match="lemmatiser"):
        text.TextPreprocessor.from_config(config)


# --------------------------------------------------------------------------- sequences, Word2Vec


def test_vocabulary_and_padding():
    vocab = text.Vocabulary.build([["b", "a", "a"], ["c", "a", "b"]], min_count=2)
    assert vocab.words == [text.PAD, text.OOV, "a", "b"]
    assert vocab.encode(["a", "zzz", "b"]) == [2, 1, 3]
    assert vocab.coverage(["a", "zzz"]) == 0.5 and np.isnan(vocab.coverage([]))
    padded = text.pad_sequences([[5, 6, 7], [1]], 2)
    assert padded.tolist() == [[5, 6], [1, 0]] and padded.dtype == np.int32
    with pytest.raises(ValueError, match="max_len"):
        text.pad_sequences([[1]], 0)


def test_word2vec_and_embedding_matrix():
    corpus = [["happy", "joy", "smile"], ["sad", "tear", "cry"]] * 30
    w2v = text.train_word2vec(corpus, dim=16, epochs=2, min_count=1)
    vocab = text.Vocabulary.build(corpus + [["unseen"]])
    matrix, share = text.embedding_matrix(vocab, w2v)
    assert matrix.shape == (len(vocab), 16) and np.all(matrix[0] == 0)
    assert np.allclose(matrix[vocab.index["happy"]], w2v.wv["happy"])
    assert share == pytest.approx(6 / 7)
    with pytest.raises(ValueError, match="non-empty"):
        text.train_word2vec([[], []])


def test_chunks_and_means():
    assert text.chunk(list("abcdefghij"), 4) == [list("abcd"), list("efgh"), list("ij")]
    # a tail shorter than a quarter of the length joins the piece before it
    assert text.chunk(list("abcdefghijklmnopq"), 8) == [list("abcdefgh"), list("ijklmnopq")]
    assert text.chunk([], 4) == [[]]
    probs = np.array([[0.2], [0.4], [1.0]])
    assert text.mean_by_owner(probs, np.array([0, 0, 1]), 2).ravel().tolist() == pytest.approx([0.3, 1.0])


def test_essays_split_is_disjoint_stratified_and_seeded():
    rng = np.random.default_rng(0)
    frame = pd.DataFrame(rng.integers(0, 2, (300, 5)), columns=list(BIG_FIVE))
    parts = text.essays_split(frame, seed=42)
    allrows = np.concatenate(list(parts.values()))
    assert sorted(allrows) == list(range(300))
    sizes = [len(parts[p]) for p in ("train", "val", "test")]
    assert np.allclose(sizes, [240, 30, 30], atol=1)
    again = text.essays_split(frame, seed=42)
    assert all(np.array_equal(parts[p], again[p]) for p in parts)
    for trait in BIG_FIVE:
        assert abs(frame[trait].iloc[parts["test"]].mean() - frame[trait].mean()) < 0.15


def test_to_canonical_drops_love_and_masks_what_text_cannot_say():
    probs = np.array([0.1, 0.3, 0.4, 0.1, 0.05, 0.05])  # CARER order
    canonical, mask = text.to_canonical(probs)
    assert canonical.sum() == pytest.approx(1.0 - 0.4)  # love's share has no counterpart
    assert canonical[EMOTIONS.index("happy")] == pytest.approx(0.3)
    assert not mask[EMOTIONS.index("disgust")] and not mask[EMOTIONS.index("neutral")]
    with pytest.raises(ValueError, match="6 probabilities"):
        text.to_canonical([0.5, 0.5])


def test_personality_report():
    truth = np.array([[1, 0, 1, 0, 1]] * 4)
    pred = np.array([[1, 0, 1, 0, 1]] * 3 + [[0, 1, 0, 1, 0]])
    report, fig = text.personality_report(truth, pred, "test")
    assert report["mean_accuracy"] == pytest.approx(0.75) and report["EXT"]["majority_share"] == 1.0
    with pytest.raises(ValueError, match="expected two"):
        text.personality_report(truth[:, :3], pred[:, :3], "bad")


# --------------------------------------------------------------------------- saving, loading, explaining


@pytest.fixture(scope="module")
def tiny_model(tmp_path_factory):
    from utils.models import text_emotion_bilstm

    folder = tmp_path_factory.mktemp("models")
    prep = text.TextPreprocessor(keep_negations=True)
    vocab = text.Vocabulary.build([prep("i feel happy and glad"), prep("i feel sad and lonely")])
    model = text_emotion_bilstm(len(vocab), 6, dim=8, units=4)
    text.save_text_model(model, vocab, prep, CARER_CLASSES, 6, "tiny", folder)
    return text.load_text_model("tiny", folder)


def test_saved_model_round_trip(tiny_model):
    probs = tiny_model.predict_proba(["i feel happy", "sad and lonely today"])
    assert probs.shape == (2, 6) and np.allclose(probs.sum(1), 1, atol=1e-5)
    assert set(tiny_model.predict("i feel glad")) == set(CARER_CLASSES)
    assert tiny_model.predict_proba("caf\xe9 happy".encode("cp1252")).shape == (1, 6)


def test_prediction_needs_a_word(tiny_model):
    with pytest.raises(ValueError, match="no words"):
        tiny_model.predict_proba("")
    with pytest.raises(ValueError, match="no words"):
        tiny_model.predict_proba("the and of !!!")


def test_missing_model_says_how_to_retrain(tmp_path):
    with pytest.raises(FileNotFoundError, match="utils.retrain text-emotion"):
        text.load_text_model("text_emotion", tmp_path)


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
    model = text.load_text_model(name)
    probs = model.predict_proba(["i feel so happy and excited about my new friends",
                                 "i am scared and worried about the exam tomorrow"])
    assert probs.shape == (2, len(model.classes)) and np.all((probs >= 0) & (probs <= 1))
    if name == "text_emotion":
        assert [model.classes[i] for i in probs.argmax(1)] == ["joy", "fear"]


def test_evaluate_commands_on_the_samples(tmp_path):
    from utils import evaluate
    from utils.datasets.samples import ensure_samples

    emotion = ensure_samples("emotion", root=tmp_path / "samples")
    metrics = evaluate.main(["--out", str(tmp_path / "emo"), "text-emotion", "--data", str(emotion),
                             "--split", "val"])
    assert metrics["examples"] == 60 and 0 <= metrics["accuracy"] <= 1
    assert (tmp_path / "emo" / "confusion.png").is_file()
    essays_dir = ensure_samples("essays", root=tmp_path / "samples")
    metrics = evaluate.main(["--out", str(tmp_path / "pers"), "personality", "--data", str(essays_dir),
                             "--split", "all"])
    traits = json.loads((tmp_path / "pers" / "traits.json").read_text())
    assert metrics["accuracy"] == pytest.approx(traits["mean_accuracy"])
    assert (tmp_path / "pers" / "traits_confusion.png").is_file()
