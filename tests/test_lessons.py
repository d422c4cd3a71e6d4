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

# notebooks/01_text/01_personality: lemmas, the split's pieces, the models against the majority class


@pytest.fixture(scope="module")
def essays_run():
    """What 01_personality computes on the synthetic essays: every pipeline step, split, tokens."""
    from utils.datasets import essays
    from utils.labels import BIG_FIVE
    from utils.text import preprocess, train

    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("COURSE_QUICK", "1")
        frame = essays.load()
    prep = preprocess.TextPreprocessor()
    steps = [prep.steps(text) for text in frame["text"]]
    return {"frame": frame, "prep": prep, "steps": steps, "tokens": [s["lemmas"] for s in steps],
            "parts": train.essays_split(frame, seed=42),
            "labels": frame[list(BIG_FIVE)].to_numpy().astype("float32")}


def test_personality_lemmas_change_the_sample_essay(essays_run):
    sample = " ".join(essays_run["frame"]["text"].iloc[0].split()[:45])  # the notebook's sample
    steps = essays_run["prep"].steps(sample)
    changed = [w for w, l in zip(steps["no stop words"], steps["lemmas"]) if w != l]
    assert len(changed) >= 3, changed


def test_personality_lemmas_merge_forms_of_a_word(essays_run):
    lemma_of = {(w, l) for s in essays_run["steps"] for w, l in zip(s["no stop words"], s["lemmas"])}
    assert {"worried", "worrying", "worries"} <= {w for w, l in lemma_of if l == "worry"}


def test_personality_some_words_get_two_lemmas_after_stop_word_removal(essays_run):
    from collections import Counter

    pairs = {(w, l) for s in essays_run["steps"] for w, l in zip(s["no stop words"], s["lemmas"])}
    assert max(Counter(w for w, _ in pairs).values()) >= 2


def test_personality_synthetic_essays_are_one_piece_each(essays_run):
    assert max(map(len, essays_run["tokens"])) <= 200  # the notebook's MAX_LEN


def _majority_accuracy(run) -> float:
    truth = run["labels"][run["parts"]["test"]]
    majority = run["labels"][run["parts"]["train"]].mean(0) > 0.5
    return float((truth == majority).mean())


def test_personality_tfidf_beats_the_majority_on_the_synthetic_test_essays(essays_run):
    from utils.text import metrics

    parts, texts = essays_run["parts"], essays_run["frame"]["text"].to_numpy()
    tfidf = metrics.tfidf_logreg(texts[parts["train"]], essays_run["labels"][parts["train"]],
                                 texts[parts["test"]], C=1.0)
    accuracy = float((tfidf == essays_run["labels"][parts["test"]]).mean())
    assert accuracy >= _majority_accuracy(essays_run) + 0.15


def test_personality_small_network_beats_the_majority_on_the_synthetic_test_essays(essays_run):
    import keras

    from utils import config, training
    from utils.text import embeddings, models, sequences

    config.seed_everything(42)
    parts, tokens, labels = essays_run["parts"], essays_run["tokens"], essays_run["labels"]
    train_tokens = [tokens[i] for i in parts["train"]]
    w2v = embeddings.train_word2vec(train_tokens, dim=300, epochs=training.epochs(5, quick=2), min_count=2)
    vocab = sequences.Vocabulary.build(train_tokens, max_size=6000, min_count=1)
    weights, _ = embeddings.embedding_matrix(vocab, w2v)
    x_train, y_train, _ = sequences.essay_chunks(train_tokens, vocab, 200, labels[parts["train"]])
    small = models.personality_mean_embedding(len(vocab), 200, embedding=weights, dropout=0.5)
    small.compile(optimizer=keras.optimizers.Adam(1e-3), loss="binary_crossentropy")
    small.fit(x_train, y_train, batch_size=32, epochs=training.epochs(15, quick=40), verbose=0)
    test_tokens = [tokens[i] for i in parts["test"]]
    x_test, _, owner = sequences.essay_chunks(test_tokens, vocab, 200)
    probs = sequences.mean_by_owner(small.predict(x_test, verbose=0), owner, len(test_tokens))
    accuracy = float(((probs > 0.5) == labels[parts["test"]]).mean())
    assert accuracy >= _majority_accuracy(essays_run) + 0.1


def test_personality_recorded_run_fits_train_without_improving_val():
    import json

    from utils.config import MODELS_DIR

    history = json.loads((MODELS_DIR / "personality.text.json").read_text())["history"]
    loss, val = history["loss"], history["val_essay_accuracy"]
    assert all(b < a for a, b in zip(loss, loss[1:]))  # the training loss falls every epoch
    assert max(val) - val[3] < 0.015  # validation: within 1.5 points of its best after 4 epochs


# notebooks/01_text/02_text_emotion: stop words, lemmas, the shipped model's honest failure


@pytest.fixture(scope="module")
def carer_ablation():
    """The notebook's measurement: TF-IDF + LR on each pipeline variant, synthetic train -> val."""
    from utils.datasets import carer
    from utils.text import ablation

    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("COURSE_QUICK", "1")
        train, val = carer.load("train"), carer.load("val")
    scores = ablation.preprocessing_ablation(train["text"], train["label"].to_numpy(),
                                             val["text"], val["label"].to_numpy())
    return dict(zip(("kept", "removed", "negations", "no lemmas"), scores.values()))


def test_text_emotion_removing_stop_words_drops_the_negation():
    from utils.text import preprocess

    assert preprocess.TextPreprocessor()("i do not feel happy") == ["feel", "happy"]


def test_text_emotion_keeping_stop_words_beats_removing_them_on_the_samples(carer_ablation):
    assert carer_ablation["kept"] >= carer_ablation["removed"] + 0.05, carer_ablation
    assert carer_ablation["kept"] > carer_ablation["negations"], carer_ablation


def test_text_emotion_lemmas_beat_surface_forms_on_the_samples(carer_ablation):
    assert carer_ablation["kept"] >= carer_ablation["no lemmas"] + 0.05, carer_ablation


def test_text_emotion_tfidf_learns_the_samples_well_above_chance(carer_ablation):
    assert carer_ablation["kept"] >= 3 / 6, carer_ablation  # chance is 1/6


def test_text_emotion_recorded_run_stop_words_make_no_difference_and_lemmas_cost():
    import json

    from utils.config import MODELS_DIR

    study = json.loads((MODELS_DIR / "text_emotion_preprocessing.json").read_text())
    kept, removed, _, no_lemmas = study["val_accuracy"].values()
    assert abs(kept - removed) < 0.0075  # within one standard error on 2,000 sentences
    assert no_lemmas >= kept + 0.015


def test_text_emotion_recorded_counts_spread_not_over_joy_and_sadness():
    import json

    from utils.config import MODELS_DIR

    counts = json.loads((MODELS_DIR / "text_emotion_preprocessing.json").read_text())
    counts = counts["train_sentences_with_word"]["not"]
    assert abs(counts["joy"] - counts["sadness"]) < 0.1 * counts["sadness"]


def test_text_emotion_shipped_model_reads_a_loving_sentence_as_anger_because_of_quiet():
    import numpy as np

    from utils import explain
    from utils.text import predict

    shipped = predict.load_text_model("text_emotion")
    sentence = "i love spending quiet evenings with you"
    probs = shipped.predict(sentence)
    assert max(probs, key=probs.get) == "anger" and probs["love"] < 0.1
    words = shipped.tokens(sentence)
    scores = explain.word_saliency(shipped.model, shipped.encode([sentence])[0],
                                   shipped.classes.index("anger"))[:len(words)]
    assert words[int(np.argmax(scores))] == "quiet" and scores[words.index("love")] < 0


def test_text_emotion_recorded_counts_make_love_weak_and_quiet_angry_evidence():
    import json

    from utils.config import MODELS_DIR

    study = json.loads((MODELS_DIR / "text_emotion_preprocessing.json").read_text())
    counts, share = study["train_sentences_with_word"], study["train_label_share"]
    assert counts["love"]["love"] < sum(counts["love"].values()) / 3  # "fewer than a third"
    assert counts["quiet"]["anger"] / sum(counts["quiet"].values()) > 1.5 * share["anger"]


# ---------------------------------------------------------------------------------------------
# notebooks/02_audio/02_speech
# ---------------------------------------------------------------------------------------------

# (speech lessons go here)


# ---------------------------------------------------------------------------------------------
# notebooks/03_video/03_faces
# ---------------------------------------------------------------------------------------------

# (face lessons go here)


# ---------------------------------------------------------------------------------------------
# notebooks/04_fusion/04_fusion
# ---------------------------------------------------------------------------------------------

# (fusion lessons go here)
