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


def test_warmup_cosine_rate_rises_then_anneals_to_zero():
    rates = [training.warmup_cosine_rate(p, peak=0.1, warmup=0.1) for p in (0, 0.05, 0.1, 0.55, 1)]
    assert rates[0] == 0 and rates[1] == pytest.approx(0.05) and rates[2] == pytest.approx(0.1)
    assert rates[3] == pytest.approx(0.05) and rates[4] == pytest.approx(0.0, abs=1e-12)


def test_warmup_cosine_callback_stops_training_after_its_steps():
    import keras
    import numpy as np

    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    model.compile(keras.optimizers.SGD(0.1), "mse")
    x = np.zeros((8, 2), "float32")
    history = model.fit(x, x[:, :1], batch_size=2, epochs=5, verbose=0,
                        callbacks=[training.warmup_cosine(0.1, total_steps=6)])
    assert len(history.history["loss"]) == 2  # 4 steps an epoch: stopped inside the second
    assert history.history["learning_rate"][-1] < 0.01
