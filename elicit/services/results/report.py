"""The methods report (CREDES/ACCORD items) and the reproducibility bundle."""

from __future__ import annotations

import io
import json
import platform
import shlex
import zipfile
from dataclasses import dataclass
from typing import Any

import lazy_loader
from flask import current_app
from sqlalchemy import func, select

from elicit.extensions import db
from elicit.models import Expert, Invitation, Response, ResponseStatus, Round, Study
from elicit.services.panel.experts import pseudonyms
from elicit.services.results import analysis_wheel, dashboard, exports, frames
from elicit.services.results.params import ResultParams, find_round
from elicit.services.studies import consensus, definition, translations

pd = lazy_loader.load("pandas")

ANCHORING_TEXT = {
    "before": "From round 2 on, each expert saw the panel's anonymous feedback (median, "
              "interquartile range and rationales) beside each question before answering.",
    "after": "From round 2 on, each expert gave a new estimate first and then saw the "
             "panel's anonymous feedback beside their own earlier answer, and could revise.",
}
METHOD_TEXT = {
    "mean": "Equal-weight linear pool: the mean of the experts' expected impacts "
            "(Stone 1961).",
    "median": "The median of the experts' expected impacts.",
    "trimmed": "The mean of the experts' expected impacts after trimming 10 % of the "
               "weight from each tail.",
    "geo-odds": "Likelihoods pooled as the geometric mean of odds (Satopää et al. 2014), "
                "times the mean impact.",
    "extremized": "Likelihoods pooled as extremized mean log-odds, the logit aggregator "
                  "of Satopää et al. (2014) with d = 2.5, times the mean impact.",
    "cooke": "Linear pool with Cooke's classical-model performance weights from the "
             "calibration questions (Cooke 1991).",
}


@dataclass(frozen=True)
class RoundParticipation:
    number: int
    status: str
    invited: int
    submitted: int
    retained: int | None  # submitted in this round among those who submitted the one before
    dropped: int | None

    @property
    def response_rate(self) -> float:
        return self.submitted / self.invited if self.invited else 0.0


def participation(study: Study) -> list[RoundParticipation]:
    """Panel size, responses and attrition per round."""
    out: list[RoundParticipation] = []
    before: set[int] | None = None
    for round_ in study.rounds:
        invited = db.session.scalar(select(func.count()).select_from(Invitation)
                                    .where(Invitation.round_id == round_.id)) or 0
        submitted = set(db.session.scalars(select(Response.expert_id).where(
            Response.round_id == round_.id, Response.status == ResponseStatus.SUBMITTED)))
        retained = len(submitted & before) if before is not None else None
        dropped = len(before - submitted) if before is not None else None
        out.append(RoundParticipation(round_.number, round_.status, invited, len(submitted),
                                      retained, dropped))
        before = submitted
    return out


@dataclass(frozen=True)
class Withdrawal:
    expert: str  # pseudonym
    on: str  # YYYY-MM-DD (UTC)


def withdrawals(study: Study) -> list[Withdrawal]:
    """Experts withdrawn from the study: their answers count in no result shown here.

    The reason stays in the audit log (it may be personal); the report says who and when.
    """
    names = pseudonyms(study.id)
    rows = db.session.execute(
        select(Expert.id, Expert.withdrawn_at).where(Expert.study_id == study.id,
                                                     Expert.withdrawn_at.is_not(None))
        .order_by(Expert.withdrawn_at, Expert.id)).all()
    return [Withdrawal(names[expert_id], when.strftime("%Y-%m-%d")) for expert_id, when in rows]


def analysis_command(params: ResultParams, resamples: int,
                     *, csv_name: str = "judgments.csv", seeds_name: str = "seeds.csv") -> str:
    """The `python -m analysis rank` command that regenerates the ranking from the bundle."""
    args = ["python", "-m", "analysis", "rank", csv_name, "--round", str(params.round),
            "--method", params.method, "--resamples", str(resamples),
            "--seed", str(dashboard.SEED)]
    if params.method == "cooke":
        args += ["--seeds", seeds_name]
    return shlex.join(args + ["--json"])


def report_context(study: Study, params: ResultParams,
                   outcome: dashboard.RoundResults | None) -> dict[str, Any]:
    """Everything the methods report shows."""
    resamples = current_app.config["RESULTS_RESAMPLES"]
    return {
        "participation": participation(study),
        "withdrawals": withdrawals(study),
        "anchoring_text": ANCHORING_TEXT.get(study.anchoring, ""),
        "method_text": METHOD_TEXT[params.method],
        "rule_text": consensus.rule_text(study),
        "protocol_changes": consensus.protocol_changes(study),
        "command": analysis_command(params, resamples),
        "resamples": resamples,
        "provenance": outcome.ranking.provenance.to_dict() if outcome else None,
        # every language's wording of what experts read (the main language is above)
        "wordings": {lang: translations.entries(study, lang) for lang in study.languages[1:]},
    }


def bundle_frame(study: Study, params: ResultParams) -> pd.DataFrame:
    """The round's tidy judgments as the bundle holds them: chosen groups, chosen weights."""
    round_ = find_round(study, params.round)
    frame = frames.filter_groups(frames.judgments_frame(round_), params)
    overrides = dict(params.weights)
    if overrides:
        frame = frame.assign(weight=[overrides.get(c, w) for c, w in
                                     zip(frame["criterion"], frame["weight"], strict=True)])
    return frame


def bundle(study: Study, params: ResultParams,
           outcome: dashboard.RoundResults | None) -> bytes:
    """A zip: tidy CSV, study definition JSON, the command, and the expected result."""
    frame = bundle_frame(study, params)
    resamples = current_app.config["RESULTS_RESAMPLES"]
    command = analysis_command(params, resamples)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("judgments.csv", "".join(exports.csv_chunks(
            frames.TIDY_COLUMNS, frame.itertuples(index=False))))
        archive.writestr("study.json", json.dumps(definition.export_definition(study),
                                                  indent=2, ensure_ascii=False))
        if params.method == "cooke":
            archive.writestr("seeds.csv", "".join(exports.seeds_csv(study, params.round)))
        if outcome is not None:
            # exactly what the command prints (print() ends with a newline): compare with cmp
            archive.writestr("expected.json", json.dumps(outcome.ranking.to_dict(), indent=2,
                                                         allow_nan=False) + "\n")
        wheel, data = analysis_wheel.build_wheel()
        archive.writestr(wheel, data)
        archive.writestr("requirements.txt", "\n".join(
            [f"./{wheel}", *analysis_wheel.requirements(), ""]))
        archive.writestr("README.txt", _readme(study, params, command, wheel))
        archive.writestr("reproduce.sh", f"#!/bin/sh\nset -e\n{command}\n")
    return buffer.getvalue()


REPRODUCE_STEPS = (
    "python3 -m venv .venv",
    ".venv/bin/python -m pip install -r requirements.txt",
    'PATH="$PWD/.venv/bin:$PATH" sh reproduce.sh > result.json',
    "cmp result.json expected.json && echo 'result.json is identical to expected.json'",
)


def _readme(study: Study, params: ResultParams, command: str, wheel: str) -> str:
    groups = ", ".join(params.groups) or "all"
    versions = ", ".join(analysis_wheel.requirements())
    return (
        f"Reproducibility bundle for “{study.title}”, round {params.round}.\n\n"
        f"judgments.csv  submitted judgments, experts under pseudonyms (groups: {groups};\n"
        "               criterion weights as used for this ranking)\n"
        "study.json     the study definition in elicit's \"elicit-study\" format, version 1\n"
        "               (options, criteria, calibration questions, consensus rule; what\n"
        "               `flask study import` reads). Older bundles held the same keys\n"
        "               without \"format\" and \"version\"; both shapes import.\n"
        + ("seeds.csv      calibration answers for Cooke's weights (the seed-answers\n"
           "               download of this round; the command keeps answered questions\n"
           "               with a known true value)\n"
           if params.method == "cooke" else "")
        + "expected.json  the ranking the web application computed\n"
        f"{wheel}\n"
        "               the `analysis` library exactly as the server ran it\n"
        f"requirements.txt  that wheel and the libraries it ran with ({versions})\n"
        "reproduce.sh   the command below\n\n"
        "Regenerate the ranking, in this folder, with Python 3.11 or later (the\n"
        f"server ran Python {platform.python_version()}) and access to the Python\n"
        "package index (or a local one: pip's PIP_FIND_LINKS and PIP_NO_INDEX):\n\n"
        + "".join(f"    {step}\n" for step in REPRODUCE_STEPS)
        + "\nreproduce.sh runs\n\n"
        f"    {command}\n\n"
        "The output equals expected.json byte for byte (same code, same libraries, same\n"
        "seed and resamples). Under another Python version only the \"python\" line of\n"
        "the provenance's versions differs.\n"
    )


def round_for(study: Study, params: ResultParams) -> Round | None:
    """The round the report describes."""
    return find_round(study, params.round) if params.round else None
