"""Command line: what each dataset holds in the current mode, split by split.

    python -m utils.datasets                 # every dataset
    python -m utils.datasets fer2013 essays  # some of them

In quick mode it counts the synthetic samples; with ``COURSE_QUICK=0`` it finds (or downloads)
the real copies under ``COURSE_DATA_DIR``. It prints one JSON line per dataset.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable, Sequence

from utils.config import describe
from utils.datasets import carer, essays, fer2013, ravdess
from utils.labels import BIG_FIVE


def _count_fer2013() -> dict:
    folder = fer2013.root()
    return {"folder": str(folder),
            "splits": {split: int(len(fer2013.load(split, folder)[1])) for split in fer2013.SPLITS}}


def _count_ravdess() -> dict:
    table = ravdess.table()
    return {"files": len(table), "actors": int(table.actor.nunique()),
            "splits": table.split.value_counts().sort_index().to_dict(),
            "emotions": table.emotion.value_counts().sort_index().to_dict()}


def _count_essays() -> dict:
    frame = essays.load()
    return {"essays": len(frame), "share_yes": frame[list(BIG_FIVE)].mean().round(3).to_dict()}


def _count_carer() -> dict:
    folder = carer.root()
    counts = {}
    for split in carer.SPLITS:
        try:
            counts[split] = len(carer.load(split, folder))
        except FileNotFoundError:
            counts[split] = "absent"
    return {"folder": str(folder), "splits": counts}


COUNTERS: dict[str, Callable[[], dict]] = {
    "fer2013": _count_fer2013, "ravdess": _count_ravdess, "essays": _count_essays,
    "emotion": _count_carer,
}


def main(argv: Sequence[str] | None = None) -> None:
    """Print the counts of the chosen datasets."""
    parser = argparse.ArgumentParser(prog="python -m utils.datasets", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("names", nargs="*", metavar="NAME",
                        help=f"datasets to count (default all): {', '.join(COUNTERS)}")
    args = parser.parse_args(argv)
    unknown = set(args.names) - set(COUNTERS)
    if unknown:
        parser.error(f"unknown dataset(s) {sorted(unknown)}: choose from {', '.join(COUNTERS)}")
    print(describe())
    for name in args.names or COUNTERS:
        print(json.dumps({"dataset": name, **COUNTERS[name]()}))


if __name__ == "__main__":
    main()
