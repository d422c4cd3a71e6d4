"""The default speech model's recipe: speaker normalisation, chosen by grouped cross-validation.

``python -m utils.retrain speech-speaker-norm --data DIR`` runs :func:`train_speech_speaker_norm`:

1. every RAVDESS clip of the given actors (default 1-20) is loaded at 16 kHz, trimmed of silence,
   and described twice (:data:`MEMBERS`): the real-time cut of the ComParE 2016 functionals
   (:func:`utils.audio.compare_realtime_features`, 6,061 numbers, about 40% of the full set's
   CPU) and the course's librosa statistics
   (:func:`utils.audio.speech_features`, 592); models/speech_speaker_norm.md;
2. the protocol: 5 folds of 4 actors (1-4, 5-8, ...: two male, two female each); each fold is
   scored by models fitted on the other 16 actors, whose regularisation ``C`` was chosen by a
   grouped CV over those 16 alone (nested), so no number is measured on actors that chose it.
   Every candidate is reported per fold: each feature set alone and the two averaged, with
   speaker normalisation (each actor z-scored with its own unlabelled clips,
   :func:`utils.audio.normalise.speaker_normalise`), the same models fed the training prior only
   (a new speaker before any of their audio is heard), and the usual global standardisation
   (the ``global`` models are the shipped ones for a voice not heard yet: the ensemble's
   ``prior`` number is the condition, ``ensemble_global`` the shipped recipe's number in it);
3. the shipped models are fitted on all the actors, ``C`` chosen by the same 5-fold CV, and saved
   as JSON with the speaker prior (:func:`utils.audio.normalise.speaker_prior`) inside:
   ``speech_sn_compare_realtime.json``, ``speech_sn_librosa.json`` (each with its ``_unheard`` twin,
   fitted with global standardisation, for a voice before any of it is heard); the CV in
   ``speech_speaker_norm_cv.json``.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from utils.audio.normalise import speaker_normalise, speaker_prior
from utils.datasets.ravdess import actor_folds

MEMBERS = ("compare_realtime", "librosa")  # the shipped pair's feature sets
FEATURES = {"compare": "utils.audio.compare_features",
            "compare_realtime": "utils.audio.compare_realtime_features",
            "egemaps": "utils.audio.egemaps_features", "librosa": "utils.audio.speech_features"}
GRID = (3e-4, 1e-3, 3e-3, 1e-2, 3e-2)
MODES = ("speaker", "prior", "global")  # how the scored actors' features are standardised


def fit_logreg_path(x: np.ndarray, y: np.ndarray, grid: Sequence[float]) -> dict:
    """``{C: (mean, scale, coef, intercept)}``: balanced multinomial logistic regressions on
    standardised ``x`` for every C, in the original feature space.

    Fitted along the C path with warm starts and, when there are more features than rows, in
    the row space of the standardised matrix: with an L2 penalty the weights lie in the span of
    the training rows, so fitting on ``x V`` (x = U S V^T) and mapping back with ``V^T`` gives the
    same model at a fraction of the cost (ComParE: 6,373 -> at most 1,200 columns)."""
    from sklearn.linear_model import LogisticRegression

    mean, scale = x.mean(0), x.std(0)
    scale[scale < 1e-12] = 1.0
    z = (x - mean) / scale
    basis = np.linalg.svd(z, full_matrices=False)[2] if z.shape[1] > z.shape[0] else None
    z = z if basis is None else z @ basis.T
    model = LogisticRegression(max_iter=3000, class_weight="balanced", warm_start=True)
    out = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for c in sorted(grid):
            model.set_params(C=c).fit(z, y)
            coef = model.coef_ if basis is None else model.coef_ @ basis
            out[c] = (mean, scale, coef.copy(), model.intercept_.copy(), model.classes_.copy())
    return out


def probabilities(fitted: tuple, x: np.ndarray, n_classes: int = 8) -> np.ndarray:
    """Class probabilities (n, n_classes) of one fitted model of :func:`fit_logreg_path`."""
    mean, scale, coef, intercept, classes = fitted
    logits = ((x - mean) / scale) @ coef.T + intercept
    logits -= logits.max(1, keepdims=True)
    p = np.exp(logits)
    out = np.zeros((len(x), n_classes))
    out[:, classes] = p / p.sum(1, keepdims=True)
    return out


def standardised(x: np.ndarray, actors: np.ndarray, train: np.ndarray, mode: str) -> np.ndarray:
    """Features as a model of ``mode`` sees them: ``speaker``: every actor z-scored with their own
    clips; ``prior``: training actors so, the others with the training actors' prior;
    ``global``: raw (the model's scaler standardises them globally)."""
    x = np.nan_to_num(np.asarray(x, np.float64), nan=0.0, posinf=0.0, neginf=0.0)
    if mode == "global":
        return x
    out = speaker_normalise(x, actors)
    if mode == "prior":
        out[~train] = _prior_standardised(x[~train], x[train], actors[train])
    return out


def _prior_standardised(x: np.ndarray, x_train: np.ndarray, actors_train: np.ndarray) -> np.ndarray:
    """``x`` (NaN and infinities as 0) z-scored with the training actors' prior
    (:func:`utils.audio.normalise.speaker_prior`): a voice before any of its clips is heard."""
    mean, var = speaker_prior(x_train, actors_train)
    x = np.nan_to_num(np.asarray(x, np.float64), nan=0.0, posinf=0.0, neginf=0.0)
    return (x - mean) / np.where(var > 1e-16, np.sqrt(var), 1.0)


def choose_c(x, y, actors, blocks, mode) -> tuple[float, dict]:
    """C by grouped CV over ``blocks`` (each block held out once), and the mean accuracy per C."""
    scores = {c: [] for c in GRID}
    for held in blocks:
        test = np.isin(actors, held)
        z = standardised(x, actors, ~test, "global" if mode == "global" else "speaker")
        for c, fitted in fit_logreg_path(z[~test], y[~test], GRID).items():
            scores[c].append(float(np.mean(probabilities(fitted, z[test]).argmax(1) == y[test])))
    mean = {c: float(np.mean(v)) for c, v in scores.items()}
    return max(GRID, key=lambda c: (mean[c], -c)), mean  # ties: the stronger penalty


def fit_member(x: np.ndarray, y: np.ndarray, actors: np.ndarray, blocks: list,
               mode: str) -> tuple[float, dict, tuple]:
    """(C, mean accuracy per C, fitted model): C chosen by grouped CV over ``blocks``, then one
    model fitted on all rows, each actor z-scored with their own clips (``mode`` ``speaker``) or
    all standardised together (``global``)."""
    c, by_c = choose_c(x, y, actors, blocks, mode)
    z = speaker_normalise(x, actors) if mode == "speaker" else standardised(x, actors, None, mode)
    return c, by_c, fit_logreg_path(z, y, [c])[c]


def speaker_norm_fold_probabilities(x_train: np.ndarray, y_train: np.ndarray,
                                    actors_train: np.ndarray, x_test: np.ndarray,
                                    actors_test: np.ndarray, c: float | None = None,
                                    inner_blocks: list | None = None
                                    ) -> tuple[float, dict[str, np.ndarray]]:
    """One outer fold of a speaker-normalised member: ``(C, {scoring: probabilities (n_test, 8)})``.

    ``C`` is ``c`` when given, else chosen by a grouped CV over ``inner_blocks`` of the training
    actors (default: 4 blocks of consecutive actors, the card's nested CV for 16 of them); the
    model is fitted on the training clips, each actor z-scored with their own clips. The test clips
    are scored twice: ``speaker``, each test actor z-scored with their own (unlabelled) clips, and
    ``prior``, with the training actors' prior. The CV of :func:`cross_validate` and the fusion's
    out-of-fold speech (:class:`utils.fusion.paired.SpeakerNormSpeechRecipe`) both fit folds so."""
    if c is None:
        blocks = actor_folds(actors_train, 4) if inner_blocks is None else inner_blocks
        c, _ = choose_c(x_train, y_train, actors_train, blocks, "speaker")
    fitted = fit_logreg_path(speaker_normalise(x_train, actors_train), y_train, [c])[c]
    return c, {"speaker": probabilities(fitted, speaker_normalise(x_test, actors_test)),
               "prior": probabilities(fitted, _prior_standardised(x_test, x_train, actors_train))}


def _fold_probabilities(x, y, actors, blocks, held, fit_mode) -> tuple[float, np.ndarray, dict]:
    """(chosen C, test rows, {scoring mode: probabilities}) of one outer fold of one member:
    a ``speaker`` model is scored both with the test actors' own statistics and with the prior."""
    test = np.isin(actors, held)
    inner = [b for b in blocks if b != held]
    if fit_mode == "speaker":
        c, scored = speaker_norm_fold_probabilities(x[~test], y[~test], actors[~test], x[test],
                                                    actors[test], inner_blocks=inner)
        return c, test, scored
    c, _, fitted = fit_member(x[~test], y[~test], actors[~test], inner, "global")
    scored = probabilities(fitted, standardised(x, actors, ~test, "global")[test])
    return c, test, {"global": scored}


def fold_summary(y: np.ndarray, p: np.ndarray, actors: np.ndarray, blocks: list) -> dict:
    """Accuracy and macro-F1 of out-of-fold probabilities: mean, std and per fold."""
    from sklearn.metrics import f1_score

    pred = p.argmax(1)
    accuracy = [float(np.mean(pred[np.isin(actors, b)] == y[np.isin(actors, b)])) for b in blocks]
    macro_f1 = [float(f1_score(y[np.isin(actors, b)], pred[np.isin(actors, b)], average="macro"))
                for b in blocks]
    return {"mean_accuracy": float(np.mean(accuracy)), "std_accuracy": float(np.std(accuracy)),
            "mean_macro_f1": float(np.mean(macro_f1)), "fold_accuracy": accuracy,
            "fold_macro_f1": macro_f1, "folds": [f"{b[0]}-{b[-1]}" for b in blocks]}


def cross_validate(features: dict[str, np.ndarray], y: np.ndarray, actors: np.ndarray,
                   verbose: bool = True) -> dict:
    """The nested grouped CV of every candidate (see the module docstring): ``<member>_<mode>``
    and ``ensemble_<mode>`` for the modes of :data:`MODES`."""
    blocks = actor_folds(actors)
    results, oof = {}, {}
    for member, x in features.items():
        for fit_mode in ("speaker", "global"):
            p = {m: np.zeros((len(y), 8)) for m in MODES}
            chosen = []
            for held in blocks:
                c, test, scored = _fold_probabilities(x, y, actors, blocks, held, fit_mode)
                chosen.append(c)
                for mode, probs in scored.items():
                    p[mode][test] = probs
            for mode in (("speaker", "prior") if fit_mode == "speaker" else ("global",)):
                oof[(member, mode)] = p[mode]
                results[f"{member}_{mode}"] = fold_summary(y, p[mode], actors, blocks) | {
                    "C": chosen}
                if verbose:
                    print(f"{member} {mode}: {results[f'{member}_{mode}']['mean_accuracy']:.3f} "
                          f"C={chosen}", flush=True)
    for mode in MODES:
        mean = np.mean([oof[(m, mode)] for m in features], 0)
        results[f"ensemble_{mode}"] = fold_summary(y, mean, actors, blocks)
    return results


def clip_features(data: str | Path, actors: Sequence[int], cache: str | Path | None = None,
                  members: Sequence[str] = MEMBERS) -> tuple[dict, np.ndarray, np.ndarray]:
    """({member: features (clips, d)}, labels, actors) of the RAVDESS clips of ``actors``, each
    loaded, trimmed once and described by every feature set of ``members`` (keys of
    :data:`FEATURES`). ``cache`` (an ``.npz`` path **outside** the project: it holds the data's
    content) skips the work the second time; a cache without one of the members is redone."""
    from utils.audio.features import trim_silence
    from utils.audio.io import load_audio
    from utils.audio.predict import feature_function
    from utils.datasets import ravdess
    from utils.labels import RAVDESS_CLASSES

    if cache is not None and Path(cache).exists():
        saved = np.load(cache)
        if set(members) <= set(saved.files):
            return {m: saved[m] for m in members}, saved["y"], saved["actors"]
    frame = ravdess.table(Path(data))
    frame = frame[frame["actor"].isin(list(actors))].sort_values("path").reset_index(drop=True)
    if frame.empty:
        raise FileNotFoundError(f"no RAVDESS speech files of actors {list(actors)} below {data}")
    signals = [trim_silence(load_audio(path)) for path in frame["path"]]
    features = {m: np.stack([feature_function(FEATURES[m])(s, trim=False) for s in signals])
                for m in members}
    y = frame["emotion"].map(RAVDESS_CLASSES.index).to_numpy()
    found = frame["actor"].to_numpy()
    if cache is not None:
        np.savez(cache, y=y, actors=found, **features)
    return features, y, found


def save_member(fitted: tuple, path: Path, prior: tuple | None = None, **meta) -> Path:
    """One shipped member as :func:`utils.inference.save_linear_pipeline` writes a linear model;
    a speaker-normalised one with ``prior`` (the normaliser's starting mean and variance,
    :func:`utils.audio.normalise.speaker_prior`) beside the coefficients."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    from utils.inference import save_linear_pipeline
    from utils.labels import RAVDESS_CLASSES

    mean, scale, coef, intercept, classes = fitted
    scaler, classifier = StandardScaler(), LogisticRegression()
    scaler.mean_, scaler.scale_ = mean, scale
    classifier.coef_, classifier.intercept_, classifier.classes_ = coef, intercept, classes
    if prior is not None:
        meta |= {"prior_weight": 2.0, "speaker_prior_mean": prior[0].tolist(),
                 "speaker_prior_var": prior[1].tolist()}
    return save_linear_pipeline(make_pipeline(scaler, classifier), path,
                                class_names=list(RAVDESS_CLASSES), **meta)


def train_speech_speaker_norm(data: str | Path, out: str | Path | None = None,
                              actors: Sequence[int] = range(1, 21),
                              cache: str | Path | None = None, verbose: bool = True) -> dict:
    """Cross-validate every candidate, then fit and save the shipped pair on all ``actors``.

    Writes, per member of :data:`MEMBERS`, ``speech_sn_<member>.json`` (speaker-normalised) and
    ``speech_sn_<member>_unheard.json`` (globally standardised, for a voice not heard yet; the
    first names it), and the CV report ``speech_speaker_norm_cv.json`` to ``out`` (default
    ``models/``); returns the report."""
    import json

    from utils.config import MODELS_DIR

    out = Path(out) if out else MODELS_DIR
    out.mkdir(parents=True, exist_ok=True)
    features, y, found = clip_features(data, actors, cache)
    report = {"protocol": "5-fold CV grouped by actor (blocks of 4 consecutive actors), C chosen "
                          "by nested grouped CV inside the training actors",
              "members": list(MEMBERS), "actors": sorted(set(found.tolist())), "grid": list(GRID),
              "candidates": cross_validate(features, y, found, verbose)}
    blocks = actor_folds(found)
    for member, x in features.items():
        c, by_c, fitted = fit_member(x, y, found, blocks, "speaker")
        save_member(fitted, out / f"speech_sn_{member}.json", speaker_prior(x, found),
                    features=FEATURES[member], c=c,
                    cv_accuracy_by_c={str(k): round(v, 4) for k, v in by_c.items()},
                    trained_on=f"{_trained_on(found)}, each z-scored with their own clips",
                    unheard_model=f"speech_sn_{member}_unheard.json")
        report[f"shipped_{member}_C"] = c
        report[f"shipped_{member}_unheard_C"] = save_unheard(member, x, y, found, out)
    (out / "speech_speaker_norm_cv.json").write_text(json.dumps(report, indent=1))
    return report


def shipped_c(member: str) -> float:
    """The C of the shipped member ``member`` (``shipped_<member>_C`` of the CV report that
    :func:`train_speech_speaker_norm` wrote, models/speech_speaker_norm_cv.json)."""
    import json

    from utils.config import MODELS_DIR

    report = json.loads((MODELS_DIR / "speech_speaker_norm_cv.json").read_text())
    return float(report[f"shipped_{member}_C"])


def _trained_on(actors: np.ndarray) -> str:
    """'RAVDESS speech actors 1-20' for the actors a model was fitted on."""
    return f"RAVDESS speech actors {int(actors.min())}-{int(actors.max())}"


def save_unheard(member: str, x: np.ndarray, y: np.ndarray, actors: np.ndarray,
                 out: Path) -> float:
    """Fit a member's unheard twin (global standardisation, ``C`` by the 5-fold grouped CV)
    on all ``actors``, save it as ``speech_sn_<member>_unheard.json``; return its C."""
    c, by_c, fitted = fit_member(x, y, actors, actor_folds(actors), "global")
    save_member(fitted, out / f"speech_sn_{member}_unheard.json", features=FEATURES[member], c=c,
                cv_accuracy_by_c={str(k): round(v, 4) for k, v in by_c.items()},
                trained_on=f"{_trained_on(actors)}, standardised over all their clips together")
    return c


def add_unheard_models(data: str | Path, out: str | Path | None = None,
                       actors: Sequence[int] = range(1, 21),
                       cache: str | Path | None = None) -> dict:
    """Only the unheard twins: fit them (:func:`save_unheard`) and name them in the existing
    speaker-normalised members' files (their numbers unchanged). What
    ``retrain speech-speaker-norm --unheard-only`` runs, without redoing the whole CV."""
    import json

    from utils.config import MODELS_DIR

    out = Path(out) if out else MODELS_DIR
    features, y, found = clip_features(data, actors, cache)
    chosen = {}
    for member, x in features.items():
        chosen[member] = save_unheard(member, x, y, found, out)
        path = out / f"speech_sn_{member}.json"
        record = json.loads(path.read_text())
        record["unheard_model"] = f"speech_sn_{member}_unheard.json"
        path.write_text(json.dumps(record))
    return chosen
