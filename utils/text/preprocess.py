"""Text preprocessing: the course's NLTK pipeline, step by step, as one object.

Tokenisation, cleaning and standardisation with regular expressions, punctuation removal,
lowercasing, stop-word removal, part-of-speech tags and lemmatisation that uses those tags
(:class:`TextPreprocessor`); the resource each step uses comes from :mod:`utils.text.resources`.
A shipped model carries its stop-word list, its tagger's name (the ``textblob-aptagger`` wheel's
weights) and a lemma table (:meth:`TextPreprocessor.with_lemma_table`), so that its preprocessing,
and so its predictions, are the same on every machine (:meth:`TextPreprocessor.from_config`).
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import Any

from utils.text import resources

NEGATIONS = frozenset({"no", "not", "nor", "never", "nothing", "nobody", "none", "nowhere",
                       "cannot", "without"})

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

    Web addresses are kept whole (the tokeniser would cut them at ``:`` and ``/``). A typographic
    apostrophe (U+2019, what Word and phones type) is read as ``'``, so *don’t* splits into *do*
    and *n't* like *don't* (the tokeniser knows only the straight one).
    """
    from nltk.tokenize import word_tokenize

    pieces = _URL_IN_TEXT.split(text.replace("\u2019", "'"))
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
    ``tagger``: ``"auto"`` (the best tagger this machine has, :func:`resources._tagger`) or
    ``"textblob-aptagger"`` (always the wheel's weights, what the shipped models use).
    ``lemma_table`` (WordNet POS -> word -> lemma, from :meth:`with_lemma_table`) replaces WordNet:
    a (word, POS) pair found there gets its lemma, any other word stays as it is, on every machine.
    """

    lowercase: bool = True
    remove_stopwords: bool = True
    keep_negations: bool = False
    pos_tag: bool = True
    lemmatize: bool = True
    min_length: int = 1
    stop_words: frozenset[str] | None = None
    tagger: str = "auto"
    lemma_table: dict[str, dict[str, str]] | None = field(default=None, repr=False)
    lemma_source: str = field(default="", repr=False)
    verbose: bool = field(default=False, repr=False)

    def __post_init__(self) -> None:
        if self.stop_words is None:
            self.stop_words = resources._stop_words()[0]
        if self.tagger not in ("auto", "textblob-aptagger"):
            raise ValueError(f"tagger must be 'auto' or 'textblob-aptagger', got {self.tagger!r}")
        self.stop_words = frozenset(self.stop_words)
        if self.keep_negations:
            self.stop_words = self.stop_words - NEGATIONS
        self._lemma_cache: dict[tuple[str, str], str] = {}
        if self.verbose:
            print(self.describe())

    def resources(self) -> dict[str, str]:
        """Which resource each step uses here (``"off"`` for a step switched off)."""
        found = resources.resolve_resources()
        stop = (f"{len(self.stop_words)} words: {found['stop words']}" if self.remove_stopwords
                else "off")
        tagger = resources.APTAGGER if self.tagger == "textblob-aptagger" else found["POS tagger"]
        lemmatiser = found["lemmatiser"]
        if self.lemma_table is not None:
            forms = sum(map(len, self.lemma_table.values()))
            lemmatiser = (f"the model's lemma table ({forms} forms, made with [{self.lemma_source}]); "
                          f"WordNet is not consulted, other words stay as they are")
        return {"tokeniser": found["tokeniser"], "stop words": stop,
                "POS tagger": tagger if self.pos_tag else "off",
                "lemmatiser": lemmatiser if self.lemmatize else "off"}

    def describe(self) -> str:
        """A few printable lines: one per step and the resource it uses."""
        return "\n".join(f"{step:>10}: {what}" for step, what in self.resources().items())

    def steps(self, text: str | bytes) -> dict[str, list]:
        """Every intermediate result, step by step (for teaching); the stop-word step is named
        ``"no stop words"`` or, when ``remove_stopwords`` is off, ``"stop words kept"``."""
        text = to_text(text)
        out: dict[str, list] = {"tokens": tokenize(text)}
        out["standardised"] = standardize(out["tokens"])
        out["no punctuation"] = remove_punctuation(out["standardised"])
        words = out["no punctuation"]
        out["lowercased"] = words = [w.lower() for w in words] if self.lowercase else words
        if self.remove_stopwords:
            words = [w for w in words if w.lower() not in self.stop_words]
        kept = "no stop words" if self.remove_stopwords else "stop words kept"  # says what happened
        out[kept] = words = [w for w in words if len(w) >= self.min_length]
        tagger = self._tagger() if self.pos_tag else None
        out["POS tags"] = tagged = (tagger.tag(words) if tagger is not None and words
                                    else [(w, "NN") for w in words])
        out["lemmas"] = self._lemmas(tagged) if self.lemmatize else [w for w, _ in tagged]
        return out

    def _tagger(self) -> Any | None:
        """The tagger object this preprocessor uses (None: every word a noun)."""
        if self.tagger == "auto":
            return resources._tagger()[0]
        tagger = resources.aptagger()
        if tagger is None:
            raise RuntimeError("this model's preprocessing tags with the textblob-aptagger wheel's "
                               "weights: pip install textblob-aptagger")
        return tagger

    def _lemmas(self, tagged: list[tuple[str, str]]) -> list[str]:
        """Lemmas from the model's table if it has one, else from this machine's WordNet."""
        if self.lemma_table is not None:
            return [self.lemma_table.get(wordnet_pos(t), {}).get(w, w) for w, t in tagged]
        lemmatizer = resources._wordnet()[0]
        return [self._lemma(lemmatizer, w, t) for w, t in tagged] if lemmatizer else [w for w, _ in tagged]

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

    def with_lemma_table(self, texts: Iterable[str | bytes]) -> TextPreprocessor:
        """A copy that carries the lemmas this machine's WordNet gives the (word, POS) pairs of
        ``texts`` (a model's training texts), and uses them instead of WordNet from then on.

        Only pairs whose lemma differs from the word are stored (the rest stay as they are
        anyway). Raises RuntimeError without WordNet: a table made without it would be empty.
        """
        lemmatizer, source = resources._wordnet()
        if lemmatizer is None or not self.lemmatize:
            raise RuntimeError(f"a lemma table needs WordNet and lemmatize=True (lemmatiser: {source})")
        fresh = replace(self, lemma_table=None, verbose=False)
        fresh.transform(texts)  # fills fresh._lemma_cache with every (word, POS) pair seen
        table: dict[str, dict[str, str]] = {}
        for (word, pos), lemma in sorted(fresh._lemma_cache.items()):
            if lemma != word:
                table.setdefault(pos, {})[word] = lemma
        return replace(self, lemma_table=table, lemma_source=source, verbose=False)

    def to_config(self) -> dict:
        """Settings and stop words as JSON-ready data (saved next to a model)."""
        return {"lowercase": self.lowercase, "remove_stopwords": self.remove_stopwords,
                "keep_negations": self.keep_negations, "pos_tag": self.pos_tag,
                "lemmatize": self.lemmatize, "min_length": self.min_length,
                "stop_words": sorted(self.stop_words), "tagger": self.tagger,
                "lemma_table": self.lemma_table, "lemma_source": self.lemma_source,
                "resources": self.resources()}

    @classmethod
    def from_config(cls, config: dict) -> TextPreprocessor:
        """The preprocessor saved by :meth:`to_config`; warns if this machine's resources differ
        (never for a model that carries its lemma table and names its tagger)."""
        settings = {k: config[k] for k in ("lowercase", "remove_stopwords", "pos_tag",
                                           "lemmatize", "min_length")}
        made = cls(**settings, keep_negations=False, stop_words=frozenset(config["stop_words"]),
                   tagger=config.get("tagger", "auto"), lemma_table=config.get("lemma_table"),
                   lemma_source=config.get("lemma_source", ""))
        made.keep_negations = config.get("keep_negations", False)
        saved, here = config.get("resources", {}), made.resources()
        for step in ("POS tagger", "lemmatiser"):
            if step in saved and saved[step] != here[step]:
                warnings.warn(f"{step}: the model was trained with [{saved[step]}] but this "
                              f"machine uses [{here[step]}]; predictions may differ slightly.",
                              stacklevel=2)
        return made
