"""``python -m utils.evaluate``: :func:`utils.evaluate.main`, a user error as one line."""

from utils.cli import run_command
from utils.evaluate import main

run_command(main, "python -m utils.evaluate")
