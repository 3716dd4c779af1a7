"""Cooke's classical model for structured expert judgment.

Performance-based weighting of experts by calibration and information on
seed questions, the decision maker as a weighted linear pool, alpha
optimisation and robustness tables (Cooke 1991, *Experts in Uncertainty*;
Cooke & Goossens 2008, RESS 93, doi:10.1016/j.ress.2007.03.005), with
readers and writers for EXCALIBUR ``.dtt``/``.rls`` files.
"""

import lazy_loader

# Names load on first use (SPEC 1, lazy_loader): importing the package costs
# nothing, so the web application starts without SciPy, pandas or matplotlib.
__getattr__, __dir__, _lazy_all = lazy_loader.attach(
    __name__,
    submod_attrs={
        "adequacy": [
            "DOMINANT_SHARE", "MIN_SEED_QUESTIONS", "RECOMMENDED_SEED_QUESTIONS",
            "adequacy_warnings", "dominance_warning", "seed_question_warning", "zero_width_warning",
        ],
        "excalibur": [
            "Realizations", "load_study", "read_dtt", "read_rls", "write_dtt", "write_rls",
        ],
        "model": ["CookeResult", "DecisionMaker", "WeightScheme", "classical_model"],
        "pool": ["LinearPool"],
        "robustness": ["leave_k_out", "leave_one_expert_out", "leave_one_item_out"],
        "scores": [
            "bin_probabilities", "calibration_scores", "information_scores", "intrinsic_range",
            "to_model_scale",
        ],
        "seed_frame": ["study_from_seed_frame", "weights_from_seed_frame"],
        "study": ["Scale", "Study"],
    },
)

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
