"""What every predictor needs from its saved model: a fast single-example call and portable files.

:func:`inference_function` compiles a Keras model's forward pass once for the real-time loop;
:func:`save_linear_pipeline` / :func:`load_linear_pipeline` keep scikit-learn linear models as JSON.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Callable
from pathlib import Path

import numpy as np


def inference_function(model, average_with: Callable | None = None) -> Callable:
    """``model(x, training=False)`` compiled once with ``tf.function``, for one-at-a-time calls.

    ``model.predict`` costs tens of milliseconds of set-up per call, far too much inside a
    real-time loop; the compiled call runs one face, sentence or audio window in a few
    milliseconds. Use ``predict`` for whole datasets, this for single examples.

    ``average_with`` (test-time augmentation) is a function of the input batch giving a
    transformed copy, e.g. the faces mirrored; the outputs for each input and its copy are then
    averaged, both computed in the same pass of the graph.
    """
    import tensorflow as tf

    def run(x):
        if average_with is None:
            return model(x, training=False)
        outputs = model(tf.concat([x, average_with(x)], axis=0), training=False)
        n = tf.shape(x)[0]
        return (outputs[:n] + outputs[n:]) / 2

    return tf.function(run, reduce_retracing=True)


def save_linear_pipeline(pipeline, path, **meta) -> Path:
    """Write a fitted ``StandardScaler`` + ``LogisticRegression`` pipeline to a JSON file.

    Why not pickle or joblib: a pickle is only guaranteed to load in the scikit-learn version that
    wrote it (Colab's differs from a laptop's), and loading one runs arbitrary code. The model is
    a handful of arrays, so they are stored as numbers, with ``meta`` (class names, features,
    metrics) beside them. Written to a temporary file first, so a failure leaves no broken model.
    """
    scaler, classifier = pipeline[0], pipeline[-1]
    record = {"kind": "standard_scaler+logistic_regression", **meta,
              "mean": scaler.mean_.tolist(), "scale": scaler.scale_.tolist(),
              "coef": classifier.coef_.tolist(), "intercept": classifier.intercept_.tolist(),
              "classes": classifier.classes_.tolist()}
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, scratch = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
    try:
        with os.fdopen(handle, "w") as out:
            json.dump(record, out)
        os.chmod(scratch, 0o644)  # mkstemp makes it private; a model file is for everyone
        os.replace(scratch, path)
    except BaseException:
        Path(scratch).unlink(missing_ok=True)
        raise
    return path


def load_linear_pipeline(path):
    """The pipeline :func:`save_linear_pipeline` wrote, ready for ``predict_proba``, and its meta."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    try:
        record = json.loads(Path(path).read_text())
        scaler, classifier = StandardScaler(), LogisticRegression()
        scaler.mean_, scaler.scale_ = np.array(record["mean"]), np.array(record["scale"])
        scaler.var_, scaler.n_features_in_ = scaler.scale_ ** 2, len(scaler.mean_)
        classifier.coef_ = np.array(record["coef"])
        classifier.intercept_ = np.array(record["intercept"])
        classifier.classes_ = np.array(record["classes"])
        classifier.n_features_in_ = classifier.coef_.shape[1]
    except (OSError, ValueError, KeyError) as error:
        raise ValueError(f"{path} is not a linear model written by save_linear_pipeline "
                         f"({error}); retrain it with `python -m utils.retrain speech-logreg`") from error
    if classifier.coef_.shape[1] != len(scaler.mean_):
        raise ValueError(f"{path}: {len(scaler.mean_)} scaler features but "
                         f"{classifier.coef_.shape[1]} model weights; the file is damaged")
    meta = {k: v for k, v in record.items()
            if k not in ("mean", "scale", "coef", "intercept", "classes")}
    return make_pipeline(scaler, classifier), meta
