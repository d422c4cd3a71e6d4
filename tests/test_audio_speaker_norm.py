"""utils.audio's speaker normalisation, openSMILE features, no-speech checks and the recipe.

Every signal is synthetic (written here or by tests/audio_signals.py); nothing reads /work/shared.
"""

from __future__ import annotations

import numpy as np
import pytest

from audio_signals import SR, speech_like, tone
from utils.audio import normalise, nospeech, opensmile_features, predict, train_speaker_norm


# --- openSMILE without rebuilding it -----------------------------------------------------------
@pytest.mark.parametrize("name", ["compare", "egemaps", "compare_realtime"])
def test_reusable_smile_gives_process_signal_numbers(name):
    import opensmile

    smile = opensmile.Smile(feature_set=opensmile_features.FEATURE_SETS[name],
                            feature_level=opensmile.FeatureLevel.Functionals,
                            options=opensmile_features.shared_includes())
    signal, other = speech_like(1.5, seed=1), speech_like(1.0, seed=2)
    reusable = opensmile_features.ReusableSmile(opensmile_features.FEATURE_SETS[name])
    first, _, again = reusable(signal), reusable(other), reusable(signal)
    expected = smile.process_signal(signal, SR).to_numpy()[0]
    np.testing.assert_array_equal(first, expected.astype(np.float32))
    np.testing.assert_array_equal(again, first)  # a reset instance forgets the last signal
    assert len(first) == len(opensmile_features.smile_feature_names(name))


def test_compare_features_of_a_too_short_segment_are_nan():
    assert np.isnan(opensmile_features.reusable_smile("compare")(tone(0.01))).all()
    assert opensmile_features.compare_features(speech_like(1.0)).shape == (6373,)


def test_the_realtime_compare_set_swaps_the_voicing_branch_for_acf_pitch():
    realtime = opensmile_features.smile_feature_names("compare_realtime")
    compare = set(opensmile_features.smile_feature_names("compare"))
    assert len(realtime) == 6061
    assert compare_realtime_shape_ok()
    assert not [n for n in realtime if "jitter" in n or "shimmer" in n or "HNR" in n]
    assert [n for n in realtime if n.startswith("F0_sma_ff0_")]  # voiced segments, as F0final
    assert [n for n in realtime if n.startswith("audSpec_Rfilt_sma[0]")]  # RASTA bands kept
    assert {n for n in realtime if not ("F0" in n or "voiceProb" in n)} < compare


def compare_realtime_shape_ok() -> bool:
    """The real-time set describes a voiced tone with a finite F0 mean."""
    names = opensmile_features.smile_feature_names("compare_realtime")
    values = opensmile_features.compare_realtime_features(tone(1.0))
    return values.shape == (6061,) and values[names.index("F0_sma_amean")] > 0


def test_reusable_smile_answers_a_call_that_comes_while_it_resets():
    reusable = opensmile_features.ReusableSmile(opensmile_features.FEATURE_SETS["egemaps"])
    signal = speech_like(1.0, seed=3)
    first = reusable(signal)
    np.testing.assert_array_equal(reusable(signal), first)  # no wait: joins the reset first
    assert len(reusable._smile._callbacks) == 1  # a long session does not pile up callbacks


# --- speaker normalisation ---------------------------------------------------------------------
def _speakers(seed: int = 0, n_speakers: int = 6, clips: int = 40, d: int = 5):
    """Features whose speaker offsets (scale 5) dwarf a class effect (scale 1) and labels."""
    rng = np.random.default_rng(seed)
    speakers = np.repeat(np.arange(1, n_speakers + 1), clips)
    y = np.tile(np.arange(8), len(speakers) // 8)
    offsets = 5 * rng.standard_normal((n_speakers, d))[speakers - 1]
    x = offsets + np.eye(8, d)[y] * 1.5 + 0.5 * rng.standard_normal((len(y), d))
    return x, y, speakers


def test_speaker_normalise_gives_every_speaker_zero_mean_unit_std():
    x, _, speakers = _speakers()
    x[:, 0] = 3.0  # constant: divided by 1, not by 0
    z = normalise.speaker_normalise(x, speakers)
    for s in np.unique(speakers):
        np.testing.assert_allclose(z[speakers == s][:, 1:].mean(0), 0, atol=1e-9)
        np.testing.assert_allclose(z[speakers == s][:, 1:].std(0), 1, atol=1e-9)
    assert np.all(z[:, 0] == 0)
    with pytest.raises(ValueError):
        normalise.speaker_normalise(x, speakers[:-1])


def test_running_normaliser_follows_the_update_rule():
    x, _, speakers = _speakers()
    mean0, var0 = normalise.speaker_prior(x, speakers)
    running = normalise.RunningSpeakerNormaliser(mean0, var0, prior_weight=2)
    np.testing.assert_allclose(running.transform(x[0]), (x[0] - mean0) / np.sqrt(var0))
    seen = x[:5]
    for row in seen:
        running.update(row)
    mu = (2 * mean0 + seen.sum(0)) / 7
    var = (2 * (var0 + (mean0 - mu) ** 2) + ((seen - mu) ** 2).sum(0)) / 7
    np.testing.assert_allclose(running.statistics()[0], mu)
    np.testing.assert_allclose(running.statistics()[1], var)
    half = normalise.RunningSpeakerNormaliser(mean0, var0).update(x[0], 0.5).update(x[0], 0.5)
    whole = normalise.RunningSpeakerNormaliser(mean0, var0).update(x[0])
    np.testing.assert_allclose(half.statistics()[1], whole.statistics()[1])
    running.reset()
    np.testing.assert_allclose(running.statistics()[0], mean0)


def test_running_normaliser_approaches_the_speakers_own_statistics():
    x, _, speakers = _speakers()
    own = x[speakers == 1]
    running = normalise.RunningSpeakerNormaliser(*normalise.speaker_prior(x, speakers))
    running.update(np.repeat(own, 50, axis=0))
    np.testing.assert_allclose(running.transform(own), normalise.speaker_normalise(own, [1] * 40),
                               rtol=0.1, atol=0.05)  # the prior still weighs 2 clips


# --- no speech ---------------------------------------------------------------------------------
@pytest.mark.parametrize("signal, reason", [
    (np.zeros(SR, np.float32), "silence"),
    (np.full(SR, np.nan, np.float32), "not finite"),
    (np.sign(tone(1.0)).astype(np.float32), "clipped"),
    (tone(0.3), "too short"),
], ids=["silence", "nan", "clipped", "short"])
def test_check_speech_names_what_is_missing(signal, reason):
    with pytest.raises(nospeech.NoSpeech) as caught:
        nospeech.check_speech(signal)
    assert caught.value.reason == reason and isinstance(caught.value, ValueError)


def test_speech_passes_the_checks():
    nospeech.check_speech(speech_like(1.0))
    nospeech.check_speech(speech_like(1.0, 48_000), 48_000)


# --- the recipe ----------------------------------------------------------------------------------
def test_grouped_cv_measures_what_speaker_normalisation_is_worth(monkeypatch):
    monkeypatch.setattr(train_speaker_norm, "GRID", (0.1, 1.0))
    x, y, speakers = _speakers()
    results = train_speaker_norm.cross_validate({"a": x, "b": x[:, ::-1]}, y, speakers,
                                                verbose=False)
    assert set(results) == {f"{m}_{mode}" for m in ("a", "b", "ensemble")
                            for mode in train_speaker_norm.MODES}
    speaker, plain = results["ensemble_speaker"], results["ensemble_global"]
    assert len(speaker["fold_accuracy"]) == 5 and speaker["folds"][0] == "1-2"
    assert speaker["mean_accuracy"] > plain["mean_accuracy"] + 0.1


def test_one_fold_scores_the_held_out_voice_with_its_own_clips_and_with_the_prior(monkeypatch):
    monkeypatch.setattr(train_speaker_norm, "GRID", (0.1, 1.0))
    x, y, speakers = _speakers(n_speakers=5, clips=16)
    train = speakers <= 4
    c, scored = train_speaker_norm.speaker_norm_fold_probabilities(
        x[train], y[train], speakers[train], x[~train], speakers[~train])
    assert c in (0.1, 1.0) and set(scored) == {"speaker", "prior"}
    for probs in scored.values():
        assert probs.shape == (16, 8)
        np.testing.assert_allclose(probs.sum(1), 1, atol=1e-9)
    monkeypatch.setattr(train_speaker_norm, "choose_c", lambda *args: pytest.fail("C was given"))
    louder = x[~train] + 10  # the held-out voice moved: its own statistics take it away
    _, moved = train_speaker_norm.speaker_norm_fold_probabilities(
        x[train], y[train], speakers[train], louder, speakers[~train], c=c)
    np.testing.assert_allclose(moved["speaker"], scored["speaker"], atol=1e-9)
    assert not np.allclose(moved["prior"], scored["prior"])  # the prior cannot


def test_row_space_fit_predicts_like_a_full_fit():
    from sklearn.linear_model import LogisticRegression

    rng = np.random.default_rng(0)
    x, y = rng.standard_normal((40, 100)), np.arange(40) % 4
    fitted = train_speaker_norm.fit_logreg_path(x, y, [0.1])[0.1]
    z = (x - x.mean(0)) / x.std(0)
    full = LogisticRegression(C=0.1, max_iter=3000, class_weight="balanced").fit(z, y)
    np.testing.assert_allclose(train_speaker_norm.probabilities(fitted, x, 4),
                               full.predict_proba(z), atol=1e-3)


@pytest.fixture(scope="module")
def normalised_model(tmp_path_factory):
    """A speaker-normalised librosa member fitted on synthetic voices of four 'speakers'."""
    from utils.audio.features import speech_features

    signals = [speech_like(1.2, seed=i) * (0.2 + 0.2 * (i % 4)) for i in range(16)]
    x = np.stack([speech_features(s) for s in signals])
    y, speakers = np.arange(16) % 8, np.arange(16) // 4
    fitted = train_speaker_norm.fit_logreg_path(normalise.speaker_normalise(x, speakers), y,
                                                [0.1])[0.1]
    folder = tmp_path_factory.mktemp("sn")
    train_speaker_norm.save_member(fitted, folder / "speech_sn_librosa.json",
                                   normalise.speaker_prior(x, speakers),
                                   features="utils.audio.speech_features", c=0.1)
    unheard = train_speaker_norm.fit_logreg_path(x, y, [0.1])[0.1]
    train_speaker_norm.save_member(unheard, folder / "speech_sn_librosa_unheard.json",
                                   features="utils.audio.speech_features", c=0.1)
    train_speaker_norm.save_member(fitted, folder / "speech_sn_mixed.json",
                                   normalise.speaker_prior(x, speakers),
                                   features="utils.audio.speech_features", c=0.1,
                                   unheard_model="speech_sn_librosa_unheard.json")
    return folder / "speech_sn_librosa.json", signals, speakers


def test_a_saved_normalised_model_loads_with_its_prior(normalised_model):
    path, signals, speakers = normalised_model
    model = predict.speech_predictor(path)
    assert model.speaker_normalised and model(signals[0]).shape == (8,)
    assert model.predict_batch(signals, speakers=speakers).shape == (16, 8)
    np.testing.assert_allclose(model.predict_batch(signals[:2])[0], model(signals[0]), atol=1e-6)
    with pytest.raises(nospeech.NoSpeech):
        model(np.zeros(SR, np.float32))
    with pytest.raises(nospeech.NoSpeech):
        model.predict_batch([signals[0], tone(0.2)])


def test_an_adapting_predictor_moves_toward_the_voice_and_resets(normalised_model):
    path, signals, _ = normalised_model
    model = predict.speech_predictor([path], adapt=1.0)
    before = model(signals[1])  # updated with signals[1] already
    assert model.members[0].normaliser.n == 1
    model.reset()
    assert model.members[0].normaliser.n == 0
    np.testing.assert_allclose(model(signals[1]), before, atol=1e-6)


def test_evaluate_normalises_each_actor_unless_told_not_to(tmp_path, normalised_model):
    import soundfile

    from utils import evaluate

    path, signals, _ = normalised_model
    for actor in (21, 22):
        folder = tmp_path / "ravdess" / f"Actor_{actor:02d}"
        folder.mkdir(parents=True)
        for i, emotion in enumerate((1, 5, 6)):
            soundfile.write(folder / f"03-01-{emotion:02d}-01-01-01-{actor:02d}.wav",
                            signals[i + 3 * (actor - 21)], SR)
    common = ["speech", "--data", str(tmp_path / "ravdess"), "--actors", "21-22", "--model",
              str(path)]
    own = evaluate.main(["--out", str(tmp_path / "own"), *common])
    prior = evaluate.main(["--out", str(tmp_path / "prior"), *common, "--no-speaker-norm"])
    assert "own clips" in own["title"] and "prior only" in prior["title"]
    assert own["examples"] == prior["examples"] == 6


def test_an_unheard_voice_gets_the_unheard_model_then_the_normalised_one(normalised_model):
    path, signals, speakers = normalised_model
    alone = predict.speech_predictor(path)
    unheard = predict.speech_predictor(path.parent / "speech_sn_librosa_unheard.json")
    mixed = predict.speech_predictor(path.parent / "speech_sn_mixed.json", adapt=1.0)
    assert not unheard.speaker_normalised and mixed.unheard is not None
    np.testing.assert_allclose(mixed.predict_batch(signals[:3]), unheard.predict_batch(signals[:3]),
                               atol=1e-6)  # nothing heard: the unheard model alone
    for signal in signals[:4]:
        mixed(signal)  # heard 4 clips: the prior's share is 2 / (2 + 4)
    alone.normaliser = mixed.normaliser
    expected = (unheard.predict_batch(signals[4:6]) / 3
                + 2 * alone.predict_batch(signals[4:6]) / 3)
    np.testing.assert_allclose(mixed.predict_batch(signals[4:6]), expected, atol=1e-6)
    np.testing.assert_allclose(mixed.predict_batch(signals, speakers=speakers),
                               alone.predict_batch(signals, speakers=speakers), atol=1e-6)


def test_training_saves_a_normalised_and_an_unheard_model_per_member(tmp_path, monkeypatch):
    x, y, speakers = _speakers(n_speakers=5, clips=16)
    cache = tmp_path / "features.npz"
    np.savez(cache, y=y, actors=speakers, **{m: x for m in train_speaker_norm.MEMBERS})
    monkeypatch.setattr(train_speaker_norm, "GRID", (0.1, 1.0))
    report = train_speaker_norm.train_speech_speaker_norm(tmp_path, tmp_path, range(1, 6),
                                                          cache=cache, verbose=False)
    for member in train_speaker_norm.MEMBERS:
        model = predict.speech_predictor(tmp_path / f"speech_sn_{member}.json")
        assert model.unheard is not None and report[f"shipped_{member}_unheard_C"] in (0.1, 1.0)
    assert report["candidates"]["ensemble_speaker"]["fold_accuracy"]


def test_the_adaptation_curve_rises_as_the_normaliser_hears_the_voice(monkeypatch):
    from utils.audio import adaptation

    monkeypatch.setattr(train_speaker_norm, "GRID", (0.1, 1.0))
    x, y, speakers = _speakers(n_speakers=5, clips=24)
    report = adaptation.adaptation_curve({"a": x}, y, speakers, orders=2)
    assert report["clips_seen"] == [0, 1, 2, 5, 10, 20, "all"] and len(report["folds"]) == 5
    assert report["accuracy"] == report["curves"]["shipped"]["mean_accuracy"]
    speaker, unheard = report["curves"]["speaker_only"], report["curves"]["unheard_only"]
    assert speaker["mean_accuracy"][-1] > speaker["mean_accuracy"][0] + 0.2
    assert all(len(folds) == 5 for folds in speaker["fold_accuracy"])
    shipped = report["curves"]["shipped"]["mean_accuracy"]
    assert shipped[0] == pytest.approx(unheard["mean_accuracy"][0])
    assert shipped[-1] == pytest.approx(speaker["mean_accuracy"][-1])


def test_the_numpy_forward_computes_what_predict_proba_does(normalised_model):
    from utils.inference import load_linear_pipeline

    pipeline, _ = load_linear_pipeline(normalised_model[0])
    x = np.random.default_rng(0).normal(size=(5, len(pipeline[0].mean_)))
    np.testing.assert_allclose(predict._linear_forward(pipeline)(x)[:, pipeline[-1].classes_],
                               pipeline.predict_proba(x), atol=1e-6)


def test_the_adaptation_curve_can_reuse_the_c_each_fold_chose(monkeypatch):
    from utils.audio import adaptation

    monkeypatch.setattr(train_speaker_norm, "GRID", (0.1,))  # the search can only choose 0.1
    x, y, speakers = _speakers(n_speakers=5, clips=24)
    chosen = {f"a_{mode}": {"C": [0.1] * 5} for mode in ("speaker", "global")}
    searched = adaptation.adaptation_curve({"a": x}, y, speakers, orders=1)
    reused = adaptation.adaptation_curve({"a": x}, y, speakers, orders=1, chosen_c=chosen)
    assert reused["curves"] == searched["curves"]
    chosen["a_speaker"]["C"] = [1e-4] * 5  # a C the search never had: other models
    assert adaptation.adaptation_curve({"a": x}, y, speakers, orders=1,
                                       chosen_c=chosen)["curves"] != searched["curves"]


def test_only_the_unheard_twins_are_added_to_existing_members(tmp_path, monkeypatch):
    import json

    monkeypatch.setattr(train_speaker_norm, "GRID", (0.1, 1.0))
    x, y, speakers = _speakers(n_speakers=5, clips=16)
    cache = tmp_path / "features.npz"
    np.savez(cache, y=y, actors=speakers, **{m: x for m in train_speaker_norm.MEMBERS})
    fitted = train_speaker_norm.fit_logreg_path(normalise.speaker_normalise(x, speakers), y,
                                                [0.1])[0.1]
    for member in train_speaker_norm.MEMBERS:
        train_speaker_norm.save_member(fitted, tmp_path / f"speech_sn_{member}.json",
                                       normalise.speaker_prior(x, speakers), c=0.1,
                                       features=train_speaker_norm.FEATURES[member])
    before = json.loads((tmp_path / "speech_sn_librosa.json").read_text())
    chosen = train_speaker_norm.add_unheard_models(tmp_path, tmp_path, range(1, 6), cache)
    after = json.loads((tmp_path / "speech_sn_librosa.json").read_text())
    assert after.pop("unheard_model") == "speech_sn_librosa_unheard.json" and after == before
    assert set(chosen) == set(train_speaker_norm.MEMBERS)
    assert predict.speech_predictor(tmp_path / "speech_sn_librosa.json").unheard is not None
