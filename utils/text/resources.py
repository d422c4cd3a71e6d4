"""Text resources: which NLTK data, Debian WordNet, tagger and stop-word list each step uses.

NLTK's data packages (taggers, WordNet, stop words) normally come from ``nltk.download``, which
needs the internet. Each step therefore looks for its resource in a fixed order and *says* which
one it found (:func:`resolve_resources`, :meth:`utils.text.preprocess.TextPreprocessor.describe`):

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

A shipped model carries what its preprocessing needs so that it predicts the same everywhere: its
stop-word list, a lemma table built with WordNet when it was saved (WordNet is then never consulted)
and the name of its tagger, the ``textblob-aptagger`` wheel's weights (:func:`aptagger`, a pip
dependency: the same file on every machine).

``COURSE_NO_WORDNET=1`` in the environment hides every WordNet copy (NLTK's data and Debian's), to see
or measure what a machine without WordNet gets.
"""

from __future__ import annotations

import os
import warnings
from functools import lru_cache
from pathlib import Path
from typing import Any

DEBIAN_WORDNET = Path("/usr/share/wordnet")

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
    """(lemmatize(word, pos) callable or None, description); none with ``COURSE_NO_WORDNET=1``."""
    if os.environ.get("COURSE_NO_WORDNET", "") not in ("", "0"):
        return None, "NONE: WordNet hidden by COURSE_NO_WORDNET=1, words are NOT lemmatised"
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


APTAGGER = ("NLTK PerceptronTagger with the averaged-perceptron weights shipped by the "
            "textblob-aptagger wheel (Penn Treebank tags)")


@lru_cache(maxsize=None)
def aptagger() -> Any | None:
    """NLTK's PerceptronTagger with the ``textblob-aptagger`` wheel's weights, or None without it."""
    from nltk.tag.perceptron import PerceptronTagger

    weights = _aptagger_weights()
    if weights is None:
        return None
    import pickle

    with weights.open("rb") as handle:  # a file inside an installed wheel, not user input
        model_weights, tagdict, classes = pickle.load(handle)
    tagger = PerceptronTagger(load=False)
    tagger.model.weights, tagger.tagdict = model_weights, tagdict
    tagger.classes = tagger.model.classes = set(classes)
    return tagger


@lru_cache(maxsize=None)
def _tagger() -> tuple[Any, str]:
    """(object with .tag(tokens) or None, description): NLTK's data first, then the wheel's."""
    from nltk.tag.perceptron import PerceptronTagger

    if _nltk_has("taggers/averaged_perceptron_tagger_eng/"):
        return PerceptronTagger(), "NLTK averaged perceptron (nltk.download('averaged_perceptron_tagger_eng'))"
    if aptagger() is not None:
        return aptagger(), APTAGGER
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
