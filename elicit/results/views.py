"""Analyst pages: the ranked recommendations of a round."""

from __future__ import annotations

from flask import Blueprint, abort, g, render_template, request

from elicit.auth.decorators import study_role
from elicit.services import results

bp = Blueprint("results", __name__)

METHODS = {
    "mean": "Equal-weight mean",
    "median": "Median",
    "trimmed": "Trimmed mean",
    "geo-odds": "Geometric mean of odds",
    "extremized": "Extremized log-odds",
}


@bp.get("/studies/<int:study_id>/results")
@study_role()
def show_results(study_id: int):
    """Show the options ranked by aggregated expected impact."""
    study = g.study
    method = request.args.get("method", "mean")
    if method not in METHODS:
        abort(400, f"Unknown aggregation method {method!r}.")
    round_ = _chosen_round(study)
    ranking = results.rank_round(round_, method=method) if round_ is not None else None
    return render_template("results/results_show.html", study=study, round=round_,
                           ranking=ranking, method=method, methods=METHODS)


def _chosen_round(study):
    if not study.rounds:
        return None
    wanted = request.args.get("round", type=int)
    if wanted is None:
        return study.current_round
    for round_ in study.rounds:
        if round_.number == wanted:
            return round_
    abort(404)
