"""The real-time demo (notebooks/04_fusion): a webcam or video file, its sound, a text, fused.

- :mod:`.loop`: :class:`~.loop.EmotionLoop`, one frame in and the fused emotion out (face model,
  blinks, speech every half second, smoothing, fusion), with its parts :class:`~.loop.Smoother`
  and :class:`~.loop.BlinkCounter` and the timing constants;
- :mod:`.session`: :func:`~.session.run` drives the loop from a camera or a file (a window, an annotated
  mp4, one row per frame), :func:`~.session.summary` says what a run saw and
  :func:`~.session.benchmark` how fast (:func:`~.session.warm_up` first);
- :mod:`.io`: the inputs and outputs, nothing about emotions: :func:`~.io.open_capture` and
  :func:`~.io.camera_frames` (:class:`~.io.CameraError` says what to try), the rolling
  :class:`~.io.AudioBuffer` filled by a :class:`~.io.Microphone` or a video's
  :func:`~.io.sound_track`, :func:`~.io.video_writer`, and :func:`~.io.colab_snapshot` for Colab;
- :mod:`.overlay`: :func:`~.overlay.annotate` draws a loop result on its frame.

``python -m utils.realtime`` is the command line over :func:`~.session.run`. Faces come from
:mod:`utils.video`, speech from :mod:`utils.audio`, text from :mod:`utils.text` and the fusion
rules from :mod:`utils.fusion`; TensorFlow, dlib and OpenCV are imported only when used.
"""

from utils.live import io, loop, overlay, session
from utils.live.io import (SAMPLE_RATE, AudioBuffer, CameraError, Microphone, MicrophoneUnavailable,
                           camera_frames, colab_snapshot, is_file_source, open_capture, sound_track,
                           video_writer)
from utils.live.loop import (FACE_HOLD, SILENCE_RMS, SPEECH_EVERY, BlinkCounter, EmotionLoop,
                             Smoother)
from utils.live.overlay import annotate
from utils.live.session import STAGES, WINDOW_NAME, benchmark, run, summary, warm_up

__all__ = [
    "io", "loop", "overlay", "session",
    "SAMPLE_RATE", "AudioBuffer", "CameraError", "Microphone", "MicrophoneUnavailable",
    "camera_frames", "colab_snapshot", "is_file_source", "open_capture", "sound_track",
    "video_writer",
    "FACE_HOLD", "SILENCE_RMS", "SPEECH_EVERY", "BlinkCounter", "EmotionLoop", "Smoother",
    "annotate",
    "STAGES", "WINDOW_NAME", "benchmark", "run", "summary", "warm_up",
]
