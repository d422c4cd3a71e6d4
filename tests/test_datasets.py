"""utils.datasets: every real on-disk layout is read into the same arrays and tables.

Each test writes a tiny dataset in the real format into a temporary folder; the synthetic samples
have their own tests (tests/test_samples.py).
"""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pandas as pd
import pytest

from utils import datasets
from utils.datasets import carer, essays, fer2013, ravdess
from utils.labels import BIG_FIVE, EMOTIONS

# ---------------------------------------------------------------- FER2013


def _faces(n: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    return rng.integers(0, 256, (n, 48, 48), dtype=np.uint8), np.arange(n) % len(EMOTIONS)


def _write_fer_csv(path: Path, images: np.ndarray, labels: np.ndarray, usages: list[str],
                   columns: tuple[str, str, str] = ("emotion", "pixels", "Usage")) -> None:
    pixels = [" ".join(map(str, image.ravel())) for image in images]
    pd.DataFrame({columns[0]: labels, columns[1]: pixels, columns[2]: usages}).to_csv(path, index=False)


def _write_fer_folders(root: Path, images: np.ndarray, labels: np.ndarray, usages: list[str]) -> None:
    for i, (image, label, usage) in enumerate(zip(images, labels, usages)):
        folder = root / ("train" if usage == "Training" else "test") / EMOTIONS[label]
        folder.mkdir(parents=True, exist_ok=True)
        cv2.imwrite(str(folder / f"{usage}_{i:05d}.png"), image)  # png: lossless, comparable


USAGES = ["Training"] * 14 + ["PublicTest"] * 7 + ["PrivateTest"] * 7


def test_fer_csv_and_image_folders_give_the_same_split(tmp_path):
    images, labels = _faces(len(USAGES))
    (tmp_path / "csv").mkdir()
    _write_fer_csv(tmp_path / "csv" / "fer2013.csv", images, labels, USAGES)
    _write_fer_folders(tmp_path / "folders" / "nested", images, labels, USAGES)
    for split, expected in (("Training", 14), ("PublicTest", 7), ("PrivateTest", 7)):
        from_csv = fer2013.load(split, tmp_path / "csv")
        from_folders = fer2013.load(split, tmp_path / "folders")
        assert from_csv[0].shape == (expected, 48, 48) and from_csv[0].dtype == np.uint8
        order = np.lexsort((from_folders[1],))  # folders list by class, csv by row: compare sorted
        assert sorted(map(bytes, from_csv[0])) == sorted(map(bytes, from_folders[0][order]))
        assert sorted(from_csv[1]) == sorted(from_folders[1])


def test_fer_kaggle_csv_with_spaced_column_names(tmp_path):
    images, labels = _faces(4)
    _write_fer_csv(tmp_path / "icml_face_data.csv", images, labels, ["PublicTest"] * 4,
                   columns=("emotion", " pixels", " Usage"))
    loaded, loaded_labels = fer2013.load("PublicTest", tmp_path)
    np.testing.assert_array_equal(loaded, images)
    np.testing.assert_array_equal(loaded_labels, labels)


def test_fer_bad_pixel_row_names_file_and_row(tmp_path):
    images, labels = _faces(3)
    _write_fer_csv(tmp_path / "fer2013.csv", images, labels, ["Training"] * 3)
    table = pd.read_csv(tmp_path / "fer2013.csv")
    table.loc[1, "pixels"] = "1 2 3"
    table.to_csv(tmp_path / "fer2013.csv", index=False)
    with pytest.raises(ValueError, match=r"fer2013.csv: row 3 has 3 pixel values"):
        fer2013.load("Training", tmp_path)


def test_fer_corrupt_image_names_the_file(tmp_path):
    images, labels = _faces(2)
    _write_fer_folders(tmp_path, images, labels, ["Training"] * 2)
    broken = tmp_path / "train" / "angry" / "Training_99999.jpg"
    broken.write_bytes(b"not a jpeg")
    with pytest.raises(ValueError, match="Training_99999.jpg: not a readable image"):
        fer2013.load("Training", tmp_path)


def test_fer_unknown_split_and_missing_copy(tmp_path):
    with pytest.raises(ValueError, match="PublicTest"):
        fer2013.load("validation", tmp_path)
    with pytest.raises(FileNotFoundError, match="No FER2013 copy"):
        fer2013.load("Training", tmp_path)
    assert not fer2013.has_copy(tmp_path)


# ---------------------------------------------------------------- RAVDESS


def test_ravdess_file_name_is_decoded():
    fields = ravdess.parse_name("Actor_12/03-01-05-02-01-02-12.wav")
    assert fields["emotion"] == "angry" and fields["intensity"] == "strong"
    assert fields["statement"] == "Kids are talking by the door" and fields["repetition"] == 2
    assert fields["actor"] == 12 and fields["sex"] == "female" and fields["split"] == "train"
    assert ravdess.parse_name("01-01-08-01-02-01-21.mp4")["modality"] == "audio-visual"


@pytest.mark.parametrize("name", ["03-01-09-01-01-01-01.wav", "03-01-05-01-01-01-25.wav",
                                  "notes.wav", "03-01-05-01-01-01.wav"])
def test_ravdess_rejects_other_names(name):
    with pytest.raises(ValueError, match="not a RAVDESS file name"):
        ravdess.parse_name(name)


def test_ravdess_actor_splits_are_disjoint_and_complete():
    actors = [a for split in ravdess.ACTOR_SPLITS.values() for a in split]
    assert sorted(actors) == list(range(1, 25))
    assert ravdess.split_of_actor(16) == "train" and ravdess.split_of_actor(17) == "val"
    assert ravdess.split_of_actor(24) == "test"
    assert ravdess.parse_actors("21-24") == [21, 22, 23, 24]
    assert ravdess.parse_actors("1,3-4") == [1, 3, 4]


def test_ravdess_table_reads_the_real_layout(tmp_path):
    for actor in (1, 18, 22):
        folder = tmp_path / "Audio_Speech_Actors_01-24" / f"Actor_{actor:02d}"
        folder.mkdir(parents=True)
        for emotion in ("01", "05"):
            (folder / f"03-01-{emotion}-01-01-01-{actor:02d}.wav").write_bytes(b"")
    (tmp_path / "README.txt").write_text("not a clip")
    table = ravdess.table(tmp_path)
    assert len(table) == 6
    assert table.groupby("split").actor.unique().map(list).to_dict() == {
        "test": [22], "train": [1], "val": [18]}
    ravdess.check_speaker_independent(table)
    with pytest.raises(FileNotFoundError, match="No RAVDESS video"):
        ravdess.table(tmp_path, kind="video")


def test_speaker_leak_is_caught():
    leaking = pd.DataFrame({"actor": [1, 1, 2], "split": ["train", "val", "train"]})
    with pytest.raises(AssertionError, match=r"actors \[1\]"):
        ravdess.check_speaker_independent(leaking)


# ---------------------------------------------------------------- essays

ESSAYS = pd.DataFrame({
    "#AUTHID": ["1997_1.txt", "1997_2.txt"],
    "TEXT": ["Caf\u00e9 talk with friends \u2019cause it\u2019s fun", "Quiet day, se\u00f1or."],
    "cEXT": ["y", "n"], "cNEU": ["n", "y"], "cAGR": ["y", "y"], "cCON": ["n", "n"], "cOPN": ["y", "n"],
})


@pytest.mark.parametrize("encoding", ["utf-8", "cp1252"])
def test_essays_csv_in_either_encoding(tmp_path, encoding):
    ESSAYS.to_csv(tmp_path / "essays.csv", index=False, encoding=encoding)
    frame = essays.load(tmp_path)
    assert list(frame.columns) == ["authid", "text", *BIG_FIVE]
    assert frame.text.tolist() == ESSAYS.TEXT.tolist()
    assert frame.EXT.tolist() == [1, 0] and frame.NEU.tolist() == [0, 1]
    assert essays.load(tmp_path / "essays.csv").equals(frame)


def test_essays_parquet_variant(tmp_path):
    for split in ("train", "validation"):
        pd.DataFrame({"text": ["a b", "c d"], "O": [1, 0], "C": [0, 0], "E": [1, 1], "A": [0, 1],
                      "N": [1, 0]}).to_parquet(tmp_path / f"{split}-00000-of-00001.parquet")
    frame = essays.load(tmp_path)
    assert len(frame) == 4 and frame.authid.is_unique
    assert frame.OPN.tolist() == [1, 0, 1, 0] and frame.EXT.tolist() == [1, 1, 1, 1]


def test_essays_bad_labels_are_named(tmp_path):
    ESSAYS.assign(cEXT=["y", "maybe"]).to_csv(tmp_path / "essays.csv", index=False)
    with pytest.raises(ValueError, match="cEXT must hold only y/n"):
        essays.load(tmp_path)
    ESSAYS.drop(columns="cOPN").to_csv(tmp_path / "essays.csv", index=False)
    with pytest.raises(ValueError, match="missing columns"):
        essays.load(tmp_path)


# ---------------------------------------------------------------- CARER


def test_carer_text_and_parquet_layouts(tmp_path):
    (tmp_path / "txt").mkdir()
    (tmp_path / "txt" / "val.txt").write_text("i feel great;joy\ni am scared; really;fear\n")
    frame = carer.load("val", tmp_path / "txt")
    assert frame.to_dict("list") == {"text": ["i feel great", "i am scared; really"],
                                     "label": ["joy", "fear"]}
    (tmp_path / "pq").mkdir()
    pd.DataFrame({"text": ["i feel great", "i am scared"], "label": [1, 4]}).to_parquet(
        tmp_path / "pq" / "validation-00000-of-00001.parquet")
    assert carer.load("val", tmp_path / "pq")["label"].tolist() == ["joy", "fear"]


@pytest.mark.parametrize("header", ["", "text;label\n", "text;label_name\n", "\ufefftext;label_name\n",
                                    "TEXT;LABEL\n"])
def test_carer_text_files_with_or_without_a_header_line(tmp_path, header):
    (tmp_path / "train.txt").write_text(header + "i feel great;joy\ni am scared;fear\n", encoding="utf-8")
    frame = carer.load("train", tmp_path)
    assert frame.to_dict("list") == {"text": ["i feel great", "i am scared"], "label": ["joy", "fear"]}


def test_carer_header_only_counts_on_the_first_line(tmp_path):
    (tmp_path / "train.txt").write_text("i feel great;joy\ntext;label_name\n")
    with pytest.raises(ValueError, match=r"train.txt:2"):
        carer.load("train", tmp_path)


def test_carer_bad_line_and_split(tmp_path):
    (tmp_path / "train.txt").write_text("fine;joy\nno label here\n")
    with pytest.raises(ValueError, match=r"train.txt:2"):
        carer.load("train", tmp_path)
    with pytest.raises(ValueError, match="no split"):
        carer.load("dev", tmp_path)
    with pytest.raises(FileNotFoundError, match="No CARER test split"):
        carer.load("test", tmp_path)


# ---------------------------------------------------------------- finding a dataset


def test_full_mode_uses_an_existing_copy_without_downloading(monkeypatch, tmp_path):
    monkeypatch.setenv("COURSE_QUICK", "0")
    monkeypatch.setenv("COURSE_DATA_DIR", str(tmp_path))
    (tmp_path / "emotion").mkdir()  # dair-ai's folder name is found as well as carer/
    (tmp_path / "emotion" / "train.txt").write_text("so happy;joy\n")
    import utils.datasets.download as download

    monkeypatch.setattr(download, "fetch", lambda *a, **k: pytest.fail("must not download"))
    assert carer.root() == tmp_path / "emotion"
    assert carer.load("train")["label"].tolist() == ["joy"]


def test_full_mode_without_a_copy_downloads_into_the_data_dir(monkeypatch, tmp_path):
    monkeypatch.setenv("COURSE_QUICK", "0")
    monkeypatch.setenv("COURSE_DATA_DIR", str(tmp_path))
    import utils.datasets.download as download

    calls = []
    monkeypatch.setattr(download, "fetch", lambda name, dest, only=None: calls.append((name, dest)))
    assert fer2013.root() == tmp_path / "fer2013"
    assert calls == [("fer2013", tmp_path / "fer2013")]


def test_quick_mode_reads_the_samples(monkeypatch, tmp_path):
    import utils.datasets.samples as samples

    made = []
    monkeypatch.setattr(samples, "ensure_samples", lambda name: made.append(name) or tmp_path)
    assert datasets.dataset_root("essays", essays.has_copy) == tmp_path
    assert made == ["essays"]


def test_actor_folds_are_consecutive_blocks_of_actors():
    assert ravdess.actor_folds(range(1, 21)) == [[1, 2, 3, 4], [5, 6, 7, 8], [9, 10, 11, 12],
                                                 [13, 14, 15, 16], [17, 18, 19, 20]]
    assert ravdess.actor_folds([22, 1, 2, 1, 21], folds=5) == [[1], [2], [21], [22]]
    with pytest.raises(ValueError, match="at least 2"):
        ravdess.actor_folds([3, 3], folds=5)
