"""Audio for the speech notebook: loading any file into 16 kHz mono.

RAVDESS ships 48 kHz 16-bit files (a few stereo) and copies circulate at other rates; everything
the course computes starts from one signal format, :data:`SAMPLE_RATE` mono float32 in [-1, 1].
"""

from __future__ import annotations

import functools
import subprocess
import warnings
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

SAMPLE_RATE = 16_000
VIDEO_SUFFIXES = (".mp4", ".mov", ".mkv", ".avi")


def _decode_with_ffmpeg(path: Path, sr: int) -> np.ndarray:
    """The audio track of a video file, decoded by the ffmpeg binary that imageio-ffmpeg ships.

    librosa reads audio files only; a container such as RAVDESS's .mp4 needs ffmpeg, and the
    package keeps ffmpeg installable from PyPI alone.
    """
    import imageio_ffmpeg

    command = [imageio_ffmpeg.get_ffmpeg_exe(), "-v", "error", "-i", str(path), "-vn",
               "-ac", "1", "-ar", str(sr), "-f", "f32le", "-"]
    result = subprocess.run(command, capture_output=True, check=False)
    if result.returncode != 0:
        message = result.stderr.decode(errors="replace").strip().splitlines()
        raise ValueError(f"{path}: ffmpeg could not decode its audio track "
                         f"({message[-1] if message else 'no message'}).")
    return np.frombuffer(result.stdout, np.float32).copy()


def load_audio(path: str | Path, sr: int = SAMPLE_RATE) -> np.ndarray:
    """A file's audio as mono float32 at ``sr`` Hz (default 16 kHz), any input rate or channels.

    Video containers (.mp4, ...) give their audio track. An empty, truncated or non-audio file
    raises ValueError naming the file; a file of pure silence loads as zeros.
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"{path}: no such audio file")
    if path.stat().st_size == 0:
        raise ValueError(f"{path}: the file is empty (0 bytes). Replace it with an intact copy.")
    if path.suffix.lower() in VIDEO_SUFFIXES:
        signal = _decode_with_ffmpeg(path, sr)
    else:
        import librosa
        import soundfile

        try:
            from audioread.exceptions import DecodeError
        except ImportError:  # librosa falls back to audioread only when it is installed
            DecodeError = RuntimeError  # noqa: N806
        try:
            with warnings.catch_warnings():  # librosa warns before its audioread fallback
                warnings.simplefilter("ignore", (UserWarning, FutureWarning))
                signal, _ = librosa.load(path, sr=sr, mono=True)
        except (soundfile.LibsndfileError, RuntimeError, EOFError, DecodeError) as err:
            raise ValueError(f"{path}: not a readable audio file ({err}). "
                             f"Replace it with an intact copy.") from err
    if signal.size == 0:
        raise ValueError(f"{path}: holds no audio samples. Replace it with an intact copy.")
    return signal.astype(np.float32, copy=False)


# --- features ----------------------------------------------------------------------------------
# One 3-second clip -> a log-mel spectrogram of 300 frames x 48 mel bands (10 ms hop, 32 ms frame),
# cut by a rolling window of 1 s (100 frames) every 0.5 s into 5 overlapping windows. These numbers
# are the speech model's input contract: change them and the shipped model no longer fits.
N_FFT = 512          # 32 ms analysis frame at 16 kHz
HOP_LENGTH = 160     # 10 ms between frames
N_MELS = 48          # mel bands (the reference used 128; 48 keep the pitch harmonics' shape)
FMAX = 8_000
CLIP_SECONDS = 3.0   # the model hears 3 s at a time
CLIP_FRAMES = 300    # frames of one clip
WINDOW_FRAMES = 100  # one rolling window: 1 s
WINDOW_STEP = 50     # a new window every 0.5 s (50% overlap)
TOP_DB = 80.0        # dynamic range kept below the loudest time-frequency bin
SILENCE_LEVEL = 1e-6  # peak amplitude below which a signal counts as digital silence


def _check_signal(signal: np.ndarray) -> np.ndarray:
    signal = np.asarray(signal, dtype=np.float32)
    if signal.ndim != 1:
        raise ValueError(f"expected a mono signal (1-D array), got shape {signal.shape}; "
                         f"load files with load_audio, which downmixes")
    if signal.size == 0:
        raise ValueError("the signal holds no samples")
    if not np.all(np.isfinite(signal)):
        raise ValueError("the signal holds NaN or infinite samples")
    return signal


def _at_sample_rate(signal: np.ndarray, sr: int) -> np.ndarray:
    """A checked signal at the course's 16 kHz (resampled from ``sr`` if needed)."""
    signal = _check_signal(signal)
    if sr != SAMPLE_RATE:
        import librosa

        signal = librosa.resample(signal, orig_sr=sr, target_sr=SAMPLE_RATE)
    return signal


def is_silent(signal: np.ndarray) -> bool:
    """True when the signal's peak amplitude is below :data:`SILENCE_LEVEL` (digital silence)."""
    signal = _check_signal(signal)
    return float(np.max(np.abs(signal))) < SILENCE_LEVEL


def trim_silence(signal: np.ndarray, top_db: float = 30.0) -> np.ndarray:
    """The signal without its leading and trailing quiet parts (quieter than peak - ``top_db``).

    RAVDESS clips start and end with up to a second of room noise; trimming centres the speech.
    Pure silence has nothing to keep relative to and is returned unchanged.
    """
    import librosa

    signal = _check_signal(signal)
    if is_silent(signal):
        return signal
    trimmed, _ = librosa.effects.trim(signal, top_db=top_db, frame_length=N_FFT,
                                      hop_length=HOP_LENGTH)
    return trimmed if trimmed.size else signal


def fit_length(signal: np.ndarray, length: int, offset: int | None = None) -> np.ndarray:
    """Exactly ``length`` samples: a longer signal is cut, a shorter one padded with zeros.

    ``offset`` is where the signal starts inside the output when it is shorter (padding), or where
    the cut starts when it is longer; the default centres it either way.
    """
    return _fit_first_axis(_check_signal(signal), length, offset, fill=0.0)


def fit_frames(features: np.ndarray, frames: int = CLIP_FRAMES,
               offset: int | None = None) -> np.ndarray:
    """Exactly ``frames`` rows of a (frames, bands) spectrogram: cut, or padded with the silence
    floor (-1); ``offset`` as in :func:`fit_length`."""
    return _fit_first_axis(np.asarray(features, np.float32), frames, offset, fill=-1.0)


def _fit_first_axis(values: np.ndarray, length: int, offset: int | None,
                    fill: float) -> np.ndarray:
    """``values`` cut or padded with ``fill`` to ``length`` along the first axis."""
    if length <= 0:
        raise ValueError(f"length must be positive, not {length}")
    spare = abs(length - len(values))
    offset = spare // 2 if offset is None else int(np.clip(offset, 0, spare))
    if len(values) >= length:
        return values[offset:offset + length]
    out = np.full((length, *values.shape[1:]), fill, np.float32)
    out[offset:offset + len(values)] = values
    return out


@functools.lru_cache(maxsize=8)
def mel_filterbank(sr: int = SAMPLE_RATE, n_mels: int = N_MELS) -> np.ndarray:
    """The triangular mel filters :func:`log_mel` uses, shape (n_mels, N_FFT // 2 + 1)."""
    import librosa

    return librosa.filters.mel(sr=sr, n_fft=N_FFT, n_mels=n_mels, fmax=min(FMAX, sr // 2))


def log_mel(signal: np.ndarray, sr: int = SAMPLE_RATE, n_mels: int = N_MELS) -> np.ndarray:
    """Log-mel spectrogram, shape (frames, n_mels), float32, scaled to about [-1, 1].

    Power mel spectrogram (32 ms frames every 10 ms), in dB relative to its loudest bin, floored
    at -80 dB, then mapped linearly: 0 dB -> 1, -80 dB -> -1. Being relative to the loudest bin,
    it does not depend on the recording's gain. Digital silence gives the floor (-1) everywhere.
    """
    signal = _check_signal(signal)
    return _log_mel_of(signal.tobytes(), sr, n_mels).copy()


@functools.lru_cache(maxsize=4)
def _log_mel_of(data: bytes, sr: int, n_mels: int) -> np.ndarray:
    """:func:`log_mel`'s work, remembered for the last few signals (by content). The default
    speech model needs the log-mel of the same window twice (the linear model's band statistics
    and the utterance CNN's input); computing it once keeps the pair inside the 30 ms budget."""
    import librosa

    signal = np.frombuffer(data, np.float32)
    frames = 1 + signal.size // HOP_LENGTH
    if is_silent(signal):
        return np.full((frames, n_mels), -1.0, np.float32)
    spectrum = librosa.stft(signal, n_fft=N_FFT, hop_length=HOP_LENGTH)
    power = mel_filterbank(sr, n_mels) @ (spectrum.real ** 2 + spectrum.imag ** 2)
    db = 10.0 * np.log10(np.maximum(power, 1e-10))
    db = np.maximum(db - db.max(), -TOP_DB)
    return (1.0 + 2.0 * db / TOP_DB).T.astype(np.float32)


def mfcc(signal: np.ndarray, sr: int = SAMPLE_RATE, n_mfcc: int = 13) -> np.ndarray:
    """MFCCs, shape (frames, n_mfcc): the DCT of the log-mel spectrogram (librosa's defaults)."""
    import librosa

    signal = _check_signal(signal)
    return librosa.feature.mfcc(y=signal, sr=sr, n_mfcc=n_mfcc, n_fft=N_FFT,
                                hop_length=HOP_LENGTH).T.astype(np.float32)


def rolling_windows(features: np.ndarray, window: int = WINDOW_FRAMES,
                    step: int = WINDOW_STEP) -> np.ndarray:
    """Cut (frames, bands) features into overlapping windows, shape (n_windows, window, bands).

    Windows start every ``step`` frames; trailing frames that do not fill a window are dropped.
    Features shorter than one window are padded with their minimum (the silence floor) to one
    window, so every input gives at least one window.
    """
    features = np.asarray(features, dtype=np.float32)
    if features.ndim != 2 or features.shape[0] == 0:
        raise ValueError(f"expected (frames, bands) features with at least one frame, "
                         f"got shape {features.shape}")
    if window <= 0 or step <= 0:
        raise ValueError(f"window and step must be positive, got {window} and {step}")
    if features.shape[0] < window:
        pad = np.full((window - features.shape[0], features.shape[1]), features.min(), np.float32)
        features = np.concatenate([features, pad])
    starts = range(0, features.shape[0] - window + 1, step)
    return np.stack([features[s:s + window] for s in starts])


def clip_windows(signal: np.ndarray, sr: int = SAMPLE_RATE, offset: int | None = None,
                 trim: bool = True) -> np.ndarray:
    """The speech model's input for one utterance: (5, 100, 48, 1) log-mel windows of a 3-s clip.

    The signal is trimmed of leading and trailing silence (``trim``), centred in (or cut to)
    3 seconds, turned into a log-mel spectrogram of 300 frames and cut by the rolling window.
    A clip shorter than 3 s is padded with silence; pure silence gives floor-valued windows.
    """
    signal = _at_sample_rate(signal, sr)
    if trim:
        signal = trim_silence(signal)
    clip = fit_length(signal, int(CLIP_SECONDS * SAMPLE_RATE), offset)
    features = log_mel(clip)[:CLIP_FRAMES]
    return rolling_windows(features)[..., np.newaxis]


def windows_to_frames(values: np.ndarray, n_frames: int = CLIP_FRAMES,
                      step: int = WINDOW_STEP) -> np.ndarray:
    """Overlap-average per-window maps (n_windows, window, ...) back onto one timeline of frames.

    The inverse of :func:`rolling_windows` for anything computed per window (a Grad-CAM map):
    frames covered by two windows get the mean of both.
    """
    values = np.asarray(values, dtype=np.float32)
    n_windows, window = values.shape[:2]
    total = np.zeros((n_frames, *values.shape[2:]), np.float32)
    count = np.zeros((n_frames,) + (1,) * (values.ndim - 2), np.float32)
    for i in range(n_windows):
        start = i * step
        stop = min(start + window, n_frames)
        total[start:stop] += values[i, :stop - start]
        count[start:stop] += 1
    return np.divide(total, count, out=np.zeros_like(total), where=count > 0)


# --- utterance-level statistics for the SVM baseline -------------------------------------------
_FRAME_FEATURES = (["zcr", "log_energy", "centroid", "bandwidth", "rolloff", "flatness"]
                   + [f"contrast_{i}" for i in range(7)] + [f"chroma_{i}" for i in range(12)]
                   + [f"mfcc_{i}" for i in range(13)] + [f"delta_mfcc_{i}" for i in range(13)]
                   + [f"delta2_mfcc_{i}" for i in range(13)])
_STATISTICS = ("mean", "std", "p10", "p90")
SHORT_TERM_SECONDS = 0.050  # 50 ms short-term frames every 25 ms, as pyAudioAnalysis does


def frame_features(signal: np.ndarray, sr: int = SAMPLE_RATE) -> np.ndarray:
    """Short-term features, shape (frames, 64), of 50 ms frames every 25 ms.

    Zero-crossing rate, log energy, spectral centroid, bandwidth, roll-off, flatness, contrast
    (7 bands), chroma (12), 13 MFCCs and their first and second deltas; names in
    :func:`utterance_feature_names`.
    """
    import librosa

    signal = _check_signal(signal)
    n_fft = int(SHORT_TERM_SECONDS * sr)
    hop = n_fft // 2
    signal = fit_length(signal, max(signal.size, n_fft), offset=0)
    spectrum = np.abs(librosa.stft(signal, n_fft=n_fft, hop_length=hop)) + 1e-10
    power = spectrum ** 2
    mel = _short_term_mel_basis(sr, n_fft) @ power
    mfccs = librosa.feature.mfcc(S=librosa.power_to_db(mel), n_mfcc=13)
    width = min(9, mfccs.shape[1] - (1 - mfccs.shape[1] % 2))  # delta needs an odd width <= frames
    if width >= 3:
        # edges padded with the nearest frame: librosa's default fits polynomials to them, which
        # costs several times more and changes only the first and last few frames
        deltas = librosa.feature.delta(mfccs, width=width, mode="nearest")
        deltas2 = librosa.feature.delta(mfccs, order=2, width=width, mode="nearest")
    else:
        deltas = deltas2 = np.zeros_like(mfccs)
    rows = [
        librosa.feature.zero_crossing_rate(signal, frame_length=n_fft, hop_length=hop),
        np.log10(np.mean(power, axis=0, keepdims=True) + 1e-10),
        librosa.feature.spectral_centroid(S=spectrum, sr=sr),
        librosa.feature.spectral_bandwidth(S=spectrum, sr=sr),
        librosa.feature.spectral_rolloff(S=spectrum, sr=sr),
        librosa.feature.spectral_flatness(S=spectrum),
        librosa.feature.spectral_contrast(S=spectrum, sr=sr),
        _chroma(power, sr),
        mfccs, deltas, deltas2,
    ]
    frames = min(row.shape[1] for row in rows)
    return np.concatenate([row[:, :frames] for row in rows]).T.astype(np.float32)


@functools.lru_cache(maxsize=4)
def _short_term_mel_basis(sr: int, n_fft: int) -> np.ndarray:
    """librosa's default 128-band mel filters for :func:`frame_features` (built once, not on
    every call: building them cost more than applying them)."""
    import librosa

    return librosa.filters.mel(sr=sr, n_fft=n_fft)


def _chroma(power: np.ndarray, sr: int) -> np.ndarray:
    """Chroma of a power spectrogram, at concert pitch: speech is not tuned like an instrument,
    so librosa's per-clip tuning estimate (2 ms of the real-time budget) is skipped. Silence has
    no pitch, so no warning for it."""
    import librosa

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        return librosa.feature.chroma_stft(S=power, sr=sr, tuning=0.0)


def utterance_features(signal: np.ndarray, sr: int = SAMPLE_RATE, trim: bool = True) -> np.ndarray:
    """One vector per utterance (256 numbers): mean, std, 10th and 90th percentile over time of
    each short-term feature of :func:`frame_features`; the SVM baseline's input.
    """
    signal = _check_signal(signal)
    if trim:
        signal = trim_silence(signal)
    frames = frame_features(signal, sr)
    stats = [frames.mean(0), frames.std(0),
             np.percentile(frames, 10, 0), np.percentile(frames, 90, 0)]
    return np.concatenate(stats).astype(np.float32)


def utterance_feature_names() -> list[str]:
    """Names of the numbers :func:`utterance_features` returns, in order."""
    return [f"{name}_{stat}" for stat in _STATISTICS for name in _FRAME_FEATURES]


# --- a stronger classical model: more statistics, a linear classifier --------------------------
_BAND_STATISTICS = ("mean", "std", "p10", "p50", "p90", "change_mean", "change_std")


def band_statistics(signal: np.ndarray, sr: int = SAMPLE_RATE) -> np.ndarray:
    """Statistics over time of each band of :func:`log_mel` (7 x 48 = 336 numbers).

    Per mel band: mean, standard deviation, 10th, 50th and 90th percentile of its level, then the
    mean absolute size and the standard deviation of its change from one 10 ms frame to the next
    (how fast the spectrum moves). The levels are relative to the utterance's loudest bin, so the
    vector does not depend on the recording's gain.
    """
    bands = log_mel(_check_signal(signal), sr)
    if bands.shape[0] < 2:
        bands = np.repeat(bands, 2, axis=0)  # one frame has no change: count it as steady
    change = np.diff(bands, axis=0)
    stats = [bands.mean(0), bands.std(0), *np.percentile(bands, [10, 50, 90], axis=0),
             np.abs(change).mean(0), change.std(0)]
    return np.concatenate(stats).astype(np.float32)


def speech_features(signal: np.ndarray, sr: int = SAMPLE_RATE, trim: bool = True) -> np.ndarray:
    """The linear model's input (592 numbers): :func:`utterance_features` (the baseline's 256)
    followed by :func:`band_statistics` (336) of the same trimmed utterance."""
    signal = _at_sample_rate(signal, sr)
    if trim:
        signal = trim_silence(signal)
    return np.concatenate([utterance_features(signal, trim=False), band_statistics(signal)])


def speech_feature_names() -> list[str]:
    """Names of the numbers :func:`speech_features` returns, in order."""
    return utterance_feature_names() + [f"mel{band:02d}_{stat}" for stat in _BAND_STATISTICS
                                        for band in range(N_MELS)]


def speech_logreg(c: float = 0.01):
    """Standardised :func:`speech_features` into a multinomial logistic regression with balanced
    class weights (scikit-learn pipeline, unfitted). ``c`` is the inverse L2 strength: with 592
    features and under a thousand clips, strong regularisation (0.01) generalises to new voices
    best in grouped cross-validation over the training actors."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    return make_pipeline(StandardScaler(), LogisticRegression(C=c, max_iter=3000,
                                                              class_weight="balanced"))


# --- augmentation ------------------------------------------------------------------------------
def add_noise(signal: np.ndarray, snr_db: float, rng: np.random.Generator) -> np.ndarray:
    """The signal plus white noise at a signal-to-noise ratio of ``snr_db`` decibels."""
    signal = _check_signal(signal)
    power = float(np.mean(signal ** 2))
    if power == 0.0:
        power = SILENCE_LEVEL ** 2
    noise = rng.normal(0.0, np.sqrt(power / 10 ** (snr_db / 10)), signal.size)
    return (signal + noise).astype(np.float32)


def time_shift(signal: np.ndarray, shift: int) -> np.ndarray:
    """The signal moved by ``shift`` samples (later if positive), filled with silence."""
    signal = _check_signal(signal)
    out = np.zeros_like(signal)
    if shift >= 0:
        out[shift:] = signal[:signal.size - shift] if shift < signal.size else []
    else:
        out[:shift] = signal[-shift:]
    return out


def pitch_shift(signal: np.ndarray, semitones: float, sr: int = SAMPLE_RATE) -> np.ndarray:
    """The signal with its pitch moved by ``semitones`` (same duration)."""
    import librosa

    signal = _check_signal(signal)
    return librosa.effects.pitch_shift(signal, sr=sr, n_steps=semitones).astype(np.float32)


def change_speed(signal: np.ndarray, rate: float) -> np.ndarray:
    """The signal spoken ``rate`` times as fast (same pitch); rate 1.1 is 10% shorter."""
    import librosa

    signal = _check_signal(signal)
    if rate <= 0:
        raise ValueError(f"rate must be positive, not {rate}")
    return librosa.effects.time_stretch(signal, rate=rate).astype(np.float32)


def speed_perturb(signal: np.ndarray, factor: float, sr: int = SAMPLE_RATE) -> np.ndarray:
    """The signal played ``factor`` times as fast, like a tape or record: shorter *and* higher.

    Resampling moves pitch and formants together (factor 1.1: 10% shorter, 1.65 semitones
    higher), much as a smaller or larger vocal tract would; this is the "speed perturbation" of
    speech recognition (Ko et al. 2015). :func:`change_speed` keeps the pitch, and
    :func:`pitch_shift` keeps the duration.
    """
    import librosa

    signal = _check_signal(signal)
    if factor <= 0:
        raise ValueError(f"factor must be positive, not {factor}")
    return librosa.resample(signal, orig_sr=sr, target_sr=round(sr / factor)).astype(np.float32)


def augment(signal: np.ndarray, rng: np.random.Generator, sr: int = SAMPLE_RATE) -> np.ndarray:
    """One random variant of a signal for training: speed 0.9-1.1, pitch -2..+2 semitones
    (each with probability 1/2), then white noise at 15-40 dB SNR.

    Time shift is applied later, by placing the trimmed signal at a random offset in the clip.
    """
    signal = _check_signal(signal)
    if rng.random() < 0.5:
        signal = change_speed(signal, rng.uniform(0.9, 1.1))
    if rng.random() < 0.5:
        signal = pitch_shift(signal, rng.uniform(-2.0, 2.0), sr)
    return add_noise(signal, rng.uniform(15.0, 40.0), rng)


def spec_augment(windows: np.ndarray, rng: np.random.Generator, freq_masks: int = 2,
                 time_masks: int = 2, max_freq: int = 6, max_time: int = 20) -> np.ndarray:
    """SpecAugment-style masking of a clip's windows (n_windows, frames, bands[, 1]).

    Masks are drawn on the clip's timeline: ``freq_masks`` bands of up to ``max_freq`` mel
    bands and ``time_masks`` spans of up to ``max_time`` frames are set to the silence floor (-1)
    in every window, so overlapping windows agree. Returns a new array.
    """
    out = np.array(windows, dtype=np.float32, copy=True)
    n_windows, frames, bands = out.shape[:3]
    timeline = (n_windows - 1) * WINDOW_STEP + frames
    mask = np.zeros((timeline, bands), bool)
    for _ in range(freq_masks):
        width = rng.integers(0, max_freq + 1)
        start = rng.integers(0, bands - width + 1)
        mask[:, start:start + width] = True
    for _ in range(time_masks):
        width = rng.integers(0, max_time + 1)
        start = rng.integers(0, timeline - width + 1)
        mask[start:start + width] = True
    for i in range(n_windows):
        window_mask = mask[i * WINDOW_STEP:i * WINDOW_STEP + frames]
        out[i][window_mask] = -1.0
    return out


def window_maps_to_clip(maps: np.ndarray, frames: int = WINDOW_FRAMES, bands: int = N_MELS
                        ) -> np.ndarray:
    """Per-window maps (n_windows, h, w) at a layer's resolution -> one (300, 48) clip map.

    Each window's map is stretched bilinearly to (frames, bands) and the windows are
    overlap-averaged onto the clip's timeline (:func:`windows_to_frames`): how a Grad-CAM map of
    the time-distributed CNN is drawn over the log-mel spectrogram.
    """
    from scipy.ndimage import zoom

    maps = np.asarray(maps, dtype=np.float32)
    if maps.ndim != 3:
        raise ValueError(f"expected maps of shape (n_windows, h, w), got {maps.shape}")
    stretched = np.stack([zoom(m, (frames / m.shape[0], bands / m.shape[1]), order=1)
                          [:frames, :bands] for m in maps])
    n_frames = (len(maps) - 1) * WINDOW_STEP + frames
    return windows_to_frames(stretched, n_frames=n_frames)


# --- the speech model's data and predictions ---------------------------------------------------
def model_inputs(signals: list[np.ndarray], rng: np.random.Generator | None = None,
                 dtype: str = "float16") -> np.ndarray:
    """The speech model's input for each (already trimmed) signal: (n, 5, 100, 48, 1).

    Without ``rng`` each signal is centred in its 3-s clip. With ``rng`` each is a random
    training variant (:func:`augment`: speed, pitch, noise) placed at a random offset in the clip
    (the time shift). ``float16`` halves the memory of a precomputed training set.
    """
    out = np.empty((len(signals), CLIP_FRAMES // WINDOW_STEP - 1, WINDOW_FRAMES, N_MELS, 1), dtype)
    length = int(CLIP_SECONDS * SAMPLE_RATE)
    for i, signal in enumerate(signals):
        offset = None
        if rng is not None:
            signal = augment(signal, rng)
            offset = int(rng.integers(0, abs(length - signal.size) + 1))
        out[i] = clip_windows(signal, trim=False, offset=offset)
    return out


def augmented_batches(versions: list[np.ndarray], labels: np.ndarray, batch_size: int = 32,
                      seed: int = 0, masking: bool = True):
    """A ``keras.utils.PyDataset`` of training batches drawn from precomputed clip variants.

    ``versions`` holds arrays of the same clips (the clean inputs, then augmented copies from
    :func:`model_inputs` with an ``rng``). Every epoch each clip comes from a randomly chosen
    version and, with ``masking``, gets fresh SpecAugment masks (:func:`spec_augment`), so the
    network rarely sees the same input twice while the expensive audio work is done once.
    """
    import keras

    labels = np.asarray(labels)
    if not versions or any(len(v) != len(labels) for v in versions):
        raise ValueError("every version must hold one input per label")
    rng = np.random.default_rng(seed)

    class AugmentedBatches(keras.utils.PyDataset):
        def __init__(self):
            super().__init__()
            self.on_epoch_end()

        def __len__(self) -> int:
            return int(np.ceil(len(labels) / batch_size))

        def on_epoch_end(self) -> None:
            self.order = rng.permutation(len(labels))
            self.pick = rng.integers(0, len(versions), len(labels))

        def __getitem__(self, index: int):
            rows = self.order[index * batch_size:(index + 1) * batch_size]
            x = np.stack([versions[self.pick[r]][r] for r in rows]).astype(np.float32)
            if masking:
                x = np.stack([spec_augment(clip, rng) for clip in x])
            return x, labels[rows]

    return AugmentedBatches()


def speech_svm(c: float = 1.0):
    """The baseline: standardised utterance statistics (:func:`utterance_features`) into an RBF
    SVM with balanced class weights (scikit-learn pipeline, unfitted)."""
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler
    from sklearn.svm import SVC

    return make_pipeline(StandardScaler(), SVC(C=c, gamma="scale", class_weight="balanced"))


DEFAULT_SPEECH_MODELS = ("speech_logreg.json", "speech_utterance_cnn.keras")


def default_speech_model_paths() -> list[Path]:
    """The shipped speech models the default predictor averages: the linear model on
    :func:`speech_features` and the utterance CNN on :func:`utterance_log_mel`. Together they
    score better on the validation actors 17-20 than either alone (the model cards have the
    numbers)."""
    from utils.config import MODELS_DIR

    return [MODELS_DIR / name for name in DEFAULT_SPEECH_MODELS]


class SpeechPredictor:
    """A loaded speech model of either kind, as :func:`speech_predictor` returns it.

    Call it on one signal for its 8 class probabilities (:data:`utils.labels.RAVDESS_CLASSES`),
    fast enough for real time; :meth:`predict_batch` scores many signals at once (a dataset
    split). ``model`` is the model inside: the scikit-learn pipeline or the Keras model.
    """

    def __init__(self, model: Any, features: Callable[[np.ndarray, int], np.ndarray],
                 forward_one: Callable[[np.ndarray], np.ndarray],
                 forward_many: Callable[[np.ndarray], np.ndarray]):
        """``features(signal, sr)`` is one clip's model input; ``forward_one`` runs a batch of
        one input, ``forward_many`` a stack of many; both give probabilities (n, 8)."""
        self.model, self.features = model, features
        self._forward_one, self._forward_many = forward_one, forward_many

    def __call__(self, signal: np.ndarray, sr: int = SAMPLE_RATE) -> np.ndarray:
        """The class probabilities of one signal, shape (8,)."""
        return self._forward_one(self.features(signal, sr)[np.newaxis])[0]

    def predict_batch(self, signals: Iterable[np.ndarray], sr: int = SAMPLE_RATE) -> np.ndarray:
        """The class probabilities of many signals, shape (n, 8)."""
        return self._forward_many(np.stack([self.features(signal, sr) for signal in signals]))


class SpeechEnsemble:
    """Several speech predictors as one: the mean of their class probabilities. Called and
    batched like a :class:`SpeechPredictor`; ``members`` are the predictors inside."""

    def __init__(self, members: Sequence[SpeechPredictor]):
        self.members = list(members)

    def __call__(self, signal: np.ndarray, sr: int = SAMPLE_RATE) -> np.ndarray:
        """The mean class probabilities of one signal, shape (8,)."""
        return np.mean([member(signal, sr) for member in self.members], axis=0)

    def predict_batch(self, signals: Iterable[np.ndarray], sr: int = SAMPLE_RATE) -> np.ndarray:
        """The mean class probabilities of many signals, shape (n, 8)."""
        signals = list(signals)
        return np.mean([member.predict_batch(signals, sr) for member in self.members], axis=0)


def speech_predictor(model: Any = None) -> SpeechPredictor | SpeechEnsemble:
    """A speech model ready for signals (16 kHz mono, or pass ``sr``), features included.

    ``model`` is a path or a model: a ``.json`` linear model (:func:`speech_logreg`, saved by
    :func:`utils.inference.save_linear_pipeline`), a ``.keras`` network / a Keras model (the
    CNN+LSTM or the utterance CNN, told apart by their input), or a list of these, averaged
    (:class:`SpeechEnsemble`). The default is the shipped ensemble,
    :func:`default_speech_model_paths`. This is the one place that tells the kinds apart.
    Class names are :data:`utils.labels.RAVDESS_CLASSES`.
    """
    if model is None:
        model = default_speech_model_paths()
    if isinstance(model, (list, tuple)):
        return SpeechEnsemble([speech_predictor(member) for member in model])
    if isinstance(model, (str, Path)) and Path(model).suffix == ".json":
        return _linear_predictor(model)
    return _network_predictor(model)


def _linear_predictor(path: str | Path) -> SpeechPredictor:
    """:func:`speech_predictor` for a linear model saved as JSON."""
    from utils.labels import RAVDESS_CLASSES
    from utils.inference import load_linear_pipeline

    pipeline, _ = load_linear_pipeline(path)
    seen = pipeline[-1].classes_  # classes absent from training get probability 0

    def forward(features: np.ndarray) -> np.ndarray:
        probabilities = np.zeros((len(features), len(RAVDESS_CLASSES)), np.float32)
        probabilities[:, seen] = pipeline.predict_proba(features)
        return probabilities

    return SpeechPredictor(pipeline, speech_features, forward, forward)


def _network_predictor(model: str | Path | Any) -> SpeechPredictor:
    """:func:`speech_predictor` for a network (a Keras model or a ``.keras`` path): the CNN+LSTM
    reads rolling windows (:func:`clip_windows`), the utterance CNN one spectrogram
    (:func:`utterance_log_mel`). One clip runs through one traced graph, many clips through
    ``model.predict`` in batches of 64."""
    import keras
    import tensorflow as tf

    from utils.inference import inference_function

    if isinstance(model, (str, Path)):
        model = keras.models.load_model(model)
    forward = inference_function(model)
    features = clip_windows if len(model.input_shape) == 5 else utterance_log_mel
    return SpeechPredictor(model, features,
                           lambda windows: np.asarray(forward(tf.constant(windows))),
                           lambda windows: model.predict(windows, batch_size=64, verbose=0))


# --- the training recipe (python -m utils.retrain speech) --------------------------------------
def _load_split(data: str | Path | None, split: str) -> tuple[list[np.ndarray], np.ndarray, list]:
    """Trimmed signals, label indices and actors of one RAVDESS split."""
    from utils.datasets import ravdess
    from utils.labels import RAVDESS_CLASSES

    frame = ravdess.table(None if data is None else Path(data))
    ravdess.check_speaker_independent(frame)
    frame = frame[frame["split"] == split]
    if frame.empty:
        raise FileNotFoundError(f"no RAVDESS speech files of the {split} actors "
                                f"{list(ravdess.ACTOR_SPLITS[split])} below {data}")
    signals = [trim_silence(load_audio(path)) for path in frame["path"]]
    labels = frame["emotion"].map(RAVDESS_CLASSES.index).to_numpy()
    return signals, labels, frame["actor"].tolist()


def train_speech(data: str | Path | None, out: str | Path | None = None, epochs: int = 60,
                 copies: int = 4, seed: int = 42, batch_size: int = 32, patience: int = 12,
                 minutes: float | None = None, verbose: int = 2) -> dict:
    """Train the SVM baseline and the CNN+LSTM on actors 1-16, select and score on actors 17-20.

    ``copies`` augmented variants of every training clip are computed once (speed, pitch, noise,
    shift); each epoch draws one variant per clip and masks it (SpecAugment). The best epoch by
    validation accuracy is kept; ``minutes`` (optional) stops training after the epoch that
    crosses that wall-time budget. Writes to ``out`` (default ``models/``): the model
    ``speech_cnn_lstm.keras``, its validation report ``speech_cnn_lstm.json`` (as
    ``python -m utils.evaluate`` writes it), the baseline's ``speech_svm.json``, the training
    curves ``speech_cnn_lstm_history.json``, and the confusion matrices as PNGs next to them.
    Returns ``{"model": metrics, "svm": metrics}``.
    """
    import json
    import shutil
    import tempfile
    import time

    import keras

    from utils.config import MODELS_DIR, seed_everything
    from utils.labels import RAVDESS_CLASSES
    from utils.models import speech_cnn_lstm
    from utils.training import standard_callbacks

    out = Path(out) if out else MODELS_DIR
    out.mkdir(parents=True, exist_ok=True)
    started = time.time()
    train_signals, y_train, _ = _load_split(data, "train")
    val_signals, y_val, _ = _load_split(data, "val")

    svm = speech_svm().fit(np.stack([utterance_features(s, trim=False) for s in train_signals]),
                           y_train)
    svm_pred = svm.predict(np.stack([utterance_features(s, trim=False) for s in val_signals]))
    reports = {"svm": _report(y_val, svm_pred, "SVM baseline", out, "speech_svm")}

    rng = np.random.default_rng(seed)
    versions = [model_inputs(train_signals)]
    versions += [model_inputs(train_signals, rng) for _ in range(copies)]
    x_val = model_inputs(val_signals, dtype="float32")
    seed_everything(seed)
    model = speech_cnn_lstm(n_classes=len(RAVDESS_CLASSES))
    model.compile(optimizer=keras.optimizers.Adam(1e-3), loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    with tempfile.TemporaryDirectory() as scratch:
        checkpoint = Path(scratch) / "best.keras"
        history = model.fit(augmented_batches(versions, y_train, batch_size, seed=seed),
                            validation_data=(x_val, y_val), epochs=epochs, verbose=verbose,
                            callbacks=standard_callbacks(checkpoint, patience=patience,
                                                         lr_patience=5) + _time_budget(minutes))
        shutil.copy(checkpoint, out / "speech_cnn_lstm.keras")
    model = keras.models.load_model(out / "speech_cnn_lstm.keras")
    pred = model.predict(x_val, verbose=0).argmax(axis=1)
    reports["model"] = _report(y_val, pred, "CNN+LSTM", out, "speech_cnn_lstm")
    curves = {k: [float(v) for v in values] for k, values in history.history.items()}
    (out / "speech_cnn_lstm_history.json").write_text(json.dumps(
        {"history": curves, "epochs_run": len(curves["loss"]), "copies": copies, "seed": seed,
         "batch_size": batch_size, "minutes": round((time.time() - started) / 60, 1)}, indent=2))
    return reports


SPEED_FACTORS = (0.85, 0.9, 0.95, 1.05, 1.1, 1.15)  # the linear model's training copies


def speed_perturbed_features(signals: list[np.ndarray],
                             factors: Sequence[float] = SPEED_FACTORS) -> np.ndarray:
    """:func:`speech_features` of each signal and of its :func:`speed_perturb` copies, shape
    (1 + len(factors), clips, 592): the originals first, then one block per factor."""
    from tqdm.auto import tqdm

    versions = [lambda s: s] + [lambda s, f=f: speed_perturb(s, f) for f in factors]
    return np.stack([np.stack([speech_features(version(s), trim=False) for s in signals])
                     for version in tqdm(versions, desc="features (original, then copies)")])


def grouped_folds_with_copies(actors: Sequence, n_copies: int,
                              n_splits: int = 4) -> list[tuple[np.ndarray, np.ndarray]]:
    """Cross-validation folds over features stacked as ``(1 + n_copies) * clips`` rows (the
    originals, then each block of copies): each fold trains on every version of the clips of
    the other actors and scores only the *original* clips of its held-out actors, so no voice
    is ever on both sides and no score is measured on an artificial copy."""
    from sklearn.model_selection import GroupKFold

    actors = np.asarray(actors)
    n = len(actors)
    folds = GroupKFold(n_splits=min(n_splits, len(set(actors.tolist()))))
    return [(np.concatenate([train + k * n for k in range(1 + n_copies)]), test)
            for train, test in folds.split(actors, groups=actors)]


def train_speech_logreg(data: str | Path | None, out: str | Path | None = None,
                        grid: tuple[float, ...] = (0.001, 0.003, 0.01, 0.03),
                        factors: Sequence[float] = SPEED_FACTORS) -> dict:
    """Fit :func:`speech_logreg` on actors 1-16 and score it on the validation actors 17-20.

    Besides each training clip, the model sees one speed-perturbed copy per factor in
    ``factors`` (:func:`speed_perturb`: as if spoken by a voice with a shorter or longer vocal
    tract). The regularisation ``c`` is chosen from ``grid`` by cross-validation grouped by
    actor inside the training actors (:func:`grouped_folds_with_copies`), so the validation
    actors are used for nothing but the final score. Writes ``speech_logreg.json`` (the model,
    see :func:`utils.inference.save_linear_pipeline`) and its validation report and confusion
    matrix (``speech_logreg_report.json``, ``speech_logreg_confusion.png``) to ``out`` (default
    ``models/``). Returns the validation metrics.
    """
    from sklearn.model_selection import cross_val_score

    from utils.config import MODELS_DIR
    from utils.labels import RAVDESS_CLASSES
    from utils.inference import save_linear_pipeline

    out = Path(out) if out else MODELS_DIR
    out.mkdir(parents=True, exist_ok=True)
    train_signals, y_train, actors = _load_split(data, "train")
    val_signals, y_val, _ = _load_split(data, "val")
    versions = speed_perturbed_features(train_signals, factors)
    x_train = versions.reshape(-1, versions.shape[-1])
    y_train = np.tile(y_train, 1 + len(factors))
    x_val = np.stack([speech_features(s, trim=False) for s in val_signals])
    folds = grouped_folds_with_copies(actors, len(factors))
    cv = {c: float(cross_val_score(speech_logreg(c), x_train, y_train, cv=folds).mean())
          for c in grid}
    best = max(cv, key=cv.get)
    pipeline = speech_logreg(best).fit(x_train, y_train)
    metrics = _report(y_val, pipeline.predict(x_val), "Linear model", out,
                      "speech_logreg_report", figure="speech_logreg_confusion.png")
    save_linear_pipeline(pipeline, out / "speech_logreg.json", class_names=list(RAVDESS_CLASSES),
                         features="utils.audio.speech_features", c=best,
                         cv_accuracy_by_c={str(c): round(v, 4) for c, v in cv.items()},
                         speed_factors=list(factors),
                         trained_on="RAVDESS speech actors 1-16 and their speed-perturbed copies",
                         val_accuracy=metrics["accuracy"], val_macro_f1=metrics["macro_f1"])
    return metrics


def utterance_log_mel(signal: np.ndarray, sr: int = SAMPLE_RATE, trim: bool = True) -> np.ndarray:
    """The utterance CNN's input, (300, 48, 1): the log-mel spectrogram of the trimmed
    utterance, centred in (or cut to) 300 frames (3 s), the padding at the silence floor."""
    signal = _at_sample_rate(signal, sr)
    if trim:
        signal = trim_silence(signal)
    return fit_frames(log_mel(signal))[..., np.newaxis]


def utterance_training_set(versions: list[list[np.ndarray]], labels: np.ndarray,
                           rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """One epoch of inputs for the utterance CNN: for every clip, the log-mel spectrogram of a
    random version (the original or a speed-perturbed copy), cut at a random place to 300
    frames, with SpecAugment masks; then mixup. ``versions[v][i]`` is version ``v`` of clip
    ``i`` as (frames, 48). Returns inputs (clips, 300, 48, 1) and soft labels (clips, 8)."""
    from utils.labels import RAVDESS_CLASSES
    from utils.training import mixup

    inputs = []
    for i in range(len(labels)):
        mel = versions[rng.integers(len(versions))][i]
        start = rng.integers(0, abs(len(mel) - CLIP_FRAMES) + 1)
        inputs.append(spec_augment(fit_frames(mel, offset=start)[np.newaxis], rng,
                                   max_time=24)[0])
    one_hot = np.eye(len(RAVDESS_CLASSES), dtype=np.float32)[labels]
    return mixup(np.stack(inputs)[..., np.newaxis], one_hot, rng)


def train_speech_utterance_cnn(data: str | Path | None, out: str | Path | None = None,
                               epochs: int = 80, factors: Sequence[float] = SPEED_FACTORS,
                               seed: int = 0, batch_size: int = 32, peak_rate: float = 2e-3,
                               verbose: bool = True) -> dict:
    """Train :func:`utils.models.speech_utterance_cnn` on actors 1-16, score it on actors 17-20.

    Every epoch draws, for each training clip, the original or one of its speed-perturbed
    copies (``factors``), a random 3-s crop and SpecAugment masks, then mixes pairs (mixup);
    AdamW with a warm-up and cosine schedule to ``peak_rate``, label smoothing 0.05. The model
    of the **last** epoch is kept: the validation actors are scored after every epoch for the
    curves, but choose nothing. Writes to ``out`` (default ``models/``)
    ``speech_utterance_cnn.keras``, its validation report ``speech_utterance_cnn.json`` and
    confusion matrix, and ``speech_utterance_cnn_history.json``. Returns the validation metrics.
    """
    import json
    import time

    import keras

    from utils.config import MODELS_DIR, seed_everything
    from utils.labels import RAVDESS_CLASSES
    from utils.models import speech_utterance_cnn
    from utils.training import warmup_cosine

    out = Path(out) if out else MODELS_DIR
    out.mkdir(parents=True, exist_ok=True)
    started = time.time()
    train_signals, y_train, _ = _load_split(data, "train")
    val_signals, y_val, _ = _load_split(data, "val")
    versions = [[log_mel(s) for s in train_signals]]
    versions += [[log_mel(speed_perturb(s, f)) for s in train_signals] for f in factors]
    x_val = np.stack([utterance_log_mel(s, trim=False) for s in val_signals])
    seed_everything(seed)
    rng = np.random.default_rng(seed)
    model = speech_utterance_cnn(n_classes=len(RAVDESS_CLASSES))
    model.compile(optimizer=keras.optimizers.AdamW(peak_rate, weight_decay=1e-3),
                  loss=keras.losses.CategoricalCrossentropy(label_smoothing=0.05))
    schedule = warmup_cosine(peak_rate, epochs * -(-len(y_train) // batch_size), warmup=0.04)
    curves = {"loss": [], "val_accuracy": []}
    for epoch in range(epochs):
        x, y = utterance_training_set(versions, y_train, rng)
        fitted = model.fit(x, y, batch_size=batch_size, epochs=1, verbose=0, callbacks=[schedule])
        accuracy = float(np.mean(model.predict(x_val, verbose=0).argmax(1) == y_val))
        curves["loss"].append(float(fitted.history["loss"][0]))
        curves["val_accuracy"].append(accuracy)
        if verbose:
            print(f"epoch {epoch + 1}/{epochs}: loss {curves['loss'][-1]:.3f}, "
                  f"val accuracy {accuracy:.3f} ({time.time() - started:.0f} s)", flush=True)
    partial = out / "speech_utterance_cnn.partial.keras"  # a crash never leaves half a model
    model.save(partial)
    partial.replace(out / "speech_utterance_cnn.keras")
    pred = model.predict(x_val, verbose=0).argmax(axis=1)
    metrics = _report(y_val, pred, "Utterance CNN", out, "speech_utterance_cnn")
    (out / "speech_utterance_cnn_history.json").write_text(json.dumps(
        {"history": curves, "epochs_run": epochs, "speed_factors": list(factors), "seed": seed,
         "batch_size": batch_size, "minutes": round((time.time() - started) / 60, 1)}, indent=2))
    return metrics


def _time_budget(minutes: float | None) -> list:
    """A callback stopping ``fit`` after the first epoch that ends past ``minutes`` (or none)."""
    import time

    import keras

    if minutes is None:
        return []
    deadline = time.time() + 60 * minutes

    class TimeBudget(keras.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            if time.time() > deadline:
                print(f"time budget of {minutes} min reached after epoch {epoch + 1}")
                self.model.stop_training = True

    return [TimeBudget()]


def _report(y_true, y_pred, name: str, out: Path, stem: str, figure: str | None = None) -> dict:
    """The validation report of a recipe's model: ``<stem>.json`` and the confusion matrix as
    ``figure`` (default ``<stem>_confusion.png``) in ``out``."""
    from utils.reports import write_report
    from utils.labels import RAVDESS_CLASSES

    return write_report(y_true, y_pred, RAVDESS_CLASSES, f"{name}, RAVDESS validation actors 17-20",
                        out, f"{stem}.json", figure or f"{stem}_confusion.png")


# --- figures -----------------------------------------------------------------------------------
def plot_log_mel(features: np.ndarray, title: str, ax=None, heatmap: np.ndarray | None = None,
                 show_windows: bool = False):
    """A (frames, bands) log-mel spectrogram as an image: time in seconds, mel band upwards.

    ``heatmap`` (same shape, values in [0, 1], e.g. a Grad-CAM map) is drawn over it in colour;
    ``show_windows`` outlines the rolling windows the speech model sees. Returns the axes.
    """
    from matplotlib import pyplot as plt

    features = np.asarray(features, np.float32)
    if features.ndim == 3:
        features = features[..., 0]
    if ax is None:
        _, ax = plt.subplots(figsize=(8, 3))
    seconds = features.shape[0] * HOP_LENGTH / SAMPLE_RATE
    extent = (0.0, seconds, 0, features.shape[1])
    image = ax.imshow(features.T, origin="lower", aspect="auto", extent=extent,
                      cmap="gray" if heatmap is not None else "magma", vmin=-1, vmax=1)
    if heatmap is not None:
        ax.imshow(np.asarray(heatmap).T, origin="lower", aspect="auto", extent=extent, cmap="jet",
                  alpha=0.45, vmin=0, vmax=1)
    else:
        ax.figure.colorbar(image, ax=ax, fraction=0.03, label="log power (-1 = 80 dB down)")
    if show_windows:  # one bracket per rolling window, stacked so the overlaps show
        step = WINDOW_STEP * HOP_LENGTH / SAMPLE_RATE
        width = WINDOW_FRAMES * HOP_LENGTH / SAMPLE_RATE
        for i in range(int((seconds - width) / step + 1e-6) + 1):
            top = features.shape[1] - 2 - 3 * i
            ax.plot([i * step, i * step + width], [top, top], color="cyan", lw=2, marker="|", ms=10)
            ax.text(i * step + width / 2, top - 0.6, f"window {i + 1}", color="cyan", fontsize=8,
                    ha="center", va="top")
    ax.set_xlabel("time (s)")
    ax.set_ylabel("mel band")
    ax.set_title(title)
    return ax
