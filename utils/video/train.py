"""The shipped face model's recipe: a ``tf.data`` pipeline of FER2013 faces and the training run.

:func:`face_batches` makes the batches (augmented by :func:`utils.video.augment.augment_faces`
for training); :func:`train_face_model` trains :func:`utils.video.models.face_resnet` at the
shipped size :data:`utils.video.models.FACE_RESNET` (``python -m utils.retrain face`` runs it).
"""

from __future__ import annotations

import numpy as np

from utils.video.augment import augment_faces
from utils.video.models import FACE_RESNET, face_resnet


def face_batches(images, labels, batch_size: int = 128, augment: bool = False,
                 shuffle: bool = False, seed: int = 42, n_classes: int = 7):
    """A ``tf.data`` pipeline of FER2013 faces: float pixels 0-255 ``(b, 48, 48, 1)``, one-hot labels.

    ``augment`` applies :func:`utils.video.augment.augment_faces` to every batch (training only).
    """
    import tensorflow as tf

    x = np.asarray(images, np.float32)[..., None]
    y = np.eye(n_classes, dtype=np.float32)[np.asarray(labels)]
    data = tf.data.Dataset.from_tensor_slices((x, y))
    if shuffle:
        data = data.shuffle(len(x), seed=seed, reshuffle_each_iteration=True)
    data = data.batch(batch_size)
    if augment:
        data = data.map(lambda a, b: (augment_faces(a), b), num_parallel_calls=tf.data.AUTOTUNE)
    return data.prefetch(tf.data.AUTOTUNE)


def train_face_model(data, epochs: int = 30, batch_size: int = 64, peak_lr: float = 2e-3,
                     weight_decay: float = 0.05, label_smoothing: float = 0.1,
                     time_budget_min: float | None = None, out=None, seed: int = 42,
                     limit: int | None = None, init=None):
    """The shipped face model's recipe: :func:`utils.video.models.face_resnet` on FER2013 Training.

    AdamW (decoupled weight decay), a warm-up then cosine learning rate
    (:func:`utils.training.warmup_cosine`, optionally bounded by a wall-clock budget), label
    smoothing, augmentation (:func:`utils.video.augment.augment_faces`), mixed precision
    (bfloat16 on a CPU, fast where it has AMX or AVX-512 BF16; float16 on a GPU); the checkpoint
    with the best PublicTest accuracy is kept. The shipped file is rebuilt in float32 so it loads and runs
    anywhere. ``init`` (a ``.keras`` file of the same architecture) starts from its weights
    instead of random ones: a second warm-up and cosine cycle on top of an earlier run. Returns
    the training history.
    """
    import json
    from pathlib import Path

    import keras
    import tensorflow as tf

    from utils.config import MODELS_DIR, seed_everything
    from utils.datasets import fer2013
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
    if init is not None:
        model.set_weights(keras.models.load_model(init).get_weights())
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
                        shuffle=False,  # face_batches shuffles; Keras cannot shuffle a tf.data set
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
