"""An expert's own answers as a download (JSON or CSV)."""

from __future__ import annotations

import csv
import io
from typing import Any

from elicit.models import Invitation, Response
from elicit.services.responses.answering import current_answers
from elicit.services.responses.rules import options_in_round

CSV_COLUMNS = ("kind", "option", "criterion_or_question", "unit", "value", "lowest", "best",
               "highest", "confidence", "q05", "q50", "q95", "abstained", "expertise",
               "rationale")


def own_answers(invitation: Invitation, response: Response | None) -> dict[str, Any]:
    """The expert's current answers with question texts, and every submitted version."""
    study = invitation.expert.study
    answers = current_answers(response)
    options = options_in_round(study, invitation.round)
    judgments = []
    for option in options:
        for criterion in study.criteria:
            j = answers.judgments.get((option.id, criterion.id))
            if j is None:
                continue
            scale = 100 if criterion.is_probability else 1
            judgments.append({
                "option": option.title, "criterion": criterion.name,
                "unit": "%" if criterion.is_probability else "",
                "value": _scaled(j.value, scale), "lowest": _scaled(j.lowest, scale),
                "best": _scaled(j.best, scale), "highest": _scaled(j.highest, scale),
                "confidence": _scaled(j.confidence, 100), "abstained": j.abstained,
            })
    comments = [{"option": o.title, "rationale": answers.rationales.get(o.id, ""),
                 "expertise": answers.expertise.get(o.id)}
                for o in options
                if answers.rationales.get(o.id) or answers.expertise.get(o.id) is not None]
    seeds = [{"question": q.text, "unit": q.unit, "q05": s.q05, "q50": s.q50, "q95": s.q95,
              "abstained": s.abstained}
             for q in study.seed_questions if (s := answers.seeds.get(q.id)) is not None]
    return {
        "study": study.title,
        "round": invitation.round.number,
        "status": response.status if response else "not started",
        "version": response.version if response else 0,
        "submitted_at": _iso(response.submitted_at) if response else None,
        "judgments": judgments,
        "comments": comments,
        "seeds": seeds,
        "revisions": [{"version": r.version, "submitted_at": _iso(r.submitted_at),
                       "answers": r.answers} for r in (response.revisions if response else [])],
    }


def own_answers_csv(data: dict[str, Any]) -> str:
    """The current answers of `own_answers` as CSV, one row per answer."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=CSV_COLUMNS, extrasaction="ignore")
    writer.writeheader()
    comments = {c["option"]: c for c in data["comments"]}
    for j in data["judgments"]:
        writer.writerow(_safe({"kind": "judgment", "option": j["option"],
                               "criterion_or_question": j["criterion"], **j}))
    for option, c in comments.items():
        writer.writerow(_safe({"kind": "comment", "option": option, **c}))
    for s in data["seeds"]:
        writer.writerow(_safe({"kind": "seed", "criterion_or_question": s["question"], **s}))
    return buffer.getvalue()


def _scaled(value: float | None, factor: int) -> float | None:
    return None if value is None else round(value * factor, 6)


def _iso(moment) -> str | None:
    return moment.isoformat() if moment else None


def _safe(row: dict[str, Any]) -> dict[str, Any]:
    """Neutralise spreadsheet formulas in free text (CSV injection)."""
    return {k: ("'" + v if isinstance(v, str) and v[:1] in ("=", "+", "-", "@", "\t", "\r")
                else v) for k, v in row.items()}
