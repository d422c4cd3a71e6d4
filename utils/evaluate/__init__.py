"""Score a saved model on a dataset folder: metrics as JSON and a confusion matrix as a PNG.

    python -m utils.evaluate face --data DIR --split PublicTest [--model PATH]
    python -m utils.evaluate speech --data DIR --actors 21-24 [--model PATH ...] [--no-speaker-norm]
    python -m utils.evaluate text-emotion --data DIR --split val [--model PATH]
    python -m utils.evaluate personality --data FILE [--split test|all] [--model PATH]
    python -m utils.evaluate fusion --data DIR --rule stacker --val-actors 17-20 --test-actors 21-24
    python -m utils.evaluate fusion-paired --faces DIR --face-split PublicTest --speech DIR --actors 1-20 [--text DIR --text-split val]

Each command reads its dataset with the same loaders as the notebooks, predicts with the model
(the shipped one unless --model says otherwise) and writes the same report for every modality:
accuracy, macro-F1 and a per-class report in metrics.json, the confusion matrix in confusion.png.
Run `python -m utils.evaluate COMMAND --help` for a command's options.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable, Sequence
from pathlib import Path

from utils.evaluate import face, fusion, speech, text

# Subcommands register here: name -> (function adding its arguments, function running it).
# A run function takes the parsed arguments and returns (y_true, y_pred, class names, title),
# optionally followed by side reports, each a (name, JSON record, figure) triple that
# :func:`main` writes as <name>.json and <name>_confusion.png beside the main report.
# Each modality's module (text, speech, face, fusion) owns its subcommands and their --help line
# (SUMMARIES); the order below is the order of --help.
Command = tuple[Callable[[argparse.ArgumentParser], None], Callable[[argparse.Namespace], tuple]]
MODALITIES = (text, speech, face, fusion)
COMMANDS: dict[str, Command] = {name: command for modality in MODALITIES
                                for name, command in modality.COMMANDS.items()}
SUMMARIES: dict[str, str] = {name: line for modality in MODALITIES
                             for name, line in modality.SUMMARIES.items()}


def build_parser() -> argparse.ArgumentParser:
    """The parser with one subcommand per registered modality."""
    parser = argparse.ArgumentParser(prog="python -m utils.evaluate", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=None,
                        help="folder for metrics.json and confusion.png "
                             "(default: outputs/evaluate/<command>)")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name, (add_arguments, _) in COMMANDS.items():
        add_arguments(commands.add_parser(name, help=SUMMARIES.get(name)))
    return parser


def main(argv: Sequence[str] | None = None) -> dict:
    """Parse the command line, run the subcommand, write and print the report."""
    from utils.config import output_dir
    from utils.reports import save_report_files, write_report

    args = build_parser().parse_args(argv)
    _, run = COMMANDS[args.command]
    y_true, y_pred, classes, title, *side_reports = run(args)
    out_dir = args.out or output_dir("evaluate", args.command)
    for name, record, figure in side_reports:
        save_report_files(out_dir, record, figure, f"{name}.json", f"{name}_confusion.png")
    metrics = write_report(y_true, y_pred, classes, title, out_dir)
    summary = {k: metrics[k] for k in ("title", "examples", "accuracy", "macro_f1")}
    print(json.dumps(summary | {"report": str(out_dir / "metrics.json"),
                                "confusion_matrix": str(out_dir / "confusion.png")}, indent=2))
    return metrics
