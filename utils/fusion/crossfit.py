"""Fit and score fusion rules on a paired set without leakage: 2-fold cross-fitting by actor.

The paired set (:func:`utils.fusion.paired.build_paired_set`) comes in two halves that share no
voice, face or sentence. Each rule is fitted on one half and scored on the other, then the swap;
the pooled predictions cover every example once. The rule reported as *the* fused result is
chosen on the fitting half alone, by cross-validation grouped by actor (:func:`choose_rule`): the
scored half never takes part in choosing. :func:`paired_report` turns it all into the numbers the
command prints; :func:`confusion_figure` draws the confusion matrices side by side.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import numpy as np

from utils.fusion.metrics import predictions, scores
from utils.fusion.rules import F1WeightedFusion, ForestFusion, StackedFusion, fuse
from utils.datasets.ravdess import actor_folds
from utils.labels import EMOTIONS, N_CLASSES, missing

RULE_NAMES: tuple[str, ...] = ("mean", "product", "f1", "stacker", "forest")
COMBINATIONS: dict[str, tuple[str, ...]] = {"face+speech": ("face", "speech"),
                                            "face+speech+text": ("face", "speech", "text")}


class FixedRule:
    """A rule without parameters (``"mean"`` or ``"product"``) behind the learned rules' API."""

    def __init__(self, name: str) -> None:
        self.name = name

    def fit(self, probs: Mapping[str, np.ndarray], y: Sequence[int],
            actors: Sequence[int]) -> FixedRule:
        """Nothing to learn."""
        return self

    def predict_proba(self, probs: Mapping[str, np.ndarray]) -> np.ndarray:
        """Fused probabilities ``(n, 7)``."""
        return fuse(probs, self.name)


class F1Rule(F1WeightedFusion):
    """:class:`F1WeightedFusion` with the ``fit(probs, y, actors)`` of the stackers."""

    def fit(self, probs: Mapping[str, np.ndarray], y: Sequence[int],
            actors: Sequence[int] | None = None) -> F1Rule:
        """Per-class F1 weights from the fitting examples (the actors are not needed)."""
        super().fit(probs, y)
        return self


def make_rule(name: str, modalities: Sequence[str], actors: Sequence[int], seed: int = 0,
              trees: int = 300):
    """A fresh, unfitted rule by name, allowed to fit on ``actors`` (the fitting half)."""
    allowed = sorted(set(np.asarray(actors).tolist()))
    if name in ("mean", "product"):
        return FixedRule(name)
    if name == "f1":
        return F1Rule()
    if name == "stacker":
        return StackedFusion(modalities, allowed_actors=allowed)
    if name == "forest":
        return ForestFusion(modalities, n_estimators=trees, allowed_actors=allowed, seed=seed)
    raise ValueError(f"unknown rule {name!r}: choose one of {', '.join(RULE_NAMES)}")


RuleFactory = Callable[[str, Sequence[str], Sequence[int]], object]


def _subset(probs: Mapping[str, np.ndarray], rows: np.ndarray,
            modalities: Sequence[str]) -> dict[str, np.ndarray]:
    return {m: np.asarray(probs[m])[rows] for m in modalities}


def fit_predict(name: str, probs: Mapping[str, np.ndarray], y: np.ndarray, actors: np.ndarray,
                fit_rows: np.ndarray, score_rows: np.ndarray, modalities: Sequence[str],
                factory: RuleFactory = make_rule):
    """Fit rule ``name`` on ``fit_rows``; return it and its probabilities on ``score_rows``."""
    rule = factory(name, modalities, actors[fit_rows])
    rule.fit(_subset(probs, fit_rows, modalities), y[fit_rows], actors[fit_rows])
    return rule, rule.predict_proba(_subset(probs, score_rows, modalities))


def choose_rule(probs: Mapping[str, np.ndarray], y: Sequence[int], actors: Sequence[int],
                modalities: Sequence[str], names: Sequence[str] = RULE_NAMES,
                factory: RuleFactory = make_rule, folds: int = 5) -> tuple[str, dict[str, float]]:
    """The rule with the best accuracy by cross-validation grouped by actor, on these examples
    only (the fitting half). Returns ``(name, {rule: cross-validated accuracy})``; ties go to
    the rule listed first (the simpler one)."""
    from sklearn.model_selection import GroupKFold

    y, actors = np.asarray(y), np.asarray(actors)
    splits = list(GroupKFold(min(folds, len(np.unique(actors)))).split(y, groups=actors))
    cv = {}
    for name in names:
        predicted = np.full(len(y), -1)
        for train, test in splits:
            _, fused = fit_predict(name, probs, y, actors, train, test, modalities, factory)
            predicted[test] = predictions(fused)
        cv[name] = float(np.mean(predicted == y))
    return max(names, key=lambda n: (cv[n], -list(names).index(n))), cv


def cross_fit(probs: Mapping[str, np.ndarray], y: Sequence[int], actors: Sequence[int],
              half: Sequence[int], modalities: Sequence[str], names: Sequence[str] = RULE_NAMES,
              factory: RuleFactory = make_rule) -> dict:
    """2-fold cross-fitting: every rule fitted on one half and scored on the other, both ways.

    Returns ``{"probs": {rule: pooled (n, 7)}, "chosen": [rule chosen on half 0, on half 1],
    "cv": [their CV accuracies], "probs_chosen": pooled (n, 7) of the chosen rules,
    "dropped": {modality: pooled (n, 7) of the chosen rules with that modality missing}}``.
    """
    y, actors, half = np.asarray(y), np.asarray(actors), np.asarray(half)
    pooled = {name: np.full((len(y), N_CLASSES), np.nan) for name in names}
    chosen_probs = np.full((len(y), N_CLASSES), np.nan)
    dropped = {m: np.full((len(y), N_CLASSES), np.nan) for m in modalities}
    chosen, cvs = [], []
    for fit_half in (0, 1):
        fit_rows, score_rows = np.flatnonzero(half == fit_half), np.flatnonzero(half != fit_half)
        name, cv = choose_rule(_subset(probs, fit_rows, modalities), y[fit_rows],
                               actors[fit_rows], modalities, names, factory)
        chosen.append(name)
        cvs.append(cv)
        for rule_name in names:
            rule, fused = fit_predict(rule_name, probs, y, actors, fit_rows, score_rows,
                                      modalities, factory)
            pooled[rule_name][score_rows] = fused
            if rule_name == name:
                chosen_probs[score_rows] = fused
                for m in modalities:
                    scored = _subset(probs, score_rows, modalities)
                    scored[m] = missing(len(score_rows))
                    dropped[m][score_rows] = rule.predict_proba(scored)
    return {"probs": pooled, "chosen": chosen, "cv": cvs, "probs_chosen": chosen_probs,
            "dropped": dropped}


def _rounded(record: dict) -> dict:
    return {k: round(v, 4) if isinstance(v, float) else v for k, v in record.items()}


def per_class_f1(y: Sequence[int], probs: np.ndarray) -> dict[str, float]:
    """F1 of each canonical emotion (0 where never predicted)."""
    from sklearn.metrics import f1_score

    values = f1_score(y, predictions(probs), labels=range(N_CLASSES), average=None,
                      zero_division=0)
    return {e: round(float(v), 4) for e, v in zip(EMOTIONS, values)}


def confusion(y: Sequence[int], probs: np.ndarray) -> list[list[int]]:
    """Confusion counts over the seven emotions (rows true); NaN rows (no prediction) left out."""
    from sklearn.metrics import confusion_matrix

    return confusion_matrix(y, predictions(probs), labels=range(N_CLASSES)).tolist()


def paired_report(paired, names: Sequence[str] = RULE_NAMES,
                  factory: RuleFactory = make_rule) -> tuple[dict, dict[str, np.ndarray]]:
    """Every number of the experiment on a :class:`~utils.fusion.paired.PairedSet`.

    Returns ``(report, panels)``: the JSON-ready report and the pooled probabilities of the
    panels of :func:`confusion_figure` (face, speech, text, fused, fused with text).
    """
    y, probs = paired.y, paired.probs
    report: dict = {"examples": int(len(y)), "actor_halves": [list(h) for h in paired.halves],
                    "reused": dict(paired.reused), "modalities": {}, "rules": {}, "chosen_rule": {},
                    "cv_accuracy_on_fitting_half": {}, "per_class_f1": {}, "confusion": {},
                    "missing_modality": {}}
    panels = {m: probs[m] for m in probs}
    for m in probs:
        report["modalities"][m] = _rounded(scores(y, probs[m]))
        report["per_class_f1"][m] = per_class_f1(y, probs[m])
        report["confusion"][m] = confusion(y, probs[m])
    if "text" in probs:
        present = ~np.isnan(probs["text"]).any(axis=1)
        report["text_missing"] = int((~present).sum())
        report["modalities"]["text"]["accuracy_where_present"] = round(
            float(np.mean(predictions(probs["text"][present]) == y[present])), 4)
    for combination, modalities in COMBINATIONS.items():
        if not set(modalities) <= set(probs):
            continue
        result = cross_fit(probs, y, paired.actors, paired.half, modalities, names, factory)
        report["rules"][combination] = {n: _rounded(scores(y, p)) for n, p in result["probs"].items()}
        report["per_class_f1"] |= {f"{n} ({combination})": per_class_f1(y, p)
                                   for n, p in result["probs"].items()}
        report["chosen_rule"][combination] = result["chosen"]
        report["cv_accuracy_on_fitting_half"][combination] = [
            {n: round(v, 4) for n, v in cv.items()} for cv in result["cv"]]
        fused = _rounded(scores(y, result["probs_chosen"]))
        report[f"fused ({combination})"] = fused
        report["confusion"][f"fused ({combination})"] = confusion(y, result["probs_chosen"])
        report["missing_modality"][combination] = {
            f"without {m}": _rounded(scores(y, p))["accuracy"] for m, p in result["dropped"].items()}
        panels[f"fused ({combination})"] = result["probs_chosen"]
    return _headline(report) | report, panels


def _headline(report: dict) -> dict:
    """The keys the issue names: best single modality, fused, fused with text, the gain."""
    single = {m: report["modalities"][m]["accuracy"] for m in ("face", "speech")}
    best = max(single.values())
    out = {"best_single_accuracy": best, "best_single": max(single, key=single.get),
           "fused_accuracy": report["fused (face+speech)"]["accuracy"],
           "fused_macro_f1": report["fused (face+speech)"]["macro_f1"]}
    out["gain_points"] = round(100 * (out["fused_accuracy"] - best), 2)
    if "fused (face+speech+text)" in report:
        out["fused_with_text_accuracy"] = report["fused (face+speech+text)"]["accuracy"]
        out["fused_with_text_macro_f1"] = report["fused (face+speech+text)"]["macro_f1"]
    return out


def confusion_figure(y: Sequence[int], panels: Mapping[str, np.ndarray], title: str):
    """The panels' confusion matrices side by side (one row), each titled with its name."""
    from matplotlib import pyplot as plt

    from utils.plots import plot_confusion_matrix

    figure, axes = plt.subplots(1, len(panels), figsize=(6.2 * len(panels), 5.6))
    for ax, (name, probs) in zip(np.atleast_1d(axes), panels.items()):
        shown = predictions(probs) >= 0  # a missing text has no prediction: left out of its matrix
        plot_confusion_matrix(np.asarray(y)[shown], predictions(probs)[shown], EMOTIONS, name, ax=ax)
    figure.suptitle(title)
    figure.tight_layout()
    return figure


def run_paired_experiment(faces: str, face_split: str, speech: str, actors: Sequence[int],
                          text: str | None = None, text_split: str = "val", seed: int = 42,
                          folds: int = 5, recipe=None) -> tuple[dict, dict[str, np.ndarray], np.ndarray]:
    """The whole experiment from dataset folders: leak-free probabilities of each modality
    (:mod:`utils.fusion.paired`), the pairing, cross-fitted rules. ``recipe`` is the speech
    recipe of :func:`~utils.fusion.paired.speech_out_of_fold` (default: the linear one). In quick
    mode the forest has 50 trees. Returns ``(report, panels, y)``."""
    from functools import partial

    from utils.config import is_quick
    from utils.fusion import paired as pairing
    from utils.labels import to_canonical

    signals, speech_labels, speech_actors = pairing.speech_clips(speech, actors)
    speech_probs = to_canonical(pairing.speech_out_of_fold(signals, speech_labels, speech_actors,
                                                           folds, recipe), "speech")
    face_probs, face_labels = pairing.face_probabilities(faces, face_split)
    text_probs, text_labels = (pairing.text_probabilities(text, text_split) if text
                               else (None, None))
    paired = pairing.build_paired_set(face_probs, face_labels, speech_probs,
                                      pairing.speech_to_canonical(speech_labels), speech_actors,
                                      text_probs, text_labels, seed)
    factory = partial(make_rule, seed=seed, trees=50 if is_quick() else 300)
    report, panels = paired_report(paired, factory=factory)
    report["speech_folds"] = actor_folds(speech_actors, folds)
    report["seed"] = seed
    return report, panels, paired.y
