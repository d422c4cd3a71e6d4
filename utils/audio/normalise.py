"""Speaker normalisation: each voice's features measured against that voice's own average.

Speakers differ more than emotions do: a deep voice and a high one are further apart in pitch,
timbre and loudness than one person's calm and angry. Standardising every feature with the mean
and standard deviation of the *same speaker's* clips (no labels needed) removes most of that, and
leaves the classifier the differences that emotion makes.

- :func:`speaker_normalise`: every speaker's rows z-scored with its own statistics (training,
  and evaluation when all of a test speaker's unlabelled clips are at hand).
- :func:`speaker_prior`: what a new speaker is assumed to look like before any of their audio is
  heard: the mean of the training speakers' per-speaker means and variances.
- :class:`RunningSpeakerNormaliser`: the live version, starting from the prior and moving toward
  the new speaker's statistics as their clips arrive.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

MIN_STD = 1e-8  # a feature (almost) constant within a speaker is divided by 1, not by ~0


def _safe_std(var: np.ndarray) -> np.ndarray:
    """Standard deviations from variances, with :data:`MIN_STD` and below replaced by 1."""
    std = np.sqrt(np.maximum(np.asarray(var, np.float64), 0.0))
    return np.where(std < MIN_STD, 1.0, std)


def _finite(features: np.ndarray) -> np.ndarray:
    """Features as float64 with NaN / infinite values (openSMILE on odd input) set to 0."""
    return np.nan_to_num(np.asarray(features, np.float64), nan=0.0, posinf=0.0, neginf=0.0)


def speaker_normalise(features: np.ndarray, speakers: Sequence) -> np.ndarray:
    """Rows (clips, features) z-scored per speaker with that speaker's own mean and std."""
    features, speakers = _finite(features), np.asarray(speakers)
    if len(features) != len(speakers):
        raise ValueError(f"{len(features)} feature rows but {len(speakers)} speaker labels")
    out = np.empty_like(features)
    for speaker in np.unique(speakers):
        rows = speakers == speaker
        out[rows] = (features[rows] - features[rows].mean(0)) / _safe_std(features[rows].var(0))
    return out


def speaker_prior(features: np.ndarray, speakers: Sequence) -> tuple[np.ndarray, np.ndarray]:
    """(mean, variance): the averages over speakers of each speaker's own mean and variance."""
    features, speakers = _finite(features), np.asarray(speakers)
    groups = [features[speakers == s] for s in np.unique(speakers)]
    return (np.mean([g.mean(0) for g in groups], 0), np.mean([g.var(0) for g in groups], 0))


class RunningSpeakerNormaliser:
    """Per-session speaker normalisation that adapts as a new speaker talks.

    Starts from the training prior (``mean``, ``var``: :func:`speaker_prior`) and after clips
    x_1..x_n of the new speaker uses the statistics shrunk toward the prior with a weight of
    ``prior_weight`` clips (k)::

        mu_n  = (k mu_0 + sum x_i) / (k + n)
        var_n = (k (var_0 + (mu_0 - mu_n)^2) + sum (x_i - mu_n)^2) / (k + n)

    With k = 2 this beat the raw statistics of the clips seen by far (with 2 clips the raw ones
    gave 21% accuracy, the shrunk ones 64%). :meth:`update` can weigh a clip less than one
    (overlapping live windows each count as a fraction of a clip).
    """

    def __init__(self, mean: np.ndarray, var: np.ndarray, prior_weight: float = 2.0):
        self.prior_mean, self.prior_var = np.asarray(mean, np.float64), np.asarray(var, np.float64)
        if self.prior_mean.shape != self.prior_var.shape or self.prior_mean.ndim != 1:
            raise ValueError("mean and var must be vectors of the same length")
        if prior_weight <= 0:
            raise ValueError(f"prior_weight must be positive, not {prior_weight}")
        self.prior_weight = float(prior_weight)
        self.reset()

    def reset(self) -> None:
        """Forget the speaker: back to the prior (a new session, a new voice)."""
        self.n = 0.0
        self._sum = np.zeros_like(self.prior_mean)
        self._sum_squares = np.zeros_like(self.prior_mean)

    def update(self, features: np.ndarray, weight: float = 1.0) -> RunningSpeakerNormaliser:
        """Fold in one clip's (or several rows of clips') unlabelled features, each of ``weight``."""
        rows = _finite(features).reshape(-1, len(self.prior_mean))
        self.n += weight * len(rows)
        self._sum += weight * rows.sum(0)
        self._sum_squares += weight * (rows ** 2).sum(0)
        return self

    @property
    def prior_share(self) -> float:
        """k / (k + n): the share the prior still holds in the running mean, and the weight the
        shipped predictor gives a member's unheard-voice model (1 before the first clip)."""
        return self.prior_weight / (self.prior_weight + self.n)

    def statistics(self) -> tuple[np.ndarray, np.ndarray]:
        """The current (mean, variance) by the update rule of the class docstring."""
        k, n = self.prior_weight, self.n
        mean = (k * self.prior_mean + self._sum) / (k + n)
        spread = self._sum_squares - 2 * mean * self._sum + n * mean ** 2  # sum (x - mean)^2
        var = (k * (self.prior_var + (self.prior_mean - mean) ** 2) + spread) / (k + n)
        return mean, var

    def transform(self, features: np.ndarray) -> np.ndarray:
        """Features (one clip or rows of clips) z-scored with the current statistics."""
        mean, var = self.statistics()
        return (_finite(features) - mean) / _safe_std(var)
