"""utils.text.models: the Keras builders of the text models; and utils.text as a package (its
submodules, the names it re-exports, nothing heavy imported with it). Offline."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from utils.text import models


@pytest.mark.parametrize("builder, kwargs, outputs", [
    (models.text_emotion_bilstm, {"units": 4}, 6),
    (models.personality_cnn_lstm, {"filters": (4, 8), "lstm_units": 4, "lstm_layers": 2, "dense": 4}, 5),
    (models.personality_mean_embedding, {}, 5),
])
def test_builders_take_token_indices_and_start_from_the_given_embedding(builder, kwargs, outputs):
    weights = np.random.default_rng(0).normal(size=(12, 8)).astype("float32")
    model = builder(vocab_size=12, max_len=16, embedding=weights, dim=8, **kwargs)
    assert model.input_shape == (None, 16) and model.output_shape == (None, outputs)
    np.testing.assert_array_equal(model.get_layer("embedding").get_weights()[0], weights)
    probs = np.asarray(model(np.array([[2, 3, 4] + [0] * 13]), training=False))
    assert probs.shape == (1, outputs) and np.all((probs >= 0) & (probs <= 1))


def test_the_package_reexports_the_names_its_callers_use_and_imports_nothing_heavy():
    code = ("import sys; import utils.text as t; "
            "names = ['load_text_model', 'essays_split', 'personality_report', 'train_text_emotion', "
            "'train_personality', 'TextPreprocessor', 'tfidf_logreg', 'to_canonical']; "
            "assert all(callable(getattr(t, n)) for n in names); "
            "assert t.preprocess.TextPreprocessor is t.TextPreprocessor; "
            "heavy = [m for m in ('tensorflow', 'keras', 'gensim', 'nltk', 'sklearn') "
            "         if m in sys.modules]; "
            "assert not heavy, heavy")
    subprocess.run([sys.executable, "-c", code], check=True, cwd=Path(__file__).resolve().parent.parent)
