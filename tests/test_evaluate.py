"""utils.evaluate: the shared report and the command line's plumbing."""

from __future__ import annotations

import json

import pytest

from utils import evaluate, reports


def test_write_report_gives_json_and_png(tmp_path):
    metrics = reports.write_report([0, 1, 1, 2], [0, 1, 0, 2], ["a", "b", "c"], "toy, val", tmp_path)
    assert metrics["accuracy"] == pytest.approx(0.75)
    assert metrics["macro_f1"] == pytest.approx((1 / 1.5 + 2 / 3 + 1) / 3, rel=1e-6)
    saved = json.loads((tmp_path / "metrics.json").read_text())
    assert saved["per_class"]["b"]["recall"] == pytest.approx(0.5)
    assert (tmp_path / "confusion.png").stat().st_size > 1000


def test_a_registered_command_runs_end_to_end(tmp_path, monkeypatch, capsys):
    def add_arguments(parser):
        parser.add_argument("--flip", action="store_true")

    def run(args):
        return [0, 1], ([1, 0] if args.flip else [0, 1]), ["x", "y"], "toy"

    monkeypatch.setitem(evaluate.COMMANDS, "toy", (add_arguments, run))
    metrics = evaluate.main(["--out", str(tmp_path), "toy", "--flip"])
    assert metrics["accuracy"] == 0.0
    assert json.loads(capsys.readouterr().out)["accuracy"] == 0.0


def test_side_reports_are_written_beside_the_main_report(tmp_path, monkeypatch):
    from matplotlib import pyplot as plt

    def run(args):
        return [0, 1], [0, 1], ["x", "y"], "toy", ("parts", {"part": 1}, plt.figure())

    monkeypatch.setitem(evaluate.COMMANDS, "toy", (lambda parser: None, run))
    evaluate.main(["--out", str(tmp_path), "toy"])
    assert json.loads((tmp_path / "parts.json").read_text()) == {"part": 1}
    assert (tmp_path / "parts_confusion.png").is_file() and (tmp_path / "metrics.json").is_file()


def test_unknown_command_is_rejected(capsys):
    with pytest.raises(SystemExit):
        evaluate.main(["no-such-modality"])
    assert "invalid choice" in capsys.readouterr().err


def test_face_command_describes_training_and_writes_gradcam_means(tmp_path, capsys):
    from utils.datasets import fer2013

    metrics = evaluate.main(["--out", str(tmp_path), "face", "--data", str(fer2013.root()),
                             "--split", "PublicTest", "--describe-training", "--gradcam"])
    assert metrics["examples"] > 0 and (tmp_path / "confusion.png").is_file()
    training = json.loads((tmp_path / "training_data.json").read_text())
    assert training["faces"] == sum(training["per_class"].values())
    assert training["exact_repeats"] >= 1  # the samples repeat a few faces, like FER2013
    cams = json.loads((tmp_path / "gradcam_means.json").read_text())
    assert set(cams["uniform_shares"]) == {"eyes", "mouth"}
    assert (tmp_path / "gradcam_means.png").stat().st_size > 1000
    assert (tmp_path / "training_balance.png").is_file()
