"""utils.inference: the compiled single-example call gives the model's own answer."""

from __future__ import annotations

import numpy as np

from utils import inference


def test_inference_function_matches_the_model_and_ignores_dropout():
    import keras

    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(8), keras.layers.Dropout(0.5),
                              keras.layers.Dense(3, activation="softmax")])
    forward = inference.inference_function(model)
    x = np.random.default_rng(0).normal(size=(2, 4)).astype("float32")
    first, second = np.asarray(forward(x)), np.asarray(forward(x))
    np.testing.assert_allclose(first, model(x, training=False).numpy(), rtol=1e-6)
    np.testing.assert_array_equal(first, second)  # inference mode: dropout is off


def test_inference_function_averages_with_a_transformed_copy():
    import keras

    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(3, activation="softmax")])
    x = np.random.default_rng(1).normal(size=(2, 4)).astype("float32")
    averaged = np.asarray(inference.inference_function(model, average_with=lambda t: -t)(x))
    expected = (model(x, training=False).numpy() + model(-x, training=False).numpy()) / 2
    np.testing.assert_allclose(averaged, expected, rtol=1e-6)
