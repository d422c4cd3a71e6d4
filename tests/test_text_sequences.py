"""utils.text.sequences and utils.text.embeddings: vocabulary, padding, pieces of long texts,
Word2Vec and the embedding matrix. Offline."""

from __future__ import annotations

import numpy as np
import pytest

from utils.text import embeddings, sequences


def test_vocabulary_and_padding():
    vocab = sequences.Vocabulary.build([["b", "a", "a"], ["c", "a", "b"]], min_count=2)
    assert vocab.words == [sequences.PAD, sequences.OOV, "a", "b"]
    assert vocab.encode(["a", "zzz", "b"]) == [2, 1, 3]
    assert vocab.coverage(["a", "zzz"]) == 0.5 and np.isnan(vocab.coverage([]))
    padded = sequences.pad_sequences([[5, 6, 7], [1]], 2)
    assert padded.tolist() == [[5, 6], [1, 0]] and padded.dtype == np.int32
    with pytest.raises(ValueError, match="max_len"):
        sequences.pad_sequences([[1]], 0)


def test_word2vec_and_embedding_matrix():
    corpus = [["happy", "joy", "smile"], ["sad", "tear", "cry"]] * 30
    w2v = embeddings.train_word2vec(corpus, dim=16, epochs=2, min_count=1)
    vocab = sequences.Vocabulary.build(corpus + [["unseen"]])
    matrix, share = embeddings.embedding_matrix(vocab, w2v)
    assert matrix.shape == (len(vocab), 16) and np.all(matrix[0] == 0)
    assert np.allclose(matrix[vocab.index["happy"]], w2v.wv["happy"])
    assert share == pytest.approx(6 / 7)
    with pytest.raises(ValueError, match="non-empty"):
        embeddings.train_word2vec([[], []])


def test_chunks_and_means():
    assert sequences.chunk(list("abcdefghij"), 4) == [list("abcd"), list("efgh"), list("ij")]
    # a tail shorter than a quarter of the length joins the piece before it
    assert sequences.chunk(list("abcdefghijklmnopq"), 8) == [list("abcdefgh"), list("ijklmnopq")]
    assert sequences.chunk([], 4) == [[]]
    probs = np.array([[0.2], [0.4], [1.0]])
    assert sequences.mean_by_owner(probs, np.array([0, 0, 1]), 2).ravel().tolist() == pytest.approx([0.3, 1.0])
