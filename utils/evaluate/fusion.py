"""``python -m utils.evaluate fusion | fusion-paired``: the fusion of notebooks/04_fusion.

``fusion`` fuses the shipped face and speech models on RAVDESS audio-visual clips;
``fusion-paired`` fuses FER2013 faces, RAVDESS voices and CARER sentences paired by emotion
(:mod:`utils.fusion.paired`, rules cross-fitted by :mod:`utils.fusion.crossfit`).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np

FUSION_RULES = ("face", "speech", "mean", "product", "f1", "stacker")


def _fusion_arguments(parser: argparse.ArgumentParser) -> None:
    """The fusion command's options: the RAVDESS video folder, the rule, the two actor splits."""
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


def _fusion_paired_arguments(parser: argparse.ArgumentParser) -> None:
    """The fusion-paired command's options: the corpora, actors, folds, seed, CV report."""
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


# Registered by utils.evaluate: name -> (adds the arguments, runs it), and the --help line.
COMMANDS = {"fusion": (_fusion_arguments, _run_fusion),
            "fusion-paired": (_fusion_paired_arguments, _run_fusion_paired)}
SUMMARIES = {"fusion": "late fusion of face and speech on RAVDESS video clips",
             "fusion-paired": "fusion of FER2013 faces, RAVDESS voices and CARER sentences paired "
                              "by emotion"}
