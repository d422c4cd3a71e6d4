"""What the speech models read: log-mel spectrograms and utterance statistics.

The networks read log-mel spectrograms: :func:`clip_windows` (5 rolling windows, the CNN+LSTM)
and :func:`utterance_log_mel` (the whole 3-s clip, the utterance CNN). The classical models read
one vector per utterance: :func:`utterance_features` (the SVM baseline) and
:func:`speech_features` (the linear model). Every function takes a mono float32 signal, as
:func:`utils.audio.io.load_audio` gives it.
"""

from __future__ import annotations

import functools
import warnings

import numpy as np

from utils.audio.io import SAMPLE_RATE


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


def utterance_log_mel(signal: np.ndarray, sr: int = SAMPLE_RATE, trim: bool = True) -> np.ndarray:
    """The utterance CNN's input, (300, 48, 1): the log-mel spectrogram of the trimmed
    utterance, centred in (or cut to) 300 frames (3 s), the padding at the silence floor."""
    signal = _at_sample_rate(signal, sr)
    if trim:
        signal = trim_silence(signal)
    return fit_frames(log_mel(signal))[..., np.newaxis]


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


# --- more statistics for the linear model ------------------------------------------------------
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


def median_pitch(signal: np.ndarray, sr: int = SAMPLE_RATE) -> float:
    """A clip's median f0 (librosa's YIN estimator, 60-500 Hz), in semitones above 27.5 Hz as
    eGeMAPS counts: one number that tells speakers apart more than emotions (notebook 02)."""
    import librosa

    return float(12 * np.log2(np.median(librosa.yin(signal, fmin=60, fmax=500, sr=sr)) / 27.5))
