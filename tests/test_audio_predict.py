"""utils.audio.predict: saved speech models of every kind as one callable, and the evaluator.

Every signal is synthetic (tones and noise written in the test); nothing reads /work/shared.
"""

from __future__ import annotations

import json

import numpy as np
import pytest
import soundfile

from audio_signals import SR, speech_like, tone
from utils.audio import features, models, predict


@pytest.fixture(scope="module")
def tiny_speech_model(tmp_path_factory):
    model = models.speech_cnn_lstm(filters=(4, 4, 4, 4), lstm_units=(4, 4))
    path = tmp_path_factory.mktemp("model") / "speech.keras"
    model.save(path)
    return model, path


def test_speech_predictor_takes_any_rate(tiny_speech_model):
    model, path = tiny_speech_model
    predictor = predict.speech_predictor(path)
    probabilities = predictor(speech_like(sr=22_050), sr=22_050)
    assert probabilities.shape == (8,) and probabilities.sum() == pytest.approx(1.0, abs=1e-4)


def test_network_batch_matches_one_call_at_a_time(tiny_speech_model):
    model, path = tiny_speech_model
    predictor = predict.speech_predictor(model)
    signals = [speech_like(seed=i) for i in range(3)]
    np.testing.assert_allclose(predictor.predict_batch(signals),
                               np.stack([predictor(s) for s in signals]), atol=1e-5)
    assert predict.speech_predictor(path).model.count_params() == model.count_params()


def test_evaluate_speech_on_a_ravdess_layout(tmp_path, tiny_speech_model):
    from utils import evaluate

    _, model_path = tiny_speech_model
    for actor in (21, 22):
        folder = tmp_path / "ravdess" / "Audio_Speech_Actors_01-24" / f"Actor_{actor:02d}"
        folder.mkdir(parents=True)
        for emotion in (1, 5):  # neutral, angry: written at 48 kHz stereo like the original
            clip = speech_like(1.0, 48_000, seed=emotion)
            soundfile.write(folder / f"03-01-{emotion:02d}-01-01-01-{actor:02d}.wav",
                            np.stack([clip, clip], axis=1), 48_000)
    metrics = evaluate.main(["--out", str(tmp_path / "report"), "speech", "--data",
                             str(tmp_path / "ravdess"), "--actors", "21-24", "--model",
                             str(model_path)])
    assert metrics["examples"] == 4 and 0.0 <= metrics["accuracy"] <= 1.0
    saved = json.loads((tmp_path / "report" / "metrics.json").read_text())
    assert set(saved["per_class"]) >= {"neutral", "angry", "macro avg"}
    with pytest.raises(SystemExit):
        evaluate.main(["--out", str(tmp_path / "r2"), "speech", "--data", str(tmp_path / "ravdess"),
                       "--actors", "1-4", "--model", str(model_path)])


@pytest.fixture(scope="module")
def tiny_linear_model(tmp_path_factory):
    """A speech_logreg fitted on two kinds of tone, saved as JSON."""
    from utils.inference import save_linear_pipeline

    rng = np.random.default_rng(0)
    signals = [tone(1.0, freq=f) + 0.01 * rng.standard_normal(SR).astype(np.float32)
               for f in [200, 220, 240] * 3 + [1500, 1650, 1800] * 3]
    labels = np.repeat([0, 5], 9)  # neutral, fearful: a model may never have seen every class
    pipeline = models.speech_logreg(1.0).fit(
        np.stack([features.speech_features(s) for s in signals]), labels)
    path = save_linear_pipeline(pipeline, tmp_path_factory.mktemp("linear") / "speech.json", c=1.0)
    return pipeline, path


def test_linear_model_round_trips_through_json(tiny_linear_model, tmp_path):
    from utils.inference import load_linear_pipeline

    pipeline, path = tiny_linear_model
    loaded, meta = load_linear_pipeline(path)
    x = features.speech_features(tone(1.0, freq=1600))[None]
    np.testing.assert_allclose(loaded.predict_proba(x), pipeline.predict_proba(x), rtol=1e-5, atol=1e-9)
    assert meta["c"] == 1.0 and not list(tmp_path.glob("*.tmp"))
    broken = tmp_path / "broken.json"
    broken.write_text(path.read_text()[:200])  # a truncated download or copy
    with pytest.raises(ValueError, match="broken.json"):
        load_linear_pipeline(broken)


def test_linear_predictor_gives_all_eight_classes(tiny_linear_model):
    _, path = tiny_linear_model
    predictor = predict.speech_predictor(path)
    noise = 0.01 * np.random.default_rng(1).standard_normal(22_050).astype(np.float32)
    probabilities = predictor(tone(1.0, freq=1650, sr=22_050) + noise, sr=22_050)
    assert probabilities.shape == (8,) and probabilities.sum() == pytest.approx(1.0, abs=1e-5)
    assert probabilities.argmax() == 5  # the high tone's class, fearful
    batch = predictor.predict_batch([tone(1.0, freq=f, sr=22_050) + noise for f in (220, 1650)],
                                    sr=22_050)
    assert batch.shape == (2, 8) and list(batch.argmax(axis=1)) == [0, 5]
    with pytest.raises(ValueError, match="missing.json"):
        predict.speech_predictor(path.parent / "missing.json")


@pytest.fixture(scope="module")
def tiny_utterance_cnn(tmp_path_factory):
    model = models.speech_utterance_cnn(filters=(4, 4, 4, 4))
    path = tmp_path_factory.mktemp("utterance") / "utterance.keras"
    model.save(path)
    return model, path


def test_ensemble_averages_its_members(tiny_linear_model, tiny_utterance_cnn):
    assert models.speech_utterance_cnn().count_params() < 300_000
    paths = [tiny_linear_model[1], tiny_utterance_cnn[1]]
    ensemble = predict.speech_predictor(paths)
    members = [predict.speech_predictor(path) for path in paths]
    signal = speech_like()
    np.testing.assert_allclose(ensemble(signal), (members[0](signal) + members[1](signal)) / 2,
                               rtol=1e-5, atol=1e-6)
    batch = ensemble.predict_batch([signal, tone(0.5)])
    assert batch.shape == (2, 8) and np.allclose(batch.sum(axis=1), 1.0, atol=1e-5)
    assert members[1].features is features.utterance_log_mel  # told apart from the CNN+LSTM
