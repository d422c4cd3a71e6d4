"""Every command line's --help is plain English: no Sphinx or reStructuredText markup."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

MARKUP = re.compile(r":(func|meth|class|data|mod|attr):|``")


@pytest.mark.parametrize("command", ["utils.evaluate", "utils.retrain", "utils.benchmark"])
def test_help_has_no_developer_markup(command):
    done = subprocess.run([sys.executable, "-m", command, "--help"], capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    assert "usage:" in done.stdout
    assert not MARKUP.search(done.stdout), MARKUP.search(done.stdout).group(0)
