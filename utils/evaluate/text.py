"""``python -m utils.evaluate text-emotion | personality``: the text models of notebooks/01_text.

``text-emotion`` scores the text-emotion model on a CARER split; ``personality`` the Big Five
model on the essays, each (essay, trait) pair one example (:func:`_run_personality`).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np

def _text_model_location(path: Path | None, default: str) -> tuple[str, Path | None]:
    """(model name, folder) from ``--model path/to/name.keras`` (default: the shipped model)."""
    return (path.stem, path.parent) if path is not None else (default, None)


def _text_emotion_arguments(parser: argparse.ArgumentParser) -> None:
    """The text-emotion command's options: the CARER folder, the split, the model."""
    parser.add_argument("--data", type=Path, required=True,
                        help="CARER folder (train.txt/val.txt/test.txt or the parquet files)")
    parser.add_argument("--split", default="val", choices=["train", "val", "test"])
    parser.add_argument("--model", type=Path, default=None,
                        help="a .keras file with its .text.json beside it (default: models/text_emotion.keras)")


def _run_text_emotion(args: argparse.Namespace) -> tuple:
    """The text-emotion model's predicted class of every sentence of the CARER split."""
    from utils.datasets import carer
    from utils.text.predict import load_text_model

    name, folder = _text_model_location(args.model, "text_emotion")
    model = load_text_model(name, folder)
    frame = carer.load(args.split, args.data)
    y_true = [model.classes.index(label) for label in frame["label"]]
    y_pred = np.argmax(model.predict_proba(list(frame["text"])), axis=1)
    return y_true, y_pred, model.classes, f"text emotion ({name}), CARER {args.split}"


def _personality_arguments(parser: argparse.ArgumentParser) -> None:
    """The personality command's options: the essays, the split, the model."""
    parser.add_argument("--data", type=Path, required=True, help="essays.csv (or its folder)")
    parser.add_argument("--split", default="test", choices=["train", "val", "test", "all"],
                        help="the course's seeded 80/10/10 split inside the file "
                             "(utils.text.essays_split); 'all' for a file of unseen essays")
    parser.add_argument("--model", type=Path, default=None,
                        help="a .keras file with its .text.json beside it (default: models/personality.keras)")


def _run_personality(args: argparse.Namespace) -> tuple:
    """Each (essay, trait) pair is one example of the class '<TRAIT> low' or '<TRAIT> high', so
    the overall accuracy is the mean of the five per-trait accuracies; the side
    report ``traits`` (traits.json, traits_confusion.png) gives each trait with its
    majority-class baseline."""
    from utils.datasets import essays
    from utils.labels import BIG_FIVE
    from utils.text.metrics import personality_report
    from utils.text.predict import load_text_model
    from utils.text.train import essays_split

    name, folder = _text_model_location(args.model, "personality")
    model = load_text_model(name, folder)
    frame = essays.load(args.data)
    if args.split != "all":
        frame = frame.iloc[essays_split(frame)[args.split]]
    truth = frame[list(BIG_FIVE)].to_numpy()
    predicted = (model.predict_proba(list(frame["text"])) > 0.5).astype(int)
    title = f"personality ({name}), essays {args.split}"
    report, figure = personality_report(truth, predicted, title)
    print(json.dumps({"per_trait_accuracy": {t: report[t]["accuracy"] for t in BIG_FIVE},
                      "mean_accuracy": report["mean_accuracy"]}))
    classes = [f"{t} {level}" for t in BIG_FIVE for level in ("low", "high")]
    offsets = 2 * np.arange(len(BIG_FIVE))
    return ((truth + offsets).ravel(), (predicted + offsets).ravel(), classes, title,
            ("traits", report, figure))


# Registered by utils.evaluate: name -> (adds the arguments, runs it), and the --help line.
COMMANDS = {"text-emotion": (_text_emotion_arguments, _run_text_emotion),
            "personality": (_personality_arguments, _run_personality)}
SUMMARIES = {"text-emotion": "the text-emotion model on a CARER split",
             "personality": "the personality (Big Five) model on the essays"}
