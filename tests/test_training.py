"""utils.training: class weights, epochs per mode, the standard callbacks."""

from __future__ import annotations

import pytest

from utils import training


def test_class_weights_balance_and_cover_absent_classes():
    weights = training.class_weights([0, 0, 0, 1], n_classes=3)
    assert weights[0] == pytest.approx(4 / (2 * 3))
    assert weights[1] == pytest.approx(4 / (2 * 1))
    assert weights[2] == 1.0


def test_epochs_follow_the_mode(monkeypatch):
    monkeypatch.setenv("COURSE_QUICK", "1")
    assert training.epochs(50, quick=3) == 3
    monkeypatch.setenv("COURSE_QUICK", "0")
    assert training.epochs(50, quick=3) == 50


def test_standard_callbacks_keep_the_best_checkpoint(tmp_path):
    import keras
    import numpy as np

    callbacks = training.standard_callbacks(tmp_path / "ckpt" / "best.keras", monitor="val_loss",
                                            patience=2)
    assert [type(c).__name__ for c in callbacks] == [
        "ModelCheckpoint", "EarlyStopping", "ReduceLROnPlateau"]
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    model.compile("sgd", "mse")
    x = np.random.default_rng(0).normal(size=(16, 2)).astype("float32")
    model.fit(x, x[:, :1], validation_data=(x, x[:, :1]), epochs=2, verbose=0, callbacks=callbacks)
    assert (tmp_path / "ckpt" / "best.keras").is_file()
