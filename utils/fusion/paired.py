"""Fusion measured on real data: examples of separate corpora paired by canonical emotion.

No public corpus has the same person's face, voice and sentence for one emotion at the scale the
course can use here, so this experiment builds the triples: each RAVDESS speech clip (calm counted
as neutral) gets a FER2013 face of the same canonical emotion and, where CARER has that emotion
(sad, happy, angry, fear, surprise), a CARER sentence of it; otherwise its text is missing (a NaN
row, :func:`utils.labels.missing`). The modalities' errors are therefore independent **by
construction**: what fusion gains here is a ceiling, not what a real audio-visual clip gains.

Every modality's probabilities come from a model that never trained on the example:

- faces: the shipped face model on a FER2013 split it was not trained on (:func:`face_probabilities`,
  flip-averaged as shipped);
- speech: **out of fold**, grouped by actor (:func:`speech_out_of_fold`): each fold of consecutive
  actors is predicted by a model trained on the other actors. The recipe is one argument
  (default :class:`SpeakerNormSpeechRecipe`, the shipped speaker-normalised recipe, each held-out
  actor normalised with their own unlabelled clips; :class:`LinearSpeechRecipe` is the earlier
  one), so a new speech recipe is measured by passing it;
- text: the shipped text model on a CARER split it was not trained on (:func:`text_probabilities`).

Pairing (:func:`pair_by_emotion`) is seeded: every example of the smaller side of a class is used,
no example is drawn twice while its class pool lasts, and draws past the end of a pool (reuse) are
counted. :func:`build_paired_set` splits the actors and both pools into two disjoint halves first,
so the rules can be cross-fitted without any face, sentence or voice on both sides
(:mod:`utils.fusion.crossfit`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from utils.config import is_quick
from utils.datasets.ravdess import actor_folds
from utils.labels import (EMOTIONS, N_CLASSES, RAVDESS_CLASSES, RAVDESS_TO_CANONICAL, missing,
                          to_canonical)

SPEECH_LOGREG_C = 0.003  # the C chosen by grouped cross-validation in models/speech_logreg.md

# recipe(train signals, train labels (8 RAVDESS classes), train actors, test signals, test actors)
# -> test probabilities (n_test, 8)
SpeechRecipe = Callable[[Sequence[np.ndarray], np.ndarray, np.ndarray, Sequence[np.ndarray],
                         np.ndarray], np.ndarray]


# --- pairing -----------------------------------------------------------------------------------
def pair_by_emotion(labels: Sequence[int], pool_labels: Sequence[int],
                    rng: np.random.Generator) -> tuple[np.ndarray, int]:
    """For each example of ``labels``, the index of a pool example of the same label.

    Per class, the pool is drawn in a random order without replacement; only when a class pool
    runs out is it shuffled again and drawn anew (a reuse). Returns ``(indices, reused)``:
    ``indices[i] == -1`` where the pool has no example of that class, ``reused`` counts the draws
    past the end of a pool. Every example of the smaller side of each class is used.
    """
    labels, pool_labels = np.asarray(labels), np.asarray(pool_labels)
    out = np.full(len(labels), -1, dtype=np.int64)
    reused = 0
    for label in np.unique(labels):
        wanted = np.flatnonzero(labels == label)
        pool = np.flatnonzero(pool_labels == label)
        if len(pool) == 0:
            continue
        rounds = -(-len(wanted) // len(pool))
        draws = np.concatenate([rng.permutation(pool) for _ in range(rounds)])[:len(wanted)]
        out[rng.permutation(wanted)] = draws
        reused += max(0, len(wanted) - len(pool))
    return out, reused


def pool_halves(labels: Sequence[int], seed: int) -> np.ndarray:
    """Half (0 or 1) of each pool example: two disjoint halves stratified by label, seeded."""
    from sklearn.model_selection import StratifiedKFold

    labels = np.asarray(labels)
    half = np.zeros(len(labels), dtype=np.int64)
    _, second = next(StratifiedKFold(2, shuffle=True, random_state=seed).split(labels, labels))
    half[second] = 1
    return half


def actor_halves(actors: Sequence[int], seed: int) -> tuple[list[int], list[int]]:
    """The actors in two halves of (nearly) equal size, as many male as female voices in each
    (RAVDESS: odd actors male), seeded."""
    from sklearn.model_selection import StratifiedKFold

    unique = np.unique(np.asarray(actors))
    if len(unique) < 4:
        raise ValueError(f"fusion-paired needs at least 4 actors (two per half), got {len(unique)}")
    sexes = unique % 2 if min(np.bincount(unique % 2, minlength=2)) >= 2 else np.zeros(len(unique))
    first, second = next(StratifiedKFold(2, shuffle=True, random_state=seed).split(unique, sexes))
    return sorted(unique[second].tolist()), sorted(unique[first].tolist())


@dataclass
class PairedSet:
    """Triples of one canonical emotion: ``probs`` maps modality -> (n, 7) (text NaN where
    missing), ``y`` canonical labels, ``actors`` the speaker of each clip, ``half`` 0/1 per row;
    ``face_index`` / ``text_index`` point into the pools (-1: none), ``reused`` counts reuse."""

    probs: dict[str, np.ndarray]
    y: np.ndarray
    actors: np.ndarray
    half: np.ndarray
    face_index: np.ndarray
    text_index: np.ndarray
    halves: tuple[list[int], list[int]]
    reused: dict[str, int] = field(default_factory=dict)


def build_paired_set(face_probs: np.ndarray, face_labels: np.ndarray, speech_probs: np.ndarray,
                     speech_labels: np.ndarray, actors: np.ndarray,
                     text_probs: np.ndarray | None = None, text_labels: np.ndarray | None = None,
                     seed: int = 42) -> PairedSet:
    """Pair every speech clip with a face (and a sentence where CARER has its emotion).

    All arguments are canonical: probabilities ``(n, 7)`` and labels 0-6 (-1: no canonical
    emotion, never paired). The actors and both pools are split in halves first
    (:func:`actor_halves`, :func:`pool_halves`) and each half of the clips is paired only with
    the same half of the pools, so the two halves share no face, sentence or voice.
    """
    rng = np.random.default_rng(seed)
    actors, speech_labels = np.asarray(actors), np.asarray(speech_labels)
    halves = actor_halves(actors, seed)
    half = np.isin(actors, halves[1]).astype(np.int64)
    pools = {"face": (np.asarray(face_probs), np.asarray(face_labels))}
    if text_probs is not None:
        pools["text"] = (np.asarray(text_probs), np.asarray(text_labels))
    index = {name: np.full(len(actors), -1, dtype=np.int64) for name in ("face", "text")}
    reused = {name: 0 for name in pools}
    for name, (_, labels) in pools.items():
        pool_half = pool_halves(labels, seed)
        for h in (0, 1):
            rows, members = np.flatnonzero(half == h), np.flatnonzero(pool_half == h)
            drawn, count = pair_by_emotion(speech_labels[rows], labels[members], rng)
            index[name][rows] = np.where(drawn >= 0, members[np.maximum(drawn, 0)], -1)
            reused[name] += count
    if (index["face"] < 0).any():
        absent = sorted({EMOTIONS[c] for c in speech_labels[index["face"] < 0]})
        raise ValueError(f"the face split has no faces of {', '.join(absent)} in one of its halves")
    probs = {"face": pools["face"][0][index["face"]], "speech": np.asarray(speech_probs)}
    if "text" in pools:
        probs["text"] = np.where((index["text"] >= 0)[:, None],
                                 pools["text"][0][np.maximum(index["text"], 0)],
                                 missing(len(actors)))
    return PairedSet(probs, speech_labels, actors, half, index["face"], index["text"], halves,
                     reused)


# --- probabilities without leakage -------------------------------------------------------------
class _CachedFeatures:
    """Features of each signal computed once and kept for the other folds (by object: the
    signal is kept too, so its id stays unique)."""

    def __init__(self, function: Callable[[np.ndarray], np.ndarray]) -> None:
        self.function = function
        self._features: dict[int, tuple[np.ndarray, np.ndarray]] = {}

    def __call__(self, signals: Sequence[np.ndarray]) -> np.ndarray:
        """The stacked features ``(n, d)`` of ``signals``."""
        for signal in signals:
            if id(signal) not in self._features:
                self._features[id(signal)] = (signal, self.function(signal))
        return np.stack([self._features[id(s)][1] for s in signals])


class LinearSpeechRecipe:
    """The course's earlier linear speech recipe as a :data:`SpeechRecipe`: ``speech_features``
    of each trimmed clip, ``StandardScaler`` and a balanced logistic regression
    (:func:`utils.audio.models.speech_logreg`, ``C`` of models/speech_logreg.md), trained on the
    training actors' clips. Features are computed once per clip and kept for the other folds."""

    def __init__(self, c: float = SPEECH_LOGREG_C) -> None:
        from utils.audio.features import speech_features

        self.c = c
        self.features = _CachedFeatures(speech_features)

    def __call__(self, train_signals: Sequence[np.ndarray], train_labels: np.ndarray,
                 train_actors: np.ndarray, test_signals: Sequence[np.ndarray],
                 test_actors: np.ndarray) -> np.ndarray:
        """Fit on the training clips, return the test clips' probabilities ``(n, 8)``."""
        from utils.audio.models import speech_logreg

        model = speech_logreg(self.c).fit(self.features(train_signals), train_labels)
        out = np.zeros((len(test_signals), len(RAVDESS_CLASSES)))
        out[:, model.classes_] = model.predict_proba(self.features(test_signals))
        return out


class SpeakerNormSpeechRecipe:
    """The shipped speech recipe (:mod:`utils.audio.train_speaker_norm`, models/
    speech_speaker_norm.md) as a :data:`SpeechRecipe`, the default of
    :func:`speech_out_of_fold`: for each member feature set (``MEMBERS``), the training actors'
    clips each z-scored with their own actor's statistics, ``C`` chosen by a grouped CV over the
    training actors only (folds of consecutive actors, nested as in the card), a balanced
    logistic regression; the test clips z-scored with **their own actor's** clips (unlabelled
    audio of the held-out voice, as ``utils.evaluate speech`` does); the members' probabilities
    averaged. ``cv_candidates`` (the ``candidates`` of a ``speech_speaker_norm_cv.json``) gives
    a fold whose held-out actors are one of that CV's folds the C its nested CV chose there
    (the same model as the card's CV) instead of choosing it again; in quick mode a fold without
    one takes the shipped member's C instead of a nested search."""

    def __init__(self, members: Sequence[str] | None = None,
                 cv_candidates: dict | None = None) -> None:
        from utils.audio.predict import feature_function
        from utils.audio.train_speaker_norm import FEATURES, MEMBERS

        self.members = list(members or MEMBERS)
        self.features = {m: _CachedFeatures(feature_function(FEATURES[m])) for m in self.members}
        self.cv_candidates = cv_candidates or {}

    def _chosen_c(self, member: str, test_actors: np.ndarray) -> float | None:
        """The C the CV report chose for the fold holding out exactly ``test_actors``; in quick
        mode, without one, the shipped member's C (tiny training: no nested search)."""
        record = self.cv_candidates.get(f"{member}_speaker", {})
        fold = f"{int(np.min(test_actors))}-{int(np.max(test_actors))}"
        if fold in record.get("folds", []):
            return record["C"][record["folds"].index(fold)]
        if is_quick():
            from utils.audio.train_speaker_norm import shipped_c

            return shipped_c(member)
        return None

    def __call__(self, train_signals: Sequence[np.ndarray], train_labels: np.ndarray,
                 train_actors: np.ndarray, test_signals: Sequence[np.ndarray],
                 test_actors: np.ndarray) -> np.ndarray:
        """Fit every member on the training clips as the speech CV fits a fold (its
        ``speaker_norm_fold_probabilities``), return the test clips' mean probabilities."""
        from utils.audio.train_speaker_norm import speaker_norm_fold_probabilities

        out = np.zeros((len(test_signals), len(RAVDESS_CLASSES)))
        for member in self.members:
            features = self.features[member]
            _, scored = speaker_norm_fold_probabilities(
                features(train_signals), train_labels, train_actors, features(test_signals),
                test_actors, self._chosen_c(member, test_actors))
            out += scored["speaker"] / len(self.members)
        return out


def speech_out_of_fold(signals: Sequence[np.ndarray], labels: Sequence[int],
                       actors: Sequence[int], folds: int = 5,
                       recipe: SpeechRecipe | None = None) -> np.ndarray:
    """Out-of-fold speech probabilities ``(n, 8)`` (RAVDESS classes), grouped by actor.

    The actors are cut into ``folds`` groups of consecutive actors
    (:func:`utils.datasets.ravdess.actor_folds`);
    each group's clips are predicted by ``recipe`` trained on the other groups' clips only, so no
    probability comes from a model that heard the voice. ``recipe`` defaults to the shipped
    recipe, :class:`SpeakerNormSpeechRecipe`; any :data:`SpeechRecipe` (e.g. the earlier
    :class:`LinearSpeechRecipe`) can replace it.
    """
    recipe = recipe or SpeakerNormSpeechRecipe()
    labels, actors = np.asarray(labels), np.asarray(actors)
    signals = list(signals)
    out = np.full((len(signals), len(RAVDESS_CLASSES)), np.nan)
    for group in actor_folds(actors, folds):
        test = np.isin(actors, group)
        pick = lambda mask: [s for s, m in zip(signals, mask) if m]  # noqa: E731
        out[test] = recipe(pick(~test), labels[~test], actors[~test], pick(test), actors[test])
    return out


def face_probabilities(folder: str | Path, split: str,
                       model_path: str | Path | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Canonical probabilities ``(n, 7)`` and labels of a FER2013 split from the shipped face
    model (flip-averaged, as its card reports). Use a split the model was not trained on."""
    from utils.datasets import fer2013
    from utils.video.predict import load_face_model, predict_in_batches

    if split == "Training":
        raise ValueError("the face model was trained on FER2013 Training: pair faces of "
                         "PublicTest or PrivateTest")
    images, labels = fer2013.load(split, folder=Path(folder))
    if len(images) == 0:
        raise FileNotFoundError(f"no FER2013 {split} images below {folder}")
    probs = predict_in_batches(load_face_model(model_path), images, flip=True)
    return to_canonical(probs, "face"), np.asarray(labels)


def text_probabilities(folder: str | Path, split: str) -> tuple[np.ndarray, np.ndarray]:
    """Canonical probabilities ``(n, 7)`` and canonical labels (-1 for ``love``, which has no
    counterpart) of a CARER split from the shipped text model (a text without a known word gets
    the training base rates). Use a split the model was not trained on."""
    from utils.datasets import carer
    from utils.labels import CARER_TO_CANONICAL
    from utils.text.predict import load_text_model

    if split == "train":
        raise ValueError("the text model was trained on CARER train: pair sentences of val or test")
    frame = carer.load(split, Path(folder))
    probs = load_text_model("text_emotion").predict_proba(list(frame["text"]), unknown="base_rates")
    labels = [CARER_TO_CANONICAL[label] for label in frame["label"]]
    return (to_canonical(probs, "text"),
            np.array([EMOTIONS.index(e) if e else -1 for e in labels], dtype=np.int64))


def speech_clips(folder: str | Path, actors: Sequence[int]
                 ) -> tuple[list[np.ndarray], np.ndarray, np.ndarray]:
    """Trimmed signals, RAVDESS labels (8 classes) and actors of the speech clips of ``actors``."""
    from utils.audio.features import trim_silence
    from utils.audio.io import load_audio
    from utils.datasets import ravdess

    frame = ravdess.table(Path(folder))
    frame = frame[frame["actor"].isin(list(actors))]
    if frame.empty:
        raise FileNotFoundError(f"no RAVDESS speech files of actors {list(actors)} below {folder}")
    signals = [trim_silence(load_audio(path)) for path in frame["path"]]
    return (signals, frame["emotion"].map(RAVDESS_CLASSES.index).to_numpy(),
            frame["actor"].to_numpy())


def speech_to_canonical(labels: Sequence[int]) -> np.ndarray:
    """RAVDESS label indices -> canonical indices (calm counts as neutral)."""
    return np.array([EMOTIONS.index(RAVDESS_TO_CANONICAL[RAVDESS_CLASSES[i]]) for i in labels],
                    dtype=np.int64)


def check_canonical(probs: np.ndarray) -> np.ndarray:
    """``probs`` as a float array of shape ``(n, 7)``; ValueError otherwise."""
    probs = np.asarray(probs, dtype=np.float64)
    if probs.ndim != 2 or probs.shape[1] != N_CLASSES:
        raise ValueError(f"expected canonical probabilities (n, {N_CLASSES}), got {probs.shape}")
    return probs
