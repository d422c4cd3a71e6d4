"""``python -m utils.datasets.samples [--root DIR] [--force]``: write every dataset's samples."""

from __future__ import annotations

import argparse
import time
from collections.abc import Sequence
from pathlib import Path

from utils.config import SAMPLES_DIR
from utils.datasets.samples import DATASETS, ensure_samples, generate


def _describe_folder(folder: Path) -> str:
    """``N files (.csv, ...), X MB`` for the command line's report."""
    files = [p for p in folder.rglob("*") if p.is_file()]
    size = sum(p.stat().st_size for p in files)
    kinds = sorted({p.suffix for p in files})
    return f"{len(files)} files ({', '.join(kinds)}), {size / 1e6:.2f} MB"


def main(argv: Sequence[str] | None = None) -> None:
    """Generate every dataset's samples (``--force``: again, even if present) and report them."""
    parser = argparse.ArgumentParser(prog="python -m utils.datasets.samples",
                                     description=main.__doc__)
    parser.add_argument("--root", type=Path, default=SAMPLES_DIR, help=f"default {SAMPLES_DIR}")
    parser.add_argument("--force", action="store_true", help="regenerate existing folders")
    args = parser.parse_args(argv)
    total_start = time.perf_counter()
    for name in DATASETS:
        start = time.perf_counter()
        folder = generate(name, args.root) if args.force else ensure_samples(name, args.root)
        print(f"{name:8s} {folder}: {_describe_folder(folder)} "
              f"in {time.perf_counter() - start:.1f} s")
    print(f"all samples under {args.root} in {time.perf_counter() - total_start:.1f} s")


if __name__ == "__main__":
    main()
