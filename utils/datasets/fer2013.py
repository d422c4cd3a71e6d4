"""FER2013 (Goodfellow et al., ICML 2013): 48x48 grayscale faces, seven emotions, three splits.

Two real layouts are read, wherever they sit below the dataset folder:

- the original ``fer2013.csv`` (columns ``emotion, pixels, Usage``; Kaggle's ``icml_face_data.csv``
  has the same columns with spaces in their names);
- image folders ``train/<class>/*.jpg`` and ``test/<class>/*.jpg``, where the file name's prefix
  (``Training_``, ``PublicTest_``, ``PrivateTest_``) gives the split.

The protocol is FER2013's own: train on Training, select on PublicTest, report on PrivateTest.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from utils.datasets import dataset_root
from utils.labels import EMOTIONS

NAME = "fer2013"
SPLITS = ("Training", "PublicTest", "PrivateTest")
IMAGE_SIZE = 48
IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png")


def find_csv(folder: Path) -> Path | None:
    """The first csv below ``folder`` with FER2013's columns, or None."""
    for path in sorted(folder.rglob("*.csv")):
        header = pd.read_csv(path, nrows=0).columns.str.strip().str.lower()
        if {"emotion", "pixels", "usage"} <= set(header):
            return path
    return None


def find_image_folders(folder: Path) -> list[Path]:
    """Folders below ``folder`` laid out as ``<class>/<image>`` with FER2013's class names."""
    parents = {p.parent.parent for p in folder.rglob("*")
               if p.suffix.lower() in IMAGE_SUFFIXES and p.parent.name.lower() in EMOTIONS}
    return sorted(parents)


def has_copy(folder: Path) -> bool:
    """Whether ``folder`` holds FER2013 in one of the real layouts."""
    return find_csv(folder) is not None or bool(find_image_folders(folder))


def root() -> Path:
    """FER2013's folder for the current mode (samples, a local copy, or a download)."""
    return dataset_root(NAME, has_copy)


def _check_split(split: str) -> None:
    if split not in SPLITS:
        raise ValueError(f"FER2013 has no split {split!r}: choose one of {SPLITS}")


def _load_csv(path: Path, split: str) -> tuple[np.ndarray, np.ndarray]:
    table = pd.read_csv(path)
    table.columns = table.columns.str.strip().str.lower()
    rows = table[table["usage"].str.strip() == split]
    images = np.empty((len(rows), IMAGE_SIZE, IMAGE_SIZE), np.uint8)
    for i, (index, pixels) in enumerate(zip(rows.index, rows["pixels"])):
        values = np.asarray(str(pixels).split(), dtype=np.int64)
        if values.size != IMAGE_SIZE * IMAGE_SIZE or values.min() < 0 or values.max() > 255:
            raise ValueError(
                f"{path}: row {index + 2} has {values.size} pixel values, not "
                f"{IMAGE_SIZE * IMAGE_SIZE} integers in 0-255. Replace the file with an intact copy."
            )
        images[i] = values.reshape(IMAGE_SIZE, IMAGE_SIZE)
    return images, rows["emotion"].to_numpy(np.int64)


def _split_of_image(path: Path) -> str:
    """FER2013 split of an image from its file-name prefix (``PublicTest_123.jpg``)."""
    prefix = path.name.split("_", 1)[0]
    if prefix in SPLITS:
        return prefix
    # Copies without the prefix: the train/ folder is Training; a test/ folder cannot be split.
    if path.parent.parent.name.lower().startswith("train"):
        return "Training"
    raise ValueError(f"{path}: cannot tell its FER2013 split (no Training_/PublicTest_/PrivateTest_ "
                     f"prefix). Use the csv or a copy whose file names carry the split.")


def _read_image(path: Path) -> np.ndarray:
    import cv2

    image = cv2.imread(str(path), cv2.IMREAD_GRAYSCALE)
    if image is None:
        raise ValueError(f"{path}: not a readable image. Delete it or replace the dataset copy.")
    if image.shape != (IMAGE_SIZE, IMAGE_SIZE):
        image = cv2.resize(image, (IMAGE_SIZE, IMAGE_SIZE), interpolation=cv2.INTER_AREA)
    return image


def _load_images(folders: list[Path], split: str) -> tuple[np.ndarray, np.ndarray]:
    paths = sorted(p for folder in folders for p in folder.glob("*/*")
                   if p.suffix.lower() in IMAGE_SUFFIXES and p.parent.name.lower() in EMOTIONS
                   and _split_of_image(p) == split)
    images = np.stack([_read_image(p) for p in paths]) if paths else np.empty((0, 48, 48), np.uint8)
    labels = np.array([EMOTIONS.index(p.parent.name.lower()) for p in paths], np.int64)
    return images, labels


def load(split: str, folder: Path | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Images ``(n, 48, 48) uint8`` and canonical labels ``(n,) int64`` of one FER2013 split.

    ``folder`` defaults to :func:`root`. The csv layout is preferred when both are present.
    """
    _check_split(split)
    folder = Path(folder) if folder is not None else root()
    csv = find_csv(folder)
    if csv is not None:
        return _load_csv(csv, split)
    image_folders = find_image_folders(folder)
    if not image_folders:
        raise FileNotFoundError(
            f"No FER2013 copy in {folder}: expected fer2013.csv (emotion, pixels, Usage) or image "
            f"folders train/<class>/*.jpg and test/<class>/*.jpg."
        )
    return _load_images(image_folders, split)


def duplicates(images: np.ndarray, others: np.ndarray | None = None) -> dict[str, int]:
    """Exact duplicates, compared pixel for pixel: ``repeats`` is how many images of ``images``
    repeat an earlier one; ``shared`` how many images of ``others`` (another split) are also in
    ``images`` (0 without ``others``). Near-duplicates (re-encoded, shifted) are not counted."""
    seen = {image.tobytes() for image in images}
    shared = sum(image.tobytes() in seen for image in others) if others is not None else 0
    return {"repeats": len(images) - len(seen), "shared": int(shared)}
