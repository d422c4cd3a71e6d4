"""Shipped text models: raw text to probabilities, saving and loading, CARER to canonical emotions.

A shipped model is a ``<name>.keras`` file and a ``<name>.text.json`` beside it (vocabulary,
preprocessing settings, classes): :func:`save_text_model`, :func:`load_text_model`.
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


class TextModel:
    """A shipped text model with everything needed from raw text to probabilities.

    ``multilabel`` models (personality) give one independent sigmoid per class; the others a
    softmax over classes. Use :func:`load_text_model` rather than building one by hand.
    """

    def __init__(self, model: Any, vocab: Vocabulary, preprocessor: TextPreprocessor,
                 classes: Sequence[str], max_len: int, multilabel: bool = False,
                 chunked: bool = False):
        from utils.inference import inference_function

        self.model, self.vocab, self.preprocessor = model, vocab, preprocessor
        self.classes, self.max_len, self.multilabel = list(classes), int(max_len), multilabel
        self.chunked = chunked
        self._call = inference_function(model)

    def tokens(self, text: str | bytes) -> list[str]:
        """The preprocessed tokens of ``text``."""
        return self.preprocessor(text)

    def encode(self, texts: Sequence[str | bytes]) -> np.ndarray:
        """Padded index sequences, shape (len(texts), max_len)."""
        return pad_sequences([self.vocab.encode(self.tokens(t)) for t in texts], self.max_len)

    def predict_proba(self, texts: Sequence[str | bytes] | str | bytes) -> np.ndarray:
        """Probabilities, shape (n, classes). Raises ValueError for text without any word."""
        if isinstance(texts, (str, bytes)):
            texts = [texts]
        token_lists = [self.tokens(t) for t in texts]
        for text, tokens in zip(texts, token_lists):
            if not tokens:
                raise ValueError(f"no words left after preprocessing {to_text(text)[:60]!r}: "
                                 f"a prediction needs at least one word")
        if not self.chunked:  # one sequence per text: its first max_len words
            x = pad_sequences([self.vocab.encode(t) for t in token_lists], self.max_len)
            return np.asarray(self._call(x))
        # a long text is cut into pieces of max_len words; its prediction is their mean
        pieces = [chunk(t, self.max_len) for t in token_lists]
        x = pad_sequences([self.vocab.encode(p) for ps in pieces for p in ps], self.max_len)
        probs = np.concatenate([np.asarray(self._call(x[i:i + 256])) for i in range(0, len(x), 256)])
        bounds = np.cumsum([0, *map(len, pieces)])
        return np.stack([probs[a:b].mean(axis=0) for a, b in zip(bounds[:-1], bounds[1:])])

    def predict(self, text: str | bytes) -> dict[str, float]:
        """Class name -> probability for one text."""
        return dict(zip(self.classes, map(float, self.predict_proba([text])[0])))


def model_paths(name: str, folder: Path | None = None) -> tuple[Path, Path]:
    """(``<name>.keras``, ``<name>.text.json``) in ``folder`` (default: the course's models/)."""
    folder = Path(folder) if folder is not None else MODELS_DIR
    return folder / f"{name}.keras", folder / f"{name}.text.json"


def save_text_model(model: Any, vocab: Vocabulary, preprocessor: TextPreprocessor,
                    classes: Sequence[str], max_len: int, name: str, folder: Path | None = None,
                    multilabel: bool = False, chunked: bool = False,
                    extra: dict | None = None) -> Path:
    """Save the Keras model and its text side (vocabulary, preprocessing, classes) side by side."""
    keras_path, text_path = model_paths(name, folder)
    keras_path.parent.mkdir(parents=True, exist_ok=True)
    model.save(keras_path)
    text_path.write_text(json.dumps({
        "classes": list(classes), "max_len": int(max_len), "multilabel": multilabel,
        "chunked": chunked,
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
                     info["max_len"], info.get("multilabel", False), info.get("chunked", False))


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
