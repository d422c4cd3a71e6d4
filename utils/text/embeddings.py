"""Word2Vec with gensim, and the initial embedding matrix of a vocabulary."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from utils.text.sequences import Vocabulary


def train_word2vec(token_lists: Sequence[Sequence[str]], dim: int = 300, window: int = 5,
                   min_count: int = 2, epochs: int = 5, seed: int = 42, workers: int = 1) -> Any:
    """A gensim skip-gram Word2Vec trained on ``token_lists``; one worker keeps it reproducible."""
    from gensim.models import Word2Vec

    if not any(token_lists):
        raise ValueError("Word2Vec needs at least one non-empty token list")
    return Word2Vec(sentences=[list(t) for t in token_lists], vector_size=dim, window=window,
                    min_count=min_count, sg=1, epochs=epochs, seed=seed, workers=workers)


def embedding_matrix(vocab: Vocabulary, vectors: Any, seed: int = 42) -> tuple[np.ndarray, float]:
    """Initial embedding weights: the Word2Vec vector of each known word, small random vectors
    for the others, zeros for padding. Returns (matrix, share of words that had a vector)."""
    keyed = getattr(vectors, "wv", vectors)
    rng = np.random.default_rng(seed)
    matrix = rng.normal(0, 0.05, (len(vocab), keyed.vector_size)).astype(np.float32)
    matrix[0] = 0.0
    found = 0
    for i, word in enumerate(vocab.words[2:], start=2):
        if word in keyed.key_to_index:
            matrix[i] = keyed[word]
            found += 1
    return matrix, found / max(len(vocab) - 2, 1)
