"""CARER samples (the ``carer`` folder): ``{train,val,test}.txt`` of ``text;label`` lines.

Three kinds of tweet carry the text notebook's lessons: "i feel <emotion word> ..." (the bulk);
"i <verb> ..." with the verb in one of three forms (*cried*, *crying*, *cry*), so a form seen in
validation may be missing from training while its lemma is not (lemmatisation helps); and negated
joy or love words labelled sadness ("i do not feel happy"), which a pipeline that drops stop words
(and with them *not*) reads as joy.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from utils.datasets.samples.seeds import random_stream
from utils.labels import CARER_CLASSES

VERSION = 2  # bump when the files this module writes change: old sample folders regenerate

CARER_PER_CLASS = {"train": 60, "val": 20, "test": 20}
CARER_WORDS: dict[str, tuple[str, ...]] = {
    "sadness": ("hopeless", "miserable", "lonely", "gloomy", "heartbroken", "empty", "defeated"),
    "joy": ("happy", "cheerful", "delighted", "glad", "excited", "content", "joyful"),
    "love": ("loving", "caring", "tender", "affectionate", "romantic", "loved", "passionate"),
    "anger": ("angry", "irritated", "furious", "annoyed", "resentful", "bitter", "outraged"),
    "fear": ("scared", "anxious", "nervous", "terrified", "afraid", "uneasy", "frightened"),
    "surprise": ("amazed", "shocked", "surprised", "stunned", "astonished", "curious", "impressed"),
}
# "base past -ing" of verbs whose three forms WordNet lemmatises to the base (checked with the tagger).
_VERB_FORMS = {
    "sadness": "cry cried crying, miss missed missing, sob sobbed sobbing, grieve grieved grieving, "
               "mourn mourned mourning",
    "joy": "laugh laughed laughing, smile smiled smiling, celebrate celebrated celebrating, "
           "cheer cheered cheering, giggle giggled giggling",
    "love": "adore adored adoring, hug hugged hugging, cherish cherished cherishing, "
            "cuddle cuddled cuddling, kiss kissed kissing",
    "anger": "yell yelled yelling, resent resented resenting, scream screamed screaming, "
             "curse cursed cursing, fume fumed fuming",
    "fear": "worry worried worrying, panic panicked panicking, dread dreaded dreading, "
            "tremble trembled trembling, shake shook shaking",
    "surprise": "gasp gasped gasping, marvel marveled marveling, startle startled startling, "
                "wonder wondered wondering, blink blinked blinking",
}
CARER_VERBS: dict[str, tuple[tuple[str, ...], ...]] = {
    label: tuple(tuple(verb.split()) for verb in forms.split(", ")) for label, forms in _VERB_FORMS.items()}
VERB_OPENINGS = ("i {base}", "i {past}", "i keep {ing}", "i have been {ing}", "i {past} again and")
AMBIGUOUS_WORDS = ("strange", "weird", "different", "overwhelmed")  # shared by every class
CARER_OPENINGS = ("i feel", "i feel so", "i am feeling", "im feeling", "i have been feeling",
                  "i still feel", "i feel really", "i started to feel", "i cant help but feel")
NEGATED_OPENINGS = ("i do not feel", "i dont feel", "im not feeling", "i am not feeling",
                    "i didnt feel", "i was not feeling")
CARER_ENDINGS = ("today", "right now", "about the whole thing", "when i think about work",
                 "after talking to my mom", "for some reason", "this morning", "again",
                 "lately", "about my life", "when i look at the pictures", "at school",
                 "every time i see him", "with all of this", "tonight")
SHARES = {"ambiguous": 0.1, "verb": 0.35, "negated sadness": 0.7}  # shares of the tweets


def _verb_phrase(label: str, rng: np.random.Generator) -> str:
    """"i cried", "i keep crying"...: one of the label's verbs in a random form."""
    base, past, ing = CARER_VERBS[label][rng.integers(len(CARER_VERBS[label]))]
    return str(rng.choice(VERB_OPENINGS)).format(base=base, past=past, ing=ing)


def carer_line(label: str, rng: np.random.Generator) -> str:
    """One lowercase tweet with its label, ``text;label``."""
    draw = rng.random()
    if draw < SHARES["ambiguous"]:  # a word every class shares: the task is not trivially separable
        start = f"{rng.choice(CARER_OPENINGS)} {rng.choice(AMBIGUOUS_WORDS)}"
    elif draw < SHARES["ambiguous"] + SHARES["verb"]:
        start = _verb_phrase(label, rng)
    elif label == "sadness" and rng.random() < SHARES["negated sadness"]:
        start = f"{rng.choice(NEGATED_OPENINGS)} {rng.choice(CARER_WORDS[str(rng.choice(['joy', 'love']))])}"
    else:
        start = f"{rng.choice(CARER_OPENINGS)} {rng.choice(CARER_WORDS[label])}"
    return f"{start} {rng.choice(CARER_ENDINGS)};{label}"


def carer_splits() -> dict[str, list[str]]:
    """Lines of each split; no text appears twice, so validation and test are truly unseen."""
    rng = random_stream(5)
    seen: set[str] = set()
    splits: dict[str, list[str]] = {}
    for split, per_class in CARER_PER_CLASS.items():
        lines = []
        for label in CARER_CLASSES:
            count = 0
            while count < per_class:
                line = carer_line(label, rng)
                text = line.rsplit(";", 1)[0]
                if text not in seen:
                    seen.add(text)
                    lines.append(line)
                    count += 1
        splits[split] = [lines[i] for i in rng.permutation(len(lines))]
    return splits


def _write_carer_split(path: Path, lines: list[str]) -> None:
    """One split file, newline-terminated UTF-8 like the original."""
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def write_carer(folder: Path) -> None:
    """CARER's three text files, one ``text;label`` line per tweet."""
    folder.mkdir(parents=True, exist_ok=True)
    for split, lines in carer_splits().items():
        _write_carer_split(folder / f"{split}.txt", lines)
