"""Every remote file the course downloads, and one :func:`fetch` that downloads it safely.

:data:`REMOTES` is the one registry of URLs and checksums (sources: the project's DOWNLOADS notes).
:func:`fetch` downloads a dataset's files into a cache folder with pooch (progress bar, checksum,
zip / tar.gz extraction), tries each mirror in turn, and on any failure raises
:class:`DatasetUnavailable` with one message that says what was tried, what went wrong and how to
continue without the download. The cache never keeps a partial file:

- pooch streams each download into a temporary file next to its target and moves it into place only
  once the checksum matches (the temporary file is deleted on any error, hash mismatch included);
- archives are unpacked into a temporary folder renamed into place when complete, so an extracted
  folder that exists is a complete one; an archive that fails to unpack is deleted with that folder.

Layout of a fetched dataset folder ``dest``: each plain file as ``dest/<filename>``; each archive as
``dest/<filename>`` plus its contents in ``dest/<filename without .zip/.tar.gz>/``. The archive
is kept so a later fetch can verify it; it may be deleted once extracted to save space.
"""

from __future__ import annotations

import contextlib
import logging
import re
import shutil
import tarfile
import tempfile
import zipfile
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd
    import pooch


class DatasetUnavailable(RuntimeError):
    """A dataset could not be downloaded; the message says why and how to supply a local copy."""


@dataclass(frozen=True)
class Remote:
    """One remote file: where it is, how to check it and whether to unpack it."""

    dataset: str  # registry name: "fer2013", "ravdess", "ravdess_video", "essays", "carer"
    filename: str  # name in the cache folder, e.g. "fer2013.tar.gz"
    urls: tuple[str, ...]  # mirrors, tried in order
    known_hash: str | None  # "md5:<32 hex>"; None where no checksum is published
    size: int | None  # bytes, where known exactly
    extract: bool  # unpack zip / tar.gz after download

    @property
    def folder(self) -> str:
        """Name of the folder an archive is unpacked into: its file name without the extension."""
        for suffix in (".tar.gz", ".tgz", ".tar", ".zip"):
            if self.filename.endswith(suffix):
                return self.filename[: -len(suffix)]
        return self.filename + ".contents"


def _zenodo(record: int, name: str) -> tuple[str, ...]:
    """The three URL forms Zenodo serves a record's file under, newest first (used as mirrors)."""
    return (
        f"https://zenodo.org/records/{record}/files/{name}?download=1",
        f"https://zenodo.org/record/{record}/files/{name}",
        f"https://zenodo.org/api/records/{record}/files/{name}/content",
    )


def _hf(repo: str, path: str) -> tuple[str, ...]:
    """A file of a Hugging Face dataset repository, downloaded directly (no login, no hub)."""
    return (f"https://huggingface.co/datasets/{repo}/resolve/main/{path}",)


# md5 of each RAVDESS speech-video zip, actor 01..24, as published by a script that checked all 24.
_RAVDESS_VIDEO_MD5 = (
    "3c8ececaf392b4a9b11b32271f4f6d01", "a6f40d413b2e6ef25b3a595099e59abb",
    "68fa240ddd8a3cc410c64efe5fb2b0e4", "013eed832af1f7e97082aae398a00dbe",
    "b00e17d61374ef6ba86fef35d50a20fb", "3c42877921cc08cfb5c841a0f2cb94a7",
    "bdd29bfe082f80361ec6b589845c283d", "bed5f43d9c18e177e34d4bc1ed9b6d77",
    "775da349c50bf915a1bbcb37379bd092", "70199d1c6902f76e17df308d5c41fa01",
    "824504aa41a8fd575e5459d5701dd378", "2a1f0ddc0ca207beedee6ce2ea863ad7",
    "c5f2fd4fd77941636947620368c612b5", "466d31f4cce92a14b1f4ee884bbdf7d7",
    "4b3b9bc8473e86f884630f2506684887", "a63c54570ebbe6bd616d0dced5630f7e",
    "8b7ae3e5a85d2874ac8e1195e722e047", "fef2131ac361da182c0cb85f3d8e8a6c",
    "abb97d97d8c4e88c866cee1cea9d06d6", "5ddfb22770093bafebdefe8faa449f48",
    "d810cf2ff6863ef91306fc7a16d74fbb", "fee55f72c9871401f23d4b167de3217d",
    "b31e8c8904e66102e7a951694db752d6", "eef90e806c9179bc5b4b098d03647ae3",
)
_SPLITS = ("train", "validation", "test")

REMOTES: dict[str, tuple[Remote, ...]] = {
    # FER2013 without a Kaggle login (about 90 MB); md5 as checked by the R torch package's loader.
    "fer2013": (
        Remote("fer2013", "fer2013.tar.gz",
               _hf("JimmyUnleashed/FER-2013", "fer2013.tar.gz"),
               "md5:ca95d94fe42f6ce65aaae694d18c628a", None, extract=True),
    ),
    # RAVDESS speech audio, all 24 actors in one zip (Zenodo record 1188976, CC BY-NC-SA 4.0).
    "ravdess": (
        Remote("ravdess", "Audio_Speech_Actors_01-24.zip",
               _zenodo(1188976, "Audio_Speech_Actors_01-24.zip"),
               "md5:bc696df654c87fed845eb13823edef8a", 208_468_073, extract=True),
    ),
    # RAVDESS speech video, one zip per actor, about 500-570 MB each (exact sizes not published).
    "ravdess_video": tuple(
        Remote("ravdess_video", f"Video_Speech_Actor_{actor:02d}.zip",
               _zenodo(1188976, f"Video_Speech_Actor_{actor:02d}.zip"),
               f"md5:{md5}", None, extract=True)
        for actor, md5 in enumerate(_RAVDESS_VIDEO_MD5, start=1)
    ),
    # Essays (Big Five), parquet copy with 0/1 labels O C E A N. No checksum is published.
    "essays": tuple(
        Remote("essays", f"{split}-00000-of-00001.parquet",
               _hf("jingjietan/essays-big5", f"data/{split}-00000-of-00001.parquet"),
               None, None, extract=False)
        for split in _SPLITS
    ),
    # dair-ai emotion (CARER), parquet (about 1.03 MB / 127 kB / 129 kB). No checksum is published.
    "carer": tuple(
        Remote("carer", f"{split}-00000-of-00001.parquet",
               _hf("dair-ai/emotion", f"split/{split}-00000-of-00001.parquet"),
               None, None, extract=False)
        for split in _SPLITS
    ),
}

# How to supply each dataset by hand: (folder under COURSE_DATA_DIR, the real layouts accepted).
LOCAL_COPIES: dict[str, tuple[str, str]] = {
    "fer2013": ("fer2013", "fer2013.csv (columns emotion, pixels, Usage), or image folders "
                           "train/<class>/*.jpg and test/<class>/*.jpg"),
    "ravdess": ("ravdess", "Actor_NN/03-01-EE-II-SS-RR-AA.wav, e.g. the unzipped "
                           "Audio_Speech_Actors_01-24.zip"),
    "ravdess_video": ("ravdess", "Actor_NN/01-01-EE-II-SS-RR-AA.mp4 (and 02-01-...mp4), e.g. the "
                                 "unzipped Video_Speech_Actor_NN.zip"),
    "essays": ("essays", "essays.csv (#AUTHID, TEXT, cEXT, cNEU, cAGR, cCON, cOPN; y/n labels), "
                         "or {train,validation,test}-00000-of-00001.parquet"),
    "carer": ("carer", "train.txt, val.txt, test.txt ('text;label' lines), "
                           "or {train,validation,test}-00000-of-00001.parquet"),
}

# Errors that mean "this archive cannot be unpacked": damaged or truncated zip / tar / gzip.
_ARCHIVE_ERRORS = (zipfile.BadZipFile, tarfile.TarError, EOFError, zlib.error)


class _BadContent(ValueError):
    """A downloaded file without a checksum that is visibly not what was asked for."""


def fetch(dataset: str, dest: Path, only: Iterable[str] | None = None,
          progress: bool = True) -> Path:
    """Download (and extract) the dataset's remotes into ``dest`` (created); return ``dest``.

    Files already in ``dest`` whose checksum matches, and archives already unpacked, are skipped.
    ``only`` selects remotes by file name (e.g. ``["Video_Speech_Actor_01.zip"]``). Each mirror is
    tried in order; if none works, :class:`DatasetUnavailable` says which URLs failed, why, and how
    to supply a local copy instead. Nothing partial is left in ``dest`` after a failure.
    """
    if dataset not in REMOTES:
        raise ValueError(f"Unknown dataset {dataset!r}: choose one of {sorted(REMOTES)}")
    remotes = REMOTES[dataset]
    if only is not None:
        wanted = set(only)
        unknown = wanted - {r.filename for r in remotes}
        if unknown:
            raise ValueError(f"Dataset {dataset!r} has no file {sorted(unknown)}; its files are "
                             f"{[r.filename for r in remotes]}")
        remotes = tuple(r for r in remotes if r.filename in wanted)
    dest = Path(dest).expanduser()
    dest.mkdir(parents=True, exist_ok=True)
    for remote in remotes:
        _fetch_one(remote, dest, progress)
    return dest


def _fetch_one(remote: Remote, dest: Path, progress: bool) -> None:
    """Get one remote into ``dest``, trying each mirror; raise DatasetUnavailable if none works."""
    import pooch

    if remote.extract and (dest / remote.folder).is_dir():
        return  # only ever renamed into place once complete (see _attempt): nothing to do
    archive = dest / remote.filename
    if not archive.exists():
        _check_free_space(remote, dest)
    failures: list[str] = []
    last_error: Exception | None = None
    for url in remote.urls:
        try:
            with _quiet_pooch():
                _attempt(remote, url, dest, pooch.HTTPDownloader(progressbar=progress), progress)
            return
        except Exception as err:  # noqa: BLE001 - every cause becomes one line of the final message
            failures.append(f"  - {url}\n    {_reason(err)}")
            last_error = err
            if progress and url != remote.urls[-1]:
                print(f"  failed: {_reason(err)}; trying the next mirror")
    raise DatasetUnavailable(_message(remote, dest, "Tried:", failures)) from last_error


def _attempt(remote: Remote, url: str, dest: Path, downloader: pooch.HTTPDownloader,
             progress: bool) -> None:
    """One mirror: download and verify with pooch, then check or unpack; clean up on any failure."""
    import pooch

    archive = dest / remote.filename
    if progress and not archive.exists():
        print(f"Downloading {remote.filename} ({remote.dataset}) from {url}")
    # pooch downloads only if the file is missing or its hash does not match the known one.
    pooch.retrieve(url, remote.known_hash, fname=remote.filename, path=dest,
                   downloader=downloader, progressbar=progress)
    if not remote.extract:
        try:
            _check_content(archive)
        except Exception:
            archive.unlink(missing_ok=True)
            raise
        return
    # Hand-written: pooch unpacks in place, so a failure would leave a half-extracted folder. Unpack
    # into a temporary folder next to the target and rename it into place once complete instead.
    for stale in dest.glob(f".{remote.folder}.partial-*"):  # left by a killed process
        shutil.rmtree(stale, ignore_errors=True)
    partial = Path(tempfile.mkdtemp(prefix=f".{remote.folder}.partial-", dir=dest))
    try:
        processor = pooch.Untar if ".tar" in remote.filename or remote.filename.endswith(".tgz") \
            else pooch.Unzip
        processor(extract_dir=str(partial))(str(archive), "download", None)
        partial.rename(dest / remote.folder)
    except BaseException:  # an interrupt (Ctrl-C) must not leave a half-extracted folder either
        shutil.rmtree(partial, ignore_errors=True)
        archive.unlink(missing_ok=True)  # damaged or unverifiable: do not keep it for next time
        raise


def _check_content(path: Path) -> None:
    """Cheap sanity check of files without a published checksum (hand-written, pooch has none).

    A parquet file starts and ends with ``PAR1``; anything else (say an HTML error or login page
    served with status 200, or a cut-off file) is refused.
    """
    if path.suffix == ".parquet":
        with path.open("rb") as file:
            head = file.read(4)
            file.seek(max(path.stat().st_size - 4, 0))
            tail = file.read(4)
        if head != b"PAR1" or tail != b"PAR1":
            raise _BadContent("not a complete parquet file (no PAR1 marker at both ends): the "
                              "server sent something else, e.g. an error page, or the file is "
                              "cut off")


def _check_free_space(remote: Remote, dest: Path) -> None:
    """Fail early, before a long download, when the disk cannot hold the file (and its contents)."""
    if remote.size is None:
        return
    needed = remote.size * (2 if remote.extract else 1)
    free = shutil.disk_usage(dest).free
    if free < needed:
        raise DatasetUnavailable(_message(remote, dest, "Not enough disk space:", [
            f"  it needs about {needed / 1e6:,.0f} MB free in {dest}, only {free / 1e6:,.0f} MB "
            f"are free; nothing was downloaded"]))


@contextlib.contextmanager
def _quiet_pooch() -> Iterator[None]:
    """Silence pooch's info log (its advice to pass a ``known_hash`` confuses students)."""
    import pooch

    logger = pooch.get_logger()
    level = logger.level
    logger.setLevel(logging.WARNING)
    try:
        yield
    finally:
        logger.setLevel(level)


def _reason(err: BaseException) -> str:
    """One line saying what went wrong, for each kind of failure."""
    import requests

    if isinstance(err, requests.HTTPError) and err.response is not None:
        return f"HTTP error {err.response.status_code} {err.response.reason}".rstrip()
    if isinstance(err, requests.Timeout):
        return "no answer from the server in time (slow or no internet connection)"
    if isinstance(err, requests.ConnectionError):
        cause = re.search(r"\[Errno -?\d+\] [^'\")]+", str(err))
        detail = f": {cause.group(0).strip()}" if cause else ""
        return f"could not connect (no internet connection, or the server is down){detail}"
    if isinstance(err, requests.RequestException):
        return f"the transfer broke off before the end ({type(err).__name__})"
    if isinstance(err, ValueError) and "hash" in str(err):
        found = re.search(r"expected (\S+) but got (\w+)", str(err))  # pooch's message
        detail = ""
        if found:
            expected, got = found.groups()
            algorithm = expected.partition(":")[0] if ":" in expected else "sha256"
            detail = f": expected {expected}, got {algorithm}:{got}"
        return f"checksum (hash) mismatch{detail}; the download was damaged or the file changed"
    if isinstance(err, _BadContent):
        return str(err)
    if isinstance(err, _ARCHIVE_ERRORS):
        return f"the archive is damaged or incomplete and could not be unpacked ({err})"
    return f"{type(err).__name__}: {err}"


def _message(remote: Remote, dest: Path, heading: str, details: list[str]) -> str:
    """The one message users read: what failed, that nothing was kept, and what to do instead."""
    from utils.config import data_dir

    folder, layout = LOCAL_COPIES.get(remote.dataset, (remote.dataset, "the dataset's files"))
    return "\n".join([
        f"Could not download {remote.filename} of dataset {remote.dataset!r}. {heading}",
        *details,
        f"Nothing partial was kept in {dest}.",
        "To go on without this download, either:",
        f"  - put a copy of the dataset under COURSE_DATA_DIR/{folder}/ (COURSE_DATA_DIR is now "
        f"{data_dir()}), laid out as: {layout}; or",
        "  - run in quick mode on the synthetic samples: set COURSE_QUICK=1.",
    ])


def describe_sources() -> pd.DataFrame:
    """One row per remote file: dataset, file, first URL, number of mirrors, checksum, size."""
    import pandas as pd

    return pd.DataFrame([
        {"dataset": r.dataset, "file": r.filename, "url": r.urls[0], "mirrors": len(r.urls),
         "checksum": r.known_hash or "none published", "size_bytes": r.size, "extract": r.extract}
        for remotes in REMOTES.values() for r in remotes
    ])
