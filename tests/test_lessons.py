"""The course's lessons hold in quick mode: one test per claim the notebooks' prose makes.

Each test runs the phenomenon on the synthetic samples (the data every offline student, instructor
and CI run sees) through the same library calls the notebook makes, and fails if the samples or a
change to the code stop showing it. The notebook that states the claim is named in each section.
"""

from __future__ import annotations

import pytest

# ---------------------------------------------------------------------------------------------
# notebooks/01_text: personality and text emotion
# ---------------------------------------------------------------------------------------------

# (text lessons go here)


# ---------------------------------------------------------------------------------------------
# notebooks/02_audio/02_speech
# ---------------------------------------------------------------------------------------------

# (speech lessons go here)


# ---------------------------------------------------------------------------------------------
# notebooks/03_video/03_faces
# ---------------------------------------------------------------------------------------------

# (face lessons go here)


# ---------------------------------------------------------------------------------------------
# notebooks/04_fusion/04_fusion
# ---------------------------------------------------------------------------------------------

# (fusion lessons go here)
