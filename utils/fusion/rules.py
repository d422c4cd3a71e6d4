"""Late-fusion rules: modalities' canonical probabilities in, one fused distribution out.

Fixed rules :func:`weighted_average` and :func:`product_rule` (sum of log-probabilities), chosen by
name with :func:`fuse`; learned ones :class:`F1WeightedFusion` (weights per modality and class
from validation F1) and :class:`StackedFusion` (logistic regression on the concatenated
probabilities, fitted on validation actors only). A missing modality (no face in the frame,
silence, no text) is a row of NaN: every rule fuses over what is present and a modality that is
absent changes nothing.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from utils.labels import EMOTIONS, MAPPINGS, MODALITIES, N_CLASSES, expressible, missing

EPSILON = 1e-6  # floor of a probability before a logarithm

Probs = Mapping[str, np.ndarray]  # modality -> (n, 7) canonical probabilities, NaN rows = missing


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
    it cannot express and for those it never predicted on the validation clips (no sign of any
    skill). Two fallbacks, which :meth:`fallbacks` spells out for a fitted model:

    - an emotion without any validation clip: skill unknown, so equal weights (1) among the
      modalities that can express it;
    - an emotion no modality recognised (every F1 is 0): equal weights (1) among the modalities
      that predicted it at least once; if none did, every weight stays 0 and the fused rule never
      predicts it, like each modality.

    A modality missing from every validation clip gets weight 0 throughout.
    """

    def __init__(self) -> None:
        self.weights_: dict[str, np.ndarray] = {}
        self.reasons_: dict[str, list[str]] = {}

    def fit(self, probs: Probs, y: Sequence[int]) -> F1WeightedFusion:
        """Learn the weights from validation probabilities and canonical labels ``y``."""
        from sklearn.metrics import f1_score

        names, stacked = _stack(probs)
        y = np.asarray(y)
        can = np.array([expressible(n) if n in MAPPINGS else np.ones(N_CLASSES, bool)
                        for n in names])
        weights, predicted = np.zeros((len(names), N_CLASSES)), np.zeros_like(can)
        seen = ~np.isnan(stacked).any(axis=2).all(axis=1)  # present on some validation clip
        for i in range(len(names)):
            present = ~np.isnan(stacked[i]).any(axis=1)
            if present.any():
                top = stacked[i][present].argmax(axis=1)
                weights[i] = f1_score(y[present], top, labels=range(N_CLASSES), average=None,
                                      zero_division=0)
                predicted[i, np.unique(top)] = True
        weights *= can
        unseen = ~np.isin(np.arange(N_CLASSES), y)
        fallback = weights.sum(axis=0) == 0
        eligible = can & seen[:, None] & (predicted | unseen)
        weights[:, fallback] = eligible[:, fallback]
        self.weights_ = dict(zip(names, weights))
        self.reasons_ = {name: [_reason(seen[i], can[i, k], predicted[i, k], unseen[k], fallback[k])
                                for k in range(N_CLASSES)] for i, name in enumerate(names)}
        return self

    def fallbacks(self) -> list[str]:
        """Why the weights that are not a validation F1 score are what they are: one line per
        modality missing from every validation clip, then one per emotion and reason."""
        absent = [name for name, r in self.reasons_.items() if r[0] == _ABSENT]
        lines = [f"{name}: weight 0 for every emotion ({_ABSENT[3:]})" for name in absent]
        for k, emotion in enumerate(EMOTIONS):
            reasons = {name: r[k] for name, r in self.reasons_.items() if name not in absent}
            for reason in dict.fromkeys(r for r in reasons.values() if r != "F1"):
                who = ", ".join(name for name, r in reasons.items() if r == reason)
                lines.append(f"{emotion}: {who} -> weight {reason}")
        return lines

    def predict_proba(self, probs: Probs) -> np.ndarray:
        """Fused probabilities ``(n, 7)`` of new examples."""
        if not self.weights_:
            raise RuntimeError("call fit on validation clips first")
        return weighted_average(probs, self.weights_)

    def table(self) -> pd.DataFrame:
        """The learned weights, modalities x emotions."""
        return pd.DataFrame(self.weights_, index=EMOTIONS).T


_ABSENT = "0: missing from every validation clip"


def _reason(seen: bool, can: bool, predicted: bool, unseen: bool, fallback: bool) -> str:
    """Why one modality has its weight for one emotion (see :class:`F1WeightedFusion`)."""
    if not seen:
        return _ABSENT
    if not can:
        return "0: cannot express it"
    if unseen:
        return "1: no validation clip of it (fallback: equal weights)"
    if not fallback:
        return "F1" if predicted else "0: never predicted it on the validation clips"
    if predicted:
        return "1: no modality recognised it (fallback: equal among those that predicted it)"
    return "0: never predicted it on the validation clips (and no modality recognised it)"


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
        actors = np.asarray(actors).astype(int)
        leaking = sorted(set(actors.tolist()) - self.allowed_actors)
        if leaking:
            raise ValueError(f"the stacker is fitted on validation actors "
                             f"{sorted(self.allowed_actors)} only; got actors {leaking}")
        x = self.features(probs)
        if len(actors) != len(x):
            raise ValueError(f"{len(actors)} actors for {len(x)} examples")
        self.model = self._estimator()
        self.model.fit(x, np.asarray(y))
        self.actors_ = set(actors.tolist())
        return self

    def _estimator(self):
        """The unfitted scikit-learn classifier on :meth:`features`."""
        from sklearn.linear_model import LogisticRegression

        return LogisticRegression(C=self.C, max_iter=2000)

    def predict_proba(self, probs: Probs) -> np.ndarray:
        """Fused probabilities ``(n, 7)``; classes never seen in fitting get 0."""
        if self.model is None:
            raise RuntimeError("call fit on validation clips first")
        out = np.zeros((len(self.features(probs)), N_CLASSES))
        out[:, self.model.classes_] = self.model.predict_proba(self.features(probs))
        return out


class ForestFusion(StackedFusion):
    """A random-forest stacker: the contract of :class:`StackedFusion` (same features, one
    presence indicator per modality so a missing modality is an input like any other, the same
    check of the actors it is fitted on), with scikit-learn's ``RandomForestClassifier`` in place
    of the logistic regression. It can learn interactions ("speech says angry *and* the face is
    unsure"), at the price of more examples to fit well.
    """

    def __init__(self, modalities: Sequence[str] = ("face", "speech"), n_estimators: int = 300,
                 min_samples_leaf: int = 3, allowed_actors: Sequence[int] | None = None,
                 seed: int = 0) -> None:
        super().__init__(modalities, allowed_actors=allowed_actors)
        self.n_estimators, self.min_samples_leaf, self.seed = n_estimators, min_samples_leaf, seed

    def _estimator(self):
        """A seeded random forest (one job: the machine's cores are shared)."""
        from sklearn.ensemble import RandomForestClassifier

        return RandomForestClassifier(n_estimators=self.n_estimators,
                                      min_samples_leaf=self.min_samples_leaf,
                                      random_state=self.seed, n_jobs=1)


def fuse(probs: Probs, rule: str = "mean",
         weights: Mapping[str, float | np.ndarray] | None = None) -> np.ndarray:
    """Fuse with a fixed rule by name: ``"mean"`` (weighted average) or ``"product"``."""
    rules = {"mean": weighted_average, "product": product_rule}
    if rule not in rules:
        raise ValueError(f"unknown rule {rule!r}: choose one of {', '.join(rules)}")
    return rules[rule](probs, weights)
