"""Synthetic samples of the course's four datasets, in each dataset's real on-disk format.

Quick mode (offline, CI, a class on a projector) reads these folders with exactly the loaders that
read the real datasets, so every loader line runs on them. Each sample carries a class-dependent
signal a small model learns in seconds; nothing here is real data, and everything is generated
from fixed seeds, so the files are the same on every run with the same library versions.

- ``fer2013/fer2013.csv``: 48x48 faces warped into the seven expressions, from the public-domain
  astronaut photo that scikit-image ships.
- ``ravdess/Audio_Speech_Actors_01-24/Actor_NN/03-01-*.wav``: synthesised voices with emotional
  prosody, plus one audio-visual clip ``Video_Speech_Actor_01/Actor_01/01-01-03-01-01-01-01.mp4``
  (the astronaut's face, blinking twice, with a happy voice), and audio-visual clips of validation
  and test actors 17, 18, 21, 22 acting seven emotions (a short apex between rests) for fusion.
- ``essays/essays.csv``: stream-of-consciousness essays with Big Five labels, cp1252 encoded.
- ``carer/{train,val,test}.txt``: CARER's ``text;label`` lines.

One module per dataset writes its folder (:mod:`.fer2013`, :mod:`.ravdess`, :mod:`.essays`,
:mod:`.carer`); :mod:`.face` turns the astronaut's photo into expressions (for FER2013 and the
videos), :mod:`.speech` synthesises the voices and :mod:`.video` the audio-visual clips;
:mod:`.seeds` holds the seed. This package writes them atomically: :func:`ensure_samples`.

Command line (regenerates everything and prints what it wrote)::

    python -m utils.datasets.samples [--root DIR] [--force]
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

from utils.config import SAMPLES_DIR
from utils.datasets.samples import carer, essays, fer2013, ravdess, video

DATASETS = ("fer2013", "ravdess", "essays", "carer")
STAMP_FILE = ".generator-version"  # in each samples folder: which generator version wrote it


def ensure_samples(name: str, root: Path = SAMPLES_DIR) -> Path:
    """Return ``root/name``, generating the samples first if missing.

    Atomic: the samples are generated into a temporary folder next to the target and moved into
    place with ``os.replace``, so an interrupted run leaves nothing half-written.
    Unknown ``name`` -> ValueError naming the valid ones.
    """
    target = Path(root) / _check_name(name)
    if not target.is_dir():
        _generate_atomically(name, Path(root), replace_existing=False)
    elif _stamp(target) != _version(name):  # made by an older generator: the lessons changed
        _generate_atomically(name, Path(root), replace_existing=True)
    return target


def _version(name: str) -> str:
    """The generator version of dataset ``name`` (each module's ``VERSION``), as written in its
    folder's stamp file."""
    modules = {"fer2013": fer2013, "ravdess": ravdess, "essays": essays, "carer": carer}
    return str(modules[name].VERSION)


def _stamp(folder: Path) -> str | None:
    """The generator version a samples folder was written by (None: before stamps existed)."""
    path = folder / STAMP_FILE
    return path.read_text().strip() if path.is_file() else None


def generate(name: str, root: Path = SAMPLES_DIR) -> Path:
    """Regenerate ``root/name`` even if it exists; the old folder is swapped out only on success."""
    _generate_atomically(_check_name(name), Path(root), replace_existing=True)
    return Path(root) / name


def _check_name(name: str) -> str:
    """``name`` if it is one of :data:`DATASETS`, else a ValueError listing them."""
    if name not in DATASETS:
        raise ValueError(f"no samples for dataset {name!r}: choose one of {', '.join(DATASETS)}")
    return name


def _writer(name: str) -> Callable[[Path], None]:
    """The generator of one dataset, looked up at call time so tests can replace it."""
    writers = {"fer2013": fer2013.write_fer2013, "ravdess": ravdess.write_ravdess,
               "essays": essays.write_essays, "carer": carer.write_carer}
    return writers[name]


def _generate_atomically(name: str, root: Path, replace_existing: bool) -> None:
    """Write ``root/name`` through a temporary sibling folder renamed into place on success."""
    root.mkdir(parents=True, exist_ok=True)
    target = root / name
    building = Path(tempfile.mkdtemp(prefix=f".{name}-building-", dir=root))
    building.chmod(0o755)  # mkdtemp's private 0700 would outlive the rename
    try:
        _writer(name)(building)
        (building / STAMP_FILE).write_text(_version(name) + "\n")
        if replace_existing and target.exists():
            retired = Path(tempfile.mkdtemp(prefix=f".{name}-old-", dir=root))
            os.replace(target, retired / name)
            shutil.rmtree(retired)
        try:
            os.replace(building, target)
        except OSError:
            if not target.is_dir():  # not a concurrent run that finished first
                raise
    finally:
        shutil.rmtree(building, ignore_errors=True)
