"""The first cell of every notebook, and installing only what a runtime lacks (Colab).

``SETUP_CELL`` is the one place the course's repository address is set. Every notebook's first
code cell is exactly this text (a test checks it); ``python -m utils.install --sync`` rewrites
them all after an edit here.

In Colab the cell clones the course and installs only the packages the runtime lacks, holding
NumPy, SciPy, pandas, TensorFlow and Keras at the versions Colab already has, so nothing heavy is
reinstalled under the runtime's feet. Locally it only makes ``utils`` importable.
"""

from __future__ import annotations

import importlib.util
import subprocess
import sys
import tempfile
from importlib import metadata
from pathlib import Path

COURSE_REPO = "https://github.com/affective-computing-course/multimodal-emotion-recognition"

SETUP_CELL = f'''\
# Course setup (the same first cell in every notebook; see utils/install.py)
import sys
from pathlib import Path

COURSE_REPO = "{COURSE_REPO}"
if "google.colab" in sys.modules:  # Colab: fetch the course code, install only what is missing
    import subprocess
    if not Path("/content/course").exists():
        subprocess.run(["git", "clone", "--depth", "1", COURSE_REPO, "/content/course"], check=True)
    sys.path.insert(0, "/content/course")
    from utils.install import install_missing
    install_missing()
else:  # locally: make the course's utils package importable from any notebook folder
    root = next(p for p in [Path.cwd(), *Path.cwd().parents] if (p / "utils" / "config.py").exists())
    sys.path.insert(0, str(root))

from utils import config
print(config.describe())'''

# import name -> package to install when the import fails. Ordered as the course needs them.
PACKAGES: dict[str, str] = {
    "pooch": "pooch>=1.8",
    "gensim": "gensim>=4.3",
    "nltk": "nltk>=3.8",
    "textblob_aptagger": "textblob-aptagger>=0.2",
    "librosa": "librosa>=0.10",
    "opensmile": "opensmile>=2.5",
    "imageio_ffmpeg": "imageio-ffmpeg>=0.5",
    "cv2": "opencv-python>=4.8",
    "dlib": "dlib-bin>=19.24",
    "face_recognition_models": "face_recognition_models>=0.3",
    "skimage": "scikit-image>=0.21",
    "seaborn": "seaborn>=0.13",
    "ipywidgets": "ipywidgets>=8.0",
    "gradio": "gradio>=5.0",
}
# Already in the runtime and held where they are: installing a package must not move them.
HELD = ("numpy", "scipy", "pandas", "tensorflow", "keras", "scikit-learn", "matplotlib")


def missing_packages() -> list[str]:
    """Requirements whose import module is not importable here."""
    return [req for module, req in PACKAGES.items() if importlib.util.find_spec(module) is None]


def held_versions() -> list[str]:
    """``name==version`` for every held package that is installed, as pip constraints."""
    pins = []
    for name in HELD:
        try:
            pins.append(f"{name}=={metadata.version(name)}")
        except metadata.PackageNotFoundError:
            continue
    return pins


def install_missing(dry_run: bool = False) -> list[str]:
    """pip-install the missing packages with the held ones constrained; return what was missing."""
    missing = missing_packages()
    if not missing or dry_run:
        return missing
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as constraints:
        constraints.write("\n".join(held_versions()))
    print("Installing:", ", ".join(missing))
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", "-c", constraints.name, *missing],
                   check=True)
    importlib.invalidate_caches()
    from utils import _preload_opensmile

    _preload_opensmile()  # installed just now, after utils was imported: still before TensorFlow
    return missing


def notebooks(root: Path | None = None) -> list[Path]:
    """Every course notebook, in order."""
    root = root or Path(__file__).resolve().parent.parent
    return sorted((root / "notebooks").glob("*/*.ipynb"))


def sync_setup_cells() -> list[Path]:
    """Make every notebook's first code cell equal :data:`SETUP_CELL`; return the changed ones."""
    import nbformat

    changed = []
    for path in notebooks():
        notebook = nbformat.read(path, as_version=4)
        first = next(cell for cell in notebook.cells if cell.cell_type == "code")
        if first.source != SETUP_CELL:
            first.source = SETUP_CELL
            nbformat.write(notebook, path)
            changed.append(path)
    return changed


if __name__ == "__main__":
    if "--sync" in sys.argv:
        for changed_path in sync_setup_cells():
            print("updated", changed_path)
    else:
        print("missing:", missing_packages() or "nothing")
