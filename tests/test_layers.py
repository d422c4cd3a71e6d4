"""The shape of utils/: arrows only point down, no circle, no module over 400 lines.

Layers, top to bottom (see utils/README.md): the command lines; the live demo; fusion; the three
modalities; the shared layers. A module may import its own package and anything below it.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

UTILS = Path(__file__).resolve().parent.parent / "utils"
COMMANDS = {"evaluate", "benchmark", "retrain", "realtime", "app"}
RANK = {"live": 3, "fusion": 2, "text": 1, "audio": 1, "video": 1}  # shared layers: 0
MAX_LINES = 400


def _package(module: str) -> str:
    """The top-level part of utils a dotted module name belongs to (``utils.audio.io`` -> audio)."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ""


def _rank(package: str) -> int:
    return 4 if package in COMMANDS else RANK.get(package, 0)


def _imports(path: Path) -> set[str]:
    """Every ``utils...`` module a file imports, at any depth of the file (lazy imports count)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return {name for name in found if name.startswith("utils.")}


def _modules() -> list[Path]:
    return sorted(UTILS.rglob("*.py"))


@pytest.mark.parametrize("path", _modules(), ids=lambda p: str(p.relative_to(UTILS.parent)))
def test_imports_point_down(path):
    own = _package("utils." + ".".join(path.relative_to(UTILS).with_suffix("").parts))
    for target in _imports(path):
        other = _package(target)
        if other == own or other == "":
            continue
        if own in ("datasets", "install") and other == "config":
            continue
        assert _rank(other) < _rank(own) or (_rank(own) == 0 and _rank(other) == 0), \
            f"{path.name} ({own}) imports {target} ({other}): arrows must point down"
        assert other not in COMMANDS, f"{path.name} imports the command line {target}"


@pytest.mark.parametrize("path", _modules(), ids=lambda p: str(p.relative_to(UTILS.parent)))
def test_modules_stay_short(path):
    lines = len(path.read_text(encoding="utf-8").splitlines())
    assert lines <= MAX_LINES, f"{path} has {lines} lines: split it by concern"


def test_shared_layers_never_import_a_modality():
    for path in _modules():
        own = _package("utils." + ".".join(path.relative_to(UTILS).with_suffix("").parts))
        if _rank(own) == 0 and own not in COMMANDS:
            offending = [t for t in _imports(path) if _rank(_package(t)) > 0]
            assert not offending, f"{path} (shared layer) imports {offending}"
