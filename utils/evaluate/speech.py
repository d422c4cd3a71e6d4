"""``python -m utils.evaluate speech``: a speech model of notebooks/02_audio on RAVDESS clips.

The default is the shipped speaker-normalised pair, each actor's clips z-scored with that actor's
own clips; ``--no-speaker-norm`` scores them with the training prior only.
"""

from __future__ import annotations

import argparse
from pathlib import Path


def _speech_arguments(parser: argparse.ArgumentParser) -> None:
    """The speech command's options: the RAVDESS folder, the actors, the models, the scaling."""
    parser.add_argument("--data", type=Path, required=True,
                        help="RAVDESS speech folder (Actor_NN/03-01-*.wav, any sample rate)")
    parser.add_argument("--actors", default="21-24", help="actors to score, e.g. 21-24 or 17,18")
    parser.add_argument("--model", type=Path, nargs="+", default=None,
                        help="a .json linear model or a .keras network; several are averaged "
                             "(default: the shipped pair, models/speech_sn_compare_realtime.json and "
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


# Registered by utils.evaluate: name -> (adds the arguments, runs it), and the --help line.
COMMANDS = {"speech": (_speech_arguments, _run_speech)}
SUMMARIES = {"speech": "the speech model (default: the speaker-normalised pair) on RAVDESS speech "
                       "clips of some actors"}
