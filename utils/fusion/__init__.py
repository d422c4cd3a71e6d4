"""Late fusion: one label space for the three models, rules that combine them, clip-level faces.

Each modality's model speaks its own label set: the face model FER2013's seven emotions, the speech
model RAVDESS's eight, the text model CARER's six. Fusion happens in three steps:

1. :func:`utils.labels.to_canonical` maps a model's probabilities onto the course's seven
   canonical emotions (:data:`utils.labels.EMOTIONS`) and returns a **mask** of the emotions the
   modality can express (text has no ``disgust`` or ``neutral``). The classes outside the mask are
   filled with the uniform value 1/7 (:func:`utils.labels.fill_unexpressed`): "no opinion", so no
   fusion rule reads a modality's silence about a class as evidence against it;
2. a rule of :mod:`.rules` combines the modalities present for an example:
   :func:`~.rules.weighted_average`, :func:`~.rules.product_rule` (sum of log-probabilities),
   :class:`~.rules.F1WeightedFusion` (weights per modality and class learned from validation F1;
   its ``fallbacks()`` says where a weight is not an F1 score)
   or :class:`~.rules.StackedFusion` (logistic regression on the concatenated probabilities,
   fitted on validation actors only); :func:`~.rules.fuse` picks a fixed rule by name;
3. a missing modality (no face in the frame, silence, no text) is a row of NaN: every rule fuses
   over what is present and a modality that is absent changes nothing.

:mod:`.clips`: :func:`~.clips.aggregate_frames` turns a clip's per-frame face probabilities into
one clip-level vector (:func:`~.clips.clip_probabilities` does it for whole video files, with their
sound tracks). Counting votes of frames favours ``neutral`` (most frames of an utterance are its
onset and offset: :func:`~.clips.neutral_share` measures it); the mean of log-probabilities, a
confidence-weighted mean or the clip's least neutral window (``"peak"``) let the few expressive
frames speak.

:mod:`.paired` and :mod:`.crossfit`: fusion measured on real data. Real examples of separate corpora
(RAVDESS voices, FER2013 faces, CARER sentences) are paired by canonical emotion, each modality's
probabilities come from a model that never trained on the example (speech out of fold by actor:
:func:`~.paired.speech_out_of_fold`), and the rules (including :class:`~.rules.ForestFusion`, a
random-forest stacker) are cross-fitted on two halves that share no actor, face or sentence, the
reported rule chosen on the fitting half only (:func:`~.crossfit.choose_rule`). The modalities'
errors are independent there by construction: it measures the ceiling of what fusion can gain.

:mod:`.metrics`: :func:`~.metrics.scores` (accuracy and macro-F1) and :func:`~.metrics.predictions`
(top class of each row) of fused probabilities.

The label-space names of :mod:`utils.labels` (``to_canonical``, ``expressible``, ``missing``,
``mapping_table``, ...) are re-exported here with the rules, so ``fusion.to_canonical(...)`` and
``fusion.fuse(...)`` read as one vocabulary in the notebooks.
"""

from utils.fusion import clips, crossfit, metrics, paired, rules
from utils.fusion.clips import AGGREGATIONS, aggregate_frames, clip_probabilities, neutral_share
from utils.fusion.metrics import predictions, scores
from utils.fusion.rules import (EPSILON, F1WeightedFusion, ForestFusion, Probs, StackedFusion, fuse,
                                product_rule, weighted_average)
from utils.labels import (CLASSES, EMOTIONS, MAPPINGS, MODALITIES, N_CLASSES, canonical_mass,
                          expressible, fill_unexpressed, mapping_table, missing, to_canonical)

__all__ = [
    "clips", "crossfit", "metrics", "paired", "rules",
    "AGGREGATIONS", "aggregate_frames", "clip_probabilities", "neutral_share",
    "predictions", "scores",
    "EPSILON", "F1WeightedFusion", "ForestFusion", "Probs", "StackedFusion", "fuse", "product_rule",
    "weighted_average",
    "CLASSES", "EMOTIONS", "MAPPINGS", "MODALITIES", "N_CLASSES", "canonical_mass", "expressible",
    "fill_unexpressed", "mapping_table", "missing", "to_canonical",
]
