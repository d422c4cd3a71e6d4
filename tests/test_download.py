"""Offline tests of utils.datasets.download against a local HTTP server on 127.0.0.1.

Archives are built in the test; no real host is ever contacted (a guard refuses other hosts).
"""

from __future__ import annotations

import collections
import hashlib
import http.server
import io
import re
import socket
import tarfile
import threading
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pytest

from utils.datasets import download
from utils.datasets.download import REMOTES, DatasetUnavailable, Remote, fetch

MEMBER = "Actor_01/03-01-05-02-01-01-01.wav"
PAYLOAD = bytes(range(256)) * 40  # 10 kB that do not compress away, so truncation cuts data


def md5(data: bytes) -> str:
    return "md5:" + hashlib.md5(data).hexdigest()


def make_zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(MEMBER, PAYLOAD)
    return buffer.getvalue()


def make_tar_gz() -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        info = tarfile.TarInfo(MEMBER)
        info.size = len(PAYLOAD)
        archive.addfile(info, io.BytesIO(PAYLOAD))
    return buffer.getvalue()


def leftovers(folder: Path) -> list[str]:
    """Everything in a folder, hidden temporary files and folders included."""
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*"))


@dataclass
class Server:
    root: Path  # folder served
    url: str  # http://127.0.0.1:<port>
    hits: collections.Counter  # GET requests per path

    def put(self, name: str, data: bytes) -> str:
        (self.root / name).write_bytes(data)
        return f"{self.url}/{name}"


@pytest.fixture(autouse=True)
def only_localhost(monkeypatch):
    """Fail any attempt to resolve a host other than 127.0.0.1, so tests never go online."""
    real_getaddrinfo = socket.getaddrinfo

    def guarded(host, *args, **kwargs):
        if host not in ("127.0.0.1", "localhost"):
            raise AssertionError(f"test tried to contact {host}")
        return real_getaddrinfo(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", guarded)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")  # CI machines behind a proxy


@pytest.fixture
def server(tmp_path):
    root = tmp_path / "www"
    root.mkdir()
    hits: collections.Counter = collections.Counter()

    class Handler(http.server.SimpleHTTPRequestHandler):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, directory=str(root), **kwargs)

        def do_GET(self):
            hits[self.path] += 1
            if self.path.startswith("/cut/"):  # announces 10 kB, sends 100 bytes, hangs up
                self.send_response(200)
                self.send_header("Content-Length", "10000")
                self.end_headers()
                self.wfile.write(b"x" * 100)
                return
            super().do_GET()

        def log_message(self, *args):
            pass

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield Server(root, f"http://127.0.0.1:{httpd.server_port}", hits)
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture
def dest(tmp_path) -> Path:
    return tmp_path / "cache" / "ravdess"


def register(monkeypatch, *remotes: Remote, dataset: str = "ravdess") -> None:
    """Point a registry entry at test remotes (a real name, so messages show its real layouts)."""
    monkeypatch.setitem(REMOTES, dataset, remotes)


def remote(urls: list[str], known_hash: str | None, filename: str = "Audio.zip",
           extract: bool = True) -> Remote:
    return Remote("ravdess", filename, tuple(urls), known_hash, None, extract)


def closed_port_url() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/Audio.zip"  # nothing listens there any more


def test_good_zip_downloads_verifies_extracts_once(server, dest, monkeypatch):
    data = make_zip()
    register(monkeypatch, remote([server.put("Audio.zip", data)], md5(data)))

    assert fetch("ravdess", dest, progress=False) == dest
    assert (dest / "Audio" / MEMBER).read_bytes() == PAYLOAD
    assert leftovers(dest) == ["Audio", "Audio.zip", "Audio/Actor_01", f"Audio/{MEMBER}"]
    assert server.hits["/Audio.zip"] == 1

    fetch("ravdess", dest, progress=False)  # already there: no request
    assert server.hits["/Audio.zip"] == 1

    # Extracted folder deleted, archive kept: pooch verifies the archive, no download, re-extract.
    import shutil
    shutil.rmtree(dest / "Audio")
    fetch("ravdess", dest, progress=False)
    assert (dest / "Audio" / MEMBER).read_bytes() == PAYLOAD
    assert server.hits["/Audio.zip"] == 1


def test_good_tar_gz_extracts(server, dest, monkeypatch):
    data = make_tar_gz()
    register(monkeypatch, remote([server.put("fer.tar.gz", data)], md5(data), "fer.tar.gz"))
    fetch("ravdess", dest, progress=False)
    assert (dest / "fer" / MEMBER).read_bytes() == PAYLOAD


def test_plain_file_without_checksum_is_kept_and_not_refetched(server, dest, monkeypatch):
    data = b"PAR1" + PAYLOAD + b"PAR1"
    url = server.put("train.parquet", data)
    register(monkeypatch, remote([url], None, "train.parquet", extract=False))
    fetch("ravdess", dest, progress=False)
    fetch("ravdess", dest, progress=False)
    assert (dest / "train.parquet").read_bytes() == data
    assert leftovers(dest) == ["train.parquet"]
    assert server.hits["/train.parquet"] == 1


def test_wrong_checksum(server, dest, monkeypatch):
    url = server.put("Audio.zip", make_zip())
    register(monkeypatch, remote([url], "md5:" + "0" * 32))
    with pytest.raises(DatasetUnavailable) as caught:
        fetch("ravdess", dest, progress=False)
    message = str(caught.value)
    assert url in message and "checksum" in message and "md5:" + "0" * 32 in message
    assert leftovers(dest) == []


def test_http_404_names_the_url(server, dest, monkeypatch):
    url = f"{server.url}/missing.zip"
    register(monkeypatch, remote([url], None))
    with pytest.raises(DatasetUnavailable, match="404") as caught:
        fetch("ravdess", dest, progress=False)
    assert url in str(caught.value)
    assert leftovers(dest) == []


def test_unreachable_server(dest, monkeypatch):
    url = closed_port_url()
    register(monkeypatch, remote([url], None))
    with pytest.raises(DatasetUnavailable, match="could not connect") as caught:
        fetch("ravdess", dest, progress=False)
    assert url in str(caught.value)
    assert leftovers(dest) == []


@pytest.mark.parametrize("name, data", [("Audio.zip", make_zip()),
                                        ("Audio.tar.gz", make_tar_gz())])
def test_truncated_archive_leaves_nothing(server, dest, monkeypatch, name, data):
    url = server.put(name, data[: len(data) // 2])  # no checksum to catch it: unpacking fails
    register(monkeypatch, remote([url], None, name))
    with pytest.raises(DatasetUnavailable, match="damaged or incomplete") as caught:
        fetch("ravdess", dest, progress=False)
    assert url in str(caught.value)
    assert leftovers(dest) == []


def test_transfer_cut_short_leaves_nothing(server, dest, monkeypatch):
    url = f"{server.url}/cut/Audio.zip"
    register(monkeypatch, remote([url], None))
    with pytest.raises(DatasetUnavailable, match="broke off") as caught:
        fetch("ravdess", dest, progress=False)
    assert url in str(caught.value)
    assert leftovers(dest) == []


def test_error_page_instead_of_parquet_is_refused(server, dest, monkeypatch):
    url = server.put("train.parquet", b"<html>Please log in</html>")
    register(monkeypatch, remote([url], None, "train.parquet", extract=False))
    with pytest.raises(DatasetUnavailable, match="not a complete parquet file"):
        fetch("ravdess", dest, progress=False)
    assert leftovers(dest) == []


def test_second_mirror_used_when_first_fails(server, dest, monkeypatch):
    data = make_zip()
    good = server.put("Audio.zip", data)
    register(monkeypatch, remote([f"{server.url}/gone/Audio.zip", good], md5(data)))
    fetch("ravdess", dest, progress=False)
    assert (dest / "Audio" / MEMBER).exists()
    assert server.hits["/gone/Audio.zip"] == 1 and server.hits["/Audio.zip"] == 1


def test_all_mirrors_listed_and_how_to_go_on(server, dest, monkeypatch):
    urls = [f"{server.url}/a/Audio.zip", closed_port_url()]
    register(monkeypatch, remote(urls, None))
    monkeypatch.setenv("COURSE_DATA_DIR", str(dest.parent))
    with pytest.raises(DatasetUnavailable) as caught:
        fetch("ravdess", dest, progress=False)
    message = str(caught.value)
    assert all(url in message for url in urls)
    assert "COURSE_DATA_DIR/ravdess/" in message and str(dest.parent) in message
    assert "Actor_NN/03-01-EE-II-SS-RR-AA.wav" in message and "COURSE_QUICK=1" in message


def test_only_selects_files(server, dest, monkeypatch):
    one, two = make_zip(), make_tar_gz()
    register(monkeypatch, remote([server.put("one.zip", one)], md5(one), "one.zip"),
             remote([server.put("two.tar.gz", two)], md5(two), "two.tar.gz"))
    fetch("ravdess", dest, only=["two.tar.gz"], progress=False)
    assert server.hits == {"/two.tar.gz": 1}
    with pytest.raises(ValueError, match="one.zip"):
        fetch("ravdess", dest, only=["three.zip"], progress=False)


def test_timeout_reason():
    import requests

    assert "no answer" in download._reason(requests.ReadTimeout("read timed out"))


def test_stale_partial_folder_is_removed(server, dest, monkeypatch):
    data = make_zip()
    register(monkeypatch, remote([server.put("Audio.zip", data)], md5(data)))
    (dest / ".Audio.partial-killed" / "Actor_01").mkdir(parents=True)  # as left by a killed run
    fetch("ravdess", dest, progress=False)
    assert leftovers(dest) == ["Audio", "Audio.zip", "Audio/Actor_01", f"Audio/{MEMBER}"]


def test_unknown_dataset_lists_known_ones(tmp_path):
    with pytest.raises(ValueError, match="fer2013.*ravdess"):
        fetch("mnist", tmp_path)


def test_registry_is_complete_and_well_formed():
    assert set(REMOTES) == {"fer2013", "ravdess", "ravdess_video", "essays", "carer"}
    assert len(REMOTES["ravdess"][0].urls) == 3
    assert [r.filename for r in REMOTES["ravdess_video"]] == [
        f"Video_Speech_Actor_{n:02d}.zip" for n in range(1, 25)]
    assert len({r.known_hash for r in REMOTES["ravdess_video"]}) == 24
    for split in ("train", "validation", "test"):
        for name in ("essays", "carer"):
            assert f"{split}-00000-of-00001.parquet" in [r.filename for r in REMOTES[name]]
    # DOWNLOADS.md publishes an md5 for FER2013 and RAVDESS (audio and each video zip), not others.
    with_md5 = {"fer2013", "ravdess", "ravdess_video"}
    for name, remotes in REMOTES.items():
        for r in remotes:
            assert r.dataset == name and r.urls
            assert all(url.startswith("https://") for url in r.urls), r
            if name in with_md5:
                assert re.fullmatch(r"md5:[0-9a-f]{32}", r.known_hash or ""), r
            else:
                assert r.known_hash is None, r
            assert r.extract == r.filename.endswith((".zip", ".tar.gz"))
            assert name in download.LOCAL_COPIES


def test_describe_sources():
    table = download.describe_sources()
    assert len(table) == sum(len(r) for r in REMOTES.values())
    assert {"dataset", "file", "url", "checksum", "size_bytes"} <= set(table.columns)
