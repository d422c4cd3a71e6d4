"""utils.audio.train: training inputs and batches, grouped folds, and the recipes on the samples.

Every signal is synthetic (tones and noise written in the test); nothing reads /work/shared.
"""

from __future__ import annotations

import json

import numpy as np
import pytest

from audio_signals import speech_like
from utils.audio import features, predict, train


def test_model_inputs_and_augmented_batches():
    signals = [features.trim_silence(speech_like(seed=i)) for i in range(3)]
    clean = train.model_inputs(signals)
    varied = train.model_inputs(signals, np.random.default_rng(0))
    assert clean.shape == varied.shape == (3, 5, 100, 48, 1) and clean.dtype == np.float16
    batches = train.augmented_batches([clean, varied], np.array([0, 1, 2]), batch_size=2)
    assert len(batches) == 2
    x, y = batches[0]
    assert x.shape == (2, 5, 100, 48, 1) and x.dtype == np.float32 and len(y) == 2
    assert sorted(np.concatenate([batches[0][1], batches[1][1]])) == [0, 1, 2]
    with pytest.raises(ValueError):
        train.augmented_batches([clean], np.array([0, 1]))


def test_grouped_folds_with_copies_never_cross_voices_or_score_copies():
    actors = np.repeat([1, 2, 3, 4], 3)  # 12 original clips, then 2 blocks of copies
    folds = train.grouped_folds_with_copies(actors, n_copies=2, n_splits=4)
    assert len(folds) == 4
    version_actor = np.tile(actors, 3)
    for trained, scored in folds:
        assert scored.max() < actors.size  # scored on originals only
        held_out = set(actors[scored])
        assert not held_out & set(version_actor[trained])  # no version of a held-out voice
        assert trained.size == 3 * (actors.size - scored.size)  # every version of the others


def test_linear_recipe_on_the_samples(tmp_path):
    from utils.inference import load_linear_pipeline

    metrics = train.train_speech_logreg(None, tmp_path, grid=(0.1,), factors=(1.1,))
    assert 0.0 <= metrics["accuracy"] <= 1.0
    assert (tmp_path / "speech_logreg_confusion.png").is_file()
    _, meta = load_linear_pipeline(tmp_path / "speech_logreg.json")
    assert meta["speed_factors"] == [1.1] and list(meta["cv_accuracy_by_c"]) == ["0.1"]


def test_mixup_keeps_labels_soft_and_mostly_own():
    from utils.training import mixup

    x = np.arange(8, dtype=np.float32).reshape(8, 1, 1)
    y = np.eye(4, dtype=np.float32)[[0, 1, 2, 3, 0, 1, 2, 3]]
    mixed_x, mixed_y = mixup(x, y, np.random.default_rng(0))
    np.testing.assert_allclose(mixed_y.sum(axis=1), 1.0, rtol=1e-6)
    assert mixed_x.shape == x.shape and (mixed_y.max(axis=1) >= 0.5 - 1e-6).all()


def test_utterance_cnn_recipe_on_the_samples(tmp_path):
    metrics = train.train_speech_utterance_cnn(None, tmp_path, epochs=1, factors=(1.1,),
                                               verbose=False)
    assert 0.0 <= metrics["accuracy"] <= 1.0
    assert not list(tmp_path.glob("*.partial.keras"))
    history = json.loads((tmp_path / "speech_utterance_cnn_history.json").read_text())
    assert len(history["history"]["val_accuracy"]) == 1
    predictor = predict.speech_predictor(tmp_path / "speech_utterance_cnn.keras")
    assert predictor(speech_like()).shape == (8,)
