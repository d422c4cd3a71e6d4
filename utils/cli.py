"""What every command line of the course does with a user's mistake: one clear line, no traceback.

A missing dataset folder, a file in the wrong layout or a damaged model is the user's to fix, so
the command prints the error's message (which names the input and what to do) and exits with
status 2. Inside a notebook the same functions raise as usual: only ``python -m`` goes through here.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

from utils.datasets.download import DatasetUnavailable

# Errors whose message is written for the user; anything else is a bug and keeps its traceback.
USER_ERRORS = (FileNotFoundError, NotADirectoryError, PermissionError, ValueError, DatasetUnavailable)


def run_command(main: Callable[[], Any], prog: str,
                extra_errors: tuple[type[BaseException], ...] = ()) -> None:
    """Run ``main()``; a user error (:data:`USER_ERRORS` and ``extra_errors``, such as a camera
    that cannot be opened) becomes ``prog: error: message`` on stderr and exit status 2."""
    try:
        main()
    except (*USER_ERRORS, *extra_errors) as err:
        print(f"{prog}: error: {err}", file=sys.stderr)
        sys.exit(2)
