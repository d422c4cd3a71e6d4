"""Helper package shared by the course notebooks: one module per concern (see README)."""


def _preload_opensmile() -> None:
    """Load openSMILE's native library now, before anything imports TensorFlow: loaded after
    TensorFlow 2.21, it corrupts the heap on its first run ("malloc(): corrupted top size", an
    abort). Loading it first (5 ms, the library only) avoids that; without opensmile, nothing."""
    import ctypes
    import glob
    import importlib.util
    import os

    spec = importlib.util.find_spec("opensmile")
    if spec is None or spec.origin is None:
        return
    for library in glob.glob(os.path.join(os.path.dirname(spec.origin), "core", "bin", "*",
                                          "libSMILEapi.so")):
        try:
            ctypes.CDLL(library)
        except OSError:
            pass


_preload_opensmile()
