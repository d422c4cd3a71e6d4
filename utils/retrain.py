"""Command line: retrain a shipped model from the real data, as its model card describes.

    python -m utils.retrain face --data DIR [--epochs N] [--out models/]
    python -m utils.retrain speech --data DIR
    python -m utils.retrain text-emotion --data DIR
    python -m utils.retrain personality --data DIR

``--data`` is a dataset folder in one of the real layouts (for instance COURSE_DATA_DIR/fer2013).
Each subcommand writes the model file and a metrics JSON next to it; the numbers in the model
cards come from these runs.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Sequence

import numpy as np

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
def face_batches(images, labels, batch_size: int = 128, augment: bool = False,
                 shuffle: bool = False, seed: int = 42, n_classes: int = 7):
    """A ``tf.data`` pipeline of FER2013 faces: float pixels 0-255 ``(b, 48, 48, 1)``, one-hot labels.

    ``augment`` applies :func:`utils.vision.augment_faces` to every batch (training only).
    """
    import tensorflow as tf

    from utils.vision import augment_faces

    x = np.asarray(images, np.float32)[..., None]
    y = np.eye(n_classes, dtype=np.float32)[np.asarray(labels)]
    data = tf.data.Dataset.from_tensor_slices((x, y))
    if shuffle:
        data = data.shuffle(len(x), seed=seed, reshuffle_each_iteration=True)
    data = data.batch(batch_size)
    if augment:
        data = data.map(lambda a, b: (augment_faces(a), b), num_parallel_calls=tf.data.AUTOTUNE)
    return data.prefetch(tf.data.AUTOTUNE)


# The shipped model's size: a budget chosen for a shared 2-core CPU (see models/face_resnet.md).
FACE_RESNET = {"widths": (32, 64, 128), "blocks": (1, 2, 2), "stem": 32}


def train_face_model(data, epochs: int = 30, batch_size: int = 64, peak_lr: float = 2e-3,
                     weight_decay: float = 0.05, label_smoothing: float = 0.1,
                     time_budget_min: float | None = None, out=None, seed: int = 42,
                     limit: int | None = None):
    """The shipped face model's recipe: :func:`utils.models.face_resnet` on FER2013 Training.

    AdamW (decoupled weight decay), a warm-up then cosine learning rate
    (:func:`utils.training.warmup_cosine`, optionally bounded by a wall-clock budget), label
    smoothing, augmentation (:func:`utils.vision.augment_faces`), mixed precision (bfloat16 on a
    CPU, fast where it has AMX or AVX-512 BF16; float16 on a GPU); the checkpoint with the best
    PublicTest accuracy is kept. The shipped file is rebuilt in float32 so it loads and runs
    anywhere. Returns the training history.
    """
    import json
    from pathlib import Path

    import keras
    import tensorflow as tf

    from utils.config import MODELS_DIR, seed_everything
    from utils.datasets import fer2013
    from utils.models import face_resnet
    from utils.training import warmup_cosine

    seed_everything(seed)
    out = Path(out) if out is not None else MODELS_DIR
    out.mkdir(parents=True, exist_ok=True)
    x_train, y_train = fer2013.load("Training", folder=data)
    x_val, y_val = fer2013.load("PublicTest", folder=data)
    if limit:
        x_train, y_train, x_val, y_val = x_train[:limit], y_train[:limit], x_val[:limit], y_val[:limit]
    gpu = bool(tf.config.list_logical_devices("GPU"))
    keras.mixed_precision.set_global_policy("mixed_float16" if gpu else "mixed_bfloat16")
    model = face_resnet(**FACE_RESNET)
    steps = epochs * int(np.ceil(len(x_train) / batch_size))
    model.compile(
        optimizer=keras.optimizers.AdamW(peak_lr, weight_decay=weight_decay),
        loss=keras.losses.CategoricalCrossentropy(label_smoothing=label_smoothing),
        metrics=["accuracy"])
    checkpoint = out / "face_resnet_checkpoint.keras"
    callbacks = [
        warmup_cosine(peak_lr, steps, time_budget_s=time_budget_min * 60 if time_budget_min else None),
        keras.callbacks.ModelCheckpoint(checkpoint, monitor="val_accuracy", mode="max",
                                        save_best_only=True),
        keras.callbacks.CSVLogger(out / "face_resnet_training.csv"),
    ]
    history = model.fit(face_batches(x_train, y_train, batch_size, augment=True, shuffle=True, seed=seed),
                        validation_data=face_batches(x_val, y_val, 256), epochs=epochs,
                        callbacks=callbacks, verbose=2)
    best = keras.models.load_model(checkpoint)
    keras.mixed_precision.set_global_policy("float32")
    shipped = face_resnet(**FACE_RESNET)
    shipped.set_weights(best.get_weights())
    shipped.save(out / "face_resnet.keras")
    checkpoint.unlink(missing_ok=True)
    record = {k: [float(v) for v in vals] for k, vals in history.history.items()}
    (out / "face_resnet_history.json").write_text(json.dumps(record, indent=1))
    return record


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


def _run_face(args: argparse.Namespace) -> dict:
    return train_face_model(args.data, epochs=args.epochs, batch_size=args.batch_size,
                            peak_lr=args.lr, time_budget_min=args.time_budget, out=args.out,
                            seed=args.seed)


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
    from utils.text import train_text_emotion

    return train_text_emotion(args.data, args.out, epochs=args.epochs, seed=args.seed)


def _run_personality(args: argparse.Namespace) -> dict:
    from utils.text import train_personality

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
    from utils.audio import train_speech

    reports = train_speech(args.data, args.out, epochs=args.epochs, copies=args.copies,
                           seed=args.seed, minutes=args.minutes)
    for name, metrics in reports.items():
        print(f"{name}: validation accuracy {metrics['accuracy']:.3f}, "
              f"macro-F1 {metrics['macro_f1']:.3f}")
    return reports


RECIPES["speech"] = (_speech_arguments, _run_speech)


if __name__ == "__main__":
    main()
