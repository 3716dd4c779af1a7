"""From submitted judgments to the dashboard, downloads and reports.

One path serves the page, the API, the downloads and the CLI: parse the
choices into `ResultParams` (`params`), then `round_results(study, params)`
(`dashboard`) returns a cached `RoundResults`; `charts` draws, `exports` and
`report` write files, `background` and `tasks` run the slow parts as jobs.
The names below are re-exported because most callers need only them.
"""

from elicit.services.results.dashboard import (
    SEED,
    RoundResults,
    rank_frame,
    results_key,
    results_ready,
    round_results,
)
from elicit.services.results.frames import (
    TIDY_COLUMNS,
    filter_groups,
    judgment_count,
    judgments_frame,
    judgments_query,
    submitted_count,
)
from elicit.services.results.params import (
    METHOD_LABELS,
    ResultParams,
    available_methods,
    find_round,
    parse_params,
    study_groups,
)

__all__ = [
    "METHOD_LABELS", "SEED", "TIDY_COLUMNS", "ResultParams", "RoundResults",
    "available_methods", "filter_groups", "find_round", "judgment_count", "judgments_frame",
    "judgments_query", "parse_params", "rank_frame", "results_key", "results_ready",
    "round_results", "study_groups", "submitted_count",
    # submodules
    "background", "cache", "calibration", "charts", "dashboard", "exports", "frames",
    "params", "rationales", "report", "summary", "tasks", "theme_review", "themes",
]
