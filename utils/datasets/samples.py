"""Synthetic samples of the course's four datasets, in each dataset's real on-disk format.

Quick mode (offline, CI, a class on a projector) reads these folders with exactly the loaders that
read the real datasets, so every loader line runs on them. Each sample carries a class-dependent
signal a small model learns in seconds; nothing here is real data, and everything is generated
from fixed seeds, so the files are the same on every run with the same library versions.

- ``fer2013/fer2013.csv``: 48x48 faces warped into the seven expressions, from the public-domain
  astronaut photo that scikit-image ships.
- ``ravdess/Audio_Speech_Actors_01-24/Actor_NN/03-01-*.wav``: synthesised voices with emotional
  prosody, plus one audio-visual clip ``Video_Speech_Actor_01/Actor_01/01-01-03-01-01-01-01.mp4``
  (the astronaut's face, blinking twice, with a happy voice), and audio-visual clips of validation
  and test actors 17, 18, 21, 22 acting four emotions (rest, apex, rest) for fusion.
- ``essays/essays.csv``: stream-of-consciousness essays with Big Five labels, cp1252 encoded.
- ``emotion/{train,val,test}.txt``: CARER's ``text;label`` lines.

Command line (regenerates everything and prints what it wrote)::

    python -m utils.datasets.samples [--root DIR] [--force]
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, fields, replace
from functools import lru_cache
from pathlib import Path
from typing import NamedTuple

import cv2
import numpy as np
import pandas as pd
import soundfile as sf
from scipy import signal

from utils.config import SAMPLES_DIR
from utils.labels import BIG_FIVE, CARER_CLASSES, EMOTIONS, RAVDESS_EMOTIONS

DATASETS = ("fer2013", "ravdess", "essays", "emotion")
SEED = 2024

# ---------------------------------------------------------------------------------------------
# Generating a folder atomically
# ---------------------------------------------------------------------------------------------


def ensure_samples(name: str, root: Path = SAMPLES_DIR) -> Path:
    """Return ``root/name``, generating the samples first if missing.

    Atomic: the samples are generated into a temporary folder next to the target and moved into
    place with ``os.replace``, so an interrupted run leaves nothing half-written.
    Unknown ``name`` -> ValueError naming the valid ones.
    """
    target = Path(root) / _check_name(name)
    if not target.is_dir():
        _generate_atomically(name, Path(root), replace_existing=False)
    elif name == "ravdess":
        write_av_clips(target)  # a folder made before these clips existed gets them added
    return target


def generate(name: str, root: Path = SAMPLES_DIR) -> Path:
    """Regenerate ``root/name`` even if it exists; the old folder is swapped out only on success."""
    _generate_atomically(_check_name(name), Path(root), replace_existing=True)
    return Path(root) / name


def _check_name(name: str) -> str:
    """``name`` if it is one of :data:`DATASETS`, else a ValueError listing them."""
    if name not in DATASETS:
        raise ValueError(f"no samples for dataset {name!r}: choose one of {', '.join(DATASETS)}")
    return name


def _writer(name: str) -> Callable[[Path], None]:
    """The generator of one dataset, looked up at call time so tests can replace it."""
    writers = {"fer2013": write_fer2013, "ravdess": write_ravdess, "essays": write_essays,
               "emotion": write_emotion}
    return writers[name]


def _generate_atomically(name: str, root: Path, replace_existing: bool) -> None:
    """Write ``root/name`` through a temporary sibling folder renamed into place on success."""
    root.mkdir(parents=True, exist_ok=True)
    target = root / name
    building = Path(tempfile.mkdtemp(prefix=f".{name}-building-", dir=root))
    building.chmod(0o755)  # mkdtemp's private 0700 would outlive the rename
    try:
        _writer(name)(building)
        if replace_existing and target.exists():
            retired = Path(tempfile.mkdtemp(prefix=f".{name}-old-", dir=root))
            os.replace(target, retired / name)
            shutil.rmtree(retired)
        try:
            os.replace(building, target)
        except OSError:
            if not target.is_dir():  # not a concurrent run that finished first
                raise
    finally:
        shutil.rmtree(building, ignore_errors=True)


# ---------------------------------------------------------------------------------------------
# The astronaut's face (shared by FER2013 and the video)
# ---------------------------------------------------------------------------------------------

# dlib's 68 face landmarks (face_recognition_models' predictor) on skimage.data.astronaut(),
# measured once and written here so that generating samples needs neither dlib nor its 100 MB model.
ASTRONAUT_LANDMARKS = np.array([
    [179, 104], [180, 116], [181, 127], [182, 139], [185, 150], [191, 160], [200, 168], [209, 176],
    [220, 178], [232, 177], [243, 171], [253, 163], [260, 154], [265, 143], [268, 131], [270, 120],
    [272, 108], [186, 94], [192, 88], [200, 87], [208, 89], [216, 92], [236, 93], [244, 91],
    [252, 91], [260, 92], [265, 99], [226, 102], [225, 111], [225, 119], [225, 127], [214, 131],
    [219, 133], [224, 134], [229, 133], [234, 132], [195, 101], [200, 98], [207, 98], [212, 104],
    [206, 104], [199, 104], [237, 106], [243, 100], [250, 100], [255, 105], [250, 107], [244, 107],
    [201, 139], [209, 139], [218, 139], [224, 141], [230, 140], [238, 140], [246, 141], [238, 151],
    [229, 155], [222, 156], [216, 155], [208, 150], [204, 141], [218, 143], [223, 144], [230, 143],
    [243, 142], [229, 150], [223, 151], [217, 150],
], dtype=np.float32)
NOSE = tuple(range(27, 36))  # its mean x is the line between the left and right of the face
RIGHT_EYE, LEFT_EYE = tuple(range(36, 42)), tuple(range(42, 48))  # subject's right = image left
BROWS, INNER_BROWS, OUTER_BROWS = tuple(range(17, 27)), (20, 21, 22, 23), (17, 18, 25, 26)
UPPER_LIDS, LOWER_LIDS = (37, 38, 43, 44), (40, 41, 46, 47)
MOUTH_CORNERS, UPPER_LIP, INNER_LIPS = (48, 54), (50, 51, 52), tuple(range(60, 68))


@lru_cache(maxsize=1)
def astronaut() -> np.ndarray:
    """The public-domain photo of astronaut Eileen Collins (NASA) in scikit-image, RGB uint8."""
    from skimage import data

    image = data.astronaut()
    image.flags.writeable = False  # cached and shared: callers copy before painting
    return image


@dataclass(frozen=True)
class Move:
    """A smooth local displacement: landmarks ``points`` move by ``outward`` (away from the nose
    line) and ``up`` pixels of the original photo, fading out with a Gaussian of width ``sigma``."""

    points: tuple[int, ...]
    outward: float
    up: float
    sigma: float


@dataclass(frozen=True)
class Expression:
    """How the (smiling) astronaut is turned into one expression: a mouth shape painted first,
    then moves of brows, lids, mouth and jaw."""

    mouth: str  # "smile" (as photographed), "closed", "open" (tall, dark) or "stretched"
    moves: tuple[Move, ...]


EXPRESSIONS: dict[str, Expression] = {
    "angry": Expression("closed", (Move(INNER_BROWS, -5, -10, 8), Move((19, 24), 0, -6, 9),
                                   Move(UPPER_LIDS, 0, -3, 5), Move(MOUTH_CORNERS, -3, -3, 6))),
    "disgust": Expression("closed", (Move(UPPER_LIP, 0, 5, 9), Move((31, 33, 35), 0, 3, 8),
                                     Move(BROWS, 0, -5, 9), Move(MOUTH_CORNERS, 0, -5, 6))),
    "fear": Expression("stretched", (Move(BROWS, 0, 8, 10), Move(INNER_BROWS, -2, 4, 6),
                                     Move(UPPER_LIDS, 0, 3, 5), Move(MOUTH_CORNERS, 7, -2, 7))),
    "happy": Expression("smile", (Move(MOUTH_CORNERS, 5, 8, 8), Move(LOWER_LIDS, 0, 2, 5),
                                  Move((2, 3, 13, 14), 0, 5, 12))),  # cheeks
    "sad": Expression("closed", (Move(INNER_BROWS, -2, 7, 5), Move(OUTER_BROWS, 0, -4, 6),
                                 Move(MOUTH_CORNERS, -2, -11, 8))),
    "surprise": Expression("open", (Move(BROWS, 0, 12, 11), Move(UPPER_LIDS, 0, 4, 5),
                                    Move((7, 8, 9), 0, -9, 18))),  # the jaw drops
    "neutral": Expression("closed", (Move(MOUTH_CORNERS, 0, -4, 7),)),
}


def _skin_tone(image: np.ndarray, centre: np.ndarray, half: int = 3) -> np.ndarray:
    """Mean colour (or grey level) of a small square around ``centre``."""
    x, y = np.round(centre).astype(int)
    return image[y - half:y + half + 1, x - half:x + half + 1].reshape(-1, *image.shape[2:]).mean(0)


def _paint_mouth(image: np.ndarray, points: np.ndarray, mouth: str) -> None:
    """Paint the mouth shape in place: the photo smiles with teeth showing, other expressions
    close the lips or open the mouth wider."""
    if mouth == "smile":
        return
    inner = np.round(points[list(INNER_LIPS)]).astype(np.int32)
    centre = inner.mean(0)
    width = points[64, 0] - points[60, 0]
    dark = [25.0] * (image.shape[2] if image.ndim == 3 else 1)  # inside of an open mouth
    if mouth == "closed":
        lips = _skin_tone(image, points[57], half=2)
        cv2.fillPoly(image, [inner], lips.tolist(), cv2.LINE_AA)
        cv2.polylines(image, [inner[:5]], False, (0.55 * lips).tolist(), 2, cv2.LINE_AA)
    elif mouth == "open":
        axes = (int(width * 0.33), int(width * 0.45))
        cv2.ellipse(image, (int(centre[0]), int(centre[1] + 6)), axes, 0, 0, 360, dark, -1,
                    cv2.LINE_AA)
    elif mouth == "stretched":
        axes = (int(width * 0.45), int(width * 0.14))
        cv2.ellipse(image, (int(centre[0]), int(centre[1] + 1)), axes, 0, 0, 360, dark, -1,
                    cv2.LINE_AA)
    else:
        raise ValueError(f"unknown mouth shape {mouth!r}")


def _displacement(shape: tuple[int, int], points: np.ndarray,
                  moves: Sequence[Move]) -> tuple[np.ndarray, np.ndarray]:
    """The smooth displacement field (dx, dy) of ``moves`` over an image of ``shape``."""
    ys, xs = np.mgrid[0:shape[0], 0:shape[1]].astype(np.float32)
    dx, dy = np.zeros(shape, np.float32), np.zeros(shape, np.float32)
    centre_x = points[list(NOSE), 0].mean()
    for move in moves:
        # A group of landmarks moves as one region: the largest bump, not their sum, sets the
        # weight; "outward" changes sign smoothly across the nose line so nothing tears there.
        weight = np.max([np.exp(-((xs - px) ** 2 + (ys - py) ** 2) / (2 * move.sigma ** 2))
                         for px, py in points[list(move.points)]], axis=0)
        side = np.tanh((xs - centre_x) / move.sigma)
        dx += move.outward * side * weight
        dy -= move.up * weight
    return dx, dy


def make_expression(image: np.ndarray, points: np.ndarray,
                    emotion: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The face in ``image`` (landmarks ``points`` in its pixels) prepared for ``emotion``.

    Returns the image with the expression's mouth painted, and the displacement field (dx, dy)
    of its moves at strength 1; :func:`warp` applies the field at any strength.
    """
    expression = EXPRESSIONS[emotion]
    painted = np.ascontiguousarray(image, dtype=np.float32).copy()
    _paint_mouth(painted, points, expression.mouth)
    dx, dy = _displacement(painted.shape[:2], points, expression.moves)
    return painted, dx, dy


def warp(image: np.ndarray, dx: np.ndarray, dy: np.ndarray, strength: float) -> np.ndarray:
    """``image`` with its features moved by ``strength`` times the displacement field."""
    ys, xs = np.mgrid[0:image.shape[0], 0:image.shape[1]].astype(np.float32)
    # Backward mapping: each output pixel reads from where the moved feature came from.
    return cv2.remap(image, xs - strength * dx, ys - strength * dy, cv2.INTER_LINEAR,
                     borderMode=cv2.BORDER_REFLECT)


# ---------------------------------------------------------------------------------------------
# FER2013: fer2013.csv
# ---------------------------------------------------------------------------------------------

FER_PER_CLASS = {"Training": 20, "PublicTest": 6, "PrivateTest": 6}
FER_SIZE = 48
_FER_REGION = (125, 28, 325, 228)  # x0, y0, x1, y1 of the photo: the face and room to rotate
_FER_FACE_SIDE = 135.0  # photo pixels across the 48-pixel FER crop (forehead to chin, like FER)


def _fer_region_landmarks() -> np.ndarray:
    """The photo's landmarks in the coordinates of the FER face region."""
    return ASTRONAUT_LANDMARKS - np.float32(_FER_REGION[:2])


@lru_cache(maxsize=len(EMOTIONS))
def _fer_expression(emotion: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The grey face region painted for ``emotion``, and its displacement field (cached)."""
    x0, y0, x1, y1 = _FER_REGION
    grey = cv2.cvtColor(np.ascontiguousarray(astronaut()[y0:y1, x0:x1]), cv2.COLOR_RGB2GRAY)
    return make_expression(grey, _fer_region_landmarks(), emotion)


def _random_crop_matrix(rng: np.random.Generator, centre: np.ndarray) -> np.ndarray:
    """2x3 affine matrix from the region to a 48x48 crop: random rotation, scale, shift and flip."""
    angle = rng.uniform(-10, 10)
    scale = FER_SIZE / _FER_FACE_SIDE * rng.uniform(0.92, 1.08)
    half = FER_SIZE / 2
    matrix = cv2.getRotationMatrix2D((float(centre[0]), float(centre[1])), angle, scale)
    matrix[:, 2] += np.array([half, half]) - centre + rng.uniform(-2.5, 2.5, size=2)
    if rng.random() < 0.5:  # horizontal flip about the crop's centre
        matrix[0] = -matrix[0]
        matrix[0, 2] += FER_SIZE - 1
    return matrix


def fer_face(emotion: str, rng: np.random.Generator) -> np.ndarray:
    """One 48x48 uint8 face showing ``emotion``, randomly posed, lit and noisy."""
    face = warp(*_fer_expression(emotion), strength=rng.uniform(0.7, 1.2))
    face = cv2.GaussianBlur(face, (0, 0), 1.2)  # anti-alias before shrinking about 3x
    nose = _fer_region_landmarks()[list(NOSE)].mean(0)
    crop = cv2.warpAffine(face, _random_crop_matrix(rng, nose),
                          (FER_SIZE, FER_SIZE), flags=cv2.INTER_LINEAR,
                          borderMode=cv2.BORDER_REFLECT)
    crop = (crop - crop.mean()) * rng.uniform(0.75, 1.25) + crop.mean() + rng.uniform(-30, 30)
    crop += rng.normal(0, 5, crop.shape)
    return np.clip(np.round(crop), 0, 255).astype(np.uint8)


def write_fer2013(folder: Path) -> None:
    """``fer2013.csv`` with columns emotion, pixels, Usage, like the Kaggle challenge file."""
    rng = np.random.default_rng([SEED, 1])
    rows = []
    for usage, per_class in FER_PER_CLASS.items():
        labels = rng.permutation(np.repeat(np.arange(len(EMOTIONS)), per_class))
        for label in labels:
            face = fer_face(EMOTIONS[label], rng)
            rows.append((int(label), " ".join(map(str, face.ravel())), usage))
    folder.mkdir(parents=True, exist_ok=True)
    pd.DataFrame(rows, columns=["emotion", "pixels", "Usage"]).to_csv(folder / "fer2013.csv",
                                                                       index=False)


# ---------------------------------------------------------------------------------------------
# RAVDESS speech: a small formant synthesiser with emotional prosody
# ---------------------------------------------------------------------------------------------

RAVDESS_ACTORS = (1, 2, 3, 4, 17, 18, 21, 22)  # train, validation and test actors of the course
RAVDESS_RATE = 48_000  # the original's rate
DEV_COPY_RATE = 16_000  # the course's real dev copy; a few samples use it so loaders must resample
STEREO_FILE = "03-01-05-02-02-02-01.wav"  # the original has five stereo files; one is enough here


@dataclass(frozen=True)
class Prosody:
    """How a voice carries one emotion.

    pitch: f0 relative to the speaker's base; contour: f0 change over the utterance in octaves
    (rising > 0); swing: pitch accent on stressed syllables in octaves; loudness: peak level 0-1;
    rate: syllables per second; jitter: random f0 wobble (harshness); breath: aspiration noise;
    tremolo: depth of a 7 Hz tremor; brightness: 0 dull and soft .. 1 bright and pressed;
    final_rise: the contour change comes on the last syllables (a surprised question).
    """

    pitch: float
    contour: float
    swing: float
    loudness: float
    rate: float
    jitter: float
    breath: float
    tremolo: float
    brightness: float
    final_rise: bool = False


PROSODY: dict[str, Prosody] = {  # keys are RAVDESS's own emotion names
    "neutral": Prosody(1.00, -0.10, 0.08, 0.35, 5.0, 0.004, 0.02, 0.00, 0.50),
    "calm": Prosody(0.92, -0.15, 0.05, 0.20, 4.4, 0.003, 0.08, 0.00, 0.25),
    "happy": Prosody(1.30, 0.35, 0.25, 0.60, 5.6, 0.008, 0.03, 0.00, 0.70),
    "sad": Prosody(0.85, -0.45, 0.04, 0.16, 4.0, 0.010, 0.12, 0.00, 0.15),
    "angry": Prosody(1.20, -0.20, 0.20, 0.90, 5.8, 0.040, 0.10, 0.00, 1.00),
    "fearful": Prosody(1.45, 0.10, 0.10, 0.45, 6.2, 0.015, 0.10, 0.07, 0.60),
    "disgust": Prosody(0.90, -0.30, 0.18, 0.40, 4.2, 0.025, 0.05, 0.00, 0.40),
    "surprised": Prosody(1.30, 0.80, 0.15, 0.70, 5.4, 0.010, 0.05, 0.00, 0.75, final_rise=True),
}
STRONG_INTENSITY = 1.35  # intensity 02 moves every parameter this much further from neutral


def prosody_of(emotion: str, intensity: int) -> Prosody:
    """The prosody of a RAVDESS emotion at intensity 1 (normal) or 2 (strong)."""
    base, normal = PROSODY["neutral"], PROSODY[emotion]
    if intensity == 1:
        return normal
    changes = {f.name: getattr(base, f.name)
               + STRONG_INTENSITY * (getattr(normal, f.name) - getattr(base, f.name))
               for f in fields(Prosody) if f.name != "final_rise"}
    changes["loudness"] = min(changes["loudness"], 0.95)
    return replace(normal, **changes)


@dataclass(frozen=True)
class Speaker:
    """Per-actor voice: base f0 (Hz), formant scale (vocal tract length) and habits."""

    f0: float
    formant_scale: float
    tempo: float
    gain: float


def speaker(actor: int) -> Speaker:
    """RAVDESS convention: odd actors are male, even actors female (higher f0 and formants)."""
    rng = np.random.default_rng([SEED, 2, actor])
    female = actor % 2 == 0
    return Speaker(f0=(205.0 if female else 110.0) * rng.uniform(0.88, 1.12),
                   formant_scale=(1.15 if female else 1.0) * rng.uniform(0.95, 1.05),
                   tempo=rng.uniform(0.95, 1.05), gain=rng.uniform(0.85, 1.0))


# Male formants F1-F3 (Hz) of the vowels in the two RAVDESS statements (Peterson & Barney).
VOWELS = {"I": (390, 1990, 2550), "a": (730, 1090, 2440),
          "o": (570, 840, 2410), "e": (500, 1500, 2500), "ai": (660, 1720, 2410)}
# Consonant noise: (low Hz, high Hz, duration s, level relative to the vowel).
CONSONANTS = {"k": (1500, 4000, 0.03, 0.30), "t": (3000, 7000, 0.03, 0.30),
              "d": (2000, 5000, 0.02, 0.15), "b": (300, 1500, 0.015, 0.15),
              "s": (4000, 9000, 0.09, 0.25), "dh": (2000, 6000, 0.04, 0.08), "": (0, 0, 0, 0)}
# (consonant, vowel, relative duration): "Kids are talking by the door" / "Dogs are sitting ...".
STATEMENTS = {
    1: (("k", "I", 1.0), ("", "a", 0.7), ("t", "o", 1.3), ("k", "I", 0.8), ("b", "ai", 1.0),
        ("dh", "e", 0.6), ("d", "o", 1.5)),
    2: (("d", "o", 1.2), ("", "a", 0.7), ("s", "I", 1.2), ("t", "I", 0.8), ("b", "ai", 1.0),
        ("dh", "e", 0.6), ("d", "o", 1.5)),
}
_STRESSED = (0, 2, 6)  # syllables carrying a pitch accent in both statements


def _smooth_noise(rng: np.random.Generator, n: int, rate: int, hz: float) -> np.ndarray:
    """Unit-variance random wobble band-limited to about ``hz`` (for jitter and shimmer)."""
    coarse = rng.standard_normal(int(n * hz / rate) + 4)
    return np.interp(np.arange(n) * hz / rate, np.arange(coarse.size), coarse)


def _glottal_source(f0: np.ndarray, rate: int) -> np.ndarray:
    """Derivative of a Rosenberg glottal pulse train following the f0 track (Hz per sample)."""
    phase = np.cumsum(f0 / rate) % 1.0
    opening, closing = 0.4, 0.16
    pulse = np.where(phase < opening, 0.5 * (1 - np.cos(np.pi * phase / opening)),
                     np.where(phase < opening + closing,
                              np.cos(np.pi * (phase - opening) / (2 * closing)), 0.0))
    return np.diff(pulse, prepend=0.0) * rate / f0.mean()  # lip radiation ~ differentiation


def _formant_filter(formants: Sequence[float], rate: int) -> np.ndarray:
    """Cascade of two-pole resonators with unit gain at 0 Hz (Klatt's formant filter), as SOS."""
    sections = []
    for frequency, bandwidth in zip(formants, (80, 100, 150)):
        radius = np.exp(-np.pi * bandwidth / rate)
        a1, a2 = -2 * radius * np.cos(2 * np.pi * frequency / rate), radius ** 2
        sections.append([1 + a1 + a2, 0, 0, 1, a1, a2])
    return np.array(sections)


@lru_cache(maxsize=64)
def _band_pass(low: float, high: float, rate: int) -> np.ndarray:
    """Butterworth band-pass as SOS (cached: the same few bands serve every clip)."""
    return signal.butter(2, [low, min(high, 0.45 * rate)], btype="bandpass", fs=rate, output="sos")


def _band_noise(rng: np.random.Generator, n: int, low: float, high: float, rate: int) -> np.ndarray:
    """``n`` samples of white noise filtered to the band ``low``-``high`` Hz."""
    return signal.sosfilt(_band_pass(low, high, rate), rng.standard_normal(n))


def _pitch_track(prosody: Prosody, voice: Speaker, starts: np.ndarray, n: int, rate: int,
                 rng: np.random.Generator) -> np.ndarray:
    """f0 in Hz for every sample of the speech: level, contour, accents, jitter and tremor."""
    position = np.linspace(0, 1, n)
    shape = position ** 4 if prosody.final_rise else position
    octaves = prosody.contour * shape
    t = np.arange(n) / rate
    for index in _STRESSED:
        start = starts[index]
        end = starts[index + 1] if index + 1 < len(starts) else n
        bump = np.zeros(n)
        bump[start:end] = np.sin(np.linspace(0, np.pi, end - start))
        octaves += prosody.swing * bump
    octaves += prosody.jitter * _smooth_noise(rng, n, rate, 60.0)
    octaves += prosody.tremolo * np.sin(2 * np.pi * 7.0 * t)
    return voice.f0 * prosody.pitch * 2.0 ** octaves


def synthesise_speech(prosody: Prosody, voice: Speaker, statement: int, rate: int,
                      rng: np.random.Generator) -> np.ndarray:
    """One spoken statement (no silence around it), float64 peaking at the prosody's loudness."""
    plan = STATEMENTS[statement]
    weights = np.array([syllable[2] for syllable in plan])
    seconds = weights / weights.mean() / (prosody.rate * voice.tempo)
    lengths = np.round(seconds * rate).astype(int)
    starts = np.concatenate([[0], np.cumsum(lengths)[:-1]])
    n = int(lengths.sum())
    f0 = _pitch_track(prosody, voice, starts, n, rate, rng)
    source = _glottal_source(f0, rate)
    # Harsh voices have an uneven amplitude from period to period (shimmer) as well.
    source *= 1 + 3 * prosody.jitter * _smooth_noise(rng, n, rate, 80.0)
    source *= 1 + 2 * prosody.tremolo * np.sin(2 * np.pi * 7.0 * np.arange(n) / rate)
    tail = int(0.03 * rate)  # resonances ring on after a syllable ends
    speech, voiced = np.zeros(n + tail), np.zeros(n + tail)
    for (consonant, vowel, _), start, length in zip(plan, starts, lengths):
        low, high, duration, level = CONSONANTS[consonant]
        onset = int(duration * rate)
        envelope = signal.windows.tukey(length - onset, 0.5)
        formants = [f * voice.formant_scale for f in VOWELS[vowel]]
        excitation = np.pad(source[start + onset:start + length] * envelope, (0, tail))
        vowel_part = signal.sosfilt(_formant_filter(formants, rate), excitation)
        speech[start + onset:start + length + tail] += vowel_part
        voiced[start + onset:start + length] = envelope
        if onset:
            burst = _band_noise(rng, onset, low, high, rate) * signal.windows.hann(onset)
            speech[start:start + onset] += level * burst / (np.abs(burst).max() + 1e-9)
    speech /= np.abs(speech).max()
    # Soft voices lose their high harmonics: a one-pole low-pass that opens with brightness.
    pole = 0.92 * (1 - prosody.brightness)
    speech = signal.lfilter([1 - pole], [1, -pole], speech)
    speech += prosody.breath * _band_noise(rng, speech.size, 1000, 8000, rate) * voiced
    return speech / np.abs(speech).max() * prosody.loudness * voice.gain


def ravdess_clip(emotion: str, intensity: int, statement: int, actor: int, rate: int,
                 seed: Sequence[int], seconds: float = 1.6) -> np.ndarray:
    """A RAVDESS-like clip: a short silence, the statement, a short silence, at ``rate`` Hz.

    The clip lasts at least ``seconds`` (fast speech gets a longer silence after it).
    """
    rng = np.random.default_rng([SEED, 3, *seed])
    speech = synthesise_speech(prosody_of(emotion, intensity), speaker(actor), statement, rate, rng)
    before, after = (int(rng.uniform(0.15, 0.25) * rate) for _ in range(2))
    after = max(after, int(seconds * rate) - before - speech.size)
    clip = np.concatenate([np.zeros(before), speech, np.zeros(after)])
    return clip + 3e-4 * rng.standard_normal(clip.size)  # the recording room's noise floor


class SpeechFile(NamedTuple):
    """The fields of a RAVDESS speech file name (modality 03 audio, channel 01 speech)."""

    emotion: int
    intensity: int
    statement: int
    repetition: int
    actor: int

    @property
    def name(self) -> str:
        return "03-01-" + "-".join(f"{field:02d}" for field in self) + ".wav"

    @property
    def sample_rate(self) -> int:
        """48 kHz like the original, except actor 03's second takes at the dev copy's 16 kHz."""
        return DEV_COPY_RATE if self.actor == 3 and self.repetition == 2 else RAVDESS_RATE


def ravdess_files() -> Iterator[SpeechFile]:
    """The speech samples: per actor, two files per emotion."""
    for actor in RAVDESS_ACTORS:
        for code, emotion in RAVDESS_EMOTIONS.items():
            for take in (1, 2):
                intensity = 1 if emotion == "neutral" else take  # neutral has no strong intensity
                yield SpeechFile(int(code), intensity, take, take, actor)


def write_ravdess(folder: Path) -> None:
    """Speech wav files in the original's layout, and one audio-visual mp4 clip."""
    for file in ravdess_files():
        emotion = RAVDESS_EMOTIONS[f"{file.emotion:02d}"]
        clip = ravdess_clip(emotion, file.intensity, file.statement, file.actor,
                            file.sample_rate, seed=file)
        if file.name == STEREO_FILE:
            clip = np.stack([clip, 0.9 * clip], axis=1)
        path = folder / "Audio_Speech_Actors_01-24" / f"Actor_{file.actor:02d}" / file.name
        path.parent.mkdir(parents=True, exist_ok=True)
        sf.write(path, clip, file.sample_rate, subtype="PCM_16")
    write_ravdess_video(folder / "Video_Speech_Actor_01" / "Actor_01" / VIDEO_NAME)
    write_av_clips(folder)


# ---------------------------------------------------------------------------------------------
# RAVDESS audio-visual clip: the astronaut blinking, with a happy voice
# ---------------------------------------------------------------------------------------------

VIDEO_NAME = "01-01-03-01-01-01-01.mp4"  # audio-visual, speech, happy, normal, statement 1, actor 1
VIDEO_SIZE = (640, 360)  # width, height: half of the original's 1280x720
VIDEO_FPS = 25
VIDEO_FRAMES = 75  # 3 s
BLINK_FRAMES = (22, 23, 24, 52, 53, 54)  # two blinks, eyes closed for three frames each
_VIDEO_ZOOM = 1.8  # the photo's face is 93 px wide: 167 px in the video
_HEAD_REGION = (130, 25, 322, 225)  # x0, y0, x1, y1 of the photo holding head and hair
_BACKGROUND = (208, 214, 222)  # a plain light grey-blue wall, RGB


def _closed_eyes(image: np.ndarray) -> np.ndarray:
    """The photo with both eyes shut: eye regions painted with the skin just below them and a
    dark lid line along the lower lid, so landmark detectors see a flat eye."""
    closed = image.astype(np.float32).copy()
    for eye in (RIGHT_EYE, LEFT_EYE):
        points = ASTRONAUT_LANDMARKS[list(eye)]
        skin = _skin_tone(image, points[[4, 5]].mean(0) + [0, 7], half=2)
        mask = np.zeros(image.shape[:2], np.float32)
        cv2.fillPoly(mask, [np.round(points).astype(np.int32)], 1.0)
        mask = cv2.GaussianBlur(cv2.dilate(mask, np.ones((5, 5))), (0, 0), 1.5)[..., None]
        closed = closed * (1 - mask) + skin * mask
        lid = np.round(points[[0, 5, 4, 3]] + [0, -1]).astype(np.int32)  # corner, lower lid, corner
        cv2.polylines(closed, [lid], False, (70.0, 45.0, 40.0), 2, cv2.LINE_AA)
    return np.clip(closed, 0, 255)


def _head_sprite(image: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The head region of ``image`` and a soft oval mask that cuts it from its background."""
    x0, y0, x1, y1 = _HEAD_REGION
    head = image[y0:y1, x0:x1].astype(np.float32)
    mask = np.zeros(head.shape[:2], np.float32)
    centre = (int(ASTRONAUT_LANDMARKS[list(NOSE), 0].mean()) - x0, 122 - y0)
    cv2.ellipse(mask, centre, (80, 95), 0, 0, 360, 1.0, -1)
    return head, cv2.GaussianBlur(mask, (0, 0), 4)[..., None]


def video_frames() -> Iterator[np.ndarray]:
    """The clip's RGB uint8 frames: the head sways and nods slightly and blinks twice."""
    open_head, mask = _head_sprite(astronaut())
    closed_head, _ = _head_sprite(_closed_eyes(astronaut()))
    width, height = VIDEO_SIZE
    background = np.empty((height, width, 3), np.float32)
    background[:] = _BACKGROUND
    for frame in range(VIDEO_FRAMES):
        t = frame / VIDEO_FPS
        angle = 3.0 * np.sin(2 * np.pi * 0.4 * t)
        matrix = cv2.getRotationMatrix2D((open_head.shape[1] / 2, open_head.shape[0] / 2), angle,
                                         _VIDEO_ZOOM * (1 + 0.02 * np.sin(2 * np.pi * 0.3 * t)))
        matrix[:, 2] += np.array([width / 2 + 12 * np.sin(2 * np.pi * 0.5 * t),
                                  height / 2 + 5 * np.sin(2 * np.pi * 0.7 * t)]) \
            - np.array(open_head.shape[1::-1]) / 2
        head = closed_head if frame in BLINK_FRAMES else open_head
        placed = cv2.warpAffine(head, matrix, (width, height), flags=cv2.INTER_LINEAR)
        alpha = cv2.warpAffine(mask, matrix, (width, height), flags=cv2.INTER_LINEAR)[..., None]
        yield np.clip(np.round(background * (1 - alpha) + placed * alpha), 0, 255).astype(np.uint8)


def write_ravdess_video(path: Path) -> None:
    """The audio-visual clip as H.264 + AAC mp4, encoded by the ffmpeg that imageio-ffmpeg ships."""
    import imageio_ffmpeg

    path.parent.mkdir(parents=True, exist_ok=True)
    seconds = VIDEO_FRAMES / VIDEO_FPS
    with tempfile.TemporaryDirectory() as scratch:
        sound = Path(scratch) / "voice.wav"
        clip = ravdess_clip("happy", 1, 1, 1, RAVDESS_RATE, seed=(1, 1, 1, 1), seconds=seconds)
        sf.write(sound, clip[:int(seconds * RAVDESS_RATE)], RAVDESS_RATE, subtype="PCM_16")
        width, height = VIDEO_SIZE
        command = [imageio_ffmpeg.get_ffmpeg_exe(), "-y", "-loglevel", "error",
                   "-f", "rawvideo", "-pix_fmt", "rgb24", "-s", f"{width}x{height}",
                   "-framerate", str(VIDEO_FPS), "-i", "pipe:0", "-i", str(sound),
                   "-c:v", "libx264", "-preset", "fast", "-crf", "23", "-pix_fmt", "yuv420p",
                   "-c:a", "aac", "-b:a", "96k", "-shortest",
                   # no encoder version strings or dates, so the same frames give the same bytes
                   "-map_metadata", "-1", "-fflags", "+bitexact", "-flags", "+bitexact",
                   str(path)]
        process = subprocess.Popen(command, stdin=subprocess.PIPE, stderr=subprocess.PIPE)
        try:
            for frame in video_frames():
                process.stdin.write(frame.tobytes())
        except BrokenPipeError:
            pass  # ffmpeg stopped early: its own message follows
        _, errors = process.communicate()
    if process.returncode:
        raise RuntimeError(f"ffmpeg could not write {path}: {errors.decode(errors='replace')}")


# ---------------------------------------------------------------------------------------------
# RAVDESS audio-visual clips of validation and test actors, for fusion (notebook 04)
# ---------------------------------------------------------------------------------------------

# Two validation and two test actors, four emotions each: quick mode fits fusion on validation
# actors and scores it on test actors with exactly the code that reads the real videos.
AV_ACTORS = (17, 18, 21, 22)
AV_EMOTIONS = ("neutral", "happy", "sad", "angry")  # RAVDESS names
AV_FRAMES = 50  # 2 s at 25 fps
_FER_NAME = {"fearful": "fear", "surprised": "surprise", "calm": "neutral"}  # RAVDESS -> face


def av_clip_path(folder: Path, emotion: str, actor: int) -> Path:
    """Where the audio-visual clip of ``emotion`` by ``actor`` lives in the original layout."""
    code = next(c for c, name in RAVDESS_EMOTIONS.items() if name == emotion)
    return (folder / f"Video_Speech_Actor_{actor:02d}" / f"Actor_{actor:02d}"
            / f"01-01-{code}-01-01-01-{actor:02d}.mp4")


def expression_strength(frame: int, frames: int = AV_FRAMES) -> float:
    """How far the face is from rest at ``frame``: an utterance's onset, apex and offset.

    At rest for the first quarter and the last tenth, rising to the apex, holding it for a
    quarter of the clip and relaxing: as in real recordings, most frames are not the apex.
    """
    x = frame / max(frames - 1, 1)
    return float(np.interp(x, [0.0, 0.25, 0.45, 0.70, 0.90, 1.0], [0, 0, 1, 1, 0, 0]))


@lru_cache(maxsize=8)
def _expression_photo(emotion: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The head region painted for a face emotion, and its displacement field (cached)."""
    x0, y0, x1, y1 = _HEAD_REGION
    region = np.zeros_like(astronaut())
    region[y0:y1, x0:x1] = astronaut()[y0:y1, x0:x1]  # only the head is warped: 4x less work
    return make_expression(region, ASTRONAUT_LANDMARKS, emotion)


@lru_cache(maxsize=64)
def _expression_sprite(emotion: str, strength: float) -> tuple[np.ndarray, np.ndarray]:
    """The head sprite and mask of a face emotion at a strength (cached: clips share them)."""
    if strength < 0.3 or emotion == "neutral":
        emotion, strength = "neutral", 1.0
    painted, dx, dy = _expression_photo(emotion)
    head, mask = _head_sprite(np.clip(warp(painted, dx, dy, strength=1.2 * strength), 0, 255))
    return np.round(head).astype(np.uint8), np.ascontiguousarray(mask[..., 0])


def expression_frames(emotion: str, actor: int, frames: int = AV_FRAMES) -> Iterator[np.ndarray]:
    """RGB frames of the astronaut acting a RAVDESS ``emotion``: rest, apex, rest.

    Each actor gets its own head position, sway and wall colour (from a fixed seed).
    """
    rng = np.random.default_rng([SEED, 6, actor])
    face_emotion = _FER_NAME.get(emotion, emotion)
    width, height = VIDEO_SIZE
    background = np.empty((height, width, 3), np.uint8)
    background[:] = np.round(np.clip(np.array(_BACKGROUND) + rng.uniform(-25, 25, 3), 0, 255))
    zoom = _VIDEO_ZOOM * rng.uniform(0.9, 1.1)
    shift = rng.uniform([-60, -10], [60, 10])
    phase = rng.uniform(0, 2 * np.pi)
    for frame in range(frames):
        strength = round(expression_strength(frame, frames), 1)
        head, mask = _expression_sprite(face_emotion, strength)
        t = frame / VIDEO_FPS
        angle = 3.0 * np.sin(2 * np.pi * 0.4 * t + phase)
        matrix = cv2.getRotationMatrix2D((head.shape[1] / 2, head.shape[0] / 2), angle, zoom)
        matrix[:, 2] += np.array([width / 2 + shift[0] + 10 * np.sin(2 * np.pi * 0.5 * t + phase),
                                  height / 2 + shift[1]]) - np.array(head.shape[1::-1]) / 2
        placed = cv2.warpAffine(head, matrix, (width, height), flags=cv2.INTER_LINEAR)
        alpha = cv2.warpAffine(mask, matrix, (width, height), flags=cv2.INTER_LINEAR)
        yield cv2.blendLinear(placed, background, alpha, 1.0 - alpha)


def _encode_mp4(path: Path, frames: Iterator[np.ndarray], sound: np.ndarray) -> None:
    """H.264 + AAC mp4 from RGB frames and a 48 kHz sound, written atomically (temp + rename)."""
    import imageio_ffmpeg

    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.stem}.{os.getpid()}.partial.mp4")  # one per process
    width, height = VIDEO_SIZE
    with tempfile.TemporaryDirectory() as scratch:
        wav = Path(scratch) / "voice.wav"
        sf.write(wav, sound, RAVDESS_RATE, subtype="PCM_16")
        command = [imageio_ffmpeg.get_ffmpeg_exe(), "-y", "-loglevel", "error",
                   "-f", "rawvideo", "-pix_fmt", "rgb24", "-s", f"{width}x{height}",
                   "-framerate", str(VIDEO_FPS), "-i", "pipe:0", "-i", str(wav),
                   "-c:v", "libx264", "-preset", "ultrafast", "-crf", "26", "-pix_fmt", "yuv420p",
                   "-c:a", "aac", "-b:a", "64k", "-shortest", "-map_metadata", "-1",
                   "-fflags", "+bitexact", "-flags", "+bitexact", str(partial)]
        process = subprocess.Popen(command, stdin=subprocess.PIPE, stderr=subprocess.PIPE)
        try:
            for frame in frames:
                process.stdin.write(frame.tobytes())
        except BrokenPipeError:
            pass
        _, errors = process.communicate()
    if process.returncode:
        partial.unlink(missing_ok=True)
        raise RuntimeError(f"ffmpeg could not write {path}: {errors.decode(errors='replace')}")
    os.replace(partial, path)


def write_av_clips(folder: Path) -> list[Path]:
    """The validation and test actors' audio-visual clips that ``folder`` lacks; returns them."""
    written = []
    seconds = AV_FRAMES / VIDEO_FPS
    for actor in AV_ACTORS:
        for emotion in AV_EMOTIONS:
            path = av_clip_path(folder, emotion, actor)
            if path.is_file():
                continue
            code = int(next(c for c, name in RAVDESS_EMOTIONS.items() if name == emotion))
            voice = ravdess_clip(emotion, 1, 1, actor, RAVDESS_RATE, seed=(code, 1, 1, actor, 6),
                                 seconds=seconds)
            _encode_mp4(path, expression_frames(emotion, actor), voice[:int(seconds * RAVDESS_RATE)])
            written.append(path)
    return written


# ---------------------------------------------------------------------------------------------
# Essays (Big Five): essays.csv, cp1252
# ---------------------------------------------------------------------------------------------

ESSAY_COUNT = 60
# What a writer high ("y") or low ("n") on each trait keeps coming back to.
TRAIT_PHRASES: dict[str, dict[str, tuple[str, ...]]] = {
    "EXT": {"y": ("i can't wait to go out with my friends tonight",
                  "the party last weekend was so much fun", "i love meeting new people",
                  "everyone on my floor is always talking and laughing with me",
                  "we are all going dancing later", "i should call my friends and talk"),
            "n": ("i would rather stay in my room alone and read",
                  "i like it when it is quiet and nobody is around",
                  "crowds make me want to go home", "i spent the whole weekend by myself",
                  "i don't really talk much in class", "a quiet night with a book sounds good")},
    "NEU": {"y": ("i am so worried about my grades", "i feel stressed and nervous all the time",
                  "what if i fail the test tomorrow", "i get upset about little things",
                  "my stomach hurts when i am anxious", "i can't stop worrying about everything"),
            "n": ("things usually work out fine", "i feel pretty relaxed about school",
                  "i don't let little things bother me", "i am calm even before exams",
                  "whatever happens i will be okay", "i slept well and feel rested")},
    "AGR": {"y": ("my roommate is really nice and i like helping her", "i trust people here",
                  "i want everyone to be happy", "i am thankful for my family",
                  "i try to be kind to everyone", "i love helping my friends with their problems"),
            "n": ("people here are so annoying", "my roommate is rude and i hate it",
                  "i don't care what they think", "some people are just stupid",
                  "i argue with my brother all the time", "i am sick of people complaining")},
    "CON": {"y": ("i need to finish my homework and then study for chemistry",
                  "i made a schedule for the week", "i always plan ahead",
                  "i should organize my notes tonight", "i finished the reading early",
                  "my list says i have three more things to do"),
            "n": ("i forgot to do my homework again", "i'll do it later i guess",
                  "my room is a mess", "i skipped class this morning", "i lost my keys again",
                  "i never remember when things are due")},
    "OPN": {"y": ("i wonder about the meaning of art and music", "i love poetry and new ideas",
                  "philosophy makes me think about the universe",
                  "i want to travel and try strange food", "imagination is everything",
                  "dreams are so weird and beautiful"),
            "n": ("i don't see the point of poetry", "i like things the way they are",
                  "i just watch the usual shows", "abstract stuff is boring",
                  "i prefer simple practical things", "art class is a waste of time")},
}
FILLER_PHRASES = (
    "i am sitting here at my computer", "this assignment is kind of weird",
    "it is really hot in this room", "my hand is getting tired of typing",
    "i keep thinking about what to write next", "the music next door is loud",
    "i'm hungry and it is almost lunch time", "i wonder what my mom is doing right now",
    "my roommate just walked in", "it is raining outside again", "twenty minutes is a long time",
    "i need to do laundry", "i had coffee at the café this morning",
    "the jalapeño nachos at the cafeteria were good", "my spanish teacher señor garcía is funny",
    "i should update my résumé", "i don't know what else to say",
)
CONNECTORS = (" and ", ". ", " so ", "... ", " but ", ", like, ", ". anyway ", " and um ")


def essay_text(labels: dict[str, str], rng: np.random.Generator) -> str:
    """A stream-of-consciousness essay whose trait phrases follow the writer's ``labels``."""
    target = int(rng.integers(150, 380))  # the last phrase may add a dozen words
    parts: list[str] = []
    words = 0
    while words < target:
        if rng.random() < 0.35:
            phrase = str(rng.choice(FILLER_PHRASES))
        else:
            trait = BIG_FIVE[rng.integers(len(BIG_FIVE))]
            phrase = str(rng.choice(TRAIT_PHRASES[trait][labels[trait]]))
        parts.append(phrase if not parts else str(rng.choice(CONNECTORS)) + phrase)
        words = len("".join(parts).split())
    text = "".join(parts) + "."
    return text[0].upper() + text[1:]


def essays_table() -> pd.DataFrame:
    """The essays with AUTHIDs and y/n labels in the original's columns."""
    rng = np.random.default_rng([SEED, 4])
    numbers = rng.choice(np.arange(100_000, 1_000_000), size=ESSAY_COUNT, replace=False)
    years = rng.choice([1997, 1998, 1999, 2000], size=ESSAY_COUNT)
    rows = []
    for index, (year, number) in enumerate(zip(years, numbers)):
        labels = {trait: str(rng.choice(["y", "n"])) for trait in BIG_FIVE}
        text = essay_text(labels, rng)
        if index % 3 == 0:  # Windows typists: a cp1252 right quote, which is not in Latin-1
            text = text.replace("'", "\u2019")
        rows.append({"#AUTHID": f"{year}_{number}.txt", "TEXT": text,
                     **{f"c{trait}": labels[trait] for trait in BIG_FIVE}})
    return pd.DataFrame(rows)


def write_essays(folder: Path) -> None:
    """``essays.csv`` encoded in cp1252 like the original distribution (so it is not UTF-8)."""
    folder.mkdir(parents=True, exist_ok=True)
    essays_table().to_csv(folder / "essays.csv", index=False, encoding="cp1252")


# ---------------------------------------------------------------------------------------------
# CARER emotion tweets: train.txt, val.txt, test.txt
# ---------------------------------------------------------------------------------------------

CARER_PER_CLASS = {"train": 40, "val": 10, "test": 10}
CARER_WORDS: dict[str, tuple[str, ...]] = {
    "sadness": ("hopeless", "miserable", "lonely", "gloomy", "heartbroken", "empty", "defeated"),
    "joy": ("happy", "cheerful", "delighted", "glad", "excited", "content", "joyful"),
    "love": ("loving", "caring", "tender", "affectionate", "romantic", "loved", "passionate"),
    "anger": ("angry", "irritated", "furious", "annoyed", "resentful", "bitter", "outraged"),
    "fear": ("scared", "anxious", "nervous", "terrified", "afraid", "uneasy", "frightened"),
    "surprise": ("amazed", "shocked", "surprised", "stunned", "astonished", "curious", "impressed"),
}
AMBIGUOUS_WORDS = ("strange", "weird", "different", "overwhelmed")  # shared by every class
CARER_OPENINGS = ("i feel", "i feel so", "i am feeling", "im feeling", "i have been feeling",
                  "i still feel", "i feel really", "i started to feel", "i cant help but feel")
CARER_ENDINGS = ("today", "right now", "about the whole thing", "when i think about work",
                 "after talking to my mom", "and i dont know why", "this morning", "again",
                 "lately", "about my life", "when i look at the pictures", "at school",
                 "every time i see him", "with all of this", "tonight")


def carer_line(label: str, rng: np.random.Generator) -> str:
    """One lowercase tweet with its label, ``text;label``."""
    # One tweet in ten uses a word every class shares, so the task is not trivially separable.
    words = AMBIGUOUS_WORDS if rng.random() < 0.1 else CARER_WORDS[label]
    text = f"{rng.choice(CARER_OPENINGS)} {rng.choice(words)} {rng.choice(CARER_ENDINGS)}"
    return f"{text};{label}"


def carer_splits() -> dict[str, list[str]]:
    """Lines of each split; no text appears twice, so validation and test are truly unseen."""
    rng = np.random.default_rng([SEED, 5])
    seen: set[str] = set()
    splits: dict[str, list[str]] = {}
    for split, per_class in CARER_PER_CLASS.items():
        lines = []
        for label in CARER_CLASSES:
            count = 0
            while count < per_class:
                line = carer_line(label, rng)
                text = line.rsplit(";", 1)[0]
                if text not in seen:
                    seen.add(text)
                    lines.append(line)
                    count += 1
        splits[split] = [lines[i] for i in rng.permutation(len(lines))]
    return splits


def _write_carer_split(path: Path, lines: list[str]) -> None:
    """One split file, newline-terminated UTF-8 like the original."""
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def write_emotion(folder: Path) -> None:
    """CARER's three text files, one ``text;label`` line per tweet."""
    folder.mkdir(parents=True, exist_ok=True)
    for split, lines in carer_splits().items():
        _write_carer_split(folder / f"{split}.txt", lines)


# ---------------------------------------------------------------------------------------------
# Command line
# ---------------------------------------------------------------------------------------------


def _describe_folder(folder: Path) -> str:
    """``N files (.csv, ...), X MB`` for the command line's report."""
    files = [p for p in folder.rglob("*") if p.is_file()]
    size = sum(p.stat().st_size for p in files)
    kinds = sorted({p.suffix for p in files})
    return f"{len(files)} files ({', '.join(kinds)}), {size / 1e6:.2f} MB"


def main(argv: Sequence[str] | None = None) -> None:
    """Generate every dataset's samples (``--force``: again, even if present) and report them."""
    parser = argparse.ArgumentParser(prog="python -m utils.datasets.samples",
                                     description=main.__doc__)
    parser.add_argument("--root", type=Path, default=SAMPLES_DIR, help=f"default {SAMPLES_DIR}")
    parser.add_argument("--force", action="store_true", help="regenerate existing folders")
    args = parser.parse_args(argv)
    total_start = time.perf_counter()
    for name in DATASETS:
        start = time.perf_counter()
        folder = generate(name, args.root) if args.force else ensure_samples(name, args.root)
        print(f"{name:8s} {folder}: {_describe_folder(folder)} "
              f"in {time.perf_counter() - start:.1f} s")
    print(f"all samples under {args.root} in {time.perf_counter() - total_start:.1f} s")


if __name__ == "__main__":
    main()
