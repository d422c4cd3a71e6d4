"""CARER (Saravia et al. 2018; published as dair-ai "emotion"): tweets labelled with six emotions.

The course calls it CARER everywhere: the dataset folder is ``COURSE_DATA_DIR/carer/`` (a copy
in ``emotion/``, dair-ai's name for it, is found too). Two real layouts are read, wherever they sit
below that folder:

- the original text files ``train.txt``, ``val.txt``, ``test.txt`` with one ``text;label`` a line,
  with or without a header line ``text;label`` or ``text;label_name`` (as several mirrors add);
- the parquet copy ``train/validation/test-00000-of-00001.parquet`` with integer labels
  (0 sadness, 1 joy, 2 love, 3 anger, 4 fear, 5 surprise).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from utils.datasets import dataset_root
from utils.labels import CARER_CLASSES

NAME = "carer"
OTHER_FOLDER_NAMES = ("emotion",)  # dair-ai's name, as many copies are unpacked
SPLITS = ("train", "val", "test")
_PARQUET_NAMES = {"train": "train", "val": "validation", "test": "test"}
HEADERS = ("text;label", "text;label_name")  # header lines some mirrors put first


def find_split_file(folder: Path, split: str) -> Path | None:
    """The file holding ``split`` below ``folder``, as text or parquet, or None."""
    for pattern in (f"{split}.txt", f"{_PARQUET_NAMES[split]}-*.parquet"):
        found = sorted(folder.rglob(pattern))
        if found:
            return found[0]
    return None


def has_copy(folder: Path) -> bool:
    """Whether ``folder`` holds CARER's training split in one of the real layouts."""
    return find_split_file(folder, "train") is not None


def root() -> Path:
    """CARER's folder for the current mode (samples, a local copy, or a download)."""
    return dataset_root(NAME, has_copy, other_names=OTHER_FOLDER_NAMES)


def _read_txt(path: Path) -> pd.DataFrame:
    rows = []
    for number, line in enumerate(path.read_text(encoding="utf-8-sig").splitlines(), start=1):
        if not line.strip() or (not rows and line.strip().lower() in HEADERS):
            continue
        text, sep, label = line.rpartition(";")
        if not sep or label.strip() not in CARER_CLASSES:
            raise ValueError(f"{path}:{number}: expected 'text;label' with a label among "
                             f"{CARER_CLASSES}, got {line[:80]!r}")
        rows.append((text, label.strip()))
    return pd.DataFrame(rows, columns=["text", "label"])


def _read_parquet(path: Path) -> pd.DataFrame:
    table = pd.read_parquet(path)
    if not {"text", "label"} <= set(table.columns):
        raise ValueError(f"{path}: expected columns text and label")
    labels = table["label"].astype(int)
    if not labels.between(0, len(CARER_CLASSES) - 1).all():
        raise ValueError(f"{path}: labels must be integers 0-{len(CARER_CLASSES) - 1}")
    return pd.DataFrame({"text": table["text"].astype(str),
                         "label": [CARER_CLASSES[i] for i in labels]})


def load(split: str, folder: Path | None = None) -> pd.DataFrame:
    """One split as a DataFrame with columns ``text`` and ``label`` (the class name)."""
    if split not in SPLITS:
        raise ValueError(f"CARER has no split {split!r}: choose one of {SPLITS}")
    folder = Path(folder) if folder is not None else root()
    path = find_split_file(folder, split)
    if path is None:
        raise FileNotFoundError(f"No CARER {split} split in {folder}: expected {split}.txt "
                                f"(text;label lines) or {_PARQUET_NAMES[split]}-*.parquet.")
    return _read_txt(path) if path.suffix == ".txt" else _read_parquet(path)
