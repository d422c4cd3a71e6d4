"""utils.text.train and utils.text.metrics: the course's split of the essays, the per-trait
report, and the text evaluators on the samples. Offline."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from utils.labels import BIG_FIVE
from utils.text import metrics, train


def test_essays_split_is_disjoint_stratified_and_seeded():
    rng = np.random.default_rng(0)
    frame = pd.DataFrame(rng.integers(0, 2, (300, 5)), columns=list(BIG_FIVE))
    parts = train.essays_split(frame, seed=42)
    allrows = np.concatenate(list(parts.values()))
    assert sorted(allrows) == list(range(300))
    sizes = [len(parts[p]) for p in ("train", "val", "test")]
    assert np.allclose(sizes, [240, 30, 30], atol=1)
    again = train.essays_split(frame, seed=42)
    assert all(np.array_equal(parts[p], again[p]) for p in parts)
    for trait in BIG_FIVE:
        assert abs(frame[trait].iloc[parts["test"]].mean() - frame[trait].mean()) < 0.15


def test_personality_report():
    truth = np.array([[1, 0, 1, 0, 1]] * 4)
    pred = np.array([[1, 0, 1, 0, 1]] * 3 + [[0, 1, 0, 1, 0]])
    report, fig = metrics.personality_report(truth, pred, "test")
    assert report["mean_accuracy"] == pytest.approx(0.75) and report["EXT"]["majority_share"] == 1.0
    with pytest.raises(ValueError, match="expected two"):
        metrics.personality_report(truth[:, :3], pred[:, :3], "bad")


def test_evaluate_commands_on_the_samples(tmp_path):
    from utils import evaluate
    from utils.datasets.samples import ensure_samples

    emotion = ensure_samples("carer", root=tmp_path / "samples")
    metrics = evaluate.main(["--out", str(tmp_path / "emo"), "text-emotion", "--data", str(emotion),
                             "--split", "val"])
    from utils.datasets.samples.carer import CARER_PER_CLASS
    from utils.labels import CARER_CLASSES

    assert metrics["examples"] == CARER_PER_CLASS["val"] * len(CARER_CLASSES)
    assert 0 <= metrics["accuracy"] <= 1
    assert (tmp_path / "emo" / "confusion.png").is_file()
    essays_dir = ensure_samples("essays", root=tmp_path / "samples")
    metrics = evaluate.main(["--out", str(tmp_path / "pers"), "personality", "--data", str(essays_dir),
                             "--split", "all"])
    traits = json.loads((tmp_path / "pers" / "traits.json").read_text())
    assert metrics["accuracy"] == pytest.approx(traits["mean_accuracy"])
    assert (tmp_path / "pers" / "traits_confusion.png").is_file()
