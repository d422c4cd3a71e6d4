"""The synthetic samples: real on-disk formats, deterministic, atomic, and learnable.

The samples are generated once per test session into a temporary folder (never into the repo).
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
import soundfile as sf

from utils.datasets import samples
from utils.labels import CARER_CLASSES, EMOTIONS

RAVDESS_NAME = re.compile(r"^03-01-(0[1-8])-(0[12])-(0[12])-(0[12])-(\d\d)\.wav$")


@pytest.fixture(scope="module")
def root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """All four datasets' samples, generated once for this module."""
    folder = tmp_path_factory.mktemp("samples")
    for name in samples.DATASETS:
        samples.ensure_samples(name, folder)
    return folder


@pytest.fixture(scope="module")
def fer(root: Path) -> pd.DataFrame:
    return pd.read_csv(root / "fer2013" / "fer2013.csv")


@pytest.fixture(scope="module")
def speech_files(root: Path) -> list[Path]:
    return sorted((root / "ravdess" / "Audio_Speech_Actors_01-24").rglob("*.wav"))


@pytest.fixture(scope="module")
def video_path(root: Path) -> Path:
    return root / "ravdess" / "Video_Speech_Actor_01" / "Actor_01" / "01-01-03-01-01-01-01.mp4"


def _fit_score(model: Any, x_train: Any, y_train: Any, x_test: Any, y_test: Any) -> float:
    """Accuracy on the test part of a scikit-learn model fitted on the train part."""
    return float(model.fit(x_train, y_train).score(x_test, y_test))


# --- the API: names, reuse, atomicity, determinism -------------------------------------------


def test_unknown_dataset_names_the_valid_ones(tmp_path):
    with pytest.raises(ValueError, match="fer2013, ravdess, essays, carer"):
        samples.ensure_samples("mnist", tmp_path)


def test_existing_samples_are_reused_not_regenerated(root, monkeypatch):
    monkeypatch.setattr(samples.carer, "write_carer", lambda folder: pytest.fail("regenerated"))
    assert samples.ensure_samples("carer", root) == root / "carer"


def test_samples_from_an_older_generator_are_regenerated(tmp_path, monkeypatch):
    folder = samples.ensure_samples("carer", tmp_path)
    (folder / "train.txt").write_text("stale;joy\n")
    assert samples.ensure_samples("carer", tmp_path) == folder  # same version: kept as it is
    assert (folder / "train.txt").read_text() == "stale;joy\n"
    monkeypatch.setattr(samples.carer, "VERSION", samples.carer.VERSION + 1)
    samples.ensure_samples("carer", tmp_path)
    assert (folder / "train.txt").read_text() != "stale;joy\n"
    assert (folder / samples.STAMP_FILE).read_text().strip() == str(samples.carer.VERSION)


def test_an_interrupted_generation_leaves_nothing_behind(tmp_path, monkeypatch):
    written = []

    def write_then_fail(path: Path, lines: list[str]) -> None:
        if written:
            raise KeyboardInterrupt  # interrupted after the first split file
        path.write_text("\n".join(lines), encoding="utf-8")
        written.append(path)

    monkeypatch.setattr(samples.carer, "_write_carer_split", write_then_fail)
    with pytest.raises(KeyboardInterrupt):
        samples.ensure_samples("carer", tmp_path)
    assert written, "the generator did not get midway"
    assert list(tmp_path.iterdir()) == []


def test_a_failed_regeneration_keeps_the_previous_samples(tmp_path, monkeypatch):
    folder = samples.ensure_samples("carer", tmp_path)
    before = (folder / "train.txt").read_bytes()
    monkeypatch.setattr(samples.carer, "write_carer", lambda folder: 1 / 0)
    with pytest.raises(ZeroDivisionError):
        samples.generate("carer", tmp_path)
    assert (folder / "train.txt").read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["carer"]


def test_generation_is_deterministic(root, tmp_path):
    for name, files in [("fer2013", ["fer2013.csv"]), ("essays", ["essays.csv"]),
                        ("carer", ["train.txt", "val.txt", "test.txt"])]:
        again = samples.ensure_samples(name, tmp_path)
        for file in files:
            assert (again / file).read_bytes() == (root / name / file).read_bytes(), file


# --- FER2013 ----------------------------------------------------------------------------------


def test_fer2013_has_the_kaggle_csv_layout(fer):
    assert list(fer.columns) == ["emotion", "pixels", "Usage"]
    counts = fer.groupby(["Usage", "emotion"]).size().unstack()
    for usage, per_class in samples.fer2013.FER_COUNTS.items():
        extra = samples.fer2013.FER_REPEATS if usage == "Training" else 0  # the repeated rows
        assert (counts.loc[usage] >= per_class).all()
        assert counts.loc[usage].sum() == sum(per_class) + extra
    pixels = np.stack([np.array(row.split(), dtype=int) for row in fer.pixels])
    assert pixels.shape[1] == 48 * 48
    assert pixels.min() >= 0 and pixels.max() <= 255 and pixels.std() > 20


def test_fer2013_expressions_are_learnable(fer):
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    pixels = np.stack([np.array(row.split(), dtype=np.float32) for row in fer.pixels]) / 255
    # 2x2 means: 576 features fit in a second, where 2304 take tens of seconds on a busy CPU
    pixels = pixels.reshape(-1, 24, 2, 24, 2).mean(axis=(2, 4)).reshape(len(pixels), -1)
    train, valid = (fer.Usage == "Training").to_numpy(), (fer.Usage == "PublicTest").to_numpy()
    model = make_pipeline(StandardScaler(), LogisticRegression(C=0.01, max_iter=2000))
    labels = fer.emotion.to_numpy()
    accuracy = _fit_score(model, pixels[train], labels[train], pixels[valid], labels[valid])
    assert accuracy >= 0.35, f"PublicTest accuracy {accuracy:.2f}, chance is 1/7"


# --- RAVDESS speech ---------------------------------------------------------------------------


def test_ravdess_speech_has_the_original_layout(speech_files):
    fields = []
    for path in speech_files:
        match = RAVDESS_NAME.match(path.name)
        assert match, path.name
        emotion, intensity, _, _, actor = match.groups()
        assert path.parent.name == f"Actor_{actor}"
        assert not (emotion == "01" and intensity == "02"), "neutral has no strong intensity"
        fields.append((int(actor), emotion))
    actors = {actor for actor, _ in fields}
    assert actors & set(range(1, 17)) and actors & {17, 18, 19, 20} and actors & {21, 22, 23, 24}
    for actor in actors:
        assert {e for a, e in fields if a == actor} == {f"{code:02d}" for code in range(1, 9)}


def test_ravdess_speech_audio_formats(speech_files):
    infos = {path.name: sf.info(path) for path in speech_files}
    assert {info.subtype for info in infos.values()} == {"PCM_16"}
    rates = [info.samplerate for info in infos.values()]
    assert rates.count(48_000) > len(rates) / 2 and 16_000 in rates
    stereo = [name for name, info in infos.items() if info.channels == 2]
    assert stereo == [samples.ravdess.STEREO_FILE]
    assert all(1.5 <= info.duration <= 2.5 for info in infos.values())


def _mfcc_statistics(path: Path) -> np.ndarray:
    import librosa
    from scipy.signal import resample_poly

    audio, rate = sf.read(path, always_2d=True)
    audio = audio.mean(axis=1)
    if rate != 16_000:
        audio = resample_poly(audio, 16_000, rate)
    mfcc = librosa.feature.mfcc(y=audio, sr=16_000, n_mfcc=20)
    return np.concatenate([mfcc.mean(axis=1), mfcc.std(axis=1)])


def test_ravdess_emotions_are_learnable_across_speakers(speech_files):
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler
    from sklearn.svm import SVC

    def split(actors: range) -> tuple[np.ndarray, list[str]]:
        paths = [p for p in speech_files if int(p.stem[-2:]) in actors]
        return np.stack([_mfcc_statistics(p) for p in paths]), [p.stem[6:8] for p in paths]

    accuracy = _fit_score(make_pipeline(StandardScaler(), SVC()), *split(range(1, 17)),
                          *split(range(17, 21)))
    assert accuracy >= 0.4, f"validation-actor accuracy {accuracy:.2f}, chance is 1/8"


# --- RAVDESS audio-visual clip ----------------------------------------------------------------


def _read_frames(path: Path) -> list[np.ndarray]:
    from utils.video.io import video_frames

    return [frame for _, frame in video_frames(path)]


def test_video_is_h264_with_aac_sound_and_opencv_reads_it(video_path):
    import imageio_ffmpeg

    frames = _read_frames(video_path)
    assert len(frames) == samples.video.VIDEO_FRAMES
    assert frames[0].shape == (360, 640, 3)
    probe = subprocess.run([imageio_ffmpeg.get_ffmpeg_exe(), "-hide_banner", "-i", str(video_path)],
                           capture_output=True, text=True)  # no output file: ffmpeg only probes
    assert re.search(r"Video: h264", probe.stderr) and re.search(r"Audio: aac", probe.stderr)


def test_video_face_is_found_and_blinks(video_path):
    import cv2
    import dlib
    import face_recognition_models

    detector = dlib.get_frontal_face_detector()
    predictor = dlib.shape_predictor(face_recognition_models.pose_predictor_model_location())

    def eye_aspect_ratio(eye: np.ndarray) -> float:
        vertical = np.linalg.norm(eye[1] - eye[5]) + np.linalg.norm(eye[2] - eye[4])
        return vertical / (2 * np.linalg.norm(eye[0] - eye[3]))

    ratios = {}
    for index, frame in enumerate(_read_frames(video_path)):
        rgb = cv2.cvtColor(frame, cv2.COLOR_BGR2RGB)
        faces = detector(rgb, 0)
        if faces:
            shape = predictor(rgb, faces[0])
            points = np.array([[p.x, p.y] for p in shape.parts()], dtype=float)
            ratios[index] = (eye_aspect_ratio(points[36:42]) + eye_aspect_ratio(points[42:48])) / 2
    assert len(ratios) >= 0.8 * samples.video.VIDEO_FRAMES
    closed = [r for i, r in ratios.items() if i in samples.video.BLINK_FRAMES]
    opened = [r for i, r in ratios.items() if i not in samples.video.BLINK_FRAMES]
    assert len(closed) >= 4
    assert max(closed) < 0.6 * np.median(opened), (closed, np.median(opened))


# --- Essays -----------------------------------------------------------------------------------


def test_essays_are_cp1252_with_the_original_columns(root):
    raw = (root / "essays" / "essays.csv").read_bytes()
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    text = raw.decode("cp1252")
    assert all(char in text for char in "éñ\u2019")
    essays = pd.read_csv(root / "essays" / "essays.csv", encoding="cp1252")
    assert list(essays.columns) == ["#AUTHID", "TEXT", "cEXT", "cNEU", "cAGR", "cCON", "cOPN"]
    assert essays["#AUTHID"].str.fullmatch(r"\d{4}_\d{6}\.txt").all()
    assert essays["#AUTHID"].is_unique
    assert set(essays.iloc[:, 2:].to_numpy().ravel()) == {"y", "n"}
    words = essays.TEXT.str.split().str.len()
    assert words.between(150, 400).all()


def test_essay_traits_are_learnable(root):
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline

    essays = pd.read_csv(root / "essays" / "essays.csv", encoding="cp1252")
    train, held_out = essays.iloc[:40], essays.iloc[40:]
    accuracies, majorities = [], []
    for trait in ["cEXT", "cNEU", "cAGR", "cCON", "cOPN"]:
        model = make_pipeline(TfidfVectorizer(), LogisticRegression(max_iter=1000))
        accuracies.append(_fit_score(model, train.TEXT, train[trait], held_out.TEXT,
                                     held_out[trait]))
        majorities.append((held_out[trait] == train[trait].mode()[0]).mean())
    assert np.mean(accuracies) >= np.mean(majorities) + 0.1, (accuracies, majorities)


# --- CARER emotion ----------------------------------------------------------------------------


def _read_carer(path: Path) -> pd.DataFrame:
    rows = [line.rsplit(";", 1) for line in path.read_text(encoding="utf-8").splitlines()]
    return pd.DataFrame(rows, columns=["text", "label"])


def test_carer_files_have_text_semicolon_label_lines(root):
    for split, per_class in samples.carer.CARER_PER_CLASS.items():
        lines = (root / "carer" / f"{split}.txt").read_text(encoding="utf-8").splitlines()
        assert all(line.count(";") == 1 and line == line.lower() for line in lines)
        labels = pd.Series([line.split(";")[1] for line in lines]).value_counts()
        assert sorted(labels.index) == sorted(CARER_CLASSES)
        assert set(labels) == {per_class}


def test_carer_emotions_are_learnable(root):
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline

    train, val = (_read_carer(root / "carer" / f"{s}.txt") for s in ("train", "val"))
    model = make_pipeline(TfidfVectorizer(), LogisticRegression(max_iter=1000))
    accuracy = _fit_score(model, train.text, train.label, val.text, val.label)
    assert accuracy >= 0.5, f"val accuracy {accuracy:.2f}, chance is 1/6"
