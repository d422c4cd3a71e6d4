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

import numpy as np

# Subcommands register here: name -> (function adding its arguments, function running it).
# A run function takes the parsed arguments and returns (y_true, y_pred, class names, title),
# optionally followed by side reports, each a (name, JSON record, figure) triple that
# :func:`main` writes as <name>.json and <name>_confusion.png beside the main report.
Command = tuple[Callable[[argparse.ArgumentParser], None], Callable[[argparse.Namespace], tuple]]
COMMANDS: dict[str, Command] = {}
# One line per command for --help, in plain words.
SUMMARIES: dict[str, str] = {
    "face": "the face model on FER2013 (image folders or fer2013.csv)",
    "speech": "the speech model (default: the speaker-normalised pair) on RAVDESS speech clips of "
              "some actors",
    "text-emotion": "the text-emotion model on a CARER split",
    "personality": "the personality (Big Five) model on the essays",
    "fusion": "late fusion of face and speech on RAVDESS video clips",
    "fusion-paired": "fusion of FER2013 faces, RAVDESS voices and CARER sentences paired by emotion",
}


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


# --- text (notebooks/01_text) ------------------------------------------------------------------
def _text_model_location(path: Path | None, default: str) -> tuple[str, Path | None]:
    """(model name, folder) from ``--model path/to/name.keras`` (default: the shipped model)."""
    return (path.stem, path.parent) if path is not None else (default, None)


def _text_emotion_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--data", type=Path, required=True,
                        help="CARER folder (train.txt/val.txt/test.txt or the parquet files)")
    parser.add_argument("--split", default="val", choices=["train", "val", "test"])
    parser.add_argument("--model", type=Path, default=None,
                        help="a .keras file with its .text.json beside it (default: models/text_emotion.keras)")


def _run_text_emotion(args: argparse.Namespace) -> tuple:
    from utils.datasets import carer
    from utils.text.predict import load_text_model

    name, folder = _text_model_location(args.model, "text_emotion")
    model = load_text_model(name, folder)
    frame = carer.load(args.split, args.data)
    y_true = [model.classes.index(label) for label in frame["label"]]
    y_pred = np.argmax(model.predict_proba(list(frame["text"])), axis=1)
    return y_true, y_pred, model.classes, f"text emotion ({name}), CARER {args.split}"


def _personality_arguments(parser: argparse.ArgumentParser) -> None:
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


COMMANDS["text-emotion"] = (_text_emotion_arguments, _run_text_emotion)
COMMANDS["personality"] = (_personality_arguments, _run_personality)


# --- speech (notebooks/02_audio) ---------------------------------------------------------------
def _speech_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--data", type=Path, required=True,
                        help="RAVDESS speech folder (Actor_NN/03-01-*.wav, any sample rate)")
    parser.add_argument("--actors", default="21-24", help="actors to score, e.g. 21-24 or 17,18")
    parser.add_argument("--model", type=Path, nargs="+", default=None,
                        help="a .json linear model or a .keras network; several are averaged "
                             "(default: the shipped pair, models/speech_sn_compare.json and "
                             "models/speech_sn_librosa.json)")
    parser.add_argument("--no-speaker-norm", action="store_true",
                        help="speaker-normalised models: scale every clip with the training "
                             "prior only, instead of with the statistics of its actor's clips")


def _run_speech(args: argparse.Namespace) -> tuple:
    """A speaker-normalised model (the default) z-scores each actor's features with that actor's
    own clips (unlabelled audio of the test speaker), unless ``--no-speaker-norm``."""
    from utils.audio.io import load_audio
    from utils.audio.predict import default_speech_model_paths, speech_predictor
    from utils.datasets import ravdess
    from utils.labels import RAVDESS_CLASSES

    actors = ravdess.parse_actors(args.actors)
    frame = ravdess.table(args.data)
    frame = frame[frame["actor"].isin(actors)]
    if frame.empty:
        raise SystemExit(f"no RAVDESS speech files of actors {args.actors} below {args.data}")
    model_paths = args.model or default_speech_model_paths()
    predict = speech_predictor(model_paths)
    per_actor = predict.speaker_normalised and not args.no_speaker_norm
    speakers = frame["actor"].tolist() if per_actor else None
    y_pred = predict.predict_batch([load_audio(path) for path in frame["path"]],
                                   speakers=speakers).argmax(axis=1)
    y_true = frame["emotion"].map(RAVDESS_CLASSES.index).to_numpy()
    name = " + ".join(path.stem for path in model_paths)
    norm = (", each actor normalised with its own clips" if per_actor else
            ", training prior only" if predict.speaker_normalised else "")
    return y_true, y_pred, RAVDESS_CLASSES, f"{name}{norm}, RAVDESS actors {args.actors}"


COMMANDS["speech"] = (_speech_arguments, _run_speech)


# --- face (notebooks/03_video) -----------------------------------------------------------------
def _face_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--data", type=Path, required=True,
                        help="FER2013 folder: fer2013.csv (Usage column) or train/ and test/ "
                             "image folders whose file names start with the split")
    parser.add_argument("--split", default="PublicTest",
                        choices=("Training", "PublicTest", "PrivateTest"))
    parser.add_argument("--model", type=Path, default=None,
                        help="a .keras face model (default: models/face_resnet.keras)")
    parser.add_argument("--no-flip", action="store_true",
                        help="do not average with the mirrored faces (test-time augmentation)")
    parser.add_argument("--describe-training", action="store_true",
                        help="also write the Training split's class counts and exact duplicates "
                             "(training_data.json, training_balance.png)")
    parser.add_argument("--gradcam", action="store_true",
                        help="also write the mean Grad-CAM of each class's correctly classified "
                             "faces, heat only (gradcam_means.json, gradcam_means.png)")


def _describe_training(folder: Path, split_images: np.ndarray, split: str, out_dir: Path) -> None:
    """FER2013 Training's class counts, exact duplicates and the images of ``split`` also in it."""
    from utils.datasets import fer2013
    from utils.labels import EMOTIONS
    from utils.plots import plot_class_balance
    from utils.reports import save_report_files

    images, labels = fer2013.load("Training", folder=folder)
    found = fer2013.duplicates(images, split_images)
    record = {"data": "FER2013 Training", "faces": int(len(images)),
              "per_class": dict(zip(EMOTIONS, np.bincount(labels, minlength=len(EMOTIONS)).tolist())),
              "exact_repeats": found["repeats"], f"{split}_images_also_in_training": found["shared"],
              "uniform_images": int((images.std(axis=(1, 2)) < 1).sum())}
    figure = plot_class_balance([EMOTIONS[k] for k in labels], EMOTIONS,
                                f"FER2013 Training: faces per class ({len(images):,} faces)")
    save_report_files(out_dir, record, figure, "training_data.json", "training_balance.png")
    print(json.dumps(record))


def _face_gradcam_means(model, images: np.ndarray, y_true: np.ndarray, y_pred: np.ndarray,
                        title: str, out_dir: Path) -> None:
    """Class-mean Grad-CAM of the correctly classified faces and their heat on eyes and mouth."""
    from utils.labels import EMOTIONS
    from utils.reports import save_report_files
    from utils.video import explain

    maps = explain.face_gradcams(model, images, y_pred)
    means, counts = explain.class_mean_maps(maps, y_true, y_pred, len(EMOTIONS))
    shares = explain.region_shares(maps)
    record = {"data": title, "uniform_shares": explain.uniform_shares(),
              "mean_shares_all_faces": {k: float(v.mean()) for k, v in shares.items()},
              "per_class": {e: {"correct_faces": int(n)} | {k: float(v[0]) for k, v in
                                                            explain.region_shares(m[None]).items()}
                            for e, m, n in zip(EMOTIONS, means, counts)}}
    figure = explain.plot_class_maps(means, counts, EMOTIONS,
                                     f"Mean Grad-CAM of correctly classified faces, {title}")
    save_report_files(out_dir, record, figure, "gradcam_means.json", "gradcam_means.png")


def _run_face(args: argparse.Namespace) -> tuple:
    from utils.config import output_dir
    from utils.datasets import fer2013
    from utils.labels import EMOTIONS
    from utils.video.predict import default_face_model_path, load_face_model, predict_in_batches

    images, y_true = fer2013.load(args.split, folder=args.data)
    if len(images) == 0:
        raise SystemExit(f"no FER2013 {args.split} images below {args.data}")
    if args.describe_training:
        _describe_training(args.data, images, args.split, args.out or output_dir("evaluate", "face"))
    model_path = args.model or default_face_model_path()
    model = load_face_model(model_path)
    flip = not args.no_flip
    y_pred = predict_in_batches(model, images, flip=flip).argmax(axis=1)
    tta = ", flip-averaged" if flip else ""
    title = f"{Path(model_path).stem}{tta}, FER2013 {args.split}"
    if args.gradcam:
        _face_gradcam_means(model, images, y_true, y_pred, title,
                            args.out or output_dir("evaluate", "face"))
    return y_true, y_pred, EMOTIONS, title


COMMANDS["face"] = (_face_arguments, _run_face)


# --- fusion (notebooks/04_fusion) --------------------------------------------------------------
FUSION_RULES = ("face", "speech", "mean", "product", "f1", "stacker")


def _fusion_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--data", type=Path, required=True,
                        help="RAVDESS video folder (Actor_NN/01-01-*.mp4 from the "
                             "Video_Speech_Actor_NN.zip files)")
    parser.add_argument("--rule", default="stacker", choices=FUSION_RULES,
                        help="a single modality, a fixed rule, or a rule learned on --val-actors")
    parser.add_argument("--val-actors", default="17-20",
                        help="validation actors the learned rules (f1, stacker) are fitted on")
    parser.add_argument("--test-actors", default="21-24", help="actors to score")
    parser.add_argument("--frame-step", type=int, default=3,
                        help="read every N-th frame with the face model (default 3)")


def _run_fusion(args: argparse.Namespace) -> tuple:
    """The shipped face and speech models on RAVDESS audio-visual clips, fused by ``--rule``:
    face = log-mean of the frames' probabilities, speech = the model on the sound track."""
    from utils import fusion
    from utils.audio.predict import speech_predictor
    from utils.datasets import ravdess
    from utils.labels import EMOTIONS, RAVDESS_TO_CANONICAL
    from utils.video.predict import face_predictor, load_face_model

    val_actors, test_actors = ravdess.parse_actors(args.val_actors), ravdess.parse_actors(args.test_actors)
    if set(val_actors) & set(test_actors):
        raise SystemExit(f"actors {sorted(set(val_actors) & set(test_actors))} are in both splits")
    frame = ravdess.table(args.data, kind="video")
    frame = frame[(frame["modality"] == "audio-visual")
                  & frame["actor"].isin(val_actors + test_actors)].reset_index(drop=True)
    test = frame["actor"].isin(test_actors).to_numpy()
    if not test.any():
        raise SystemExit(f"no audio-visual RAVDESS clips of actors {args.test_actors} below {args.data}")
    learned = args.rule in ("f1", "stacker")
    rows = np.ones(len(frame), bool) if learned else test  # fixed rules never read validation clips
    probs = fusion.clip_probabilities(list(frame.loc[rows, "path"]),
                                      face_predictor(load_face_model(), flip=True),
                                      speech_predictor(), step=args.frame_step)
    y = frame.loc[rows, "emotion"].map(RAVDESS_TO_CANONICAL).map(EMOTIONS.index).to_numpy()
    is_test = test[rows]
    pick = lambda mask: {m: p[mask] for m, p in probs.items()}  # noqa: E731
    if args.rule == "f1":
        fused = fusion.F1WeightedFusion().fit(pick(~is_test), y[~is_test]).predict_proba(pick(is_test))
    elif args.rule == "stacker":
        stacker = fusion.StackedFusion(("face", "speech")).fit(
            pick(~is_test), y[~is_test], actors=frame.loc[rows, "actor"].to_numpy()[~is_test])
        fused = stacker.predict_proba(pick(is_test))
    elif args.rule in ("face", "speech"):
        fused = probs[args.rule][is_test]
    else:
        fused = fusion.fuse(pick(is_test), args.rule)
    fitted = f", fitted on actors {args.val_actors}" if learned else ""
    return (y[is_test], fusion.predictions(fused), EMOTIONS,
            f"fusion ({args.rule}) of face_resnet + the default speech pair, RAVDESS video actors "
            f"{args.test_actors}{fitted}")


COMMANDS["fusion"] = (_fusion_arguments, _run_fusion)


def _fusion_paired_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--faces", type=Path, required=True, help="FER2013 folder")
    parser.add_argument("--face-split", default="PublicTest", choices=("PublicTest", "PrivateTest"),
                        help="faces the shipped face model was not trained on")
    parser.add_argument("--speech", type=Path, required=True, help="RAVDESS speech folder")
    parser.add_argument("--actors", default="1-20",
                        help="actors whose clips are paired (speech out of fold over them)")
    parser.add_argument("--text", type=Path, default=None, help="CARER folder (optional)")
    parser.add_argument("--text-split", default="val", choices=("val", "test"))
    parser.add_argument("--folds", type=int, default=5, help="speech folds of consecutive actors")
    parser.add_argument("--seed", type=int, default=42, help="seed of the pairing and the halves")
    parser.add_argument("--speech-cv-report", type=Path, default=None,
                        help="models/speech_speaker_norm_cv.json: each speech fold that is one of "
                             "its folds uses the C its nested CV chose (the same model as the "
                             "speech card's CV) instead of choosing it again")


def _run_fusion_paired(args: argparse.Namespace) -> tuple:
    """Faces, voices (and sentences) of separate corpora paired by emotion, rules cross-fitted
    by actor halves (utils.fusion.crossfit); prints every number, writes fusion_paired.json and
    the side-by-side confusion matrices beside the fused (face + speech) report."""
    from utils.datasets import ravdess
    from utils.fusion import crossfit, predictions
    from utils.labels import EMOTIONS

    for name in ("faces", "speech", "text"):
        folder = getattr(args, name)
        if folder is not None and not folder.is_dir():
            raise FileNotFoundError(f"--{name}: no folder {folder}")
    try:
        actors = ravdess.parse_actors(args.actors)
    except ValueError:
        raise ValueError(f"--actors: expected a range such as 1-20 or a list such as 1,2,3, "
                         f"got {args.actors!r}") from None
    recipe = None
    if args.speech_cv_report:
        from utils.fusion.paired import SpeakerNormSpeechRecipe

        recipe = SpeakerNormSpeechRecipe(
            cv_candidates=json.loads(args.speech_cv_report.read_text())["candidates"])
    report, panels, y = crossfit.run_paired_experiment(
        args.faces, args.face_split, args.speech, actors, args.text,
        args.text_split, args.seed, args.folds, recipe)
    text = f", CARER {args.text_split}" if args.text else ""
    title = (f"paired by emotion: FER2013 {args.face_split}, RAVDESS actors {args.actors}{text} "
             f"(seed {args.seed})")
    report = {"data": title} | report
    print(json.dumps(report | {"per_class_f1": "(in fusion_paired.json)",
                               "confusion": "(in fusion_paired.json)"}, indent=2))
    figure = crossfit.confusion_figure(y, panels, title)
    return (y, predictions(panels["fused (face+speech)"]), EMOTIONS,
            f"fused face + speech ({'/'.join(report['chosen_rule']['face+speech'])}), {title}",
            ("fusion_paired", report, figure))


COMMANDS["fusion-paired"] = (_fusion_paired_arguments, _run_fusion_paired)


if __name__ == "__main__":
    from utils.cli import run_command

    run_command(main, "python -m utils.evaluate")
