"""``python -m utils.evaluate face``: a face model of notebooks/03_video on a FER2013 split.

Flip-averaged unless ``--no-flip``; ``--describe-training`` and ``--gradcam`` add side files
(the Training split's counts and duplicates, the class-mean Grad-CAM maps) beside the report.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np

def _face_arguments(parser: argparse.ArgumentParser) -> None:
    """The face command's options: the FER2013 folder, the split, the model and the side reports."""
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
    """The face model's predicted class of every face of the split (and the side files asked)."""
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


# Registered by utils.evaluate: name -> (adds the arguments, runs it), and the --help line.
COMMANDS = {"face": (_face_arguments, _run_face)}
SUMMARIES = {"face": "the face model on FER2013 (image folders or fer2013.csv)"}
