"""The live demo in the browser: webcam, microphone and a text, fused, on a local web page.

    python -m utils.app [--host 127.0.0.1] [--port N]

Open the address it prints, allow the camera and the microphone, and press Record on the webcam
panel, then on the microphone panel. 127.0.0.1 (the default) is reachable from this machine only
and counts as a secure origin for the camera; --host 0.0.0.0 serves other machines too, but their
browsers then allow the camera only over HTTPS (or use --share for a public gradio.live link).
The page is built with Gradio on the same loop as the OpenCV demo (python -m utils.realtime).
"""
# The page and its handlers are in utils.live.app; this module only reads the command line.

from __future__ import annotations

import argparse
from collections.abc import Sequence


def main(argv: Sequence[str] | None = None) -> None:
    """``python -m utils.app``: serve the page until Ctrl+C."""
    parser = argparse.ArgumentParser(prog="python -m utils.app", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--host", default="127.0.0.1", help="address to serve on")
    parser.add_argument("--port", type=int, default=None,
                        help="port (default: 7860 or the next free one)")
    parser.add_argument("--share", action="store_true", help="also a public gradio.live link")
    args = parser.parse_args(argv)
    from utils.live.app import launch

    launch(args.host, args.port, share=args.share)


if __name__ == "__main__":
    from utils.cli import run_command

    run_command(main, "python -m utils.app", extra_errors=(OSError,))
