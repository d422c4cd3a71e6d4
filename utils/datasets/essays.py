"""Essays (Pennebaker & King 1999): stream-of-consciousness essays with Big Five labels.

Two real layouts are read, wherever they sit below the dataset folder:

- the original ``essays.csv`` (``#AUTHID, TEXT, cEXT, cNEU, cAGR, cCON, cOPN``, labels ``y``/``n``),
  Latin-1/cp1252 in the original distribution and UTF-8 in some copies;
- the parquet variant (``train/validation/test-*.parquet``, text plus 0/1 columns ``O C E A N``).

Either way :func:`load` returns one DataFrame: ``authid, text`` and one 0/1 column per trait.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from utils.datasets import dataset_root
from utils.labels import BIG_FIVE

NAME = "essays"
_PARQUET_TRAITS = {"E": "EXT", "N": "NEU", "A": "AGR", "C": "CON", "O": "OPN"}


def find_files(folder: Path) -> list[Path]:
    """``essays.csv`` if present below ``folder``, otherwise its parquet files."""
    csv = sorted(folder.rglob("essays*.csv"))
    return csv[:1] if csv else sorted(folder.rglob("*.parquet"))


def has_copy(folder: Path) -> bool:
    """Whether ``folder`` holds the essays in one of the real layouts."""
    return bool(find_files(folder))


def root() -> Path:
    """The essays' folder for the current mode (samples, a local copy, or a download)."""
    return dataset_root(NAME, has_copy)


def read_text_file(path: Path) -> str:
    """A text file decoded as UTF-8 when it is, else as cp1252 (the original's encoding).

    cp1252 is tried before Latin-1 because the original essays contain Windows quotes
    (byte 0x92); Latin-1 is the last resort since it decodes any byte.
    """
    raw = path.read_bytes()
    for encoding in ("utf-8", "cp1252", "latin-1"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise AssertionError("unreachable: latin-1 decodes every byte")


def _load_csv(path: Path) -> pd.DataFrame:
    from io import StringIO

    table = pd.read_csv(StringIO(read_text_file(path)))
    table.columns = table.columns.str.strip().str.lstrip("#")
    missing = {"AUTHID", "TEXT", *(f"c{t}" for t in BIG_FIVE)} - set(table.columns)
    if missing:
        raise ValueError(f"{path}: missing columns {sorted(missing)}; expected #AUTHID, TEXT, "
                         f"cEXT, cNEU, cAGR, cCON, cOPN.")
    frame = pd.DataFrame({"authid": table["AUTHID"].astype(str), "text": table["TEXT"].astype(str)})
    for trait in BIG_FIVE:
        values = table[f"c{trait}"].astype(str).str.strip().str.lower()
        if not values.isin(["y", "n"]).all():
            raise ValueError(f"{path}: column c{trait} must hold only y/n labels")
        frame[trait] = (values == "y").astype(int)
    return frame


def _load_parquet(paths: list[Path]) -> pd.DataFrame:
    frames = []
    for path in paths:
        table = pd.read_parquet(path)
        columns = {c.lower(): c for c in table.columns}
        if "text" not in columns or not set(_PARQUET_TRAITS) <= set(table.columns):
            raise ValueError(f"{path}: expected a text column and 0/1 columns O, C, E, A, N")
        frame = pd.DataFrame({"authid": [f"{path.stem}_{i}" for i in range(len(table))],
                              "text": table[columns["text"]].astype(str)})
        for short, trait in _PARQUET_TRAITS.items():
            frame[trait] = table[short].astype(int)
        frames.append(frame)
    return pd.concat(frames, ignore_index=True)[["authid", "text", *BIG_FIVE]]


def load(folder: Path | None = None) -> pd.DataFrame:
    """All essays: ``authid``, ``text`` and 0/1 columns EXT, NEU, AGR, CON, OPN.

    ``folder`` may also be the csv file itself.
    """
    folder = Path(folder) if folder is not None else root()
    files = [folder] if folder.is_file() else find_files(folder)
    if not files:
        raise FileNotFoundError(f"No essays in {folder}: expected essays.csv or the parquet files.")
    if files[0].suffix == ".csv":
        return _load_csv(files[0])
    return _load_parquet(files)
