"""The command lines as a user meets them: plain --help, one clear line for bad input."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

MARKUP = re.compile(r":(func|meth|class|data|mod|attr):|``")


@pytest.mark.parametrize("command", ["utils.evaluate", "utils.retrain", "utils.benchmark",
                                     "utils.realtime", "utils.datasets"])
def test_help_has_no_developer_markup(command):
    done = subprocess.run([sys.executable, "-m", command, "--help"], capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    assert "usage:" in done.stdout
    assert not MARKUP.search(done.stdout), MARKUP.search(done.stdout).group(0)


@pytest.mark.parametrize("argv", [
    ["utils.evaluate", "face", "--data", "/nonexistent/fer2013"],
    ["utils.evaluate", "speech", "--data", "/nonexistent/ravdess", "--actors", "1-2"],
    ["utils.retrain", "speech-logreg", "--data", "/nonexistent/ravdess"],
    ["utils.realtime", "--video", "/nonexistent/clip.mp4", "--no-window"],
])
def test_missing_data_is_one_clear_line_without_traceback(argv):
    done = subprocess.run([sys.executable, "-m", *argv], capture_output=True, text=True, timeout=300)
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    assert done.stderr.startswith(f"python -m {argv[0]}: error: ")
    assert "/nonexistent" in done.stderr


def test_datasets_command_reports_each_dataset_and_goes_on(monkeypatch, capsys, tmp_path):
    import json

    from utils.datasets import __main__ as datasets_command
    from utils.datasets import download

    def unreachable(name, dest, only=None):
        raise download.DatasetUnavailable(f"Could not download {name}: no internet connection")

    monkeypatch.setenv("COURSE_QUICK", "0")
    monkeypatch.setenv("COURSE_DATA_DIR", str(tmp_path))
    monkeypatch.setattr(download, "fetch", unreachable)
    (tmp_path / "essays").mkdir()
    (tmp_path / "essays" / "essays.csv").write_text("not,the,right,columns\n1,2,3,4\n")
    assert datasets_command.main([]) == 1
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()[1:]]
    states = {line["dataset"]: line for line in lines}
    assert set(states) == set(datasets_command.COUNTERS)
    assert states["fer2013"]["state"] == "download failed"
    assert "no internet" in states["fer2013"]["why"]
    assert states["essays"]["state"] == "unreadable" and "columns" in states["essays"]["why"]
