"""Drafts that never lose a valid answer.

*Save and finish later* (and the form's automatic save) stores every answer
that passes the rules and keeps each refused answer exactly as typed, with
its message, in `Response.draft`, so that the next visit shows both. After a
submission a draft is kept beside the submitted answers (the submitted rows
stay what the panel's results use) until the expert submits again.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from flask_babel import gettext as _

from elicit.errors import ValidationFailed
from elicit.models import Invitation, Option, Response, Study
from elicit.models.base import utcnow
from elicit.services import audit
from elicit.services.responses import answering
from elicit.services.responses.inputs import AnswerSet, JudgmentInput, SeedInput
from elicit.services.responses.rules import (
    count_answered,
    expertise_field,
    judgment_field,
    options_in_round,
    rationale_field,
    seed_field,
    validate_answers,
)

TYPED_MAX_CHARS = 4000  # one refused box: at most a rationale and some slack
_GROUP = re.compile(r"^(o\d+_c\d+|s\d+)_[a-z0-9]+$")


def question_key(field_name: str) -> str:
    """The question a form field belongs to: `o3_c2_lowest` → `o3_c2`, `s4_q05` → `s4`."""
    found = _GROUP.match(field_name)
    return found.group(1) if found else field_name


@dataclass
class DraftState:
    """What the form shows: the answers to fill in, refused answers as typed, their messages."""

    answers: AnswerSet
    typed: dict[str, str] = field(default_factory=dict)
    problems: dict[str, str] = field(default_factory=dict)
    # True when the answers are a revision saved after a submission, not yet submitted.
    unsubmitted_revision: bool = False


@dataclass(frozen=True)
class DraftOutcome:
    """What one draft save stored: answered questions, and the refused ones (by key)."""

    answered: int
    total: int
    problems: dict[str, str]


def answers_from_json(data: dict[str, Any] | None) -> AnswerSet:
    """The AnswerSet of an `AnswerSet.to_json()` snapshot."""
    answers = AnswerSet()
    for j in (data or {}).get("judgments", []):
        answers.judgments[(j["option_id"], j["criterion_id"])] = JudgmentInput(
            **{k: j.get(k) for k in ("value", "lowest", "best", "highest", "confidence")},
            abstained=bool(j.get("abstained")))
    for option_id, text in (data or {}).get("rationales", {}).items():
        answers.rationales[int(option_id)] = text
    for option_id, level in (data or {}).get("expertise", {}).items():
        answers.expertise[int(option_id)] = level
    for s in (data or {}).get("seeds", []):
        answers.seeds[s["question_id"]] = SeedInput(q05=s.get("q05"), q50=s.get("q50"),
                                                    q95=s.get("q95"),
                                                    abstained=bool(s.get("abstained")))
    return answers


def draft_state(response: Response | None) -> DraftState:
    """The answers to show for a response: stored rows, or the draft kept beside them."""
    draft = (response.draft if response is not None else None) or {}
    if "answers" in draft:
        answers, revision = answers_from_json(draft["answers"]), True
    else:
        answers, revision = answering.current_answers(response), False
    return DraftState(answers=answers, typed=dict(draft.get("typed", {})),
                      problems=dict(draft.get("problems", {})), unsubmitted_revision=revision)


def _keep_previous(study: Study, options: Sequence[Option], answers: AnswerSet,
                   previous: AnswerSet, refused: set[str]) -> AnswerSet:
    """`answers` where each refused question keeps its previous (valid) answer."""
    kept = AnswerSet()
    for option in options:
        for criterion in study.criteria:
            pair = (option.id, criterion.id)
            source = previous if judgment_field(*pair) in refused else answers
            kept.judgments[pair] = source.judgments.get(pair, JudgmentInput())
        source = previous if rationale_field(option.id) in refused else answers
        kept.rationales[option.id] = source.rationales.get(option.id, "")
        source = previous if expertise_field(option.id) in refused else answers
        kept.expertise[option.id] = source.expertise.get(option.id)
    for question in study.seed_questions:
        source = previous if seed_field(question.id) in refused else answers
        kept.seeds[question.id] = source.seeds.get(question.id, SeedInput())
    return kept


def save_draft(invitation: Invitation, answers: AnswerSet, *, refused: dict[str, str],
               typed: dict[str, str]) -> DraftOutcome:
    """Store every valid answer; keep refused ones as typed, with their messages.

    `refused` holds what the form could not even read (field name → message);
    the rules of `validate_answers` add the rest. A refused question keeps its
    previously saved answer in the answer rows. One transaction, one audit event.
    """
    answering.require_open(invitation)
    study = invitation.expert.study
    options = options_in_round(study, invitation.round)
    problems = {**validate_answers(study, answers, complete=False, options=options), **refused}
    known = {judgment_field(o.id, c.id) for o in options for c in study.criteria}
    known |= {rationale_field(o.id) for o in options} | {expertise_field(o.id) for o in options}
    known |= {seed_field(q.id) for q in study.seed_questions}
    if unknown := sorted(k for k in problems if question_key(k) not in known):
        raise ValidationFailed({key: problems[key] for key in unknown})
    refused_questions = {question_key(k) for k in problems}
    response = answering.lock_response(invitation)
    if response.consent_at is None:
        raise ValidationFailed({"form": _("Give your consent before answers are saved.")})
    previous = draft_state(response).answers
    kept = _keep_previous(study, options, answers, previous, refused_questions)
    # NUL cannot be stored in PostgreSQL text: it is shown as U+FFFD, still refused.
    kept_typed = {name: str(value)[:TYPED_MAX_CHARS].replace("\x00", "\ufffd")
                  for name, value in typed.items() if question_key(name) in refused_questions}
    draft: dict[str, Any] = {}
    if problems:
        draft.update(typed=kept_typed, problems=problems)
    if response.is_submitted:
        submitted = response.revisions[-1].answers if response.revisions else None
        if kept.to_json() != submitted:
            draft["answers"] = kept.to_json()
    else:
        answering.write_answers(response, kept)
    response.draft = draft or None
    response.updated_at = utcnow()
    answered, total = count_answered(study, options, kept)
    audit.record("response.save_draft", actor_type="expert", actor_id=invitation.expert_id,
                 study_id=study.id, obj=response,
                 details={"answered": answered, "total": total,
                          "kept_as_typed": sorted(problems),
                          "after_submission": response.is_submitted})
    answering.commit_keeping_loaded()
    return DraftOutcome(answered=answered, total=total, problems=problems)
