"""Command line: what each dataset holds in the current mode, split by split.

    python -m utils.datasets                 # every dataset
    python -m utils.datasets fer2013 essays  # some of them

In quick mode it counts the synthetic samples; with COURSE_QUICK=0 it finds (or downloads)
the real copies under COURSE_DATA_DIR. It prints one JSON line per dataset with its "state":
"found" (with the counts), "download failed" or "unreadable" (with why and what to do), and goes
on to the next dataset. The exit status is 1 when any dataset could not be read.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence

from utils.config import describe
from utils.datasets import carer, essays, fer2013, ravdess
from utils.datasets.download import DatasetUnavailable
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
    "carer": _count_carer,
}


def state(name: str) -> dict:
    """What dataset ``name`` holds now, or why it cannot be read; never raises for missing data."""
    try:
        return {"dataset": name, "state": "found", **COUNTERS[name]()}
    except DatasetUnavailable as err:
        return {"dataset": name, "state": "download failed", "why": str(err)}
    except (FileNotFoundError, ValueError, OSError) as err:
        return {"dataset": name, "state": "unreadable", "why": str(err),
                "what to do": "check the copy's layout (data/README.md), or set COURSE_QUICK=1"}


def main(argv: Sequence[str] | None = None) -> int:
    """Print the state of the chosen datasets, one JSON line each; 1 if any is unavailable."""
    parser = argparse.ArgumentParser(prog="python -m utils.datasets", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("names", nargs="*", metavar="NAME",
                        help=f"datasets to count (default all): {', '.join(COUNTERS)}")
    args = parser.parse_args(argv)
    unknown = set(args.names) - set(COUNTERS)
    if unknown:
        parser.error(f"unknown dataset(s) {sorted(unknown)}: choose from {', '.join(COUNTERS)}")
    print(describe())
    states = [state(name) for name in args.names or COUNTERS]
    for record in states:
        print(json.dumps(record))
    return int(any(record["state"] != "found" for record in states))


if __name__ == "__main__":
    sys.exit(main())
