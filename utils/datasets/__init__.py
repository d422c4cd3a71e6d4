"""The course's datasets: one module each, sharing one way of finding their files.

:func:`dataset_root` answers "where are this dataset's files?" the same way for every dataset:

- quick mode: the synthetic samples (generated on first use under ``data/samples``);
- full mode: an existing copy under ``COURSE_DATA_DIR/<name>`` in any of the real layouts,
  otherwise a download into that folder (with checksums and a progress bar).

The loaders that read the files are the same in both modes.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from utils.config import data_dir, is_quick


def dataset_root(name: str, has_copy: Callable[[Path], bool], remote: str | None = None,
                 only: list[str] | None = None, other_names: tuple[str, ...] = ()) -> Path:
    """Folder holding dataset ``name``: samples in quick mode, else a local copy or a download.

    ``has_copy(folder)`` tells whether a folder already holds a usable copy; ``remote`` names the
    download registry entry (default ``name``) and ``only`` a subset of its files. A copy under
    one of ``other_names`` (the name its publisher uses) is found too; downloads go to ``name``.
    """
    if is_quick():
        from utils.datasets.samples import ensure_samples

        return ensure_samples(name)
    for folder_name in (name, *other_names):
        folder = data_dir() / folder_name
        if folder.is_dir() and has_copy(folder):
            return folder
    root = data_dir() / name
    from utils.datasets.download import fetch

    fetch(remote or name, root, only=only)
    return root
