"""How fast the live normaliser learns a new voice: accuracy against the clips it has heard.

``python -m utils.retrain speech-adaptation --data DIR --actors 1-20`` runs
:func:`adaptation_curve` and writes ``models/speech_adaptation.json``. The protocol is the card's
grouped CV (:mod:`utils.audio.train_speaker_norm`): for each of the 5 folds of consecutive actors,
each member of the shipped recipe is fitted on the other 16 actors twice, speaker-normalised and
globally standardised ("unheard"), ``C`` chosen by a grouped CV inside those 16 (nested). Then,
for every held-out actor and each of ``orders`` random orders of their clips, a
:class:`~utils.audio.normalise.RunningSpeakerNormaliser` (starting from the training prior) is fed
the first n clips, unlabelled, and the actor's **other** clips are scored, for n in :data:`SEEN`;
``all`` scores every clip with the statistics of all of them (as the CV's speaker condition).

Three predictors are scored on the same clips: the shipped one (speaker-normalised and unheard
probabilities mixed by the prior's share k / (k + n), as
:class:`~utils.audio.predict.NormalisedLinearPredictor` does), the speaker-normalised models
alone, and the unheard models alone.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from utils.audio.normalise import RunningSpeakerNormaliser, speaker_normalise, speaker_prior
from utils.audio.train_speaker_norm import (fit_logreg_path, fit_member, probabilities,
                                            standardised)
from utils.datasets.ravdess import actor_folds

SEEN = (0, 1, 2, 5, 10, 20)  # clips heard before scoring; "all" is added after them
CURVES = ("shipped", "speaker_only", "unheard_only")
PROTOCOL = ("5 folds of 4 consecutive actors; models fitted on the other actors; for each held-out "
            "actor and {orders} random orders of their clips, a running normaliser (prior weight "
            "{k:g} clips) hears the first n unlabelled and the actor's other clips are scored "
            "('all': every clip, all heard); mean and std over folds")


def _fit_fold(features: dict[str, np.ndarray], y: np.ndarray, actors: np.ndarray,
              train: np.ndarray, inner: list, chosen: dict | None = None) -> dict:
    """{member: (speaker model, unheard model, speaker prior)} fitted on the ``train`` rows;
    ``chosen`` ({mode: C}) skips the C search."""
    out = {}
    for member, x in features.items():
        xs, ys, actor = x[train], y[train], actors[train]
        fitted = []
        for mode in ("speaker", "global"):
            if chosen is None:
                fitted.append(fit_member(xs, ys, actor, inner, mode)[2])
            else:
                c = chosen[(member, mode)]
                z = standardised(xs, actor, None, mode)
                fitted.append(fit_logreg_path(z, ys, [c])[c])
        out[member] = (*fitted, speaker_prior(xs, actor))
    return out


def _scores(features: dict, fitted: dict, seen: np.ndarray, scored: np.ndarray,
            prior_weight: float) -> dict[str, np.ndarray]:
    """{curve: predicted classes of the ``scored`` rows} after the normaliser heard ``seen``."""
    p = {curve: 0.0 for curve in CURVES}
    for member, x in features.items():
        speaker, unheard, prior = fitted[member]
        normaliser = RunningSpeakerNormaliser(*prior, prior_weight).update(x[seen])
        p_speaker = probabilities(speaker, normaliser.transform(x[scored]))
        p_unheard = probabilities(unheard, np.nan_to_num(x[scored].astype(np.float64)))
        p["speaker_only"] = p["speaker_only"] + p_speaker
        p["unheard_only"] = p["unheard_only"] + p_unheard
        share = normaliser.prior_share  # the shipped predictor's mix
        p["shipped"] = p["shipped"] + share * p_unheard + (1 - share) * p_speaker
    return {curve: probs.argmax(1) for curve, probs in p.items()}


def _all_clips(features: dict, fitted: dict, rows: np.ndarray) -> np.ndarray:
    """Predicted classes of an actor's clips, each normalised with all of that actor's clips."""
    p = sum(probabilities(fitted[m][0], speaker_normalise(x[rows], np.zeros(len(rows))))
            for m, x in features.items())
    return p.argmax(1)


def adaptation_curve(features: dict[str, np.ndarray], y: np.ndarray, actors: np.ndarray,
                     orders: int = 10, seed: int = 0, prior_weight: float = 2.0,
                     chosen_c: dict | None = None) -> dict:
    """The curves of the module docstring: per curve, per n of ``SEEN + ("all",)``, the mean
    and std over folds of the accuracy, the mean macro-F1 and the per-fold accuracies.

    ``chosen_c`` (the ``candidates`` of a ``speech_speaker_norm_cv.json`` over the same actors)
    fits every fold with the C that fold's nested CV chose (``<member>_speaker`` and
    ``<member>_global``), instead of choosing it again: the same models as that CV."""
    from sklearn.metrics import f1_score

    rng = np.random.default_rng(seed)
    blocks = actor_folds(actors)
    seen_labels = [*SEEN, "all"]
    hits = {curve: {n: [] for n in seen_labels} for curve in CURVES}
    for fold, held in enumerate(blocks):
        test = np.isin(actors, held)
        chosen = None if chosen_c is None else {
            (m, mode): chosen_c[f"{m}_{mode}"]["C"][fold] for m in features
            for mode in ("speaker", "global")}
        fitted = _fit_fold(features, y, actors, ~test, [b for b in blocks if b != held], chosen)
        truth = {n: [] for n in seen_labels}
        predicted = {curve: {n: [] for n in seen_labels} for curve in CURVES}
        for actor in held:
            rows = np.flatnonzero(actors == actor)
            for _ in range(orders):
                order = rng.permutation(rows)
                for n in SEEN:
                    truth[n].append(y[order[n:]])
                    for curve, pred in _scores(features, fitted, order[:n], order[n:],
                                               prior_weight).items():
                        predicted[curve][n].append(pred)
            truth["all"].append(y[rows])  # all clips heard: as predict_batch with speakers
            everything = _all_clips(features, fitted, rows)
            unheard = _scores(features, fitted, rows[:0], rows, prior_weight)["unheard_only"]
            for curve in CURVES:
                predicted[curve]["all"].append(unheard if curve == "unheard_only" else everything)
        for curve in CURVES:
            for n in seen_labels:
                t, p = np.concatenate(truth[n]), np.concatenate(predicted[curve][n])
                hits[curve][n].append((float(np.mean(t == p)),
                                       float(f1_score(t, p, average="macro"))))
    curves = {curve: _summary(hits[curve], seen_labels) for curve in CURVES}
    return {"protocol": PROTOCOL.format(orders=orders, k=prior_weight), "clips_seen": seen_labels,
            "accuracy": curves["shipped"]["mean_accuracy"], "orders": orders, "seed": seed,
            "prior_weight": prior_weight, "folds": [f"{b[0]}-{b[-1]}" for b in blocks],
            "curves": curves}


def _summary(hits: dict, seen_labels: Sequence) -> dict:
    """Mean/std accuracy, mean macro-F1 and per-fold accuracy of each n, as lists over n."""
    accuracy = {n: [a for a, _ in hits[n]] for n in seen_labels}
    return {"mean_accuracy": [round(float(np.mean(accuracy[n])), 4) for n in seen_labels],
            "std_accuracy": [round(float(np.std(accuracy[n])), 4) for n in seen_labels],
            "mean_macro_f1": [round(float(np.mean([f for _, f in hits[n]])), 4)
                              for n in seen_labels],
            "fold_accuracy": [[round(a, 4) for a in accuracy[n]] for n in seen_labels]}
