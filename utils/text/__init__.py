"""Text (notebooks/01_text): an NLTK pipeline, Word2Vec, sequences, and the shipped text models.

One module per concern, each importing only the ones listed above it:

- :mod:`utils.text.resources`: which NLTK data, Debian WordNet, tagger and stop-word list each step
  of the pipeline uses on this machine, and says so (``ensure_nltk_data``, ``resolve_resources``).
- :mod:`utils.text.preprocess`: the pipeline itself (``TextPreprocessor``: tokenise, standardise,
  remove punctuation, lowercase, drop stop words, tag parts of speech, lemmatise).
- :mod:`utils.text.sequences`: ``Vocabulary``, ``pad_sequences``, long texts cut into pieces
  (``chunk``, ``essay_chunks``) and the mean over an essay's pieces (``mean_by_owner``).
- :mod:`utils.text.embeddings`: ``train_word2vec`` (gensim) and ``embedding_matrix``.
- :mod:`utils.text.models`: the Keras builders (``text_emotion_bilstm``, ``personality_cnn_lstm``,
  ``personality_mean_embedding``).
- :mod:`utils.text.predict`: a shipped model from raw text to probabilities (``TextModel``,
  ``save_text_model``, ``load_text_model``) and CARER to the canonical emotions (``to_canonical``).
- :mod:`utils.text.metrics`: ``personality_report`` and the ``tfidf_logreg`` baseline.
- :mod:`utils.text.ablation`: what each preprocessing step is worth to the TF-IDF baseline
  (``preprocessing_ablation``) and a word's label counts (``word_labels``); ``python -m
  utils.text.ablation`` records both on CARER.
- :mod:`utils.text.train`: the shipped models' recipes (``train_text_emotion``,
  ``train_personality``) and the course's split of the essays (``essays_split``).

``from utils.text import preprocess`` then ``preprocess.TextPreprocessor(...)`` is the usual way in;
the names that code outside this package used before it was split stay available here too
(``from utils.text import load_text_model``).
Heavy libraries (TensorFlow/Keras, gensim, NLTK, scikit-learn) are imported inside the functions
that need them, so importing this package is fast.
"""

from __future__ import annotations

from utils.text import embeddings, metrics, models, predict, preprocess, resources, sequences, train
from utils.text.embeddings import embedding_matrix, train_word2vec
from utils.text.metrics import personality_report, tfidf_logreg
from utils.text.predict import load_text_model, save_text_model, to_canonical
from utils.text.preprocess import TextPreprocessor, standardize, to_text
from utils.text.resources import debian_wordnet_reader, ensure_nltk_data, resolve_resources
from utils.text.sequences import OOV, PAD, Vocabulary, chunk, essay_chunks, mean_by_owner, pad_sequences
from utils.text.train import essays_split, train_personality, train_text_emotion

__all__ = [
    "embeddings", "metrics", "models", "predict", "preprocess", "resources", "sequences", "train",
    "OOV", "PAD", "TextPreprocessor", "Vocabulary", "chunk", "debian_wordnet_reader",
    "embedding_matrix", "ensure_nltk_data", "essay_chunks", "essays_split", "load_text_model",
    "mean_by_owner", "pad_sequences", "personality_report", "resolve_resources", "save_text_model",
    "standardize", "tfidf_logreg", "to_canonical", "to_text", "train_personality",
    "train_text_emotion", "train_word2vec",
]
