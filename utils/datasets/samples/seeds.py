"""The seed every sample is generated from, and one random stream per use of it.

Streams: 1 FER2013 faces, 2 speakers' voices, 3 speech clips, 4 essays, 5 CARER tweets,
6 the actors of the audio-visual clips. The same stream gives the same numbers on every run.
"""

from __future__ import annotations

import numpy as np

SEED = 2024


def random_stream(*stream: int) -> np.random.Generator:
    """The random generator of one stream, e.g. ``random_stream(2, actor)`` for an actor's voice."""
    return np.random.default_rng([SEED, *stream])
