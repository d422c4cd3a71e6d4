"""utils.fusion: one label space, fusion rules, missing modalities, clip-level faces."""

from __future__ import annotations

import numpy as np
import pytest

from utils import fusion
from utils.labels import CARER_CLASSES, EMOTIONS, RAVDESS_CLASSES

E = {name: i for i, name in enumerate(EMOTIONS)}


def _dirichlet(n: int, k: int, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).dirichlet(np.ones(k), size=n)


# --- one label space --------------------------------------------------------------------------


@pytest.mark.parametrize("modality,k", [("face", 7), ("speech", 8), ("text", 6)])
def test_every_mapping_gives_rows_that_sum_to_one(modality, k):
    canonical = fusion.to_canonical(_dirichlet(50, k), modality)
    assert canonical.shape == (50, 7)
    assert np.allclose(canonical.sum(axis=1), 1.0)
    assert (canonical >= 0).all()


def test_speech_calm_is_added_to_neutral():
    probs = np.zeros(8)
    probs[RAVDESS_CLASSES.index("calm")] = 0.6
    probs[RAVDESS_CLASSES.index("neutral")] = 0.3
    probs[RAVDESS_CLASSES.index("angry")] = 0.1
    out = fusion.to_canonical(probs, "speech")
    assert out[E["neutral"]] == pytest.approx(0.9) and out[E["angry"]] == pytest.approx(0.1)
    assert fusion.expressible("speech").all()


def test_text_cannot_express_disgust_or_neutral_and_says_no_opinion_there():
    mask = fusion.expressible("text")
    assert [e for e, m in zip(EMOTIONS, mask) if not m] == ["disgust", "neutral"]
    joy = np.zeros(6)
    joy[CARER_CLASSES.index("joy")] = 1.0
    out = fusion.to_canonical(joy, "text")
    assert out[E["disgust"]] == out[E["neutral"]] == pytest.approx(1 / 7)
    assert out[E["happy"]] == pytest.approx(5 / 7)


def test_text_love_is_dropped_and_the_rest_renormalised():
    probs = np.zeros(6)
    probs[CARER_CLASSES.index("love")] = 0.8
    probs[CARER_CLASSES.index("sadness")] = 0.2
    out = fusion.to_canonical(probs, "text")
    assert out[E["sad"]] == pytest.approx(5 / 7) and out.sum() == pytest.approx(1.0)


def test_a_wrong_number_of_classes_and_an_unknown_modality_are_clear_errors():
    with pytest.raises(ValueError, match="expected 8 probabilities"):
        fusion.to_canonical(np.ones(7) / 7, "speech")
    with pytest.raises(ValueError, match="unknown modality"):
        fusion.to_canonical(np.ones(7) / 7, "smell")


def test_mapping_table_lists_calm_and_love():
    table = fusion.mapping_table()
    assert table.loc["neutral", "speech"] == "neutral + calm"
    assert table.loc["neutral", "text"] == "-" and table.loc["(no counterpart)", "text"] == "love"


# --- fusion rules -----------------------------------------------------------------------------


def _three(n: int = 20) -> dict[str, np.ndarray]:
    return {"face": fusion.to_canonical(_dirichlet(n, 7, 1), "face"),
            "speech": fusion.to_canonical(_dirichlet(n, 8, 2), "speech"),
            "text": fusion.to_canonical(_dirichlet(n, 6, 3), "text")}


@pytest.mark.parametrize("rule", ["mean", "product"])
def test_fused_rows_sum_to_one(rule):
    fused = fusion.fuse(_three(), rule)
    assert fused.shape == (20, 7) and np.allclose(fused.sum(axis=1), 1.0)


@pytest.mark.parametrize("rule", ["mean", "product"])
def test_a_missing_modality_changes_nothing_else(rule):
    probs = _three()
    probs["text"][3] = np.nan  # no text for example 3
    fused = fusion.fuse(probs, rule)
    without_text = fusion.fuse({"face": probs["face"], "speech": probs["speech"]}, rule)
    assert np.allclose(fused[3], without_text[3])  # example 3: fused over face and speech only
    full = fusion.fuse(_three(), rule)
    others = np.arange(20) != 3
    assert np.allclose(fused[others], full[others])  # every other example is untouched


@pytest.mark.parametrize("rule", ["mean", "product"])
def test_one_modality_alone_is_returned_as_is_and_none_gives_nan(rule):
    probs = _three()
    probs["speech"][:] = np.nan
    probs["text"][:] = np.nan
    assert np.allclose(fusion.fuse(probs, rule), probs["face"])
    probs["face"][0] = np.nan
    assert np.isnan(fusion.fuse(probs, rule)[0]).all()


def test_text_silence_about_neutral_is_not_evidence_against_it():
    face = np.full(7, 0.05)
    face[E["neutral"]] = 0.7
    face = face / face.sum()
    text = fusion.to_canonical(np.ones(6) / 6, "text")  # a text without any emotional lean
    fused = fusion.fuse({"face": face[None], "text": text[None]}, "product")[0]
    assert fused.argmax() == E["neutral"]
    # Read naively (0 for neutral), the text would have vetoed it:
    naive = np.where(fusion.expressible("text"), 1 / 5, 0.0)
    assert fusion.fuse({"face": face[None], "text": naive[None]}, "product")[0].argmax() != E["neutral"]


def test_weights_shift_the_decision():
    face = np.eye(7)[[E["happy"]]] * 0.6 + 0.4 / 7
    speech = np.eye(7)[[E["angry"]]] * 0.7 + 0.3 / 7
    probs = {"face": face, "speech": speech}
    assert fusion.fuse(probs, "mean").argmax() == E["angry"]
    assert fusion.fuse(probs, "mean", {"face": 3.0, "speech": 1.0}).argmax() == E["happy"]
    with pytest.raises(ValueError, match="non-negative"):
        fusion.fuse(probs, "mean", {"face": -1.0})


def test_f1_weights_trust_each_modality_where_it_is_good():
    rng = np.random.default_rng(0)
    y = np.repeat(np.arange(7), 10)
    face, speech = np.full((70, 7), 0.1), np.full((70, 7), 0.1)
    face[np.arange(70), np.where(y == E["happy"], y, rng.integers(0, 7, 70))] = 0.9
    speech[np.arange(70), np.where(y == E["angry"], y, rng.integers(0, 7, 70))] = 0.9
    model = fusion.F1WeightedFusion().fit({"face": face, "speech": speech, "text": speech}, y)
    table = model.table()
    assert table.loc["face", "happy"] > table.loc["speech", "happy"]
    assert table.loc["speech", "angry"] > table.loc["face", "angry"]
    assert table.loc["text", "neutral"] == 0 and table.loc["text", "disgust"] == 0
    assert np.allclose(model.predict_proba({"face": face, "speech": speech}).sum(axis=1), 1)


def test_the_stacker_never_sees_test_or_training_actors():
    probs = _three(8)
    y = np.arange(8) % 7
    stacker = fusion.StackedFusion(("face", "speech", "text"))
    with pytest.raises(ValueError, match=r"actors \[21\]"):
        stacker.fit(probs, y, actors=[17, 18, 19, 20, 17, 18, 19, 21])
    with pytest.raises(ValueError, match=r"actors \[3\]"):
        stacker.fit(probs, y, actors=[3, 18, 19, 20, 17, 18, 19, 20])
    stacker.fit(probs, y, actors=[17, 18, 19, 20, 17, 18, 19, 20])
    assert stacker.actors_ == {17, 18, 19, 20}


def test_the_stacker_learns_and_handles_a_missing_modality():
    rng = np.random.default_rng(1)
    y = np.repeat(np.arange(7), 12)
    informative = np.eye(7)[y] * 0.5 + 0.5 * rng.dirichlet(np.ones(7), len(y))
    noise = rng.dirichlet(np.ones(7), len(y))
    probs = {"face": noise, "speech": informative}
    stacker = fusion.StackedFusion().fit(probs, y, actors=np.full(len(y), 17))
    fused = stacker.predict_proba(probs)
    assert fusion.scores(y, fused)["accuracy"] > 0.8
    assert np.allclose(fused.sum(axis=1), 1)
    no_face = stacker.predict_proba({"face": fusion.missing(len(y)), "speech": informative})
    assert np.isfinite(no_face).all()


# --- clip-level faces ------------------------------------------------------------------------


def _onset_apex_offset() -> np.ndarray:
    """A sad clip: 14 calm frames call it mildly neutral, 6 apex frames clearly sad."""
    rest = np.full(7, 0.08)
    rest[E["neutral"]], rest[E["sad"]] = 0.38, 0.14
    apex = np.full(7, 0.02)
    apex[E["sad"]] = 0.88
    return np.vstack([np.tile(rest / rest.sum(), (7, 1)), np.tile(apex, (6, 1)),
                      np.tile(rest / rest.sum(), (7, 1))])


def test_frame_votes_are_biased_to_neutral_and_clip_aggregation_is_not():
    frames = _onset_apex_offset()
    assert fusion.aggregate_frames(frames, "vote").argmax() == E["neutral"]
    for method in ("log_mean", "confidence", "peak"):
        assert fusion.aggregate_frames(frames, method).argmax() == E["sad"], method
    assert fusion.neutral_share(frames) == pytest.approx(14 / 20)


def test_the_peak_window_finds_a_short_apex_among_confidently_neutral_frames():
    rest = np.full(7, 0.05)
    rest[E["neutral"]] = 0.7
    apex = np.full(7, 0.05)
    apex[E["happy"]] = 0.7
    frames = np.vstack([np.tile(rest, (12, 1)), np.tile(apex, (4, 1)), np.tile(rest, (4, 1))])
    for method in ("vote", "mean", "log_mean"):
        assert fusion.aggregate_frames(frames, method).argmax() == E["neutral"], method
    assert fusion.aggregate_frames(frames, "peak").argmax() == E["happy"]
    assert fusion.aggregate_frames(np.tile(rest, (20, 1)), "peak").argmax() == E["neutral"]
    assert np.isnan(fusion.neutral_share(fusion.missing(3)))


@pytest.mark.parametrize("method", fusion.AGGREGATIONS)
def test_aggregation_skips_frames_without_a_face(method):
    frames = _onset_apex_offset()
    with_gaps = np.vstack([fusion.missing(3), frames, fusion.missing(2)])
    out = fusion.aggregate_frames(with_gaps, method)
    assert np.allclose(out, fusion.aggregate_frames(frames, method)) and out.sum() == pytest.approx(1)
    assert np.isnan(fusion.aggregate_frames(fusion.missing(4), method)).all()


def test_scores_count_missing_predictions_as_wrong():
    probs = np.vstack([np.eye(7)[[0, 1]], fusion.missing(2)])
    result = fusion.scores([0, 1, 2, 3], probs)
    assert result["accuracy"] == 0.5 and result["examples"] == 4


def test_f1_weight_is_zero_for_an_emotion_a_modality_never_predicted_and_says_why():
    y = np.array([E["happy"], E["sad"], E["angry"]] * 4)
    face = np.eye(7)[np.where(y == E["angry"], E["sad"], y)]  # never says angry
    speech = np.eye(7)[np.where(y == E["angry"], E["happy"], y)]  # says happy for angry
    model = fusion.F1WeightedFusion().fit({"face": face, "speech": speech,
                                           "text": fusion.missing(len(y))}, y)
    table, lines = model.table(), model.fallbacks()
    assert table.loc["face", "angry"] == 0 and table.loc["speech", "angry"] == 0  # nobody said angry
    assert table.loc["face", "happy"] == 1 and table.loc["speech", "happy"] == pytest.approx(2 / 3)
    assert (table.loc["text"] == 0).all()
    assert "angry: face, speech -> weight 0: never predicted it on the validation clips " \
           "(and no modality recognised it)" in lines
    assert "text: weight 0 for every emotion (missing from every validation clip)" in lines
    assert any(line.startswith("fear: face, speech -> weight 1: no validation clip") for line in lines)
    only_speech_tried = fusion.F1WeightedFusion().fit(
        {"face": face, "speech": np.eye(7)[np.where(y == E["sad"], E["angry"], y)]}, y).table()
    assert only_speech_tried.loc["face", "angry"] == 0  # face never said angry; speech did, wrongly
    assert only_speech_tried.loc["speech", "angry"] > 0


def test_f1_fallback_for_a_class_without_validation_examples_respects_what_text_can_express():
    y = np.array([E["happy"], E["sad"]] * 5)  # no neutral or disgust clip in validation
    probs = {"face": np.eye(7)[y], "text": np.eye(7)[y]}
    table = fusion.F1WeightedFusion().fit(probs, y).table()
    assert table.loc["face", "neutral"] == 1 and table.loc["text", "neutral"] == 0
    assert table.loc["text", "disgust"] == 0


# --- the command line: python -m utils.evaluate fusion ------------------------------------------


def test_evaluate_fusion_fits_on_validation_and_scores_test_actors(tmp_path, monkeypatch):
    import json

    from utils import evaluate
    from utils.datasets import samples

    monkeypatch.setattr(samples.video, "AV_ACTORS", (17, 21))  # four small clips are enough here
    monkeypatch.setattr(samples.video, "AV_EMOTIONS", ("happy", "sad"))
    folder = tmp_path / "ravdess"
    assert len(samples.video.write_av_clips(folder)) == 4
    with pytest.raises(SystemExit, match="both splits"):
        evaluate.main(["fusion", "--data", str(folder), "--val-actors", "17,21",
                       "--test-actors", "21"])
    metrics = evaluate.main(["--out", str(tmp_path / "report"), "fusion", "--data", str(folder),
                             "--rule", "stacker", "--val-actors", "17", "--test-actors", "21",
                             "--frame-step", "5"])
    assert metrics["examples"] == 2  # actor 21's clips only
    assert "fitted on actors 17" in metrics["title"]
    assert json.loads((tmp_path / "report" / "metrics.json").read_text())["examples"] == 2
