"""Command line: retrain a shipped model from the real data, as its model card describes.

    python -m utils.retrain face --data DIR [--epochs N] [--out models/]
    python -m utils.retrain speech --data DIR
    python -m utils.retrain speech-speaker-norm --data DIR [--cache FILE.npz]   (the default model)
    python -m utils.retrain speech-adaptation --data DIR [--cache FILE.npz]  (its adaptation curve)
    python -m utils.retrain speech-logreg --data DIR
    python -m utils.retrain speech-utterance-cnn --data DIR [--epochs N]
    python -m utils.retrain text-emotion --data DIR
    python -m utils.retrain personality --data DIR

--data is a dataset folder in one of the real layouts (for instance COURSE_DATA_DIR/fer2013).
Each subcommand writes the model file and a metrics JSON next to it; the numbers in the model
cards come from these runs.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Sequence

# Subcommands register here: name -> (function adding its arguments, function running it).
RECIPES: dict[str, tuple[Callable[[argparse.ArgumentParser], None],
                         Callable[[argparse.Namespace], dict]]] = {}


def main(argv: Sequence[str] | None = None) -> dict:
    """Parse the command line and run the chosen recipe."""
    parser = argparse.ArgumentParser(prog="python -m utils.retrain", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    recipes = parser.add_subparsers(dest="recipe", required=True)
    for name, (add_arguments, _) in RECIPES.items():
        add_arguments(recipes.add_parser(name))
    args = parser.parse_args(argv)
    return RECIPES[args.recipe][1](args)


# --- face (notebooks/03_video) -----------------------------------------------------------------
def _face_arguments(parser: argparse.ArgumentParser) -> None:
    from pathlib import Path

    parser.add_argument("--data", type=Path, required=True,
                        help="FER2013 folder (fer2013.csv, or train/ and test/ image folders)")
    parser.add_argument("--epochs", type=int, default=30)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--lr", type=float, default=2e-3, help="peak learning rate (AdamW)")
    parser.add_argument("--time-budget", type=float, default=None,
                        help="minutes: anneal and stop by then even if epochs remain")
    parser.add_argument("--out", type=Path, default=None, help="folder (default: models/)")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--init", type=Path, default=None,
                        help="a face_resnet .keras file to start from (a second learning-rate "
                             "cycle on top of an earlier run) instead of random weights")


def _run_face(args: argparse.Namespace) -> dict:
    from utils.video.train import train_face_model

    return train_face_model(args.data, epochs=args.epochs, batch_size=args.batch_size,
                            peak_lr=args.lr, time_budget_min=args.time_budget, out=args.out,
                            seed=args.seed, init=args.init)


RECIPES["face"] = (_face_arguments, _run_face)


# --- text (notebooks/01_text) ------------------------------------------------------------------
def _text_arguments(what: str, epochs: int) -> Callable[[argparse.ArgumentParser], None]:
    def add(parser: argparse.ArgumentParser) -> None:
        from pathlib import Path

        parser.add_argument("--data", type=Path, required=True, help=what)
        parser.add_argument("--epochs", type=int, default=epochs)
        parser.add_argument("--out", type=Path, default=None, help="folder (default: models/)")
        parser.add_argument("--seed", type=int, default=42)

    return add


def _run_text_emotion(args: argparse.Namespace) -> dict:
    from utils.text.train import train_text_emotion

    return train_text_emotion(args.data, args.out, epochs=args.epochs, seed=args.seed)


def _run_personality(args: argparse.Namespace) -> dict:
    from utils.text.train import train_personality

    return train_personality(args.data, args.out, epochs=args.epochs, seed=args.seed)


RECIPES["text-emotion"] = (_text_arguments("CARER folder (train.txt and val.txt)", 10),
                           _run_text_emotion)
RECIPES["personality"] = (_text_arguments("essays folder or essays.csv", 20), _run_personality)


# --- speech (notebooks/02_audio) ---------------------------------------------------------------
def _speech_arguments(parser: argparse.ArgumentParser) -> None:
    from pathlib import Path

    parser.add_argument("--data", type=Path, required=True,
                        help="RAVDESS speech folder with actors 1-20 (Actor_NN/03-01-*.wav)")
    parser.add_argument("--out", type=Path, default=None, help="output folder (default: models/)")
    parser.add_argument("--epochs", type=int, default=60)
    parser.add_argument("--copies", type=int, default=4,
                        help="augmented variants of each training clip, computed once")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--minutes", type=float, default=None,
                        help="stop training after the epoch that crosses this wall-time budget")


def _run_speech(args: argparse.Namespace) -> dict:
    from utils.audio.train import train_speech

    reports = train_speech(args.data, args.out, epochs=args.epochs, copies=args.copies,
                           seed=args.seed, minutes=args.minutes)
    for name, metrics in reports.items():
        print(f"{name}: validation accuracy {metrics['accuracy']:.3f}, "
              f"macro-F1 {metrics['macro_f1']:.3f}")
    return reports


RECIPES["speech"] = (_speech_arguments, _run_speech)


def _speech_speaker_norm_arguments(parser: argparse.ArgumentParser) -> None:
    from pathlib import Path

    parser.add_argument("--data", type=Path, required=True,
                        help="RAVDESS speech folder with actors 1-20 (Actor_NN/03-01-*.wav)")
    parser.add_argument("--actors", default="1-20", help="actors to cross-validate and train on")
    parser.add_argument("--cache", type=Path, default=None,
                        help="an .npz for the clips' features, OUTSIDE the project (it holds "
                             "the data's content); reused when it exists")
    parser.add_argument("--out", type=Path, default=None, help="folder (default: models/)")
    parser.add_argument("--unheard-only", action="store_true",
                        help="only fit the unheard-voice twins and name them in the existing "
                             "members (no cross-validation, the members unchanged)")


def _run_speech_speaker_norm(args: argparse.Namespace) -> dict:
    import json

    from utils.audio.train_speaker_norm import add_unheard_models, train_speech_speaker_norm
    from utils.datasets import ravdess

    if args.unheard_only:
        chosen = add_unheard_models(args.data, args.out, ravdess.parse_actors(args.actors),
                                    args.cache)
        print(json.dumps({"unheard C": chosen}))
        return chosen
    report = train_speech_speaker_norm(args.data, args.out, ravdess.parse_actors(args.actors),
                                       cache=args.cache)
    print(json.dumps({name: round(r["mean_accuracy"], 4)
                      for name, r in report["candidates"].items()}, indent=2))
    return report


RECIPES["speech-speaker-norm"] = (_speech_speaker_norm_arguments, _run_speech_speaker_norm)


def _speech_adaptation_arguments(parser: argparse.ArgumentParser) -> None:
    from pathlib import Path

    _speech_speaker_norm_arguments(parser)
    parser.add_argument("--orders", type=int, default=10,
                        help="random orders of each held-out actor's clips (default 10)")
    parser.add_argument("--cv-report", type=Path, default=None,
                        help="a speech_speaker_norm_cv.json: fit each fold with the C its nested "
                             "CV chose there (the same models as the card's CV) instead of "
                             "choosing it again")


def _run_speech_adaptation(args: argparse.Namespace) -> dict:
    import json

    from utils.audio.adaptation import adaptation_curve
    from utils.audio.train_speaker_norm import MEMBERS, clip_features
    from utils.config import MODELS_DIR
    from utils.datasets import ravdess

    features, y, actors = clip_features(args.data, ravdess.parse_actors(args.actors), args.cache)
    report = {"data": f"RAVDESS speech actors {args.actors}, grouped 5-fold CV (held-out actors' "
                      "unseen clips)", "members": list(MEMBERS)}
    chosen = json.loads(args.cv_report.read_text())["candidates"] if args.cv_report else None
    report |= adaptation_curve(features, y, actors, orders=args.orders, chosen_c=chosen)
    out = args.out or MODELS_DIR
    out.mkdir(parents=True, exist_ok=True)
    (out / "speech_adaptation.json").write_text(json.dumps(report, indent=1))
    print(json.dumps({curve: dict(zip(map(str, report["clips_seen"]), r["mean_accuracy"]))
                      for curve, r in report["curves"].items()}, indent=2))
    return report


RECIPES["speech-adaptation"] = (_speech_adaptation_arguments, _run_speech_adaptation)


def _speech_logreg_arguments(parser: argparse.ArgumentParser) -> None:
    from pathlib import Path

    parser.add_argument("--data", type=Path, required=True,
                        help="RAVDESS speech folder with actors 1-20 (Actor_NN/03-01-*.wav)")
    parser.add_argument("--out", type=Path, default=None, help="output folder (default: models/)")


def _run_speech_logreg(args: argparse.Namespace) -> dict:
    from utils.audio.train import train_speech_logreg

    metrics = train_speech_logreg(args.data, args.out)
    print(f"linear model: validation accuracy {metrics['accuracy']:.3f}, "
          f"macro-F1 {metrics['macro_f1']:.3f}")
    return metrics


RECIPES["speech-logreg"] = (_speech_logreg_arguments, _run_speech_logreg)


def _speech_utterance_cnn_arguments(parser: argparse.ArgumentParser) -> None:
    _speech_logreg_arguments(parser)
    parser.add_argument("--epochs", type=int, default=80, help="epochs (default 80)")


def _run_speech_utterance_cnn(args: argparse.Namespace) -> dict:
    from utils.audio.train import train_speech_utterance_cnn

    metrics = train_speech_utterance_cnn(args.data, args.out, epochs=args.epochs)
    print(f"utterance CNN: validation accuracy {metrics['accuracy']:.3f}, "
          f"macro-F1 {metrics['macro_f1']:.3f}")
    return metrics


RECIPES["speech-utterance-cnn"] = (_speech_utterance_cnn_arguments, _run_speech_utterance_cnn)


if __name__ == "__main__":
    from utils.cli import run_command

    run_command(main, "python -m utils.retrain")
