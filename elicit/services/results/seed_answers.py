"""The raw downloads' dictionary, and seed answers as a tidy table (downloads, API, bundle).

One row per round × expert × calibration question answered in a submitted
response, abstentions included (marked, quantiles empty) and questions whose
true value is not yet entered included (realization empty). This is the file
`python -m analysis rank --method cooke --seeds` reads: it keeps the rows of
the chosen round that carry three quantiles and a realization.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from elicit.extensions import db
from elicit.models import Expert, Response, ResponseStatus, Round, SeedAnswer, SeedQuestion, Study
from elicit.services.panel.experts import pseudonyms
from elicit.services.results.frames import withdrawn_experts

# What each column of the judgments download means (its data dictionary sheet).
RAW_DICTIONARY = {
    "round": "Round number (1 = first Delphi round).",
    "expert": "Expert pseudonym (E001…), stable within the study; identities are in the "
              "organizer-only identities file.",
    "group": "The expert's stakeholder group ('' when none).",
    "option": "The policy option judged.",
    "criterion": "The criterion the option was judged on.",
    "kind": "'probability' (fraction 0–1) or 'scale' (integer scale point).",
    "weight": "The criterion's weight in the expected-impact score.",
    "value": "The answer: a probability (0–1) or a scale point; for IDEA four-step "
             "probabilities empty (see best).",
    "lowest": "IDEA four-step: lowest plausible probability (0–1).",
    "best": "IDEA four-step: best guess (0–1).",
    "highest": "IDEA four-step: highest plausible probability (0–1).",
    "confidence": "IDEA four-step: confidence (0.5–1) that the truth lies between lowest "
                  "and highest.",
    "abstained": "true when the expert chose not to answer ('I don't know').",
    "rationale": "The expert's free-text rationale for the option (repeated on each "
                 "criterion row).",
    "submitted_at": "When the response was submitted (UTC, ISO 8601).",
    "expertise": "The expert's self-rated expertise on the option, 1 (none) to 5 (expert); "
                 "empty when not given (repeated on each criterion row).",
    "panel_expertise": "The expertise recorded for the expert in the panel list (1–5; "
                       "empty when none).",
    "withdrawn": "true when the expert's personal link for the round was revoked; their "
                 "submitted answers stay in the file (an expert withdrawn from the study has "
                 "no rows).",
}
SEED_ANSWER_COLUMNS = [
    "round", "expert", "group", "question", "question_text", "unit", "scale",
    "q05", "q50", "q95", "realization", "abstained", "withdrawn", "submitted_at",
]
SEED_ANSWER_DICTIONARY = {
    "round": "Round number (1 = first Delphi round).",
    "expert": "Expert pseudonym (E001…), the same as in the judgments.",
    "group": "The expert's stakeholder group ('' when none).",
    "question": "Calibration question by position: Q1, Q2, …",
    "question_text": "The question as the experts read it.",
    "unit": "Unit of the answer ('' when none).",
    "scale": "'uni' (linear) or 'log' (Cooke's log scale, for answers spanning magnitudes).",
    "q05": "The expert's 5 % quantile (elicit asks for the 5 %, 50 % and 95 % quantiles); "
           "empty when abstained.",
    "q50": "The expert's median (50 % quantile); empty when abstained.",
    "q95": "The expert's 95 % quantile; empty when abstained.",
    "realization": "The true value, once the organizer has entered it; empty until then.",
    "abstained": "true when the expert chose not to answer ('I don't know').",
    "withdrawn": "true when the expert's personal link for the round was revoked; their "
                 "submitted answers stay in the file (an expert withdrawn from the study has "
                 "no rows).",
    "submitted_at": "When the response was submitted (UTC, ISO 8601).",
}


def seed_answer_rows(study: Study, round_number: int | None = None) -> list[tuple]:
    """The study's submitted seed answers (all rounds, or round `round_number`), tidy.

    Rows follow SEED_ANSWER_COLUMNS, in round, expert, question order;
    values are as stored (floats, booleans, datetimes, None for missing).
    """
    rounds = [r for r in study.rounds if round_number is None or r.number == round_number]
    if not rounds:
        return []
    round_ids = [r.id for r in rounds]
    rows = db.session.execute(
        select(Round.number, Response.expert_id, Expert.group, SeedQuestion.position,
               SeedQuestion.text, SeedQuestion.unit, SeedQuestion.scale, SeedAnswer.q05,
               SeedAnswer.q50, SeedAnswer.q95, SeedQuestion.realization, SeedAnswer.abstained,
               Response.submitted_at)
        .join(Response, Response.id == SeedAnswer.response_id)
        .join(Round, Round.id == Response.round_id)
        .join(Expert, Expert.id == Response.expert_id)
        .join(SeedQuestion, SeedQuestion.id == SeedAnswer.question_id)
        .where(Response.round_id.in_(round_ids), Response.status == ResponseStatus.SUBMITTED)
        .order_by(Round.number, Response.expert_id, SeedQuestion.position)
    ).all()
    names = pseudonyms(study.id)
    withdrawn = withdrawn_experts(round_ids)
    return [(r[0], names[r[1]], r[2] or "", f"Q{r[3]}", *r[4:11], bool(r[11]),
             (r[0], r[1]) in withdrawn, r[12]) for r in rows]


def seed_answer_records(study: Study, round_number: int | None = None) -> list[dict[str, Any]]:
    """The seed answers as JSON-ready records (times in ISO 8601, missing as null)."""
    records = []
    for row in seed_answer_rows(study, round_number):
        record = dict(zip(SEED_ANSWER_COLUMNS, row, strict=True))
        record["submitted_at"] = row[-1].isoformat() if row[-1] else None
        records.append(record)
    return records
