"""elicit's analysis library: pure functions on numpy arrays and pandas DataFrames.

Validation, probability pooling (linear, median, trimmed, geometric mean of
odds, extremized), consensus and reliability statistics, ranking of options
with a bootstrap over experts, sensitivity, stratified and risk-matrix
results, rationale themes, SVG charts and provenance.  It never imports the web application.

Examples
--------
>>> import pandas as pd
>>> import analysis
>>> df = pd.DataFrame({"round": 1, "expert": ["a", "a", "b", "b"],
...     "option": ["x", "y", "x", "y"], "criterion": "impact", "kind": "scale",
...     "value": [3, 1, 2, 2]})
>>> analysis.rank_options(df, resamples=0).ranking
['x', 'y']
"""

import lazy_loader

from analysis._version import __version__

# Names load on first use (SPEC 1, lazy_loader): importing the package costs
# nothing, so the web application starts without SciPy, pandas or matplotlib.
__getattr__, __dir__, _lazy_all = lazy_loader.attach(
    __name__,
    submodules=["cooke"],
    submod_attrs={
        "_methods": ["METHODS", "Method"],
        "aggregation": ["aggregate_probabilities"],
        "bootstrap": ["RankAccumulator", "resample_counts"],
        "consensus": [
            "KendallW", "coefficient_of_variation", "consensus_table", "iqr", "judgment_grid",
            "kendalls_w", "percent_agreement", "quartile_deviation",
        ],
        "idea": ["standardize_idea"],
        "matrices": ["ExpertOptionData", "build_matrices"],
        "plots": [
            "Chart", "acceptability_chart", "distribution_chart", "forest_chart",
            "risk_matrix_chart",
        ],
        "pooling": [
            "POOL_METHODS", "PoolMethod", "extremized_pool", "geometric_odds_pool", "linear_pool",
            "median_pool", "normalize_weights", "pool", "trimmed_pool",
        ],
        "provenance": ["Provenance", "hash_frame", "library_versions"],
        "ranking": ["RankingResult", "point_ranks", "rank_options"],
        "reliability": ["AlphaLevel", "agreement_table", "krippendorff_alpha"],
        "risk": ["RiskMatrix", "risk_matrix"],
        "sensitivity": ["SensitivityResult", "kendall_tau_many", "sensitivity"],
        "stability": ["stability"],
        "stratified": ["GroupRanking", "rank_by_group"],
        "themes": ["OptionThemes", "Theme", "ThemesResult", "find_themes"],
        "validation": [
            "COLUMNS", "KINDS", "ValidatedJudgments", "select_round", "validate_judgments",
        ],
    },
)

__all__ = [
    "__version__",
    # validation
    "COLUMNS", "KINDS", "ValidatedJudgments", "validate_judgments", "select_round",
    # pooling and aggregation
    "POOL_METHODS", "PoolMethod", "normalize_weights", "linear_pool", "median_pool",
    "trimmed_pool", "geometric_odds_pool", "extremized_pool", "pool", "standardize_idea",
    "aggregate_probabilities",
    # consensus and reliability
    "iqr", "quartile_deviation", "percent_agreement", "coefficient_of_variation",
    "KendallW", "kendalls_w", "consensus_table", "judgment_grid", "AlphaLevel",
    "krippendorff_alpha", "agreement_table", "stability",
    # ranking
    "METHODS", "Method", "ExpertOptionData", "build_matrices", "RankingResult",
    "rank_options", "point_ranks", "resample_counts", "RankAccumulator",
    "SensitivityResult", "sensitivity", "kendall_tau_many", "GroupRanking", "rank_by_group",
    "RiskMatrix", "risk_matrix",
    # charts
    "Chart", "forest_chart", "acceptability_chart", "risk_matrix_chart", "distribution_chart",
    # provenance
    "Provenance", "hash_frame", "library_versions",
    # rationale themes (analysis.embeddings holds the sentence model)
    "Theme", "OptionThemes", "ThemesResult", "find_themes",
]
