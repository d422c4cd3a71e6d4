"""utils.fusion.paired and utils.fusion.crossfit: pairing by emotion, cross-fitted rules, the command."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from utils import evaluate
from utils.fusion import ForestFusion, crossfit, paired
from utils.labels import EMOTIONS, N_CLASSES, to_canonical


def noisy_probs(labels, rng, strength=1.5):
    """Canonical probabilities that point to the label more often than not."""
    logits = rng.normal(size=(len(labels), N_CLASSES))
    logits[np.arange(len(labels)), labels] += strength
    p = np.exp(logits)
    return p / p.sum(axis=1, keepdims=True)


def synthetic_set(seed=0, actors=range(1, 9), faces_per_class=30, text=True):
    """A paired set from synthetic speech clips (12 per actor) and pools of faces and sentences."""
    rng = np.random.default_rng(seed)
    actors = np.repeat(np.asarray(list(actors)), 12)
    speech_y = np.tile(np.arange(12) % N_CLASSES, len(actors) // 12)
    face_y = np.repeat(np.arange(N_CLASSES), faces_per_class)
    text_y = np.repeat([0, 2, 3, 4, 5, -1], 20)  # CARER: no disgust, no neutral; -1 is love
    text_probs = to_canonical(rng.dirichlet(np.ones(6), len(text_y)), "text")
    return paired.build_paired_set(noisy_probs(face_y, rng), face_y, noisy_probs(speech_y, rng),
                                   speech_y, actors, text_probs if text else None,
                                   text_y if text else None, seed=seed)


def test_pairing_is_reproducible_and_matches_emotions():
    labels = np.repeat(np.arange(N_CLASSES), 5)
    pool = np.repeat(np.arange(N_CLASSES), 8)
    first, reused = paired.pair_by_emotion(labels, pool, np.random.default_rng(3))
    second, _ = paired.pair_by_emotion(labels, pool, np.random.default_rng(3))
    np.testing.assert_array_equal(first, second)
    np.testing.assert_array_equal(pool[first], labels)
    assert reused == 0 and len(set(first.tolist())) == len(first)  # no face paired twice


def test_a_small_pool_is_used_entirely_and_its_reuse_counted():
    labels = np.array([0] * 10 + [1] * 3)
    pool = np.array([0] * 4 + [1] * 6)
    drawn, reused = paired.pair_by_emotion(labels, pool, np.random.default_rng(0))
    assert set(drawn[labels == 0].tolist()) == {0, 1, 2, 3}  # every face of the smaller side
    assert reused == 6
    assert len(set(drawn[labels == 1].tolist())) == 3  # the larger pool: no reuse


def test_a_class_missing_from_the_pool_is_not_paired():
    drawn, reused = paired.pair_by_emotion([0, 1, 1], [0, 0], np.random.default_rng(0))
    assert drawn[0] in (0, 1) and (drawn[1:] == -1).all() and reused == 0


def test_the_halves_share_no_actor_face_or_sentence():
    data = synthetic_set()
    assert not set(data.halves[0]) & set(data.halves[1])
    for h in (0, 1):
        assert set(data.actors[data.half == h].tolist()) == set(data.halves[h])
    assert not set(data.face_index[data.half == 0]) & set(data.face_index[data.half == 1])
    texts = [set(data.text_index[(data.half == h) & (data.text_index >= 0)]) for h in (0, 1)]
    assert not texts[0] & texts[1]
    assert data.reused == {"face": 0, "text": data.reused["text"]}


def test_text_is_missing_exactly_where_carer_lacks_the_emotion():
    data = synthetic_set()
    lacking = np.isin(data.y, [EMOTIONS.index("disgust"), EMOTIONS.index("neutral")])
    np.testing.assert_array_equal(np.isnan(data.probs["text"]).all(axis=1), lacking)


def test_pairing_is_reproducible_with_the_seed_and_changes_without():
    a, b, c = synthetic_set(seed=1), synthetic_set(seed=1), synthetic_set(seed=2)
    np.testing.assert_array_equal(a.face_index, b.face_index)
    assert not np.array_equal(a.face_index, c.face_index)


def test_speech_out_of_fold_never_predicts_a_voice_it_trained_on():
    calls = []

    def recipe(train_x, train_y, train_actors, test_x, test_actors):
        calls.append((set(train_actors.tolist()), set(test_actors.tolist())))
        return np.full((len(test_x), 8), 1 / 8)

    actors = np.repeat(np.arange(1, 11), 3)
    signals = [np.zeros(10) for _ in actors]
    probs = paired.speech_out_of_fold(signals, np.zeros(len(actors), int), actors, 5, recipe)
    assert probs.shape == (30, 8) and not np.isnan(probs).any()
    assert [sorted(test) for _, test in calls] == [[1, 2], [3, 4], [5, 6], [7, 8], [9, 10]]
    assert all(not train & test for train, test in calls)


def test_the_forest_stacker_handles_a_missing_modality():
    rng = np.random.default_rng(0)
    y = np.tile(np.arange(N_CLASSES), 20)
    probs = {m: noisy_probs(y, rng) for m in ("face", "speech", "text")}
    probs["text"][y >= 5] = np.nan
    forest = ForestFusion(("face", "speech", "text"), n_estimators=20, allowed_actors=[1, 2])
    forest.fit(probs, y, actors=np.tile([1, 2], len(y) // 2))
    without_text = {"face": probs["face"], "speech": probs["speech"]}
    out = forest.predict_proba(without_text)
    assert out.shape == (len(y), N_CLASSES) and np.allclose(out.sum(axis=1), 1)
    with pytest.raises(ValueError, match="actors"):
        ForestFusion(allowed_actors=[1]).fit(probs, y, actors=np.full(len(y), 3))


def test_the_chooser_never_sees_the_scored_half():
    data = synthetic_set(actors=range(1, 13))
    truth = {row.tobytes(): label for row, label in zip(data.probs["face"], data.y)}
    scored = {row.tobytes() for row in data.probs["face"][data.half == 1]}
    fitted_rows = []

    class Cheat:
        """Knows the answers of the half-1 examples: perfect there, uniform elsewhere."""

        def fit(self, probs, y, actors):
            fitted_rows.append({row.tobytes() for row in probs["face"]})
            return self

        def predict_proba(self, probs):
            out = np.full((len(probs["face"]), N_CLASSES), 1 / N_CLASSES)
            for i, row in enumerate(probs["face"]):
                if row.tobytes() in scored:
                    out[i] = np.eye(N_CLASSES)[truth[row.tobytes()]]
            return out

    def factory(name, modalities, actors):
        return Cheat() if name == "cheat" else crossfit.make_rule(name, modalities, actors, trees=20)

    result = crossfit.cross_fit(data.probs, data.y, data.actors, data.half, ("face", "speech"),
                                ("mean", "stacker", "cheat"), factory)
    assert result["chosen"][0] != "cheat"  # fitted on half 0, scored on half 1: not fooled
    cheat = crossfit.predictions(result["probs"]["cheat"])
    assert (cheat[data.half == 1] == data.y[data.half == 1]).all()  # it would have won there
    assert all(not (rows & scored) or rows <= scored for rows in fitted_rows)  # one half at a time


def test_the_report_has_the_headline_keys():
    report, panels = crossfit.paired_report(synthetic_set(actors=range(1, 11)),
                                            factory=lambda n, m, a: crossfit.make_rule(n, m, a, trees=20))
    for key in ("best_single_accuracy", "fused_accuracy", "fused_with_text_accuracy", "reused",
                "chosen_rule", "rules", "missing_modality"):
        assert key in report
    assert set(report["rules"]["face+speech"]) == set(crossfit.RULE_NAMES)
    assert report["best_single_accuracy"] == max(report["modalities"]["face"]["accuracy"],
                                                 report["modalities"]["speech"]["accuracy"])
    assert list(panels) == ["face", "speech", "text", "fused (face+speech)",
                            "fused (face+speech+text)"]


def test_too_few_actors_is_one_clear_error():
    with pytest.raises(ValueError, match="at least 4 actors"):
        synthetic_set(actors=range(1, 4))


def test_bad_actors_are_one_clear_error(tmp_path):
    with pytest.raises(ValueError, match="--actors"):
        evaluate.main(["--out", str(tmp_path), "fusion-paired", "--faces", str(tmp_path),
                       "--speech", str(tmp_path), "--actors", "one-twenty"])
    with pytest.raises(FileNotFoundError, match="--faces"):
        evaluate.main(["--out", str(tmp_path), "fusion-paired", "--faces", "/nonexistent",
                       "--speech", str(tmp_path)])


def test_the_command_runs_end_to_end_on_the_samples(tmp_path, monkeypatch, capsys):
    from utils.datasets.samples import ensure_samples

    monkeypatch.setenv("COURSE_QUICK", "1")
    folders = {name: str(ensure_samples(name)) for name in ("fer2013", "ravdess", "carer")}
    evaluate.main(["--out", str(tmp_path), "fusion-paired", "--faces", folders["fer2013"],
                   "--face-split", "PublicTest", "--speech", folders["ravdess"], "--actors", "1-22",
                   "--text", folders["carer"], "--text-split", "val", "--seed", "1"])
    printed = json.JSONDecoder().raw_decode(capsys.readouterr().out)[0]
    saved = json.loads((tmp_path / "fusion_paired.json").read_text())
    assert printed["fused_accuracy"] == saved["fused_accuracy"]
    speech_clips = len(list(Path(folders["ravdess"]).rglob("03-01-*.wav")))
    assert 0 <= saved["best_single_accuracy"] <= 1 and saved["examples"] == speech_clips
    assert saved["chosen_rule"]["face+speech"][0] in crossfit.RULE_NAMES
    assert (tmp_path / "fusion_paired_confusion.png").stat().st_size > 10_000


def test_the_shipped_speech_recipe_normalises_each_held_out_actor_with_their_own_clips(monkeypatch):
    from utils.audio import train_speaker_norm

    monkeypatch.setattr(train_speaker_norm, "GRID", (0.1, 1.0))
    rng = np.random.default_rng(0)
    actors = np.repeat(np.arange(1, 11), 16)
    labels = np.tile(np.arange(8), 20)
    offsets = 5 * rng.standard_normal((10, 8))[actors - 1]  # a voice moves every feature
    x = offsets + np.eye(8)[labels] * 2 + 0.3 * rng.standard_normal((len(labels), 8))
    recipe = paired.SpeakerNormSpeechRecipe(["librosa"])
    recipe.features = {"librosa": paired._CachedFeatures(lambda row: row)}  # rows as features
    probs = paired.speech_out_of_fold(list(x), labels, actors, 5, recipe)
    np.testing.assert_allclose(probs.sum(1), 1, atol=1e-9)
    assert np.mean(probs.argmax(1) == labels) > 0.8  # the offsets would sink a global model
    shifted = x + 10 * (actors == 3)[:, None]  # actor 3 louder / deeper: normalised away
    moved = paired.speech_out_of_fold(list(shifted), labels, actors, 5, recipe)
    np.testing.assert_allclose(moved, probs, atol=1e-6)


def test_speech_out_of_fold_uses_the_shipped_recipe_by_default(monkeypatch):
    made = []

    def uniform(train_x, train_y, train_actors, test_x, test_actors):
        return np.full((len(test_x), 8), 1 / 8)

    monkeypatch.setattr(paired, "SpeakerNormSpeechRecipe", lambda: made.append(1) or uniform)
    paired.speech_out_of_fold([np.zeros(3)] * 8, np.zeros(8, int), np.repeat([1, 2, 3, 4], 2), 2)
    assert made == [1]


def test_the_shipped_speech_recipe_can_reuse_the_c_of_the_speech_cv(monkeypatch):
    from utils.audio import train_speaker_norm

    monkeypatch.setattr(train_speaker_norm, "GRID", (0.1,))  # the search can only choose 0.1
    monkeypatch.setenv("COURSE_QUICK", "0")  # full mode: a fold without a report's C searches
    rng = np.random.default_rng(1)
    actors, labels = np.repeat(np.arange(1, 11), 8), np.tile(np.arange(8), 10)
    x = list(np.eye(8)[labels] * 2 + rng.standard_normal((80, 8)))

    def recipe(candidates=None):
        made = paired.SpeakerNormSpeechRecipe(["librosa"], candidates)
        made.features = {"librosa": paired._CachedFeatures(lambda row: row)}
        return made

    searched = paired.speech_out_of_fold(x, labels, actors, 5, recipe())
    report = {"librosa_speaker": {"folds": ["1-2", "3-4", "5-6", "7-8", "9-10"], "C": [0.1] * 5}}
    np.testing.assert_allclose(paired.speech_out_of_fold(x, labels, actors, 5, recipe(report)),
                               searched)
    report["librosa_speaker"]["C"] = [1e-4] * 5
    assert not np.allclose(paired.speech_out_of_fold(x, labels, actors, 5, recipe(report)),
                           searched)


def test_quick_mode_takes_the_shipped_c_instead_of_searching(monkeypatch):
    from utils.audio import train_speaker_norm

    monkeypatch.setattr(train_speaker_norm, "choose_c",
                        lambda *args: pytest.fail("quick mode searched for C"))
    recipe = paired.SpeakerNormSpeechRecipe(["librosa"])
    shipped = train_speaker_norm.shipped_c("librosa")
    assert recipe._chosen_c("librosa", np.array([1, 2])) == shipped > 0
    monkeypatch.setenv("COURSE_QUICK", "0")
    assert recipe._chosen_c("librosa", np.array([1, 2])) is None
