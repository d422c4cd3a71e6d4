"""The speech models' training data and recipes (``python -m utils.retrain speech*``).

Inputs and batches for the networks (:func:`model_inputs`, :func:`augmented_batches`,
:func:`utterance_training_set`), then one function per shipped model, each training on actors
1-16 and scoring on the validation actors 17-20: :func:`train_speech` (the SVM baseline and the
CNN+LSTM), :func:`train_speech_logreg` (the linear model) and :func:`train_speech_utterance_cnn`.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np

from utils.audio.augment import (SPEED_FACTORS, augment, spec_augment, speed_perturb,
                                 speed_perturbed_features)
from utils.audio.features import (CLIP_FRAMES, CLIP_SECONDS, N_MELS, WINDOW_FRAMES, WINDOW_STEP,
                                  clip_windows, fit_frames, log_mel, speech_features, trim_silence,
                                  utterance_features, utterance_log_mel)
from utils.audio.io import SAMPLE_RATE, load_audio
from utils.audio.models import speech_cnn_lstm, speech_logreg, speech_svm, speech_utterance_cnn


def model_inputs(signals: list[np.ndarray], rng: np.random.Generator | None = None,
                 dtype: str = "float16") -> np.ndarray:
    """The speech model's input for each (already trimmed) signal: (n, 5, 100, 48, 1).

    Without ``rng`` each signal is centred in its 3-s clip. With ``rng`` each is a random
    training variant (:func:`utils.audio.augment.augment`: speed, pitch, noise) placed at a
    random offset in the clip (the time shift). ``float16`` halves the memory of a precomputed
    training set.
    """
    out = np.empty((len(signals), CLIP_FRAMES // WINDOW_STEP - 1, WINDOW_FRAMES, N_MELS, 1), dtype)
    length = int(CLIP_SECONDS * SAMPLE_RATE)
    for i, signal in enumerate(signals):
        offset = None
        if rng is not None:
            signal = augment(signal, rng)
            offset = int(rng.integers(0, abs(length - signal.size) + 1))
        out[i] = clip_windows(signal, trim=False, offset=offset)
    return out


def augmented_batches(versions: list[np.ndarray], labels: np.ndarray, batch_size: int = 32,
                      seed: int = 0, masking: bool = True):
    """A ``keras.utils.PyDataset`` of training batches drawn from precomputed clip variants.

    ``versions`` holds arrays of the same clips (the clean inputs, then augmented copies from
    :func:`model_inputs` with an ``rng``). Every epoch each clip comes from a randomly chosen
    version and, with ``masking``, gets fresh SpecAugment masks
    (:func:`utils.audio.augment.spec_augment`), so the network rarely sees the same input twice
    while the expensive audio work is done once.
    """
    import keras

    labels = np.asarray(labels)
    if not versions or any(len(v) != len(labels) for v in versions):
        raise ValueError("every version must hold one input per label")
    rng = np.random.default_rng(seed)

    class AugmentedBatches(keras.utils.PyDataset):
        def __init__(self):
            super().__init__()
            self.on_epoch_end()

        def __len__(self) -> int:
            return int(np.ceil(len(labels) / batch_size))

        def on_epoch_end(self) -> None:
            self.order = rng.permutation(len(labels))
            self.pick = rng.integers(0, len(versions), len(labels))

        def __getitem__(self, index: int):
            rows = self.order[index * batch_size:(index + 1) * batch_size]
            x = np.stack([versions[self.pick[r]][r] for r in rows]).astype(np.float32)
            if masking:
                x = np.stack([spec_augment(clip, rng) for clip in x])
            return x, labels[rows]

    return AugmentedBatches()


def _load_split(data: str | Path | None, split: str) -> tuple[list[np.ndarray], np.ndarray, list]:
    """Trimmed signals, label indices and actors of one RAVDESS split."""
    from utils.datasets import ravdess
    from utils.labels import RAVDESS_CLASSES

    frame = ravdess.table(None if data is None else Path(data))
    ravdess.check_speaker_independent(frame)
    frame = frame[frame["split"] == split]
    if frame.empty:
        raise FileNotFoundError(f"no RAVDESS speech files of the {split} actors "
                                f"{list(ravdess.ACTOR_SPLITS[split])} below {data}")
    signals = [trim_silence(load_audio(path)) for path in frame["path"]]
    labels = frame["emotion"].map(RAVDESS_CLASSES.index).to_numpy()
    return signals, labels, frame["actor"].tolist()


def train_speech(data: str | Path | None, out: str | Path | None = None, epochs: int = 60,
                 copies: int = 4, seed: int = 42, batch_size: int = 32, patience: int = 12,
                 minutes: float | None = None, verbose: int = 2) -> dict:
    """Train the SVM baseline and the CNN+LSTM on actors 1-16, select and score on actors 17-20.

    ``copies`` augmented variants of every training clip are computed once (speed, pitch, noise,
    shift); each epoch draws one variant per clip and masks it (SpecAugment). The best epoch by
    validation accuracy is kept; ``minutes`` (optional) stops training after the epoch that
    crosses that wall-time budget. Writes to ``out`` (default ``models/``): the model
    ``speech_cnn_lstm.keras``, its validation report ``speech_cnn_lstm.json`` (as
    ``python -m utils.evaluate`` writes it), the baseline's ``speech_svm.json``, the training
    curves ``speech_cnn_lstm_history.json``, and the confusion matrices as PNGs next to them.
    Returns ``{"model": metrics, "svm": metrics}``.
    """
    import json
    import shutil
    import tempfile
    import time

    import keras

    from utils.config import MODELS_DIR, seed_everything
    from utils.labels import RAVDESS_CLASSES
    from utils.training import standard_callbacks

    out = Path(out) if out else MODELS_DIR
    out.mkdir(parents=True, exist_ok=True)
    started = time.time()
    train_signals, y_train, _ = _load_split(data, "train")
    val_signals, y_val, _ = _load_split(data, "val")

    svm = speech_svm().fit(np.stack([utterance_features(s, trim=False) for s in train_signals]),
                           y_train)
    svm_pred = svm.predict(np.stack([utterance_features(s, trim=False) for s in val_signals]))
    reports = {"svm": _report(y_val, svm_pred, "SVM baseline", out, "speech_svm")}

    rng = np.random.default_rng(seed)
    versions = [model_inputs(train_signals)]
    versions += [model_inputs(train_signals, rng) for _ in range(copies)]
    x_val = model_inputs(val_signals, dtype="float32")
    seed_everything(seed)
    model = speech_cnn_lstm(n_classes=len(RAVDESS_CLASSES))
    model.compile(optimizer=keras.optimizers.Adam(1e-3), loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    with tempfile.TemporaryDirectory() as scratch:
        checkpoint = Path(scratch) / "best.keras"
        history = model.fit(augmented_batches(versions, y_train, batch_size, seed=seed),
                            validation_data=(x_val, y_val), epochs=epochs, verbose=verbose,
                            callbacks=standard_callbacks(checkpoint, patience=patience,
                                                         lr_patience=5) + _time_budget(minutes))
        shutil.copy(checkpoint, out / "speech_cnn_lstm.keras")
    model = keras.models.load_model(out / "speech_cnn_lstm.keras")
    pred = model.predict(x_val, verbose=0).argmax(axis=1)
    reports["model"] = _report(y_val, pred, "CNN+LSTM", out, "speech_cnn_lstm")
    curves = {k: [float(v) for v in values] for k, values in history.history.items()}
    (out / "speech_cnn_lstm_history.json").write_text(json.dumps(
        {"history": curves, "epochs_run": len(curves["loss"]), "copies": copies, "seed": seed,
         "batch_size": batch_size, "minutes": round((time.time() - started) / 60, 1)}, indent=2))
    return reports


def grouped_folds_with_copies(actors: Sequence, n_copies: int,
                              n_splits: int = 4) -> list[tuple[np.ndarray, np.ndarray]]:
    """Cross-validation folds over features stacked as ``(1 + n_copies) * clips`` rows (the
    originals, then each block of copies): each fold trains on every version of the clips of
    the other actors and scores only the *original* clips of its held-out actors, so no voice
    is ever on both sides and no score is measured on an artificial copy."""
    from sklearn.model_selection import GroupKFold

    actors = np.asarray(actors)
    n = len(actors)
    folds = GroupKFold(n_splits=min(n_splits, len(set(actors.tolist()))))
    return [(np.concatenate([train + k * n for k in range(1 + n_copies)]), test)
            for train, test in folds.split(actors, groups=actors)]


def train_speech_logreg(data: str | Path | None, out: str | Path | None = None,
                        grid: tuple[float, ...] = (0.001, 0.003, 0.01, 0.03),
                        factors: Sequence[float] = SPEED_FACTORS) -> dict:
    """Fit :func:`utils.audio.models.speech_logreg` on actors 1-16, score it on actors 17-20.

    Besides each training clip, the model sees one speed-perturbed copy per factor in
    ``factors`` (:func:`utils.audio.augment.speed_perturb`: as if spoken by a voice with a
    shorter or longer vocal tract). The regularisation ``c`` is chosen from ``grid`` by
    cross-validation grouped by actor inside the training actors
    (:func:`grouped_folds_with_copies`), so the validation actors are used for nothing but the
    final score. Writes ``speech_logreg.json`` (the model, see
    :func:`utils.inference.save_linear_pipeline`) and its validation report and confusion matrix
    (``speech_logreg_report.json``, ``speech_logreg_confusion.png``) to ``out`` (default
    ``models/``). Returns the validation metrics.
    """
    from sklearn.model_selection import cross_val_score

    from utils.config import MODELS_DIR
    from utils.labels import RAVDESS_CLASSES
    from utils.inference import save_linear_pipeline

    out = Path(out) if out else MODELS_DIR
    out.mkdir(parents=True, exist_ok=True)
    train_signals, y_train, actors = _load_split(data, "train")
    val_signals, y_val, _ = _load_split(data, "val")
    versions = speed_perturbed_features(train_signals, factors)
    x_train = versions.reshape(-1, versions.shape[-1])
    y_train = np.tile(y_train, 1 + len(factors))
    x_val = np.stack([speech_features(s, trim=False) for s in val_signals])
    folds = grouped_folds_with_copies(actors, len(factors))
    cv = {c: float(cross_val_score(speech_logreg(c), x_train, y_train, cv=folds).mean())
          for c in grid}
    best = max(cv, key=cv.get)
    pipeline = speech_logreg(best).fit(x_train, y_train)
    metrics = _report(y_val, pipeline.predict(x_val), "Linear model", out,
                      "speech_logreg_report", figure="speech_logreg_confusion.png")
    save_linear_pipeline(pipeline, out / "speech_logreg.json", class_names=list(RAVDESS_CLASSES),
                         features="utils.audio.speech_features", c=best,
                         cv_accuracy_by_c={str(c): round(v, 4) for c, v in cv.items()},
                         speed_factors=list(factors),
                         trained_on="RAVDESS speech actors 1-16 and their speed-perturbed copies",
                         val_accuracy=metrics["accuracy"], val_macro_f1=metrics["macro_f1"])
    return metrics


def utterance_training_set(versions: list[list[np.ndarray]], labels: np.ndarray,
                           rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """One epoch of inputs for the utterance CNN: for every clip, the log-mel spectrogram of a
    random version (the original or a speed-perturbed copy), cut at a random place to 300
    frames, with SpecAugment masks; then mixup. ``versions[v][i]`` is version ``v`` of clip
    ``i`` as (frames, 48). Returns inputs (clips, 300, 48, 1) and soft labels (clips, 8)."""
    from utils.labels import RAVDESS_CLASSES
    from utils.training import mixup

    inputs = []
    for i in range(len(labels)):
        mel = versions[rng.integers(len(versions))][i]
        start = rng.integers(0, abs(len(mel) - CLIP_FRAMES) + 1)
        inputs.append(spec_augment(fit_frames(mel, offset=start)[np.newaxis], rng,
                                   max_time=24)[0])
    one_hot = np.eye(len(RAVDESS_CLASSES), dtype=np.float32)[labels]
    return mixup(np.stack(inputs)[..., np.newaxis], one_hot, rng)


def train_speech_utterance_cnn(data: str | Path | None, out: str | Path | None = None,
                               epochs: int = 80, factors: Sequence[float] = SPEED_FACTORS,
                               seed: int = 0, batch_size: int = 32, peak_rate: float = 2e-3,
                               verbose: bool = True) -> dict:
    """Train :func:`utils.audio.models.speech_utterance_cnn` on actors 1-16, score it on 17-20.

    Every epoch draws, for each training clip, the original or one of its speed-perturbed
    copies (``factors``), a random 3-s crop and SpecAugment masks, then mixes pairs (mixup);
    AdamW with a warm-up and cosine schedule to ``peak_rate``, label smoothing 0.05. The model
    of the **last** epoch is kept: the validation actors are scored after every epoch for the
    curves, but choose nothing. Writes to ``out`` (default ``models/``)
    ``speech_utterance_cnn.keras``, its validation report ``speech_utterance_cnn.json`` and
    confusion matrix, and ``speech_utterance_cnn_history.json``. Returns the validation metrics.
    """
    import json
    import time

    import keras

    from utils.config import MODELS_DIR, seed_everything
    from utils.labels import RAVDESS_CLASSES
    from utils.training import warmup_cosine

    out = Path(out) if out else MODELS_DIR
    out.mkdir(parents=True, exist_ok=True)
    started = time.time()
    train_signals, y_train, _ = _load_split(data, "train")
    val_signals, y_val, _ = _load_split(data, "val")
    versions = [[log_mel(s) for s in train_signals]]
    versions += [[log_mel(speed_perturb(s, f)) for s in train_signals] for f in factors]
    x_val = np.stack([utterance_log_mel(s, trim=False) for s in val_signals])
    seed_everything(seed)
    rng = np.random.default_rng(seed)
    model = speech_utterance_cnn(n_classes=len(RAVDESS_CLASSES))
    model.compile(optimizer=keras.optimizers.AdamW(peak_rate, weight_decay=1e-3),
                  loss=keras.losses.CategoricalCrossentropy(label_smoothing=0.05))
    schedule = warmup_cosine(peak_rate, epochs * -(-len(y_train) // batch_size), warmup=0.04)
    curves = {"loss": [], "val_accuracy": []}
    for epoch in range(epochs):
        x, y = utterance_training_set(versions, y_train, rng)
        fitted = model.fit(x, y, batch_size=batch_size, epochs=1, verbose=0, callbacks=[schedule])
        accuracy = float(np.mean(model.predict(x_val, verbose=0).argmax(1) == y_val))
        curves["loss"].append(float(fitted.history["loss"][0]))
        curves["val_accuracy"].append(accuracy)
        if verbose:
            print(f"epoch {epoch + 1}/{epochs}: loss {curves['loss'][-1]:.3f}, "
                  f"val accuracy {accuracy:.3f} ({time.time() - started:.0f} s)", flush=True)
    partial = out / "speech_utterance_cnn.partial.keras"  # a crash never leaves half a model
    model.save(partial)
    partial.replace(out / "speech_utterance_cnn.keras")
    pred = model.predict(x_val, verbose=0).argmax(axis=1)
    metrics = _report(y_val, pred, "Utterance CNN", out, "speech_utterance_cnn")
    (out / "speech_utterance_cnn_history.json").write_text(json.dumps(
        {"history": curves, "epochs_run": epochs, "speed_factors": list(factors), "seed": seed,
         "batch_size": batch_size, "minutes": round((time.time() - started) / 60, 1)}, indent=2))
    return metrics


def _time_budget(minutes: float | None) -> list:
    """A callback stopping ``fit`` after the first epoch that ends past ``minutes`` (or none)."""
    import time

    import keras

    if minutes is None:
        return []
    deadline = time.time() + 60 * minutes

    class TimeBudget(keras.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            if time.time() > deadline:
                print(f"time budget of {minutes} min reached after epoch {epoch + 1}")
                self.model.stop_training = True

    return [TimeBudget()]


def _report(y_true, y_pred, name: str, out: Path, stem: str, figure: str | None = None) -> dict:
    """The validation report of a recipe's model: ``<stem>.json`` and the confusion matrix as
    ``figure`` (default ``<stem>_confusion.png``) in ``out``."""
    from utils.reports import write_report
    from utils.labels import RAVDESS_CLASSES

    return write_report(y_true, y_pred, RAVDESS_CLASSES, f"{name}, RAVDESS validation actors 17-20",
                        out, f"{stem}.json", figure or f"{stem}_confusion.png")
