"""Cooke's classical model for structured expert judgment.

Performance-based weighting of experts by calibration and information on
seed questions, the decision maker as a weighted linear pool, alpha
optimisation and robustness tables (Cooke 1991, *Experts in Uncertainty*;
Cooke & Goossens 2008, RESS 93, doi:10.1016/j.ress.2007.03.005), with
readers and writers for EXCALIBUR ``.dtt``/``.rls`` files.
"""

from .adequacy import (
    DOMINANT_SHARE,
    MIN_SEED_QUESTIONS,
    RECOMMENDED_SEED_QUESTIONS,
    adequacy_warnings,
    dominance_warning,
    seed_question_warning,
    zero_width_warning,
)
from .excalibur import Realizations, load_study, read_dtt, read_rls, write_dtt, write_rls
from .model import CookeResult, DecisionMaker, WeightScheme, classical_model
from .pool import LinearPool
from .robustness import leave_k_out, leave_one_expert_out, leave_one_item_out
from .scores import (
    bin_probabilities,
    calibration_scores,
    information_scores,
    intrinsic_range,
    to_model_scale,
)
from .seed_frame import study_from_seed_frame, weights_from_seed_frame
from .study import Scale, Study

__all__ = [
    "DOMINANT_SHARE",
    "MIN_SEED_QUESTIONS",
    "RECOMMENDED_SEED_QUESTIONS",
    "adequacy_warnings",
    "dominance_warning",
    "seed_question_warning",
    "zero_width_warning",
    "CookeResult",
    "DecisionMaker",
    "LinearPool",
    "Realizations",
    "Scale",
    "Study",
    "WeightScheme",
    "bin_probabilities",
    "calibration_scores",
    "classical_model",
    "information_scores",
    "intrinsic_range",
    "leave_k_out",
    "leave_one_expert_out",
    "leave_one_item_out",
    "load_study",
    "read_dtt",
    "read_rls",
    "study_from_seed_frame",
    "to_model_scale",
    "weights_from_seed_frame",
    "write_dtt",
    "write_rls",
]
