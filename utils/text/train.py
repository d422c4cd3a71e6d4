"""The recipes of the shipped text models, and the course's own split of the essays.

:func:`train_text_emotion` (CARER) and :func:`train_personality` (essays, on :func:`essays_split`)
write a model with :func:`utils.text.predict.save_text_model`; ``python -m utils.retrain`` calls them.
Both tag with the ``textblob-aptagger`` wheel's weights and lemmatise with a table made from their
training texts with WordNet (:meth:`TextPreprocessor.with_lemma_table`), so the saved model
predicts the same on every machine; :func:`carry_lemma_table` adds that table to a saved model.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np

from utils.text.embeddings import embedding_matrix, train_word2vec
from utils.text.predict import base_rates, model_paths, save_text_model
from utils.text.preprocess import TextPreprocessor
from utils.text.sequences import Vocabulary, essay_chunks, mean_by_owner, pad_sequences


def essays_split(frame: Any, seed: int = 42, val: float = 0.1, test: float = 0.1) -> dict[str, np.ndarray]:
    """The course's own split of the essays: row positions for ``train``, ``val`` and ``test``.

    Seeded and stratified on the combination of the five trait labels, so each part keeps the
    label balance of every trait (80/10/10 with the defaults).
    """
    from sklearn.model_selection import train_test_split

    from utils.labels import BIG_FIVE

    combos = frame[list(BIG_FIVE)].astype(str).agg("".join, axis=1).to_numpy()
    counts = Counter(combos)
    strata = np.array([c if counts[c] >= 10 else "rare" for c in combos])  # tiny groups pooled
    positions = np.arange(len(frame))
    strat = strata if min(Counter(strata).values()) >= 2 else None
    rest, test_idx = train_test_split(positions, test_size=test, random_state=seed, stratify=strat)
    strat_rest = strata[rest] if strat is not None else None
    train_idx, val_idx = train_test_split(rest, test_size=val / (1 - test), random_state=seed,
                                          stratify=strat_rest)
    return {"train": np.sort(train_idx), "val": np.sort(val_idx), "test": np.sort(test_idx)}


def _fit(model: Any, x: np.ndarray, y: np.ndarray, x_val: np.ndarray, y_val: np.ndarray,
         epochs: int, batch_size: int, checkpoint: Path, patience: int, verbose: int) -> dict:
    from utils.training import standard_callbacks

    history = model.fit(x, y, validation_data=(x_val, y_val), epochs=epochs, batch_size=batch_size,
                        callbacks=standard_callbacks(checkpoint, "val_accuracy", patience,
                                                     max(1, patience // 2)),
                        verbose=verbose)
    checkpoint.unlink(missing_ok=True)
    return {k: [float(v) for v in vals] for k, vals in history.history.items()}


def _plain_copy(model: Any, builder: Any, **kwargs: Any) -> Any:
    """An uncompiled copy with the trained weights (the shipped file carries no optimizer state)."""
    fresh = builder(**kwargs)
    fresh.set_weights(model.get_weights())
    return fresh


def train_text_emotion(data: Path | None = None, out: Path | None = None, epochs: int = 10,
                       max_len: int = 50, batch_size: int = 64, seed: int = 42,
                       verbose: int = 2) -> dict:
    """The shipped text-emotion model's recipe (CARER train, selected on val).

    Preprocessing keeps stop words (in short sentences "so", "too", "not" can carry emotion; for the
    TF-IDF stand-in it made no measurable difference on CARER val,
    ``models/text_emotion_preprocessing.json``); vocabulary = words seen at least twice in train; a 300-d
    skip-gram Word2Vec trained on train initialises the embedding of
    :func:`utils.text.models.text_emotion_bilstm`; Adam 2e-3, batch 64, the epoch with the best val
    accuracy is kept. Writes ``text_emotion.keras`` and ``text_emotion.text.json`` to ``out``
    (default models/) and returns the history.
    """
    import keras

    from utils.config import output_dir, seed_everything
    from utils.datasets import carer
    from utils.labels import CARER_CLASSES
    from utils.text.models import text_emotion_bilstm

    seed_everything(seed)
    frames = {s: carer.load(s, data) for s in ("train", "val")}
    prep = TextPreprocessor(remove_stopwords=False, tagger="textblob-aptagger",
                            verbose=True).with_lemma_table(frames["train"]["text"])
    tokens = {s: prep.transform(f["text"]) for s, f in frames.items()}
    labels = {s: np.array([CARER_CLASSES.index(l) for l in f["label"]]) for s, f in frames.items()}
    vocab = Vocabulary.build(tokens["train"], min_count=2)
    w2v = train_word2vec(tokens["train"], epochs=10, min_count=1, seed=seed)
    weights, _ = embedding_matrix(vocab, w2v, seed)
    x = {s: pad_sequences([vocab.encode(t) for t in tokens[s]], max_len) for s in tokens}
    kwargs = {"vocab_size": len(vocab), "max_len": max_len, "n_classes": len(CARER_CLASSES)}
    model = text_emotion_bilstm(embedding=weights, **kwargs)
    model.compile(optimizer=keras.optimizers.Adam(2e-3), loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    history = _fit(model, x["train"], labels["train"], x["val"], labels["val"], epochs, batch_size,
                   output_dir("checkpoints") / "text_emotion_best.keras", 3, verbose)
    save_text_model(_plain_copy(model, text_emotion_bilstm, **kwargs), vocab, prep, CARER_CLASSES,
                    max_len, "text_emotion", out,
                    rates=base_rates(labels["train"], len(CARER_CLASSES)),
                    extra={"trained_on": "CARER train (16,000), selected on val (2,000)"})
    return history


def train_personality(data: Path | None = None, out: Path | None = None, epochs: int = 20,
                      architecture: str = "mean_embedding", max_len: int | None = None,
                      remove_stopwords: bool = False, vocab_size: int = 6000,
                      batch_size: int = 32, seed: int = 42, verbose: int = 2) -> dict:
    """The shipped personality model's recipe (essays, the course's own split, selected on val).

    ``architecture``: ``"mean_embedding"`` (the shipped model,
    :func:`utils.text.models.personality_mean_embedding`, pieces of up to 1,000 words: nearly every
    essay whole) or ``"cnn_lstm"`` (the reference network,
    :func:`utils.text.models.personality_cnn_lstm`, pieces of 200 words). Each essay is cut into
    pieces of ``max_len`` words that all carry its five labels; an essay's prediction is the mean
    over its pieces. The pipeline keeps stop words by default (function words such as pronouns are
    among the best-known markers of personality in text). Vocabulary: the ``vocab_size`` most frequent words of the training essays seen at least
    5 times; a 300-d skip-gram Word2Vec trained on the training essays initialises the embedding.
    Adam 1e-3, batch 32; the epoch with the best mean essay-level accuracy on val is kept. Writes
    ``personality.keras`` and ``personality.text.json``; returns the history.
    """
    import keras

    from utils.config import seed_everything
    from utils.datasets import essays
    from utils.labels import BIG_FIVE
    from utils.text import models

    builders = {"mean_embedding": (models.personality_mean_embedding, 1000),
                "cnn_lstm": (models.personality_cnn_lstm, 200)}
    if architecture not in builders:
        raise ValueError(f"architecture must be one of {sorted(builders)}, got {architecture!r}")
    builder, default_len = builders[architecture]
    max_len = max_len or default_len
    seed_everything(seed)
    frame = essays.load(data)
    parts = essays_split(frame, seed=seed)
    prep = TextPreprocessor(remove_stopwords=remove_stopwords, tagger="textblob-aptagger",
                            verbose=True).with_lemma_table(frame["text"].iloc[parts["train"]])
    labels = frame[list(BIG_FIVE)].to_numpy().astype("float32")
    tokens = prep.transform(frame["text"])
    train_tokens = [tokens[i] for i in parts["train"]]
    vocab = Vocabulary.build(train_tokens, max_size=vocab_size, min_count=5)
    weights, _ = embedding_matrix(vocab, train_word2vec(train_tokens, min_count=2, seed=seed), seed)
    x, y, _ = essay_chunks(train_tokens, vocab, max_len, labels[parts["train"]])
    val_tokens = [tokens[i] for i in parts["val"]]
    x_val, _, owner = essay_chunks(val_tokens, vocab, max_len)
    kwargs = {"vocab_size": len(vocab), "max_len": max_len, "n_traits": len(BIG_FIVE)}
    model = builder(embedding=weights, **kwargs)
    model.compile(optimizer=keras.optimizers.Adam(1e-3), loss="binary_crossentropy")
    best: dict[str, Any] = {"accuracy": -1.0, "weights": None, "epoch": -1}
    history: dict[str, list] = {"loss": [], "val_essay_accuracy": [], "val_trait_accuracy": []}
    for epoch in range(epochs):
        fit = model.fit(x, y, epochs=1, batch_size=batch_size, shuffle=True, verbose=0)
        probs = mean_by_owner(model.predict(x_val, batch_size=256, verbose=0), owner, len(val_tokens))
        per_trait = ((probs > 0.5) == labels[parts["val"]]).mean(axis=0)
        history["loss"].append(float(fit.history["loss"][0]))
        history["val_essay_accuracy"].append(float(per_trait.mean()))
        history["val_trait_accuracy"].append([float(a) for a in per_trait])
        if verbose:
            print(f"epoch {epoch + 1}/{epochs}: loss {history['loss'][-1]:.4f}, val mean accuracy "
                  f"{per_trait.mean():.3f} per trait {np.round(per_trait, 3).tolist()}", flush=True)
        if per_trait.mean() > best["accuracy"]:
            best = {"accuracy": float(per_trait.mean()), "weights": model.get_weights(), "epoch": epoch + 1}
    model.set_weights(best["weights"])
    history["best_epoch"] = best["epoch"]
    save_text_model(_plain_copy(model, builder, **kwargs), vocab, prep, BIG_FIVE, max_len,
                    "personality", out, multilabel=True, chunked=True,
                    rates=base_rates(labels[parts["train"]], len(BIG_FIVE)),
                    extra={"architecture": architecture,
                           "trained_on": "essays: train part of the course's split "
                                         "(utils.text.essays_split, seed 42, 80/10/10), "
                                         f"selected on val (epoch {best['epoch']} of {epochs})",
                           "history": history})
    return history


def carry_lemma_table(name: str, texts: Any, labels: np.ndarray, folder: Path | None = None) -> dict:
    """Make a saved model machine-independent without retraining its network.

    Rewrites ``<name>.text.json``: the tagger pinned to the ``textblob-aptagger`` wheel (the
    tagger it must have been trained with), a lemma table made with this machine's WordNet from
    ``texts`` (its training texts) and the base rates of ``labels`` (its training labels).
    The training texts then get exactly the tokens they were trained on. Returns the new config.
    """
    import json

    text_path = model_paths(name, folder)[1]
    info = json.loads(text_path.read_text())
    info["preprocessing"]["tagger"] = "textblob-aptagger"
    prep = TextPreprocessor.from_config(info["preprocessing"]).with_lemma_table(texts)
    info["preprocessing"] = prep.to_config()
    info["base_rates"] = base_rates(labels, len(info["classes"]))
    text_path.write_text(json.dumps(info, indent=0))
    return info
