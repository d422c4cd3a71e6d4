"""Command line: latency of the shipped models on one CPU thread, printed as numbers.

    python -m utils.benchmark face          # one detected 48x48 face
    python -m utils.benchmark speech        # one 3-second window, features included
    python -m utils.benchmark speech-cnn    # the same with the CNN + LSTM
    python -m utils.benchmark text-emotion  # one sentence, preprocessing included
    python -m utils.benchmark all

Latency is measured, never asserted in tests: a shared CI machine makes timed tests flaky.
TensorFlow is pinned to one thread before it starts and the process to one core (Linux), so the
numbers describe one CPU core. "median_ms" is what a caller waits; "cpu_per_call_ms" also
counts work a model leaves to a thread after answering (the default speech model's openSMILE
reset, timed with 0.1 s between calls, as the live loop's windows come every 0.5 s).
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import platform
import statistics
import time
from collections.abc import Callable, Sequence

# Subcommands register here: name -> function returning (what was measured, one-call function).
BENCHMARKS: dict[str, Callable[[], tuple[str, Callable[[], object]]]] = {}
# Seconds between two calls, for models that finish work after answering (the default speech
# model resets openSMILE on a thread after each window): more than that work takes, less than
# the live loop's 0.5 s between windows. The others are timed back to back.
INTERVALS: dict[str, float] = {}


def single_thread() -> None:
    """Restrict TensorFlow and the BLAS libraries to one thread (call before TF is used) and,
    on Linux, the process to one core: a thread a model starts (the speech model's openSMILE
    reset) then shares the core with the caller instead of borrowing an idle one."""
    for variable in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[variable] = "1"
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    import tensorflow as tf

    tf.config.threading.set_intra_op_parallelism_threads(1)
    tf.config.threading.set_inter_op_parallelism_threads(1)


def time_call(call: Callable[[], object], repeats: int = 200, warmup: int = 10,
              interval: float = 0.0) -> dict:
    """Median, 90th percentile and mean of ``call``'s wall time in milliseconds (the caller's
    wait), the median of its CPU time (this process: what the call costs when other programs
    share the cores), the CPU per call of the whole run (``cpu_per_call_ms``: also what the
    process did between calls, such as work a call left to a thread), ``interval`` (seconds of
    sleep between calls) and the 1-minute load average before and after (how busy the machine
    was)."""
    for _ in range(warmup):
        call()
        time.sleep(interval)
    load_before = os.getloadavg()[0]
    times, cpu = [], []
    run_cpu = time.process_time()
    for _ in range(repeats):
        start, start_cpu = time.perf_counter(), time.process_time()
        call()
        times.append((time.perf_counter() - start) * 1000)
        cpu.append((time.process_time() - start_cpu) * 1000)
        time.sleep(interval)
    run_cpu = (time.process_time() - run_cpu) * 1000 / repeats
    times.sort()
    return {"median_ms": round(statistics.median(times), 2),
            "p90_ms": round(times[int(0.9 * (len(times) - 1))], 2),
            "mean_ms": round(statistics.fmean(times), 2),
            "median_cpu_ms": round(statistics.median(cpu), 2),
            "cpu_per_call_ms": round(run_cpu, 2), "interval_s": interval, "repeats": repeats,
            "load_average": [round(load_before, 2), round(os.getloadavg()[0], 2)]}


def main(argv: Sequence[str] | None = None) -> list[dict]:
    """Run the chosen benchmarks and print one JSON line each."""
    parser = argparse.ArgumentParser(prog="python -m utils.benchmark", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("name", choices=[*BENCHMARKS, "all"])
    parser.add_argument("--repeats", type=int, default=200)
    args = parser.parse_args(argv)
    single_thread()
    results = []
    for name in BENCHMARKS if args.name == "all" else [args.name]:
        what, call = BENCHMARKS[name]()
        cores = sorted(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else "all"
        result = {"benchmark": name, "what": what, "threads": 1, "cores": cores,
                  "cpu": platform.processor() or platform.machine(),
                  **time_call(call, repeats=args.repeats, interval=INTERVALS.get(name, 0.0))}
        print(json.dumps(result))
        results.append(result)
    return results


# --- text (notebooks/01_text) ------------------------------------------------------------------
_SENTENCE = "i feel so grateful that my friends stayed with me when things got hard"


def _text_benchmark(model_name: str, network: str) -> Callable[[], tuple[str, Callable[[], object]]]:
    """A benchmark of one shipped text model on one sentence, preprocessing included."""
    def setup() -> tuple[str, Callable[[], object]]:
        from utils.text.predict import load_text_model

        model = load_text_model(model_name)
        return (f"one {len(_SENTENCE.split())}-word sentence: preprocessing (tokenise, clean, "
                f"POS tags, lemmas) + {network}", lambda: model.predict_proba(_SENTENCE))

    return setup


BENCHMARKS["text-emotion"] = _text_benchmark("text_emotion", "BiLSTM")
BENCHMARKS["personality"] = _text_benchmark("personality", "the personality network, five traits")


# --- speech (notebooks/02_audio) ---------------------------------------------------------------
def _speech_benchmark(model_file: str | list[str] | None, what: str) -> Callable[[], tuple[str, Callable[[], object]]]:
    """A benchmark of one shipped speech model (``None``: the default one) on a 3-s window."""

    def bench() -> tuple[str, Callable[[], object]]:
        import numpy as np

        from utils.audio.io import SAMPLE_RATE
        from utils.audio.predict import speech_predictor
        from utils.config import MODELS_DIR

        files = [model_file] if isinstance(model_file, str) else model_file
        predict = speech_predictor([MODELS_DIR / f for f in files] if files else None)
        time = np.arange(3 * SAMPLE_RATE) / SAMPLE_RATE  # 3-s voiced, vibrato tones with noise
        rng = np.random.default_rng(0)
        tone = 0.3 * np.sin(2 * np.pi * (180 * time + 5 * np.sin(2 * np.pi * 4 * time)))
        # a new window every call, as in the demo: nothing a model remembers of the last one helps
        signals = itertools.cycle([(tone + 0.01 * rng.standard_normal(time.size)).astype(np.float32)
                                   for _ in range(16)])
        return f"one 3-second window at 16 kHz: {what}", lambda: predict(next(signals))

    return bench


BENCHMARKS["speech"] = _speech_benchmark(
    None, "the default speech model: speech checks, silence trim, real-time ComParE 2016 "
          "functionals (openSMILE, 6,061; its reset runs on a thread after the answer) and 592 "
          "librosa statistics, each into a speaker-normalised and an unheard-voice logistic "
          "regression mixed by the normaliser's prior share, probabilities averaged")
INTERVALS["speech"] = 0.1
BENCHMARKS["speech-previous"] = _speech_benchmark(
    ["speech_logreg.json", "speech_utterance_cnn.keras"],
    "the previous default: speech_logreg and speech_utterance_cnn, probabilities averaged")
BENCHMARKS["speech-logreg"] = _speech_benchmark(
    "speech_logreg.json", "silence trim, utterance statistics and log-mel band statistics "
                          "(592 numbers), logistic regression")
BENCHMARKS["speech-utterance-cnn"] = _speech_benchmark(
    "speech_utterance_cnn.keras", "silence trim, log-mel (300 x 48), 2-D CNN")
BENCHMARKS["speech-cnn"] = _speech_benchmark(
    "speech_cnn_lstm.keras", "silence trim, log-mel, 5 rolling windows, time-distributed CNN + LSTM")


# --- face (notebooks/03_video) -----------------------------------------------------------------
def _bench_face(flip: bool = False) -> tuple[str, Callable[[], object]]:
    import numpy as np

    from utils.video.predict import face_predictor, load_face_model

    predict = face_predictor(load_face_model(), flip=flip)
    face = np.random.default_rng(0).integers(0, 256, (1, 48, 48), dtype=np.uint8)
    how = "averaged with its mirror image" if flip else "one pass"
    return ("one detected 48x48 grayscale face through models/face_resnet.keras "
            f"(tf.function, {how})", lambda: predict(face))


def _bench_face_flip() -> tuple[str, Callable[[], object]]:
    return _bench_face(flip=True)


def _bench_face_pipeline() -> tuple[str, Callable[[], object]]:
    import numpy as np
    from skimage import data

    from utils.video.faces import extract_faces
    from utils.video.predict import face_predictor, load_face_model

    predict = face_predictor(load_face_model(), flip=False)
    frame = np.ascontiguousarray(data.astronaut()[16:496, :, :])  # a 640x480-like RGB frame
    frame = np.pad(frame, ((0, 0), (64, 64), (0, 0)))

    def call():
        _, faces = extract_faces(frame)
        return predict(faces)

    return ("one 640x480 RGB frame: HOG detection at 320 px wide, crop to 48x48, face model "
            "(one pass)", call)


BENCHMARKS["face"] = _bench_face
BENCHMARKS["face-flip"] = _bench_face_flip
BENCHMARKS["face-frame"] = _bench_face_pipeline


# --- the real-time demo (notebooks/04_fusion) --------------------------------------------------
def _bench_realtime_step() -> tuple[str, Callable[[], object]]:
    import numpy as np
    from skimage import data

    from utils.live.io import SAMPLE_RATE
    from utils.live.loop import EmotionLoop

    loop = EmotionLoop()  # the shipped face and speech models
    frame = np.ascontiguousarray(data.astronaut()[16:496, :, ::-1])  # a 640x480-like BGR frame
    frame = np.pad(frame, ((0, 0), (64, 64), (0, 0)))
    time = np.arange(3 * SAMPLE_RATE) / SAMPLE_RATE
    loop.audio.push(0.3 * np.sin(2 * np.pi * (180 * time + 5 * np.sin(2 * np.pi * 4 * time))))
    clock = [0.0]

    def call():
        clock[0] += 0.04  # 25 frames per second of frame time
        return loop.step(frame, t=clock[0])

    return ("one 640x480 frame -> fused result (utils.live.loop.EmotionLoop.step): face tracking "
            "(dlib HOG, utils.video.tracking.FaceTracker), 68 landmarks and blink, face model, "
            "speech model on the last 3 s every 0.5 s of frame time (every 12-13th call, inline), "
            "smoothing, fusion", call)


BENCHMARKS["realtime-step"] = _bench_realtime_step


if __name__ == "__main__":
    main()
