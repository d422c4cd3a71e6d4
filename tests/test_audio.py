"""utils.audio: loading, features, rolling windows, augmentation, and the speech command line.

Every signal is synthetic (tones and noise written in the test); nothing reads /work/shared.
"""

from __future__ import annotations

import json

import numpy as np
import pytest
import soundfile

from utils import audio

SR = audio.SAMPLE_RATE


def tone(seconds: float, sr: int = SR, freq: float = 220.0, amplitude: float = 0.3) -> np.ndarray:
    t = np.arange(int(seconds * sr)) / sr
    return (amplitude * np.sin(2 * np.pi * freq * t)).astype(np.float32)


def speech_like(seconds: float = 2.0, sr: int = SR, seed: int = 0) -> np.ndarray:
    """A tone with silence before and after, as a RAVDESS clip has."""
    rng = np.random.default_rng(seed)
    silence = 0.001 * rng.standard_normal(int(0.5 * sr)).astype(np.float32)
    return np.concatenate([silence, tone(seconds, sr), silence])


# --- loading -------------------------------------------------------------------------------------
def test_load_audio_resamples_and_downmixes(tmp_path):
    stereo = np.stack([tone(1.0, 44_100), tone(1.0, 44_100, freq=330)], axis=1)
    soundfile.write(tmp_path / "stereo.wav", stereo, 44_100)
    signal = audio.load_audio(tmp_path / "stereo.wav")
    assert signal.ndim == 1 and signal.dtype == np.float32
    assert abs(signal.size - SR) <= 2
    soundfile.write(tmp_path / "low.wav", tone(0.5, 8_000), 8_000, subtype="PCM_16")
    assert abs(audio.load_audio(tmp_path / "low.wav").size - SR // 2) <= 2


def test_load_audio_bad_files_raise_clear_errors(tmp_path):
    with pytest.raises(FileNotFoundError):
        audio.load_audio(tmp_path / "missing.wav")
    (tmp_path / "empty.wav").write_bytes(b"")
    with pytest.raises(ValueError, match="empty"):
        audio.load_audio(tmp_path / "empty.wav")
    (tmp_path / "corrupt.wav").write_bytes(b"RIFF\x00\x00garbage" + bytes(range(200)))
    with pytest.raises(ValueError, match="corrupt.wav"):
        audio.load_audio(tmp_path / "corrupt.wav")


def test_silent_file_loads_as_zeros(tmp_path):
    soundfile.write(tmp_path / "silence.wav", np.zeros(SR, np.float32), SR)
    signal = audio.load_audio(tmp_path / "silence.wav")
    assert signal.size == SR and not signal.any()
    assert audio.is_silent(signal)


# --- features ------------------------------------------------------------------------------------
def test_log_mel_shape_range_and_gain_invariance():
    signal = speech_like()
    features = audio.log_mel(signal)
    assert features.shape == (1 + signal.size // audio.HOP_LENGTH, audio.N_MELS)
    assert features.min() >= -1.0 and features.max() == pytest.approx(1.0)
    np.testing.assert_allclose(audio.log_mel(0.05 * signal), features, atol=1e-4)


def test_silence_gives_the_floor_everywhere():
    assert np.all(audio.log_mel(np.zeros(SR, np.float32)) == -1.0)
    windows = audio.clip_windows(np.zeros(SR, np.float32))
    assert windows.shape == (5, 100, 48, 1) and np.all(windows == -1.0)


@pytest.mark.parametrize("seconds", [0.01, 0.5, 3.0, 5.5])
def test_clip_windows_always_gives_the_model_input(seconds):
    windows = audio.clip_windows(tone(seconds))
    assert windows.shape == (5, audio.WINDOW_FRAMES, audio.N_MELS, 1)
    assert windows.dtype == np.float32 and np.isfinite(windows).all()


def test_clip_windows_resamples_other_rates():
    at_48k = audio.clip_windows(speech_like(sr=48_000), sr=48_000)
    at_16k = audio.clip_windows(speech_like())
    assert at_48k.shape == at_16k.shape
    assert np.mean(np.abs(at_48k - at_16k)) < 0.1


def test_trim_silence_removes_the_quiet_ends():
    signal = speech_like(seconds=1.0)
    trimmed = audio.trim_silence(signal)
    assert abs(trimmed.size - SR) < 0.1 * SR
    silent = np.zeros(100, np.float32)
    assert audio.trim_silence(silent).size == 100


def test_fit_length_pads_and_cuts():
    signal = np.ones(10, np.float32)
    padded = audio.fit_length(signal, 20)
    assert padded.size == 20 and padded.sum() == 10 and padded[5] == 1 and padded[4] == 0
    assert audio.fit_length(signal, 20, offset=0)[:10].all()
    assert audio.fit_length(np.arange(30, dtype=np.float32), 10)[0] == 10
    with pytest.raises(ValueError):
        audio.fit_length(signal, 0)


def test_rolling_windows_count_padding_and_inverse():
    features = np.random.default_rng(0).standard_normal((300, 8)).astype(np.float32)
    windows = audio.rolling_windows(features, window=100, step=50)
    assert windows.shape == (5, 100, 8)
    np.testing.assert_array_equal(windows[1], features[50:150])
    np.testing.assert_allclose(audio.windows_to_frames(windows, 300, step=50), features, rtol=1e-6)
    short = audio.rolling_windows(features[:30], window=100, step=50)
    assert short.shape == (1, 100, 8) and np.all(short[0, 30:] == features[:30].min())
    with pytest.raises(ValueError):
        audio.rolling_windows(np.zeros((0, 8)))
    with pytest.raises(ValueError):
        audio.rolling_windows(np.zeros(300))


def test_window_maps_to_clip_shape():
    clip_map = audio.window_maps_to_clip(np.ones((5, 12, 6)))
    assert clip_map.shape == (300, 48)
    np.testing.assert_allclose(clip_map, 1.0, atol=1e-5)


def test_bad_signals_raise():
    with pytest.raises(ValueError, match="no samples"):
        audio.log_mel(np.zeros(0, np.float32))
    with pytest.raises(ValueError, match="mono"):
        audio.log_mel(np.zeros((100, 2), np.float32))
    with pytest.raises(ValueError, match="NaN"):
        audio.clip_windows(np.full(100, np.nan, np.float32))


def test_utterance_features_match_their_names_and_stay_finite():
    names = audio.utterance_feature_names()
    for signal in (speech_like(), np.zeros(SR, np.float32), tone(0.01)):
        vector = audio.utterance_features(signal)
        assert vector.shape == (len(names),) and np.isfinite(vector).all()
    assert len(set(names)) == len(names)
    assert audio.mfcc(tone(1.0)).shape[1] == 13


def test_svm_baseline_separates_two_tones():
    rng = np.random.default_rng(0)
    signals = [tone(1.0, freq=f) + 0.01 * rng.standard_normal(SR).astype(np.float32)
               for f in [200, 210, 220, 230] * 3 + [1500, 1600, 1700, 1800] * 3]
    labels = np.repeat([0, 1], 12)
    features = np.stack([audio.utterance_features(s) for s in signals])
    assert audio.speech_svm().fit(features, labels).score(features, labels) == 1.0


# --- augmentation --------------------------------------------------------------------------------
def test_add_noise_hits_the_asked_snr():
    signal = tone(1.0)
    noisy = audio.add_noise(signal, 10.0, np.random.default_rng(0))
    snr = 10 * np.log10(np.mean(signal ** 2) / np.mean((noisy - signal) ** 2))
    assert snr == pytest.approx(10.0, abs=0.3)


def test_time_shift_pitch_and_speed():
    signal = np.arange(1, 11, dtype=np.float32)
    assert audio.time_shift(signal, 3)[:3].sum() == 0 and audio.time_shift(signal, 3)[3] == 1
    assert audio.time_shift(signal, -2)[0] == 3 and audio.time_shift(signal, 20).sum() == 0
    voice = tone(1.0)
    assert audio.pitch_shift(voice, 2.0).size == voice.size
    assert audio.change_speed(voice, 1.25).size == pytest.approx(voice.size / 1.25, rel=0.02)
    with pytest.raises(ValueError):
        audio.change_speed(voice, 0.0)
    variant = audio.augment(voice, np.random.default_rng(1))
    assert variant.dtype == np.float32 and 0.85 * voice.size < variant.size < 1.15 * voice.size


def test_spec_augment_masks_with_the_floor_consistently():
    windows = audio.clip_windows(speech_like())
    masked = audio.spec_augment(windows, np.random.default_rng(3), max_freq=8, max_time=30)
    assert masked.shape == windows.shape and not np.shares_memory(masked, windows)
    changed = masked != windows
    assert changed.any() and np.all(masked[changed] == -1.0)
    # overlapping windows mask the same frames: window 1's first half is window 0's second half
    np.testing.assert_array_equal(masked[0, 50:] == -1.0, masked[1, :50] == -1.0)


def test_model_inputs_and_augmented_batches():
    signals = [audio.trim_silence(speech_like(seed=i)) for i in range(3)]
    clean = audio.model_inputs(signals)
    varied = audio.model_inputs(signals, np.random.default_rng(0))
    assert clean.shape == varied.shape == (3, 5, 100, 48, 1) and clean.dtype == np.float16
    batches = audio.augmented_batches([clean, varied], np.array([0, 1, 2]), batch_size=2)
    assert len(batches) == 2
    x, y = batches[0]
    assert x.shape == (2, 5, 100, 48, 1) and x.dtype == np.float32 and len(y) == 2
    assert sorted(np.concatenate([batches[0][1], batches[1][1]])) == [0, 1, 2]
    with pytest.raises(ValueError):
        audio.augmented_batches([clean], np.array([0, 1]))


# --- the model and the command line --------------------------------------------------------------
@pytest.fixture(scope="module")
def tiny_speech_model(tmp_path_factory):
    from utils.models import speech_cnn_lstm

    model = speech_cnn_lstm(filters=(4, 4, 4, 4), lstm_units=(4, 4))
    path = tmp_path_factory.mktemp("model") / "speech.keras"
    model.save(path)
    return model, path


def test_speech_model_shapes_and_grad_cam(tiny_speech_model):
    from utils.explain import gradcam
    from utils.models import speech_cnn_lstm

    assert speech_cnn_lstm().count_params() < 1_000_000
    model, _ = tiny_speech_model
    windows = audio.clip_windows(speech_like())
    assert model.predict(windows[None], verbose=0).shape == (1, 8)
    cam = gradcam(model, windows[None], layer="lflb4_elu")
    assert cam.shape == (1, 5, 12, 6)
    assert audio.window_maps_to_clip(cam[0]).shape == (300, 48)


def test_speech_predictor_takes_any_rate(tiny_speech_model):
    model, path = tiny_speech_model
    predict = audio.speech_predictor(path)
    probabilities = predict(speech_like(sr=22_050), sr=22_050)
    assert probabilities.shape == (8,) and probabilities.sum() == pytest.approx(1.0, abs=1e-4)


def test_network_batch_matches_one_call_at_a_time(tiny_speech_model):
    model, path = tiny_speech_model
    predict = audio.speech_predictor(model)
    signals = [speech_like(seed=i) for i in range(3)]
    np.testing.assert_allclose(predict.predict_batch(signals), np.stack([predict(s) for s in signals]),
                               atol=1e-5)
    assert audio.speech_predictor(path).model.count_params() == model.count_params()


def test_evaluate_speech_on_a_ravdess_layout(tmp_path, tiny_speech_model):
    from utils import evaluate

    _, model_path = tiny_speech_model
    for actor in (21, 22):
        folder = tmp_path / "ravdess" / "Audio_Speech_Actors_01-24" / f"Actor_{actor:02d}"
        folder.mkdir(parents=True)
        for emotion in (1, 5):  # neutral, angry: written at 48 kHz stereo like the original
            clip = speech_like(1.0, 48_000, seed=emotion)
            soundfile.write(folder / f"03-01-{emotion:02d}-01-01-01-{actor:02d}.wav",
                            np.stack([clip, clip], axis=1), 48_000)
    metrics = evaluate.main(["--out", str(tmp_path / "report"), "speech", "--data",
                             str(tmp_path / "ravdess"), "--actors", "21-24", "--model",
                             str(model_path)])
    assert metrics["examples"] == 4 and 0.0 <= metrics["accuracy"] <= 1.0
    saved = json.loads((tmp_path / "report" / "metrics.json").read_text())
    assert set(saved["per_class"]) >= {"neutral", "angry", "macro avg"}
    with pytest.raises(SystemExit):
        evaluate.main(["--out", str(tmp_path / "r2"), "speech", "--data", str(tmp_path / "ravdess"),
                       "--actors", "1-4", "--model", str(model_path)])


# --- the linear model on speech_features -------------------------------------------------------
def test_speech_features_match_their_names_and_stay_finite():
    names = audio.speech_feature_names()
    assert len(set(names)) == len(names) == len(audio.utterance_feature_names()) + 7 * audio.N_MELS
    for signal in (speech_like(), np.zeros(SR, np.float32), tone(0.01), tone(0.005)):
        vector = audio.speech_features(signal)
        assert vector.shape == (len(names),) and np.isfinite(vector).all()
    # resampled to 16 kHz first: the same voice at 48 kHz gives nearly the same vector
    at_48k = audio.speech_features(speech_like(sr=48_000), sr=48_000)
    assert np.corrcoef(at_48k, audio.speech_features(speech_like()))[0, 1] > 0.99


@pytest.fixture(scope="module")
def tiny_linear_model(tmp_path_factory):
    """A speech_logreg fitted on two kinds of tone, saved as JSON."""
    from utils.inference import save_linear_pipeline

    rng = np.random.default_rng(0)
    signals = [tone(1.0, freq=f) + 0.01 * rng.standard_normal(SR).astype(np.float32)
               for f in [200, 220, 240] * 3 + [1500, 1650, 1800] * 3]
    labels = np.repeat([0, 5], 9)  # neutral, fearful: a model may never have seen every class
    pipeline = audio.speech_logreg(1.0).fit(np.stack([audio.speech_features(s) for s in signals]),
                                            labels)
    path = save_linear_pipeline(pipeline, tmp_path_factory.mktemp("linear") / "speech.json", c=1.0)
    return pipeline, path


def test_linear_model_round_trips_through_json(tiny_linear_model, tmp_path):
    from utils.inference import load_linear_pipeline

    pipeline, path = tiny_linear_model
    loaded, meta = load_linear_pipeline(path)
    x = audio.speech_features(tone(1.0, freq=1600))[None]
    np.testing.assert_allclose(loaded.predict_proba(x), pipeline.predict_proba(x), rtol=1e-5, atol=1e-9)
    assert meta["c"] == 1.0 and not list(tmp_path.glob("*.tmp"))
    broken = tmp_path / "broken.json"
    broken.write_text(path.read_text()[:200])  # a truncated download or copy
    with pytest.raises(ValueError, match="broken.json"):
        load_linear_pipeline(broken)


def test_linear_predictor_gives_all_eight_classes(tiny_linear_model):
    _, path = tiny_linear_model
    predict = audio.speech_predictor(path)
    noise = 0.01 * np.random.default_rng(1).standard_normal(22_050).astype(np.float32)
    probabilities = predict(tone(1.0, freq=1650, sr=22_050) + noise, sr=22_050)
    assert probabilities.shape == (8,) and probabilities.sum() == pytest.approx(1.0, abs=1e-5)
    assert probabilities.argmax() == 5  # the high tone's class, fearful
    batch = predict.predict_batch([tone(1.0, freq=f, sr=22_050) + noise for f in (220, 1650)],
                                  sr=22_050)
    assert batch.shape == (2, 8) and list(batch.argmax(axis=1)) == [0, 5]
    with pytest.raises(ValueError, match="missing.json"):
        audio.speech_predictor(path.parent / "missing.json")


def test_speed_perturb_moves_pitch_and_length_together():
    voice = tone(1.0, freq=200.0)
    faster = audio.speed_perturb(voice, 1.25)
    assert faster.dtype == np.float32 and faster.size == pytest.approx(voice.size / 1.25, abs=2)
    spectrum = np.abs(np.fft.rfft(faster))
    peak_hz = spectrum.argmax() * SR / faster.size
    assert peak_hz == pytest.approx(250.0, rel=0.02)  # 200 Hz played 1.25x as fast
    with pytest.raises(ValueError, match="positive"):
        audio.speed_perturb(voice, 0.0)


def test_grouped_folds_with_copies_never_cross_voices_or_score_copies():
    actors = np.repeat([1, 2, 3, 4], 3)  # 12 original clips, then 2 blocks of copies
    folds = audio.grouped_folds_with_copies(actors, n_copies=2, n_splits=4)
    assert len(folds) == 4
    version_actor = np.tile(actors, 3)
    for train, test in folds:
        assert test.max() < actors.size  # scored on originals only
        held_out = set(actors[test])
        assert not held_out & set(version_actor[train])  # no version of a held-out voice
        assert train.size == 3 * (actors.size - test.size)  # every version of the others


def test_linear_recipe_on_the_samples(tmp_path):
    from utils.inference import load_linear_pipeline

    metrics = audio.train_speech_logreg(None, tmp_path, grid=(0.1,), factors=(1.1,))
    assert 0.0 <= metrics["accuracy"] <= 1.0
    assert (tmp_path / "speech_logreg_confusion.png").is_file()
    _, meta = load_linear_pipeline(tmp_path / "speech_logreg.json")
    assert meta["speed_factors"] == [1.1] and list(meta["cv_accuracy_by_c"]) == ["0.1"]


# --- the utterance CNN and the default ensemble ------------------------------------------------
def test_utterance_log_mel_is_always_three_seconds():
    for signal in (speech_like(1.0), speech_like(5.0), np.zeros(SR, np.float32), tone(0.01)):
        features = audio.utterance_log_mel(signal)
        assert features.shape == (audio.CLIP_FRAMES, audio.N_MELS, 1)
        assert np.isfinite(features).all() and features.min() >= -1.0
    padded = audio.fit_frames(np.zeros((10, 3)), frames=14)
    assert padded.shape == (14, 3) and (padded[:2] == -1).all() and (padded[2:12] == 0).all()
    assert audio.fit_frames(np.arange(20.0)[:, None], frames=5, offset=3)[0, 0] == 3


def test_mixup_keeps_labels_soft_and_mostly_own():
    from utils.training import mixup

    x = np.arange(8, dtype=np.float32).reshape(8, 1, 1)
    y = np.eye(4, dtype=np.float32)[[0, 1, 2, 3, 0, 1, 2, 3]]
    mixed_x, mixed_y = mixup(x, y, np.random.default_rng(0))
    np.testing.assert_allclose(mixed_y.sum(axis=1), 1.0, rtol=1e-6)
    assert mixed_x.shape == x.shape and (mixed_y.max(axis=1) >= 0.5 - 1e-6).all()


@pytest.fixture(scope="module")
def tiny_utterance_cnn(tmp_path_factory):
    from utils.models import speech_utterance_cnn

    model = speech_utterance_cnn(filters=(4, 4, 4, 4))
    path = tmp_path_factory.mktemp("utterance") / "utterance.keras"
    model.save(path)
    return model, path


def test_ensemble_averages_its_members(tiny_linear_model, tiny_utterance_cnn):
    from utils.models import speech_utterance_cnn

    assert speech_utterance_cnn().count_params() < 300_000
    paths = [tiny_linear_model[1], tiny_utterance_cnn[1]]
    ensemble = audio.speech_predictor(paths)
    members = [audio.speech_predictor(path) for path in paths]
    signal = speech_like()
    np.testing.assert_allclose(ensemble(signal), (members[0](signal) + members[1](signal)) / 2,
                               rtol=1e-5, atol=1e-6)
    batch = ensemble.predict_batch([signal, tone(0.5)])
    assert batch.shape == (2, 8) and np.allclose(batch.sum(axis=1), 1.0, atol=1e-5)
    assert members[1].features is audio.utterance_log_mel  # told apart from the CNN+LSTM


def test_utterance_cnn_recipe_on_the_samples(tmp_path):
    metrics = audio.train_speech_utterance_cnn(None, tmp_path, epochs=1, factors=(1.1,),
                                               verbose=False)
    assert 0.0 <= metrics["accuracy"] <= 1.0
    assert not list(tmp_path.glob("*.partial.keras"))
    history = json.loads((tmp_path / "speech_utterance_cnn_history.json").read_text())
    assert len(history["history"]["val_accuracy"]) == 1
    predict = audio.speech_predictor(tmp_path / "speech_utterance_cnn.keras")
    assert predict(speech_like()).shape == (8,)
