"""The notebooks as files: stripped of outputs, one shared setup cell, a Colab badge, listed in README."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from utils import install

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = install.notebooks(ROOT)
README = (ROOT / "README.md").read_text(encoding="utf-8")


def _cells(path: Path) -> list[dict]:
    return json.loads(path.read_text(encoding="utf-8"))["cells"]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_is_committed_without_outputs(path):
    for cell in _cells(path):
        if cell["cell_type"] == "code":
            assert not cell["outputs"], f"{path.name}: outputs present; run `make strip`"
            assert cell["execution_count"] is None, f"{path.name}: execution counts; run `make strip`"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_starts_with_title_badge_and_the_setup_cell(path):
    cells = _cells(path)
    intro = "".join(cells[0]["source"])
    relative = path.relative_to(ROOT).as_posix()
    assert cells[0]["cell_type"] == "markdown" and intro.startswith("# ")
    assert f"colab.research.google.com/github/{install.COURSE_REPO.split('github.com/')[1]}" \
           f"/blob/main/{relative}" in intro
    first_code = next(c for c in cells if c["cell_type"] == "code")
    assert "".join(first_code["source"]) == install.SETUP_CELL, \
        f"{path.name}: first code cell differs from utils.install.SETUP_CELL; run " \
        f"`python -m utils.install --sync`"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_readme_links_every_notebook(path):
    assert path.relative_to(ROOT).as_posix() in README


def test_setup_cell_runs_locally_from_a_nested_folder(monkeypatch, capsys):
    monkeypatch.chdir(ROOT / "utils" / "datasets")  # two levels down, like notebooks/01_text
    monkeypatch.setattr(sys, "path", list(sys.path))
    exec(install.SETUP_CELL, {})
    assert sys.path[0] == str(ROOT)
    assert "mode=quick" in capsys.readouterr().out


def test_install_missing_constrains_held_packages(monkeypatch):
    calls = []
    monkeypatch.setattr(install, "missing_packages", lambda: ["gensim>=4.3"])
    monkeypatch.setattr(install.subprocess, "run", lambda command, check: calls.append(command))
    assert install.install_missing() == ["gensim>=4.3"]
    command = calls[0]
    assert command[-1] == "gensim>=4.3" and "-c" in command
    constraints = Path(command[command.index("-c") + 1]).read_text()
    assert "numpy==" in constraints and "scipy==" in constraints and "keras==" in constraints


def test_nothing_is_missing_in_the_course_environment():
    assert install.missing_packages() == []
