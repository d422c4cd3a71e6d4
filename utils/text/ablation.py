"""What each preprocessing step is worth, and what the training labels say about a word.

:func:`preprocessing_ablation` scores the TF-IDF + logistic-regression baseline
(:func:`utils.text.metrics.tfidf_logreg`) on the tokens of each variant of the pipeline: a fast
stand-in for the BiLSTM (seconds instead of minutes per epoch on a CPU), so the effect of keeping
stop words or lemmatising can be measured on the whole of CARER. :func:`word_labels` counts, per
label, the training texts that contain a word: the base rates a model learns that word's evidence
from. The notebook runs both on the synthetic samples; the recorded full run on CARER is
``models/text_emotion_preprocessing.json``, written by::

    python -m utils.text.ablation --data ../shared/data/emotion
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from utils.text.metrics import tfidf_logreg
from utils.text.preprocess import TextPreprocessor

VARIANTS: dict[str, dict] = {
    "stop words kept, lemmas (the notebook's pipeline)": {"remove_stopwords": False},
    "stop words removed": {"remove_stopwords": True},
    "stop words removed, negations kept": {"remove_stopwords": True, "keep_negations": True},
    "stop words kept, no lemmas": {"remove_stopwords": False, "lemmatize": False},
}
WORDS = ("love", "loving", "quiet", "evening", "not", "happy")  # the words the notebook discusses


def preprocessing_ablation(train_texts: Sequence[str], train_labels: np.ndarray,
                           val_texts: Sequence[str], val_labels: np.ndarray,
                           variants: dict[str, dict] | None = None, C: float = 10.0) -> dict[str, float]:
    """Validation accuracy of the TF-IDF baseline on the tokens of each pipeline variant.

    ``variants`` maps a name to :class:`TextPreprocessor` settings (default :data:`VARIANTS`).
    """
    scores = {}
    for name, settings in (variants or VARIANTS).items():
        prep = TextPreprocessor(**settings)
        train, val = ([" ".join(t) for t in prep.transform(texts)] for texts in (train_texts, val_texts))
        predicted = tfidf_logreg(train, train_labels, val, C=C)
        scores[name] = float(np.mean(predicted == np.asarray(val_labels)))
    return scores


def word_labels(token_lists: Sequence[Sequence[str]], labels: Sequence[str], words: Sequence[str],
                classes: Sequence[str]) -> dict[str, dict[str, int]]:
    """For each word, how many texts of each label contain it (each text counted once)."""
    counts = {word: dict.fromkeys(classes, 0) for word in words}
    for tokens, label in zip(token_lists, labels):
        for word in set(tokens) & set(words):
            counts[word][label] += 1
    return counts


def carer_study(data: Path | None = None) -> dict:
    """The ablation on CARER train -> val and the label counts of :data:`WORDS` in CARER train."""
    from utils.datasets import carer
    from utils.labels import CARER_CLASSES

    train, val = carer.load("train", data), carer.load("val", data)
    accuracy = preprocessing_ablation(list(train["text"]), train["label"].to_numpy(),
                                      list(val["text"]), val["label"].to_numpy())
    tokens = TextPreprocessor(**VARIANTS[next(iter(VARIANTS))]).transform(train["text"])
    shares = train["label"].value_counts(normalize=True)
    return {"model": "TF-IDF + logistic regression (utils.text.metrics.tfidf_logreg, C=10) on the "
                     "tokens of each preprocessing variant",
            "trained_on": f"CARER train ({len(train):,} sentences)",
            "measured_on": f"CARER val ({len(val):,} sentences)",
            "val_accuracy": accuracy,
            "train_sentences_with_word": word_labels(tokens, list(train["label"]), WORDS, CARER_CLASSES),
            "train_label_share": {c: round(float(shares.get(c, 0.0)), 4) for c in CARER_CLASSES},
            "command": "python -m utils.text.ablation --data ../shared/data/emotion"}


def main(argv: Sequence[str] | None = None) -> None:
    """Write :func:`carer_study` as JSON (default ``models/text_emotion_preprocessing.json``)."""
    from utils.config import MODELS_DIR

    parser = argparse.ArgumentParser(prog="python -m utils.text.ablation", description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=None, help="the CARER folder (train.txt, val.txt)")
    parser.add_argument("--out", type=Path, default=MODELS_DIR / "text_emotion_preprocessing.json")
    args = parser.parse_args(argv)
    study = carer_study(args.data)
    args.out.write_text(json.dumps(study, indent=1) + "\n")
    print(json.dumps(study["val_accuracy"], indent=1))


if __name__ == "__main__":
    main()
