"""Words to fixed-length index sequences: the vocabulary, padding, and long texts cut into pieces.

An essay longer than a model's input is cut into pieces (:func:`chunk`, :func:`essay_chunks`) that
all carry its labels; its prediction is the mean over its pieces (:func:`mean_by_owner`).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence

import numpy as np

PAD, OOV = "<pad>", "<oov>"


class Vocabulary:
    """Word <-> index, with 0 for padding and 1 for words outside the vocabulary."""

    def __init__(self, words: Sequence[str]):
        self.words = [PAD, OOV, *[w for w in words if w not in (PAD, OOV)]]
        self.index = {w: i for i, w in enumerate(self.words)}

    @classmethod
    def build(cls, token_lists: Iterable[Sequence[str]], max_size: int | None = None,
              min_count: int = 1) -> Vocabulary:
        """The most frequent words (ties broken alphabetically, so the result is reproducible)."""
        counts = Counter(w for tokens in token_lists for w in tokens)
        ranked = sorted((w for w, c in counts.items() if c >= min_count),
                        key=lambda w: (-counts[w], w))
        return cls(ranked[:max_size] if max_size else ranked)

    def __len__(self) -> int:
        return len(self.words)

    def encode(self, tokens: Sequence[str]) -> list[int]:
        """Indices of ``tokens`` (1 for unknown words)."""
        return [self.index.get(t, 1) for t in tokens]

    def coverage(self, tokens: Sequence[str]) -> float:
        """Share of ``tokens`` the vocabulary knows (NaN for no tokens)."""
        return float(np.mean([t in self.index for t in tokens])) if tokens else float("nan")


def pad_sequences(sequences: Sequence[Sequence[int]], max_len: int) -> np.ndarray:
    """Fixed-length int32 array: longer sequences keep their first ``max_len`` indices, shorter
    ones are padded with zeros at the end."""
    if max_len < 1:
        raise ValueError(f"max_len must be at least 1, got {max_len}")
    out = np.zeros((len(sequences), max_len), dtype=np.int32)
    for row, seq in enumerate(sequences):
        seq = list(seq)[:max_len]
        out[row, :len(seq)] = seq
    return out


def chunk(tokens: Sequence[str], length: int) -> list[list[str]]:
    """Consecutive pieces of ``length`` tokens (the last one may be shorter; at least one piece)."""
    tokens = list(tokens)
    pieces = [tokens[i:i + length] for i in range(0, len(tokens), length)]
    if len(pieces) > 1 and len(pieces[-1]) < length // 4:
        pieces[-2].extend(pieces.pop())  # a short tail joins the piece before it (then truncated)
    return pieces or [[]]


def essay_chunks(token_lists: Sequence[Sequence[str]], vocab: Vocabulary, length: int,
                 labels: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray | None, np.ndarray]:
    """Every essay cut into pieces of ``length`` words: (padded pieces, each piece's labels (its
    essay's), the essay each piece came from)."""
    rows, owner = [], []
    for i, tokens in enumerate(token_lists):
        for piece in chunk(tokens, length):
            rows.append(vocab.encode(piece))
            owner.append(i)
    owner_arr = np.array(owner)
    return pad_sequences(rows, length), (labels[owner_arr] if labels is not None else None), owner_arr


def mean_by_owner(probs: np.ndarray, owner: np.ndarray, n: int) -> np.ndarray:
    """Average the pieces' probabilities per essay: shape (n, outputs)."""
    sums = np.zeros((n, probs.shape[1]))
    np.add.at(sums, owner, probs)
    return sums / np.bincount(owner, minlength=n)[:, None]
