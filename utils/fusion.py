"""Late fusion: one label space for the three models, rules that combine them, clip-level faces.

Each modality's model speaks its own label set: the face model FER2013's seven emotions, the speech
model RAVDESS's eight, the text model CARER's six. Fusion happens in three steps:

1. :func:`to_canonical` maps a model's probabilities onto the course's seven canonical emotions
   (:data:`utils.labels.EMOTIONS`) and returns a **mask** of the emotions the modality can express
   (text has no ``disgust`` or ``neutral``). The classes outside the mask are filled with the
   uniform value 1/7 (:func:`fill_unexpressed`): "no opinion", so no fusion rule reads a modality's
   silence about a class as evidence against it;
2. a rule combines the modalities present for an example: :func:`weighted_average`,
   :func:`product_rule` (sum of log-probabilities), :class:`F1WeightedFusion` (weights per modality
   and class learned from validation F1) or :class:`StackedFusion` (logistic regression on the
   concatenated probabilities, fitted on validation actors only);
3. a missing modality (no face in the frame, silence, no text) is a row of NaN: every rule fuses
   over what is present and a modality that is absent changes nothing.

:func:`aggregate_frames` turns a clip's per-frame face probabilities into one clip-level vector
(:func:`clip_probabilities` does it for whole video files, with their sound tracks).
Counting votes of frames favours ``neutral`` (most frames of an utterance are its onset and offset);
the mean of log-probabilities or a confidence-weighted mean let the few expressive frames speak.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from utils.labels import (CLASSES, EMOTIONS, MAPPINGS, MODALITIES, N_CLASSES, canonical_mass,  # noqa: F401
                          expressible, fill_unexpressed, mapping_table, missing, to_canonical)

EPSILON = 1e-6  # floor of a probability before a logarithm

Probs = Mapping[str, np.ndarray]  # modality -> (n, 7) canonical probabilities, NaN rows = missing


# ---------------------------------------------------------------------------------------------
# Fusion rules
# ---------------------------------------------------------------------------------------------


def _stack(probs: Probs, modalities: Sequence[str] | None = None) -> tuple[list[str], np.ndarray]:
    """(modality names, array (m, n, 7)) of the modalities given, checked for shape."""
    names = list(modalities or [m for m in MODALITIES if m in probs] +
                 [m for m in probs if m not in MODALITIES])
    if not names:
        raise ValueError("no modality to fuse")
    arrays = [np.atleast_2d(np.asarray(probs[m], dtype=np.float64)) for m in names]
    n = arrays[0].shape[0]
    for name, array in zip(names, arrays):
        if array.shape != (n, N_CLASSES):
            raise ValueError(f"{name}: expected shape ({n}, {N_CLASSES}) of canonical "
                             f"probabilities, got {array.shape}")
    return names, np.stack(arrays)


def _weights(names: Sequence[str], weights: Mapping[str, float | np.ndarray] | None) -> np.ndarray:
    """Weights ``(m, 7)``: a number per modality, or one per modality and class."""
    out = np.ones((len(names), N_CLASSES))
    for i, name in enumerate(names):
        if weights is not None and name in weights:
            out[i] = np.broadcast_to(np.asarray(weights[name], dtype=np.float64), (N_CLASSES,))
    if (out < 0).any():
        raise ValueError("fusion weights must be non-negative")
    return out


def _normalise(scores: np.ndarray) -> np.ndarray:
    """Rows divided by their sum; rows without any evidence (all zero or NaN) become NaN."""
    total = np.nansum(scores, axis=1, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        out = scores / total
    out[(total[:, 0] <= 0) | np.isnan(scores).all(axis=1)] = np.nan
    return out


def weighted_average(probs: Probs, weights: Mapping[str, float | np.ndarray] | None = None
                     ) -> np.ndarray:
    """Per class, the weighted mean of the present modalities' probabilities, renormalised.

    ``weights`` maps a modality to one number or to seven (one per class); missing modalities
    (NaN rows) are left out of both the sum and the total weight. Rows where every modality is
    missing come out as NaN.
    """
    names, stacked = _stack(probs)
    w = _weights(names, weights)[:, None, :] * ~np.isnan(stacked)
    values = np.nan_to_num(stacked)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = (w * values).sum(axis=0) / w.sum(axis=0)
    mean = np.where(w.sum(axis=0) > 0, mean, 0.0)
    return _normalise(mean)


def product_rule(probs: Probs, weights: Mapping[str, float | np.ndarray] | None = None
                 ) -> np.ndarray:
    """Normalised product of the present modalities' probabilities (sum of log-probabilities).

    The product treats the modalities as independent witnesses: one confident "no" vetoes a class,
    which is why probabilities are floored at :data:`EPSILON` first. ``weights`` scale each
    modality's log-probabilities (a weight of 0.5 is a square root: half a witness).
    """
    names, stacked = _stack(probs)
    present = ~np.isnan(stacked)
    logs = np.where(present, np.log(np.clip(np.nan_to_num(stacked), EPSILON, 1.0)), 0.0)
    scores = (_weights(names, weights)[:, None, :] * logs).sum(axis=0)
    scores -= scores.max(axis=1, keepdims=True)
    fused = np.exp(scores)
    fused[~present.any(axis=0).any(axis=1)] = np.nan
    return _normalise(fused)


class F1WeightedFusion:
    """Weighted average with one weight per modality and class: its F1 on validation clips.

    The idea of the reference project that fused speech and faces with per-class F-scores: trust
    each modality for the emotions it recognises well. A modality gets weight 0 for the emotions
    it cannot express; a class no modality recognised (all F1 = 0, or no validation example)
    falls back to equal weights among the modalities that can express it.
    """

    def __init__(self) -> None:
        self.weights_: dict[str, np.ndarray] = {}

    def fit(self, probs: Probs, y: Sequence[int]) -> F1WeightedFusion:
        """Learn the weights from validation probabilities and canonical labels ``y``."""
        from sklearn.metrics import f1_score

        names, stacked = _stack(probs)
        y = np.asarray(y)
        weights = np.zeros((len(names), N_CLASSES))
        for i, name in enumerate(names):
            present = ~np.isnan(stacked[i]).any(axis=1)
            if present.any():
                predicted = stacked[i][present].argmax(axis=1)
                weights[i] = f1_score(y[present], predicted, labels=range(N_CLASSES),
                                      average=None, zero_division=0)
            weights[i] *= expressible(name) if name in MAPPINGS else 1.0
        unknown = weights.sum(axis=0) == 0  # e.g. a class absent from the validation clips
        can = np.array([expressible(n) if n in MAPPINGS else np.ones(N_CLASSES, bool)
                        for n in names])
        weights[:, unknown] = can[:, unknown]  # equal weights among the modalities that can
        self.weights_ = dict(zip(names, weights))
        return self

    def predict_proba(self, probs: Probs) -> np.ndarray:
        """Fused probabilities ``(n, 7)`` of new examples."""
        if not self.weights_:
            raise RuntimeError("call fit on validation clips first")
        return weighted_average(probs, self.weights_)

    def table(self) -> pd.DataFrame:
        """The learned weights, modalities x emotions."""
        return pd.DataFrame(self.weights_, index=EMOTIONS).T


class StackedFusion:
    """A learned combiner: logistic regression on the concatenated canonical probabilities.

    Each modality contributes its seven probabilities (1/7 each when missing) and one indicator
    of presence, so the same model fuses two or three modalities. It is fitted on **validation
    actors only** (RAVDESS 17-20): the speech model was trained on actors 1-16, so its outputs
    there are overconfident, and the test actors 21-24 must stay unseen. ``fit`` refuses any
    other actor.
    """

    def __init__(self, modalities: Sequence[str] = ("face", "speech"), C: float = 1.0,
                 allowed_actors: Sequence[int] | None = None) -> None:
        from utils.datasets.ravdess import ACTOR_SPLITS

        self.modalities = tuple(modalities)
        self.C = C
        self.allowed_actors = set(allowed_actors if allowed_actors is not None
                                  else ACTOR_SPLITS["val"])
        self.model = None
        self.actors_: set[int] = set()

    def features(self, probs: Probs) -> np.ndarray:
        """The stacker's input: per modality its probabilities (1/7 if missing) and presence."""
        n = len(np.atleast_2d(next(iter(probs.values()))))
        columns = []
        for name in self.modalities:
            p = np.atleast_2d(np.asarray(probs[name], dtype=np.float64)) if name in probs \
                else missing(n)
            present = ~np.isnan(p).any(axis=1, keepdims=True)
            columns += [np.where(present, np.nan_to_num(p), 1.0 / N_CLASSES), present]
        return np.hstack(columns).astype(np.float64)

    def fit(self, probs: Probs, y: Sequence[int], actors: Sequence[int]) -> StackedFusion:
        """Fit on examples of ``actors`` (one per example), which must all be allowed actors."""
        from sklearn.linear_model import LogisticRegression

        actors = np.asarray(actors).astype(int)
        leaking = sorted(set(actors.tolist()) - self.allowed_actors)
        if leaking:
            raise ValueError(f"the stacker is fitted on validation actors "
                             f"{sorted(self.allowed_actors)} only; got actors {leaking}")
        x = self.features(probs)
        if len(actors) != len(x):
            raise ValueError(f"{len(actors)} actors for {len(x)} examples")
        self.model = LogisticRegression(C=self.C, max_iter=2000)
        self.model.fit(x, np.asarray(y))
        self.actors_ = set(actors.tolist())
        return self

    def predict_proba(self, probs: Probs) -> np.ndarray:
        """Fused probabilities ``(n, 7)``; classes never seen in fitting get 0."""
        if self.model is None:
            raise RuntimeError("call fit on validation clips first")
        out = np.zeros((len(self.features(probs)), N_CLASSES))
        out[:, self.model.classes_] = self.model.predict_proba(self.features(probs))
        return out


def fuse(probs: Probs, rule: str = "mean",
         weights: Mapping[str, float | np.ndarray] | None = None) -> np.ndarray:
    """Fuse with a fixed rule by name: ``"mean"`` (weighted average) or ``"product"``."""
    rules = {"mean": weighted_average, "product": product_rule}
    if rule not in rules:
        raise ValueError(f"unknown rule {rule!r}: choose one of {', '.join(rules)}")
    return rules[rule](probs, weights)


# ---------------------------------------------------------------------------------------------
# Clip-level faces from per-frame probabilities
# ---------------------------------------------------------------------------------------------

AGGREGATIONS: tuple[str, ...] = ("vote", "mean", "log_mean", "confidence")


def aggregate_frames(frame_probs: np.ndarray, method: str = "log_mean") -> np.ndarray:
    """One clip-level vector ``(7,)`` from per-frame face probabilities ``(frames, 7)``.

    Frames without a face are NaN rows and are skipped; a clip without any face gives NaN (the
    face modality is missing for it). Methods:

    - ``"vote"``: share of frames whose top class is each emotion (the majority vote of frames,
      as the reference slides did). Onset and offset frames are mostly neutral, so it is biased
      towards ``neutral``;
    - ``"mean"``: the mean probability over frames;
    - ``"log_mean"``: the normalised geometric mean (mean of log-probabilities), which rewards the
      classes every frame finds at least somewhat plausible and lets strong frames count more;
    - ``"confidence"``: the mean weighted by each frame's confidence, one minus its normalised
      entropy, so the clear apex frames outweigh the ambiguous ones.
    """
    frames = np.atleast_2d(np.asarray(frame_probs, dtype=np.float64))
    if frames.shape[1:] != (N_CLASSES,):
        raise ValueError(f"expected per-frame probabilities of shape (frames, {N_CLASSES}); "
                         f"got {frames.shape}")
    frames = frames[~np.isnan(frames).any(axis=1)]
    if len(frames) == 0:
        return np.full(N_CLASSES, np.nan)
    if method == "vote":
        return np.bincount(frames.argmax(axis=1), minlength=N_CLASSES) / len(frames)
    if method == "mean":
        return frames.mean(axis=0) / frames.mean(axis=0).sum()
    if method == "log_mean":
        logs = np.log(np.clip(frames, EPSILON, 1.0)).mean(axis=0)
        out = np.exp(logs - logs.max())
        return out / out.sum()
    if method == "confidence":
        p = np.clip(frames, EPSILON, 1.0)
        entropy = -(p * np.log(p)).sum(axis=1) / np.log(N_CLASSES)
        weights = np.clip(1.0 - entropy, 1e-3, None)
        out = (weights[:, None] * frames).sum(axis=0)
        return out / out.sum()
    raise ValueError(f"unknown method {method!r}: choose one of {', '.join(AGGREGATIONS)}")


# ---------------------------------------------------------------------------------------------
# Scores
# ---------------------------------------------------------------------------------------------


def clip_probabilities(paths: Sequence[str | Path], face_predict: Callable,
                       speech_predict: Callable, step: int = 3,
                       aggregation: str = "log_mean") -> dict[str, np.ndarray]:
    """Canonical face and speech probabilities of whole audio-visual clips, for fusion.

    The face modality is :func:`utils.video.predict.video_face_probs` of every ``step``-th frame
    aggregated over the clip (:func:`aggregate_frames`, NaN if no frame had a face); the speech
    modality is the speech model on the clip's sound track. Returns
    ``{"face": (n, 7), "speech": (n, 7)}``.
    """
    from utils.audio import load_audio
    from utils.video.predict import video_face_probs

    face, speech = [], []
    for path in paths:
        _, frames = video_face_probs(path, face_predict, step=step)
        face.append(aggregate_frames(frames, aggregation))
        speech.append(to_canonical(speech_predict(load_audio(path)), "speech"))
    return {"face": np.vstack(face), "speech": np.vstack(speech)}


def scores(y_true: Sequence[int], probs: np.ndarray) -> dict[str, float]:
    """Accuracy and macro-F1 (over the seven emotions) of fused probabilities.

    Rows that are NaN (no modality present) count as wrong: every method is scored on the same
    examples.
    """
    from sklearn.metrics import accuracy_score, f1_score

    predicted = predictions(probs)
    y_true = np.asarray(y_true)
    return {"accuracy": float(accuracy_score(y_true, predicted)),
            "macro_f1": float(f1_score(y_true, predicted, labels=range(N_CLASSES),
                                       average="macro", zero_division=0)),
            "examples": int(len(y_true))}


def predictions(probs: np.ndarray) -> np.ndarray:
    """Top class of each row; -1 for a NaN row (nothing to predict from)."""
    probs = np.atleast_2d(np.asarray(probs, dtype=np.float64))
    out = np.full(len(probs), -1)
    valid = ~np.isnan(probs).any(axis=1)
    out[valid] = probs[valid].argmax(axis=1)
    return out
