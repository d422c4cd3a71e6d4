"""The real-time demo: webcam (or a video file) + microphone (or the file's sound) + text, fused.

Every frame, the largest face is found, cropped to 48x48 and classified by the face model, and its
eye aspect ratio counts blinks; every half second the speech model hears the last 3 seconds of
sound, unless they are silent. Face and speech are smoothed over time and fused with the text's
emotion, if a text was given. A bad frame, a frame without a face, silence or a model error on one
frame never stops the demo: the status line says what was missing. On a screen a window shows the
annotated frames (q quits); --out writes them to an mp4; at the end a summary of the run is printed.
With --benchmark every frame is also annotated and ONE JSON line is printed instead: fps (frames
over the loop's wall time after a warm-up of 10 frames), face_found (share of frames with a face),
frames, and the median milliseconds of each stage (detect, landmarks, face_model, speech, fusion,
overlay) and of the whole loop step.

Command line:

    python -m utils.realtime [--camera N | --video FILE] [--no-audio] [--seconds N] [--out FILE]
                             [--text TEXT] [--no-window] [--benchmark]

The microphone needs the optional sounddevice package (and the PortAudio library); without it
the demo runs on the face (and text) alone and says why.
"""
# The loop, the camera, microphone and files, and the overlay are in utils.live (loop, io,
# overlay and session); this module only reads the command line.

from __future__ import annotations

import argparse
import json
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from utils.live.io import CameraError
from utils.live.loop import EmotionLoop
from utils.live.session import benchmark, run, summary, warm_up


def main(argv: Sequence[str] | None = None) -> pd.DataFrame | None:
    """``python -m utils.realtime``: the demo in a window, or headless on a file."""
    parser = argparse.ArgumentParser(prog="python -m utils.realtime", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    source = parser.add_mutually_exclusive_group()
    source.add_argument("--camera", type=int, default=0, help="webcam index (default 0)")
    source.add_argument("--video", type=Path, help="a video file instead of the webcam")
    parser.add_argument("--no-audio", action="store_true", help="leave speech out")
    parser.add_argument("--seconds", type=float, default=None, help="stop after N seconds")
    parser.add_argument("--out", type=Path, default=None, help="write an annotated mp4 here")
    parser.add_argument("--text", default=None, help="a sentence fused as the third modality")
    parser.add_argument("--no-window", action="store_true", help="no window, even with a screen")
    parser.add_argument("--benchmark", action="store_true",
                        help="print one JSON line: fps, face_found, frames, median ms per stage")
    args = parser.parse_args(argv)
    # a benchmark times the loop, not TensorFlow's first calls
    loop = warm_up(EmotionLoop(speech=not args.no_audio)) if args.benchmark else None
    frames = run(args.video if args.video is not None else args.camera, loop=loop,
                 sound=not args.no_audio, seconds=args.seconds, out=args.out,
                 show=False if args.no_window else None, text=args.text, draw=args.benchmark)
    print(json.dumps(benchmark(frames)) if args.benchmark else summary(frames))
    if args.out is not None:
        print(f"annotated video: {args.out}")
    return frames


if __name__ == "__main__":
    from utils.cli import run_command

    run_command(main, "python -m utils.realtime", extra_errors=(CameraError, RuntimeError))
