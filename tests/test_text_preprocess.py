"""utils.text.resources and utils.text.preprocess: the NLTK pipeline and the resource each step
uses. Offline; never reads ../shared."""

from __future__ import annotations

import json

import pytest

from utils.text import preprocess, resources


@pytest.fixture(scope="module")
def prep():
    return preprocess.TextPreprocessor()


# --------------------------------------------------------------------------- resources


def test_every_step_says_which_resource_it_uses():
    found = resources.resolve_resources()
    assert set(found) == {"tokeniser", "stop words", "POS tagger", "lemmatiser"}
    assert all(isinstance(v, str) and v for v in found.values())
    lines = preprocess.TextPreprocessor().describe().splitlines()
    assert len(lines) == 4 and all(":" in line for line in lines)


@pytest.mark.skipif(resources.debian_wordnet_reader() is None, reason="Debian's wordnet-base not installed")
def test_debian_wordnet_lemmatises_like_nltk():
    lemmatize = resources._lemmatizer_for(resources.debian_wordnet_reader())
    assert lemmatize("running", "v") == "run"
    assert lemmatize("feet", "n") == "foot"
    assert lemmatize("better", "a") == "good"
    assert lemmatize("unknownwordxyz", "n") == "unknownwordxyz"


def test_debian_reader_is_none_without_the_database(tmp_path):
    assert resources.debian_wordnet_reader(tmp_path) is None


def test_missing_resources_are_stated_and_steps_fall_back(monkeypatch):
    monkeypatch.setattr(resources, "_wordnet", lambda: (None, "NONE: no WordNet found"))
    monkeypatch.setattr(resources, "_tagger", lambda: (None, "NONE: no tagger data found"))
    plain = preprocess.TextPreprocessor()
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
    assert "run" in steps["lemmas"] or resources._wordnet()[0] is None
    kept = preprocess.TextPreprocessor(remove_stopwords=False).steps("I am not tired")
    assert kept["stop words kept"] == ["i", "am", "not", "tired"] and "no stop words" not in kept


def test_negations_can_be_kept():
    sentence = "im not happy and i never was"
    assert "not" not in preprocess.TextPreprocessor()(sentence)
    kept = preprocess.TextPreprocessor(keep_negations=True)(sentence)
    assert "not" in kept and "never" in kept


def test_bare_contractions_are_spelled_out():
    assert preprocess.standardize(["didnt", "im", "cant"]) == ["did", "not", "i", "am", "can", "not"]


@pytest.mark.parametrize("empty", ["", "   \n\t", "!!! ... ,,,", b""])
def test_text_without_words_gives_no_tokens(prep, empty):
    assert prep(empty) == []


def test_non_english_text_is_processed_not_rejected(prep):
    tokens = prep("Das ist ein schönes Haus. これは日本語です。 Ça va très bien")
    assert tokens and all(isinstance(t, str) and t for t in tokens)
    assert "schönes" in tokens  # non-ASCII letters survive punctuation removal


def test_bytes_are_decoded_utf8_then_cp1252():
    assert preprocess.to_text("café".encode("utf-8")) == "café"
    assert preprocess.to_text(b"don\x92t caf\xe9") == "don\u2019t café"  # cp1252, as the original essays
    assert preprocess.to_text(b"\x81\x8d") == "\x81\x8d"  # not cp1252 either: Latin-1, defined
    with pytest.raises(TypeError, match="str or bytes"):
        preprocess.to_text(42)


def test_a_100000_word_text_is_processed(prep):
    tokens = prep(" ".join(["I", "was", "there", "and", "it", "was", "the", "best", "of", "times"] * 10000))
    assert len(tokens) == 20000  # all but "best" and "times" are stop words
    assert set(tokens) <= {"best", "good", "time", "times"}


def test_preprocessor_config_round_trip(prep):
    config = json.loads(json.dumps(prep.to_config()))
    again = preprocess.TextPreprocessor.from_config(config)
    assert again.stop_words == prep.stop_words
    sentence = "We were walking to the libraries"
    assert again(sentence) == prep(sentence)


def test_from_config_warns_when_resources_differ(prep):
    config = prep.to_config()
    config["resources"]["lemmatiser"] = "something else"
    with pytest.warns(UserWarning, match="lemmatiser"):
        preprocess.TextPreprocessor.from_config(config)


def test_a_typographic_apostrophe_reads_like_a_straight_one():
    assert preprocess.tokenize("i don\u2019t know") == preprocess.tokenize("i don't know")
    assert preprocess.standardize(preprocess.tokenize("it\u2019s fine")) == ["it", "fine"]
