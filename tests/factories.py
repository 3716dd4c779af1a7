"""Small factories for tests (call inside an app context)."""

from __future__ import annotations

from typing import Any

from elicit.extensions import db
from elicit.models import Criterion, Membership, Option, Role, Study, User
from elicit.services.accounts.users import hash_password
from elicit.services.panel import experts
from elicit.services.rounds import lifecycle

PASSWORD = "correct horse battery"


def make_user(email: str = "owner@example.org", password: str = PASSWORD) -> User:
    user = User(email=email, name=email.split("@")[0], password_hash=hash_password(password))
    db.session.add(user)
    db.session.commit()
    return user


def make_study(owner: User | None = None, *, role: Role = Role.OWNER, n_options: int = 3,
               n_experts: int = 3, launch: bool = True, **overrides: Any) -> Study:
    """A study with options, a four-step likelihood and a −3…+3 impact criterion."""
    fields = {"title": "Test study", "briefing": "Please **judge**."} | overrides
    study = Study(**fields)
    for i in range(1, n_options + 1):
        study.options.append(Option(position=i, title=f"Option {i}", description=f"Do {i}."))
    study.criteria.append(Criterion(position=1, name="Likelihood", kind="probability",
                                    four_step=True, weight=1.0))
    study.criteria.append(Criterion(position=2, name="Impact", kind="scale", scale_min=-3,
                                    scale_max=3, weight=1.0,
                                    scale_labels={"-3": "Very harmful", "3": "Very beneficial"}))
    db.session.add(study)
    if owner is not None:
        db.session.add(Membership(user=owner, study=study, role=role))
    db.session.flush()
    for i in range(1, n_experts + 1):
        experts.add_expert(study, name=f"Expert {i}", email=f"expert{i}@example.org",
                         group="A" if i % 2 else "B")
    db.session.commit()
    if launch:
        lifecycle.launch_next_round(study)
    return study


def idea_fields(prefix: str, lowest, highest, best, confidence) -> dict[str, str]:
    """Form fields of an IDEA four-step answer (percentages as typed)."""
    return {f"{prefix}_lowest": str(lowest), f"{prefix}_highest": str(highest),
            f"{prefix}_best": str(best), f"{prefix}_confidence": str(confidence)}


# --- expert participation (respond) -------------------------------------------------------

def full_answers(study, best: float = 0.5, impact: float = 2.0, options=None):
    """An AnswerSet answering every option of `make_study` (likelihood fractions)."""
    from elicit.services.responses.inputs import AnswerSet, JudgmentInput

    likelihood, impact_c = study.criteria[0], study.criteria[1]
    result = AnswerSet()
    for option in (study.options if options is None else options):
        result.judgments[(option.id, likelihood.id)] = JudgmentInput(
            lowest=max(best - 0.1, 0.0), best=best, highest=min(best + 0.1, 1.0),
            confidence=0.8)
        result.judgments[(option.id, impact_c.id)] = JudgmentInput(value=impact)
    return result


def submit_panel(study, bests, *, impact: float = 2.0, rationale: str = "") -> None:
    """Consent and submit for experts 0..len(bests)-1 in the study's current round."""
    from elicit.services.responses import answering

    round_ = study.current_round
    for expert, best in zip(study.experts, bests, strict=False):
        invitation = next(i for i in expert.invitations if i.round_id == round_.id)
        answering.record_consent(invitation)
        answer_set = full_answers(study, best=best, impact=impact)
        if rationale:
            answer_set.rationales = {o.id: f"{rationale} ({expert.id})" for o in study.options}
        answering.save_answers(invitation, answer_set, submit=True)


def link_token(study, expert_index: int = 0, round_number: int | None = None) -> str:
    """The personal link token of an expert for a round (default: the current round)."""
    from elicit.services.common import tokens

    number = round_number or study.current_round.number
    expert = study.experts[expert_index]
    invitation = next(i for i in expert.invitations if i.round.number == number)
    return tokens.token_for(invitation.token_nonce)


# --- results (issue 7) -------------------------------------------------------------


def add_member(study: Study, email: str, role: Role) -> User:
    """A new account holding `role` on `study`."""
    user = make_user(email)
    db.session.add(Membership(user=user, study=study, role=role))
    db.session.commit()
    return user


def submit_round(study: Study, expert_index: int, per_option, *, round_number: int | None = None,
                 rationales: dict[int, str] | None = None):
    """Submit (likelihood best, impact) per option for one expert in a round (default: latest).

    `rationales` maps option index (0-based) to the expert's rationale.
    """
    from elicit.services.responses import answering
    from elicit.services.responses.inputs import AnswerSet, JudgmentInput

    round_ = study.rounds[-1] if round_number is None else next(
        r for r in study.rounds if r.number == round_number)
    invitation = next(i for i in study.experts[expert_index].invitations
                      if i.round_id == round_.id)
    answering.record_consent(invitation)
    likelihood, impact = study.criteria[:2]
    answer_set = AnswerSet()
    for n, (option, (p, v)) in enumerate(zip(study.options, per_option, strict=True)):
        if p is None:
            answer_set.judgments[(option.id, likelihood.id)] = JudgmentInput(abstained=True)
            answer_set.judgments[(option.id, impact.id)] = JudgmentInput(abstained=True)
            continue
        answer_set.judgments[(option.id, likelihood.id)] = JudgmentInput(
            lowest=p, best=p, highest=p, confidence=0.8)
        answer_set.judgments[(option.id, impact.id)] = JudgmentInput(value=v)
        if rationales and n in rationales:
            answer_set.rationales[option.id] = rationales[n]
    return answering.save_answers(invitation, answer_set, submit=True)


# Organizer-workflow helpers (appended; the factories above are unchanged) -----------------

def make_member(study: Study, email: str, role: Role) -> User:
    """A new account holding `role` on `study`."""
    user = make_user(email)
    db.session.add(Membership(user=user, study=study, role=role))
    db.session.commit()
    return user


def submit_scores(study: Study, round_number: int, per_expert: list[list[tuple[float, int]]]):
    """Submit (likelihood best, impact) per option for experts 1..n in round `round_number`.

    Options that are retired before the round are skipped.
    """
    from elicit.services.responses import answering
    from elicit.services.responses.inputs import AnswerSet, JudgmentInput

    round_ = next(r for r in study.rounds if r.number == round_number)
    likelihood, impact = study.criteria[:2]
    asked = [o for o in study.options
             if o.retired_after_round is None or o.retired_after_round >= round_number]
    for expert, scores in zip(study.experts, per_expert, strict=False):
        invitation = next(i for i in expert.invitations if i.round_id == round_.id)
        answering.record_consent(invitation)
        answer_set = AnswerSet()
        for option, (p, v) in zip(asked, scores, strict=True):
            answer_set.judgments[(option.id, likelihood.id)] = JudgmentInput(
                lowest=p, best=p, highest=p, confidence=0.8)
            answer_set.judgments[(option.id, impact.id)] = JudgmentInput(value=float(v))
        answering.save_answers(invitation, answer_set, submit=True)
