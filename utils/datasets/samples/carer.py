"""CARER samples (the ``carer`` folder): ``{train,val,test}.txt`` of ``text;label`` lines."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from utils.datasets.samples.seeds import random_stream
from utils.labels import CARER_CLASSES

VERSION = 1  # bump when the files this module writes change: old sample folders regenerate

CARER_PER_CLASS = {"train": 40, "val": 10, "test": 10}
CARER_WORDS: dict[str, tuple[str, ...]] = {
    "sadness": ("hopeless", "miserable", "lonely", "gloomy", "heartbroken", "empty", "defeated"),
    "joy": ("happy", "cheerful", "delighted", "glad", "excited", "content", "joyful"),
    "love": ("loving", "caring", "tender", "affectionate", "romantic", "loved", "passionate"),
    "anger": ("angry", "irritated", "furious", "annoyed", "resentful", "bitter", "outraged"),
    "fear": ("scared", "anxious", "nervous", "terrified", "afraid", "uneasy", "frightened"),
    "surprise": ("amazed", "shocked", "surprised", "stunned", "astonished", "curious", "impressed"),
}
AMBIGUOUS_WORDS = ("strange", "weird", "different", "overwhelmed")  # shared by every class
CARER_OPENINGS = ("i feel", "i feel so", "i am feeling", "im feeling", "i have been feeling",
                  "i still feel", "i feel really", "i started to feel", "i cant help but feel")
CARER_ENDINGS = ("today", "right now", "about the whole thing", "when i think about work",
                 "after talking to my mom", "and i dont know why", "this morning", "again",
                 "lately", "about my life", "when i look at the pictures", "at school",
                 "every time i see him", "with all of this", "tonight")


def carer_line(label: str, rng: np.random.Generator) -> str:
    """One lowercase tweet with its label, ``text;label``."""
    # One tweet in ten uses a word every class shares, so the task is not trivially separable.
    words = AMBIGUOUS_WORDS if rng.random() < 0.1 else CARER_WORDS[label]
    text = f"{rng.choice(CARER_OPENINGS)} {rng.choice(words)} {rng.choice(CARER_ENDINGS)}"
    return f"{text};{label}"


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
