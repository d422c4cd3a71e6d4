"""Shipped text models: raw text to probabilities, saving and loading, CARER to canonical emotions.

A shipped model is a ``<name>.keras`` file and a ``<name>.text.json`` beside it (vocabulary,
preprocessing settings with the lemma table and tagger name that make it machine-independent,
classes, the training base rates): :func:`save_text_model`, :func:`load_text_model`.

A text with no word in the model's vocabulary (empty text, random bytes, "xqzt") carries no
evidence: by default :meth:`TextModel.predict_proba` raises :class:`NoKnownWords` (a ValueError);
with ``unknown="base_rates"`` such a text gets the class shares of the training labels instead,
and :meth:`TextModel.known_words` tells which texts those were.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from utils.config import MODELS_DIR
from utils.text.preprocess import TextPreprocessor, to_text
from utils.text.sequences import Vocabulary, chunk, pad_sequences


UNKNOWN_CHOICES = ("error", "base_rates")


class NoKnownWords(ValueError):
    """A text holds no word the model knows, so the model has no evidence about it."""


class TextModel:
    """A shipped text model with everything needed from raw text to probabilities.

    ``multilabel`` models (personality) give one independent sigmoid per class; the others a
    softmax over classes. ``base_rates`` (one value per class, from the training labels: class
    shares, or for multilabel the share of "high" per trait) is the answer for a text without any
    known word when asked for. Use :func:`load_text_model` rather than building one by hand.
    """

    def __init__(self, model: Any, vocab: Vocabulary, preprocessor: TextPreprocessor,
                 classes: Sequence[str], max_len: int, multilabel: bool = False,
                 chunked: bool = False, base_rates: Sequence[float] | None = None):
        from utils.inference import inference_function

        self.model, self.vocab, self.preprocessor = model, vocab, preprocessor
        self.classes, self.max_len, self.multilabel = list(classes), int(max_len), multilabel
        self.chunked = chunked
        self.base_rates = None if base_rates is None else np.asarray(base_rates, dtype=float)
        self._call = inference_function(model)

    def tokens(self, text: str | bytes) -> list[str]:
        """The preprocessed tokens of ``text``."""
        return self.preprocessor(text)

    def encode(self, texts: Sequence[str | bytes]) -> np.ndarray:
        """Padded index sequences, shape (len(texts), max_len)."""
        return pad_sequences([self.vocab.encode(self.tokens(t)) for t in texts], self.max_len)

    def known_words(self, texts: Sequence[str | bytes] | str | bytes) -> np.ndarray:
        """How many of each text's tokens are in the vocabulary (0: the model knows no word)."""
        if isinstance(texts, (str, bytes)):
            texts = [texts]
        return np.array([self._known(self.tokens(t)) for t in texts], dtype=int)

    def _known(self, tokens: list[str]) -> int:
        return sum(index > 1 for index in self.vocab.encode(tokens))  # 0 padding, 1 unknown

    def predict_proba(self, texts: Sequence[str | bytes] | str | bytes,
                      unknown: str = "error") -> np.ndarray:
        """Probabilities, shape (n, classes).

        A text with no known word (empty, random bytes, all out of vocabulary) raises
        :class:`NoKnownWords` with ``unknown="error"``; with ``unknown="base_rates"`` its row is
        :attr:`base_rates` (see :meth:`known_words` for which rows those are).
        """
        if unknown not in UNKNOWN_CHOICES:
            raise ValueError(f"unknown must be one of {UNKNOWN_CHOICES}, got {unknown!r}")
        if isinstance(texts, (str, bytes)):
            texts = [texts]
        token_lists = [self.tokens(t) for t in texts]
        known = np.array([self._known(t) > 0 for t in token_lists], dtype=bool)
        out = np.empty((len(token_lists), len(self.classes)))
        if not known.all():
            self._check_unknown(texts[int(np.argmin(known))], unknown)
            out[~known] = self.base_rates
        if known.any():
            out[known] = self._probabilities([t for t, k in zip(token_lists, known) if k])
        return out

    def _check_unknown(self, text: str | bytes, unknown: str) -> None:
        """Raise for a text without known words unless base rates were asked for (and exist)."""
        if unknown == "error":
            raise NoKnownWords(f"no word of {to_text(text)[:60]!r} is in the model's vocabulary: "
                               f"the model has no evidence (unknown='base_rates' answers with the "
                               f"training base rates)")
        if self.base_rates is None:
            raise ValueError("this model file stores no base rates; retrain it to get them")

    def _probabilities(self, token_lists: list[list[str]]) -> np.ndarray:
        """The network's probabilities for tokenised texts (each with at least one known word)."""
        if not self.chunked:  # one sequence per text: its first max_len words
            x = pad_sequences([self.vocab.encode(t) for t in token_lists], self.max_len)
            return np.asarray(self._call(x))
        # a long text is cut into pieces of max_len words; its prediction is their mean
        pieces = [chunk(t, self.max_len) for t in token_lists]
        x = pad_sequences([self.vocab.encode(p) for ps in pieces for p in ps], self.max_len)
        probs = np.concatenate([np.asarray(self._call(x[i:i + 256])) for i in range(0, len(x), 256)])
        bounds = np.cumsum([0, *map(len, pieces)])
        return np.stack([probs[a:b].mean(axis=0) for a, b in zip(bounds[:-1], bounds[1:])])

    def predict(self, text: str | bytes, unknown: str = "error") -> dict[str, float]:
        """Class name -> probability for one text (``unknown`` as in :meth:`predict_proba`)."""
        return dict(zip(self.classes, map(float, self.predict_proba([text], unknown)[0])))


def base_rates(labels: np.ndarray, n_classes: int) -> list[float]:
    """Training base rates: class shares of 1-D class indices, or the column means of 0/1 labels."""
    labels = np.asarray(labels)
    if labels.ndim == 1:
        return (np.bincount(labels.astype(int), minlength=n_classes) / len(labels)).tolist()
    return labels.mean(axis=0).astype(float).tolist()


def model_paths(name: str, folder: Path | None = None) -> tuple[Path, Path]:
    """(``<name>.keras``, ``<name>.text.json``) in ``folder`` (default: the course's models/)."""
    folder = Path(folder) if folder is not None else MODELS_DIR
    return folder / f"{name}.keras", folder / f"{name}.text.json"


def save_text_model(model: Any, vocab: Vocabulary, preprocessor: TextPreprocessor,
                    classes: Sequence[str], max_len: int, name: str, folder: Path | None = None,
                    multilabel: bool = False, chunked: bool = False,
                    rates: Sequence[float] | None = None, extra: dict | None = None) -> Path:
    """Save the Keras model and its text side (vocabulary, preprocessing, classes, the training
    base ``rates`` from :func:`base_rates`) side by side."""
    keras_path, text_path = model_paths(name, folder)
    keras_path.parent.mkdir(parents=True, exist_ok=True)
    model.save(keras_path)
    text_path.write_text(json.dumps({
        "classes": list(classes), "max_len": int(max_len), "multilabel": multilabel,
        "chunked": chunked, "base_rates": None if rates is None else [float(r) for r in rates],
        "preprocessing": preprocessor.to_config(), "vocabulary": vocab.words[2:],
        **(extra or {})}, indent=0))
    return keras_path


def load_text_model(name: str = "text_emotion", folder: Path | None = None) -> TextModel:
    """A shipped model by name (``"text_emotion"`` or ``"personality"``), ready for raw text."""
    import keras

    keras_path, text_path = model_paths(name, folder)
    if not keras_path.is_file() or not text_path.is_file():
        raise FileNotFoundError(f"model {name!r} needs {keras_path} and {text_path}; retrain it "
                                f"with `python -m utils.retrain {name.replace('_', '-')}`.")
    info = json.loads(text_path.read_text())
    model = keras.models.load_model(keras_path, compile=False)
    return TextModel(model, Vocabulary(info["vocabulary"]),
                     TextPreprocessor.from_config(info["preprocessing"]), info["classes"],
                     info["max_len"], info.get("multilabel", False), info.get("chunked", False),
                     info.get("base_rates"))


def to_canonical(probs: Sequence[float], classes: Sequence[str] | None = None) -> tuple[np.ndarray, np.ndarray]:
    """CARER probabilities -> the course's seven canonical emotions, for fusion.

    Returns (probabilities over :data:`utils.labels.EMOTIONS`, mask of the canonical emotions this
    model can express): :func:`utils.labels.canonical_mass` and :func:`utils.labels.expressible`.
    ``love`` has no canonical counterpart: its probability is left out, so the vector sums to
    1 - P(love). ``disgust`` and ``neutral`` have no CARER counterpart: they get 0 and ``False`` in
    the mask (:func:`utils.fusion.to_canonical` turns that into "no opinion" for fusion).
    ``classes`` names the order of ``probs`` if it is not :data:`utils.labels.CARER_CLASSES`.
    """
    from utils.labels import CARER_CLASSES, canonical_mass, expressible

    probs = np.asarray(probs, dtype=float)
    if classes is not None:
        if probs.shape != (len(classes),):
            raise ValueError(f"expected {len(classes)} probabilities, got shape {probs.shape}")
        probs = np.array([probs[list(classes).index(name)] for name in CARER_CLASSES])
    return canonical_mass(probs, "text"), expressible("text")
