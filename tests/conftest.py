"""Shared test settings: no windows, outputs in a temporary folder, quick mode by default."""

from __future__ import annotations

import os

import pytest

os.environ.setdefault("MPLBACKEND", "Agg")


@pytest.fixture(autouse=True)
def _course_environment(tmp_path_factory: pytest.TempPathFactory,
                        monkeypatch: pytest.MonkeyPatch) -> None:
    """Every test writes outputs to a temporary folder and starts in quick mode."""
    monkeypatch.setenv("COURSE_OUTPUT_DIR", str(tmp_path_factory.getbasetemp() / "outputs"))
    monkeypatch.setenv("COURSE_QUICK", "1")
