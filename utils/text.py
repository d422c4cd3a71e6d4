"""Text: an NLTK preprocessing pipeline, Word2Vec, sequences, and the shipped text models.

The pipeline follows the course's reference project step by step: tokenisation, cleaning and
standardisation with regular expressions, punctuation removal, lowercasing, stop-word removal,
part-of-speech tags, lemmatisation that uses those tags, and padding to a fixed length.

NLTK's data packages (taggers, WordNet, stop words) normally come from ``nltk.download``, which
needs the internet. Each step therefore looks for its resource in a fixed order and *says* which
one it found (:func:`resolve_resources`, :meth:`TextPreprocessor.describe`):

============  =====================================  ==========================================
step          first choice (NLTK data, e.g. Colab)   offline route, then the stated fallback
============  =====================================  ==========================================
tokeniser     NLTK's Treebank word tokeniser (no     the same everywhere
              data needed, ``preserve_line=True``)
stop words    NLTK's ``stopwords`` corpus            scikit-learn's English list (always there)
POS tagger    NLTK ``averaged_perceptron_tagger_eng``  NLTK's PerceptronTagger with the weights that
                                                     the ``textblob-aptagger`` wheel ships (the
                                                     same algorithm and features, WSJ-trained, MIT
                                                     licence); else no tagger: every word a noun
lemmatiser    NLTK's ``wordnet`` corpus (WordNet     the same WordNet 3.0 database from Debian's
              3.0) through ``WordNetLemmatizer``     ``wordnet-base`` package, read by NLTK's own
                                                     WordNetCorpusReader; else no lemmatisation
============  =====================================  ==========================================

A shipped model stores its stop-word list and the names of the resources it was trained with, and
warns when it runs with different ones.
"""

from __future__ import annotations

import json
import re
import warnings
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from utils.config import MODELS_DIR

PAD, OOV = "<pad>", "<oov>"
DEBIAN_WORDNET = Path("/usr/share/wordnet")
NEGATIONS = frozenset({"no", "not", "nor", "never", "nothing", "nobody", "none", "nowhere",
                       "cannot", "without"})

# WordNet's 45 lexicographer files (lexnames(5WN)). Debian's wordnet-base omits the small
# ``lexnames`` index that NLTK's reader opens first, so it is written next to links to the data.
_LEXNAMES = (
    "adj.all adj.pert adv.all noun.Tops noun.act noun.animal noun.artifact noun.attribute "
    "noun.body noun.cognition noun.communication noun.event noun.feeling noun.food noun.group "
    "noun.location noun.motive noun.object noun.person noun.phenomenon noun.plant "
    "noun.possession noun.process noun.quantity noun.relation noun.shape noun.state "
    "noun.substance noun.time verb.body verb.change verb.cognition verb.communication "
    "verb.competition verb.consumption verb.contact verb.creation verb.emotion verb.motion "
    "verb.perception verb.possession verb.social verb.stative verb.weather adj.ppl").split()


# --------------------------------------------------------------------------- resources


def _nltk_has(resource: str) -> bool:
    import nltk

    try:
        nltk.data.find(resource)
        return True
    except LookupError:
        return False


def _lexname_category(name: str) -> int:
    return {"adj": 3, "adv": 4, "noun": 1, "verb": 2}[name.split(".")[0]]


def _lexnames_text() -> str:
    return "".join(f"{i:02d}\t{name}\t{_lexname_category(name)}\n" for i, name in enumerate(_LEXNAMES))


@lru_cache(maxsize=4)
def debian_wordnet_reader(source: Path = DEBIAN_WORDNET) -> Any | None:
    """NLTK's WordNetCorpusReader over Debian's ``wordnet-base`` database, or None without it.

    Debian ships the database files but not the 45-line ``lexnames`` index the reader opens
    first; the standard list (lexnames(5WN)) is supplied from memory instead.
    """
    needed = [f"{kind}.{pos}" for kind in ("data", "index") for pos in ("noun", "verb", "adj",
                                                                         "adv")]
    if not all((source / name).is_file() for name in needed):
        return None
    import io

    import nltk
    from nltk.corpus.reader.wordnet import WordNetCorpusReader

    class DebianWordNetReader(WordNetCorpusReader):
        def open(self, fileid: str) -> Any:
            if fileid == "lexnames" and not (source / "lexnames").is_file():
                return io.StringIO(_lexnames_text())
            return super().open(fileid)

        def map_wn(self, version: str = "wordnet") -> None:
            return None  # a mapping for the multilingual OMW data, which lemmatising never uses

    # NLTK reads only below its data paths: authorise Debian's folder explicitly.
    folder = str(source.resolve())
    if folder not in nltk.data.path:
        nltk.data.path.append(folder)
    with warnings.catch_warnings():  # "multilingual functions are not available": not needed
        warnings.simplefilter("ignore")
        return DebianWordNetReader(folder, None)


def _lemmatizer_for(reader: Any) -> Any:
    """WordNetLemmatizer.lemmatize's rule (the shortest of morphy's lemmas) over ``reader``."""

    def lemmatize(word: str, pos: str = "n") -> str:
        lemmas = reader._morphy(word, pos)  # noqa: SLF001 - exactly what WordNetLemmatizer calls
        return min(lemmas, key=len) if lemmas else word

    return lemmatize


@lru_cache(maxsize=None)
def _wordnet() -> tuple[Any, str]:
    """(lemmatize(word, pos) callable or None, description)."""
    if _nltk_has("corpora/wordnet") or _nltk_has("corpora/wordnet.zip"):
        from nltk.corpus import wordnet

        return _lemmatizer_for(wordnet), "WordNet 3.0 from NLTK's data (nltk.download('wordnet'))"
    reader = debian_wordnet_reader()
    if reader is not None:
        return _lemmatizer_for(reader), (f"WordNet 3.0 from Debian's wordnet-base ({DEBIAN_WORDNET}), "
                                         f"read by NLTK's WordNetCorpusReader")
    return None, ("NONE: no WordNet found, words are NOT lemmatised (fix: nltk.download('wordnet') "
                  "or apt-get install wordnet-base)")


def _aptagger_weights() -> Path | None:
    import importlib.util

    spec = importlib.util.find_spec("textblob_aptagger")
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(list(spec.submodule_search_locations)[0]) / "trontagger-0.1.0.pickle"
    return path if path.is_file() else None


@lru_cache(maxsize=None)
def _tagger() -> tuple[Any, str]:
    """(object with .tag(tokens) or None, description)."""
    from nltk.tag.perceptron import PerceptronTagger

    if _nltk_has("taggers/averaged_perceptron_tagger_eng/"):
        return PerceptronTagger(), "NLTK averaged perceptron (nltk.download('averaged_perceptron_tagger_eng'))"
    weights = _aptagger_weights()
    if weights is not None:
        import pickle

        with weights.open("rb") as handle:  # a file inside an installed wheel, not user input
            model_weights, tagdict, classes = pickle.load(handle)
        tagger = PerceptronTagger(load=False)
        tagger.model.weights, tagger.tagdict = model_weights, tagdict
        tagger.classes = tagger.model.classes = set(classes)
        return tagger, ("NLTK PerceptronTagger with the averaged-perceptron weights shipped by the "
                        "textblob-aptagger wheel (Penn Treebank tags)")
    return None, ("NONE: no tagger data found, every word is tagged as a noun "
                  "(fix: pip install textblob-aptagger or nltk.download('averaged_perceptron_tagger_eng'))")


@lru_cache(maxsize=None)
def _stop_words() -> tuple[frozenset[str], str]:
    if _nltk_has("corpora/stopwords") or _nltk_has("corpora/stopwords.zip"):
        from nltk.corpus import stopwords

        return frozenset(stopwords.words("english")), "NLTK's English stop-word corpus"
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    return frozenset(ENGLISH_STOP_WORDS), ("scikit-learn's English stop-word list (NLTK's "
                                           "stopwords corpus is not installed)")


NLTK_PACKAGES = ("wordnet", "averaged_perceptron_tagger_eng", "stopwords")


def ensure_nltk_data(download: bool | None = None) -> dict[str, str]:
    """Fetch NLTK's own data where the internet allows it, then say what each step will use.

    ``download`` defaults to True in Colab only (``nltk.download`` needs the internet; elsewhere the
    offline routes are used without trying). Returns :func:`resolve_resources`.
    """
    from utils.config import runtime

    if download if download is not None else runtime() == "colab":
        import nltk

        for package in NLTK_PACKAGES:
            nltk.download(package, quiet=True)
        for cached in (_wordnet, _tagger, _stop_words):
            cached.cache_clear()
    return resolve_resources()


def resolve_resources() -> dict[str, str]:
    """Which resource each pipeline step uses on this machine, as printable descriptions."""
    return {
        "tokeniser": "NLTK Treebank word tokeniser (rules only, no data)",
        "stop words": _stop_words()[1],
        "POS tagger": _tagger()[1],
        "lemmatiser": _wordnet()[1],
    }


# --------------------------------------------------------------------------- preprocessing

_URL = re.compile(r"^(https?://|www\.)\S+$", re.IGNORECASE)
_NUMBER = re.compile(r"^[+-]?\d+([.,:/]\d+)*(st|nd|rd|th|s)?$", re.IGNORECASE)
_REPEAT = re.compile(r"(\w)\1{2,}")  # "sooooo" -> "soo"
_NON_WORD = re.compile(r"[^\w]+")  # punctuation and symbols inside or around a token
_CONTRACTIONS = {"n't": "not", "'m": "am", "'re": "are", "'ve": "have", "'ll": "will", "'d": "would"}
# Contractions typed without an apostrophe, as in CARER's tweets ("didnt", "im", "ive").
_BARE_NT = re.compile(r"^(do|does|did|is|are|was|were|has|have|had|could|would|should|must|need|"
                      r"might|wo|ca|ai)nt$")
_BARE = {"im": ["i", "am"], "ive": ["i", "have"], "youre": ["you", "are"], "theyre": ["they", "are"],
         "dont": ["do", "not"], "cant": ["can", "not"], "wont": ["will", "not"], "thats": ["that", "is"]}


def to_text(text: str | bytes) -> str:
    """Text as ``str``: bytes are decoded as UTF-8, else cp1252 (the essays' original encoding)."""
    if isinstance(text, bytes):
        for encoding in ("utf-8", "cp1252"):
            try:
                return text.decode(encoding)
            except UnicodeDecodeError:
                continue
        return text.decode("latin-1")  # decodes any byte: defined, never an exception
    if not isinstance(text, str):
        raise TypeError(f"expected text as str or bytes, got {type(text).__name__}")
    return text


_URL_IN_TEXT = re.compile(r"\b(?:https?://|www\.)\S+", re.IGNORECASE)


def tokenize(text: str) -> list[str]:
    """NLTK's Treebank word tokeniser on the whole text (needs no downloaded data).

    Web addresses are kept whole (the tokeniser would cut them at ``:`` and ``/``).
    """
    from nltk.tokenize import word_tokenize

    pieces = _URL_IN_TEXT.split(text)
    urls = _URL_IN_TEXT.findall(text)
    tokens: list[str] = []
    for i, piece in enumerate(pieces):
        tokens.extend(word_tokenize(piece, preserve_line=True))
        if i < len(urls):
            tokens.append(urls[i])
    return tokens


def standardize(tokens: Iterable[str]) -> list[str]:
    """Regular-expression cleaning: contractions spelled out, URLs and numbers replaced by a word,
    letters repeated three times or more cut to two."""
    out: list[str] = []
    for token in tokens:
        lower = token.lower()
        if lower in _CONTRACTIONS:
            out.append(_CONTRACTIONS[lower])
        elif lower in ("'s", "s"):
            continue  # possessive or "is": carries nothing once stop words go
        elif _URL.match(token):
            out.append("url")
        elif _NUMBER.match(token):
            out.append("number")
        elif _BARE_NT.match(lower):
            stem = {"wo": "will", "ca": "can", "ai": "is"}.get(lower[:-2], lower[:-2])
            out.extend([stem, "not"])
        elif lower in _BARE:
            out.extend(_BARE[lower])
        else:
            out.append(_REPEAT.sub(r"\1\1", token))
    return out


def remove_punctuation(tokens: Iterable[str]) -> list[str]:
    """Punctuation and symbols removed from each token; tokens left empty are dropped."""
    cleaned = (_NON_WORD.sub("", t).replace("_", "") for t in tokens)
    return [t for t in cleaned if t]


_WORDNET_POS = {"J": "a", "V": "v", "N": "n", "R": "r"}


def wordnet_pos(tag: str) -> str:
    """WordNet's part of speech (a, v, n, r) for a Penn Treebank tag; nouns by default."""
    return _WORDNET_POS.get(tag[:1], "n")


@dataclass
class TextPreprocessor:
    """The course's text pipeline as one object: ``preprocessor(text) -> list of tokens``.

    Each step can be switched off to see what it does. ``stop_words`` fixes the list (a shipped
    model stores its own); by default it is resolved on this machine. ``keep_negations`` keeps
    "not", "no", "never"... even though stop-word lists contain them (they matter for emotion).
    """

    lowercase: bool = True
    remove_stopwords: bool = True
    keep_negations: bool = False
    pos_tag: bool = True
    lemmatize: bool = True
    min_length: int = 1
    stop_words: frozenset[str] | None = None
    verbose: bool = field(default=False, repr=False)

    def __post_init__(self) -> None:
        if self.stop_words is None:
            self.stop_words = _stop_words()[0]
        self.stop_words = frozenset(self.stop_words)
        if self.keep_negations:
            self.stop_words = self.stop_words - NEGATIONS
        self._lemma_cache: dict[tuple[str, str], str] = {}
        if self.verbose:
            print(self.describe())

    def resources(self) -> dict[str, str]:
        """Which resource each step uses here (``"off"`` for a step switched off)."""
        found = resolve_resources()
        stop = (f"{len(self.stop_words)} words: {found['stop words']}" if self.remove_stopwords
                else "off")
        return {"tokeniser": found["tokeniser"], "stop words": stop,
                "POS tagger": found["POS tagger"] if self.pos_tag else "off",
                "lemmatiser": found["lemmatiser"] if self.lemmatize else "off"}

    def describe(self) -> str:
        """A few printable lines: one per step and the resource it uses."""
        return "\n".join(f"{step:>10}: {what}" for step, what in self.resources().items())

    def steps(self, text: str | bytes) -> dict[str, list]:
        """Every intermediate result, step by step (for teaching)."""
        text = to_text(text)
        out: dict[str, list] = {"tokens": tokenize(text)}
        out["standardised"] = standardize(out["tokens"])
        out["no punctuation"] = remove_punctuation(out["standardised"])
        words = out["no punctuation"]
        out["lowercased"] = words = [w.lower() for w in words] if self.lowercase else words
        if self.remove_stopwords:
            words = [w for w in words if w.lower() not in self.stop_words]
        out["no stop words"] = words = [w for w in words if len(w) >= self.min_length]
        tagger = _tagger()[0] if self.pos_tag else None
        out["POS tags"] = tagged = (tagger.tag(words) if tagger is not None and words
                                    else [(w, "NN") for w in words])
        lemmatizer = _wordnet()[0] if self.lemmatize else None
        out["lemmas"] = ([self._lemma(lemmatizer, w, t) for w, t in tagged] if lemmatizer
                         else [w for w, _ in tagged])
        return out

    def _lemma(self, lemmatizer: Any, word: str, tag: str) -> str:
        key = (word, wordnet_pos(tag))
        lemma = self._lemma_cache.get(key)
        if lemma is None:
            lemma = self._lemma_cache[key] = lemmatizer(word, key[1])
        return lemma

    def __call__(self, text: str | bytes) -> list[str]:
        """The final tokens of ``text`` (an empty list for text without words)."""
        return self.steps(text)["lemmas"]

    def transform(self, texts: Iterable[str | bytes]) -> list[list[str]]:
        """The tokens of each text."""
        return [self(text) for text in texts]

    def to_config(self) -> dict:
        """Settings and stop words as JSON-ready data (saved next to a model)."""
        return {"lowercase": self.lowercase, "remove_stopwords": self.remove_stopwords,
                "keep_negations": self.keep_negations, "pos_tag": self.pos_tag,
                "lemmatize": self.lemmatize, "min_length": self.min_length,
                "stop_words": sorted(self.stop_words), "resources": self.resources()}

    @classmethod
    def from_config(cls, config: dict) -> TextPreprocessor:
        """The preprocessor saved by :meth:`to_config`; warns if this machine's resources differ."""
        settings = {k: config[k] for k in ("lowercase", "remove_stopwords", "pos_tag",
                                           "lemmatize", "min_length")}
        made = cls(**settings, keep_negations=False, stop_words=frozenset(config["stop_words"]))
        made.keep_negations = config.get("keep_negations", False)
        saved, here = config.get("resources", {}), made.resources()
        for step in ("POS tagger", "lemmatiser"):
            if step in saved and saved[step] != here[step]:
                warnings.warn(f"{step}: the model was trained with [{saved[step]}] but this "
                              f"machine uses [{here[step]}]; predictions may differ slightly.",
                              stacklevel=2)
        return made


# --------------------------------------------------------------------------- vocabulary and sequences


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


# --------------------------------------------------------------------------- shipped models


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


# --------------------------------------------------------------------------- training recipes


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


def chunk(tokens: Sequence[str], length: int) -> list[list[str]]:
    """Consecutive pieces of ``length`` tokens (the last one may be shorter; at least one piece)."""
    tokens = list(tokens)
    pieces = [tokens[i:i + length] for i in range(0, len(tokens), length)]
    if len(pieces) > 1 and len(pieces[-1]) < length // 4:
        pieces[-2].extend(pieces.pop())  # a short tail joins the piece before it (then truncated)
    return pieces or [[]]


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

    Preprocessing keeps stop words (in short sentences "so", "too", "not" carry emotion: on CARER
    val this scored higher than removing them); vocabulary = words seen at least twice in train; a 300-d
    skip-gram Word2Vec trained on train initialises the embedding of
    :func:`utils.models.text_emotion_bilstm`; Adam 2e-3, batch 64, the epoch with the best val
    accuracy is kept. Writes ``text_emotion.keras`` and ``text_emotion.text.json`` to ``out``
    (default models/) and returns the history.
    """
    import keras

    from utils.config import output_dir, seed_everything
    from utils.datasets import carer
    from utils.labels import CARER_CLASSES
    from utils.models import text_emotion_bilstm

    seed_everything(seed)
    prep = TextPreprocessor(remove_stopwords=False, verbose=True)
    frames = {s: carer.load(s, data) for s in ("train", "val")}
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
                    extra={"trained_on": "CARER train (16,000), selected on val (2,000)"})
    return history


def personality_report(truth: np.ndarray, predicted: np.ndarray, title: str) -> tuple[dict, Any]:
    """Per-trait accuracy, macro-F1 and majority-class share, plus one confusion matrix per trait.

    ``truth`` and ``predicted`` are 0/1 arrays of shape (essays, 5) in BIG_FIVE order. The
    majority share is the accuracy of always answering the commoner label of these essays (an
    optimistic constant baseline: it peeks at the evaluated labels).
    """
    from matplotlib import pyplot as plt
    from sklearn.metrics import f1_score

    from utils.labels import BIG_FIVE
    from utils.plots import plot_confusion_matrix

    truth, predicted = np.asarray(truth, int), np.asarray(predicted, int)
    if truth.shape != predicted.shape or truth.ndim != 2 or truth.shape[1] != len(BIG_FIVE):
        raise ValueError(f"expected two (essays, {len(BIG_FIVE)}) arrays, got {truth.shape} and "
                         f"{predicted.shape}")
    report: dict[str, Any] = {"title": title, "essays": int(len(truth))}
    fig, axes = plt.subplots(1, len(BIG_FIVE), figsize=(4.2 * len(BIG_FIVE), 3.6))
    for k, (trait, ax) in enumerate(zip(BIG_FIVE, axes)):
        share = float(truth[:, k].mean()) if len(truth) else float("nan")
        report[trait] = {"accuracy": float((truth[:, k] == predicted[:, k]).mean()),
                         "macro_f1": float(f1_score(truth[:, k], predicted[:, k], average="macro",
                                                    labels=[0, 1], zero_division=0)),
                         "majority_share": max(share, 1 - share)}
        plot_confusion_matrix(truth[:, k], predicted[:, k], ["low", "high"], trait, ax=ax)
    report["mean_accuracy"] = float(np.mean([report[t]["accuracy"] for t in BIG_FIVE]))
    report["mean_majority_share"] = float(np.mean([report[t]["majority_share"] for t in BIG_FIVE]))
    fig.suptitle(title)
    fig.tight_layout()
    return report, fig


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


def train_personality(data: Path | None = None, out: Path | None = None, epochs: int = 20,
                      architecture: str = "mean_embedding", max_len: int | None = None,
                      remove_stopwords: bool = False, vocab_size: int = 6000,
                      batch_size: int = 32, seed: int = 42, verbose: int = 2) -> dict:
    """The shipped personality model's recipe (essays, the course's own split, selected on val).

    ``architecture``: ``"mean_embedding"`` (the shipped model,
    :func:`utils.models.personality_mean_embedding`, pieces of up to 1,000 words: nearly every
    essay whole) or ``"cnn_lstm"`` (the reference network, :func:`utils.models.personality_cnn_lstm`,
    pieces of 200 words). Each essay is cut into pieces of ``max_len`` words that all carry its five
    labels; an essay's prediction is the mean over its pieces. The pipeline keeps stop words by
    default (function words such as pronouns are among the best-known markers of personality in
    text). Vocabulary: the ``vocab_size`` most frequent words of the training essays seen at least
    5 times; a 300-d skip-gram Word2Vec trained on the training essays initialises the embedding.
    Adam 1e-3, batch 32; the epoch with the best mean essay-level accuracy on val is kept. Writes
    ``personality.keras`` and ``personality.text.json``; returns the history.
    """
    import keras

    from utils import models
    from utils.config import seed_everything
    from utils.datasets import essays
    from utils.labels import BIG_FIVE

    builders = {"mean_embedding": (models.personality_mean_embedding, 1000),
                "cnn_lstm": (models.personality_cnn_lstm, 200)}
    if architecture not in builders:
        raise ValueError(f"architecture must be one of {sorted(builders)}, got {architecture!r}")
    builder, default_len = builders[architecture]
    max_len = max_len or default_len
    seed_everything(seed)
    prep = TextPreprocessor(remove_stopwords=remove_stopwords, verbose=True)
    frame = essays.load(data)
    parts = essays_split(frame, seed=seed)
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
                    extra={"architecture": architecture,
                           "trained_on": "essays: train part of the course's split "
                                         "(utils.text.essays_split, seed 42, 80/10/10), "
                                         f"selected on val (epoch {best['epoch']} of {epochs})",
                           "history": history})
    return history


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


def tfidf_logreg(train_texts: Sequence[str], train_labels: np.ndarray, test_texts: Sequence[str],
                 C: float = 1.0) -> np.ndarray:
    """The baseline: TF-IDF (sublinear, words seen in 2+ texts, 30k features) + logistic regression.

    ``train_labels`` is 1-D (one class per text) or 2-D (one 0/1 column per trait, one model each).
    Returns the predicted labels of ``test_texts`` in the same shape.
    """
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    vectorizer = TfidfVectorizer(sublinear_tf=True, min_df=2, max_features=30000)
    train = vectorizer.fit_transform(train_texts)
    test = vectorizer.transform(test_texts)
    labels = np.asarray(train_labels)
    fit = lambda y: LogisticRegression(C=C, max_iter=2000).fit(train, y).predict(test)  # noqa: E731
    if labels.ndim == 1:
        return fit(labels)
    return np.stack([fit(labels[:, k]) for k in range(labels.shape[1])], axis=1)
