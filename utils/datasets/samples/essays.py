"""Essays samples: ``essays.csv`` (cp1252), stream-of-consciousness essays with Big Five labels."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from utils.datasets.samples.seeds import random_stream
from utils.labels import BIG_FIVE

VERSION = 2  # bump when the files this module writes change: old sample folders regenerate

ESSAY_COUNT = 100
# What a writer high ("y") or low ("n") on each trait keeps coming back to, in inflected forms
# (plurals, -ing, -ed) that lemmatisation merges: "worried", "worrying" and "worries" -> "worry".
TRAIT_PHRASES: dict[str, dict[str, tuple[str, ...]]] = {
    "EXT": {"y": ("i can't wait to go out with my friends tonight",
                  "the parties last weekend were so much fun", "i loved meeting new people",
                  "everyone on my floor is always talking and laughing with me",
                  "we are all going dancing later", "i called my friends and talked for hours"),
            "n": ("i would rather stay in my room alone and read",
                  "i like it when it is quiet and nobody is around",
                  "crowds make me want to go home", "i spent the whole weekend by myself",
                  "i don't really talk much in classes", "quiet nights with books sound good")},
    "NEU": {"y": ("i am so worried about my grades", "i feel stressed and nervous all the time",
                  "what if i fail the tests tomorrow", "i get upset about little things",
                  "my stomach hurts when i am worrying", "my worries never stop"),
            "n": ("things usually work out fine", "i feel pretty relaxed about classes",
                  "i don't let little things bother me", "i am calm even before exams",
                  "whatever happens i will be okay", "i slept well and feel rested")},
    "AGR": {"y": ("my roommate is really nice and i like helping her", "i trusted people here",
                  "i want everyone to be happy", "i am thankful for my parents",
                  "i try to be kind to everyone", "i loved helping my friends with their problems"),
            "n": ("people here are so annoying", "my roommates are rude and i hated it",
                  "i don't care what they think", "some people are just stupid",
                  "i argued with my brothers all the time", "i am sick of people complaining")},
    "CON": {"y": ("i need to finish my homework and then study for chemistry",
                  "i made schedules for the weeks ahead", "i always planned ahead",
                  "i organized my notes tonight", "i finished the readings early",
                  "my lists say i have three more things to do"),
            "n": ("i forgot to do my homework again", "i'll do it later i guess",
                  "my room is a mess", "i skipped classes this morning", "i lost my keys again",
                  "i never remember when things are due")},
    "OPN": {"y": ("i wondered about the meaning of art and music", "i love poems and new ideas",
                  "philosophy makes me think about the universe",
                  "i want to travel and try strange foods", "imagination is everything",
                  "dreams are so weird and beautiful"),
            "n": ("i don't see the point of poems", "i like things the way they are",
                  "i just watched the usual shows", "abstract stuff is boring",
                  "i prefer simple practical things", "art classes are a waste of time")},
}
FILLER_PHRASES = (
    "i am sitting here at my computer", "this assignment is kind of weird",
    "it is really hot in this room", "my hands are getting tired of typing",
    "i keep thinking about what to write next", "the music next door is loud",
    "i'm hungry and it is almost lunch time", "i wonder what my mom is doing right now",
    "my roommate just walked in", "it was raining outside again", "twenty minutes is a long time",
    "i need to do laundry", "i had coffee at the café this morning",
    "the jalapeño nachos at the cafeteria were good", "my spanish teacher señor garcía is funny",
    "i should update my résumé", "i don't know what else to say",
)
CONNECTORS = (" and ", ". ", " so ", "... ", " but ", ", like, ", ". anyway ", " and um ")


def essay_text(labels: dict[str, str], rng: np.random.Generator) -> str:
    """A stream-of-consciousness essay whose trait phrases follow the writer's ``labels``."""
    target = int(rng.integers(150, 260))  # the last phrase may add a dozen words
    parts: list[str] = []
    words = 0
    while words < target:
        if rng.random() < 0.35:
            phrase = str(rng.choice(FILLER_PHRASES))
        else:
            trait = BIG_FIVE[rng.integers(len(BIG_FIVE))]
            phrase = str(rng.choice(TRAIT_PHRASES[trait][labels[trait]]))
        parts.append(phrase if not parts else str(rng.choice(CONNECTORS)) + phrase)
        words = len("".join(parts).split())
    text = "".join(parts) + "."
    return text[0].upper() + text[1:]


def essays_table() -> pd.DataFrame:
    """The essays with AUTHIDs and y/n labels in the original's columns."""
    rng = random_stream(4)
    numbers = rng.choice(np.arange(100_000, 1_000_000), size=ESSAY_COUNT, replace=False)
    years = rng.choice([1997, 1998, 1999, 2000], size=ESSAY_COUNT)
    rows = []
    for index, (year, number) in enumerate(zip(years, numbers)):
        labels = {trait: str(rng.choice(["y", "n"])) for trait in BIG_FIVE}
        text = essay_text(labels, rng)
        if index % 3 == 0:  # Windows typists: a cp1252 right quote, which is not in Latin-1
            text = text.replace("'", "\u2019")
        rows.append({"#AUTHID": f"{year}_{number}.txt", "TEXT": text,
                     **{f"c{trait}": labels[trait] for trait in BIG_FIVE}})
    return pd.DataFrame(rows)


def write_essays(folder: Path) -> None:
    """``essays.csv`` encoded in cp1252 like the original distribution (so it is not UTF-8)."""
    folder.mkdir(parents=True, exist_ok=True)
    essays_table().to_csv(folder / "essays.csv", index=False, encoding="cp1252")
