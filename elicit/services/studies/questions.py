"""What experts are asked: options, criteria and seed questions, with safe-edit rules.

Once anything is answered, changes that would change the meaning of an answer
(or lose it) are refused with the reason: an answered option can be retired
from the next round but not removed or reworded, a scale cannot change its
range or labels, a seed question keeps its wording (its realization can
always be entered).
"""

from __future__ import annotations

import math
from typing import Any

from sqlalchemy import func, select

from elicit.errors import Conflict, ValidationFailed
from elicit.extensions import db
from elicit.models import (
    Criterion,
    CriterionKind,
    Option,
    Response,
    RoundStatus,
    SeedQuestion,
    Study,
)
from elicit.services import audit
from elicit.services.studies import safe_edits

ANSWERED = "{n} answered already, so {what}: answers given to the old wording would no " \
           "longer mean what the expert meant."


def next_position(model, study: Study) -> int:
    top = db.session.scalar(select(func.max(model.position)).where(model.study_id == study.id))
    return (top or 0) + 1


def refuse_while_answering(study: Study, what: str) -> None:
    """Adding a question while experts are answering would leave their responses incomplete."""
    open_round = next((r for r in study.rounds if r.status == RoundStatus.OPEN), None)
    if open_round is not None and db.session.scalar(
            select(Response.id).where(Response.round_id == open_round.id).limit(1)):
        raise Conflict(f"Round {open_round.number} is open and experts have started answering; "
                       f"close it first. The new {what} will be asked from the next round.")


def _record(action: str, study: Study, obj: Any, actor_id: int | None, **details) -> None:
    audit.record(action, actor_type="user" if actor_id else "system", actor_id=actor_id,
                 study_id=study.id, obj=obj, details=details)


# Options --------------------------------------------------------------------------------

def option_errors(title: str, description: str) -> dict[str, str]:
    errors = {}
    if not title.strip():
        errors["title"] = "Give the option a title."
    elif len(title.strip()) > Option.TITLE_MAX:
        errors["title"] = f"Keep the title under {Option.TITLE_MAX} characters."
    if len(description) > Option.DESCRIPTION_MAX:
        errors["description"] = f"Keep the description under {Option.DESCRIPTION_MAX:,} characters."
    return errors


def _unique_title(study: Study, title: str, skip: Option | None = None) -> None:
    if any(o.title == title.strip() and o is not skip for o in study.options):
        raise ValidationFailed({"title": f"An option called “{title.strip()}” already exists."})


def add_option(study: Study, *, title: str, description: str = "",
               actor_id: int | None = None, commit: bool = True) -> Option:
    """Add an option at the end of the list."""
    if errors := option_errors(title, description):
        raise ValidationFailed(errors)
    refuse_while_answering(study, "option")
    _unique_title(study, title)
    option = Option(study=study, position=next_position(Option, study), title=title.strip(),
                    description=description.strip())
    db.session.add(option)
    db.session.flush()
    _record("option.add", study, option, actor_id, after={"title": option.title})
    if commit:
        db.session.commit()
    return option


def update_option(option: Option, *, title: str, description: str, actor_id: int) -> Option:
    """Reword an option that nobody has answered yet."""
    if errors := option_errors(title, description):
        raise ValidationFailed(errors)
    study = option.study
    changed = (title.strip(), description.strip()) != (option.title, option.description)
    if changed and option.id in safe_edits.answered_option_ids(study):
        raise Conflict(ANSWERED.format(n="This option was", what="its wording is locked")
                       + " Add a new option instead and retire this one.")
    _unique_title(study, title, skip=option)
    before = {"title": option.title, "description": option.description}
    option.title, option.description = title.strip(), description.strip()
    _record("option.update", study, option, actor_id, before=before,
            after={"title": option.title, "description": option.description})
    db.session.commit()
    return option


def remove_option(option: Option, *, actor_id: int) -> None:
    """Delete an option nobody has answered; answered options can only be retired."""
    study = option.study
    if option.id in safe_edits.answered_option_ids(study):
        raise Conflict(ANSWERED.format(n="This option was", what="it cannot be removed")
                       + " Retire it instead: it stays in earlier rounds' results and is not "
                         "asked again.")
    _record("option.remove", study, option, actor_id, before={"title": option.title})
    db.session.delete(option)
    db.session.commit()


def retire_option(option: Option, *, actor_id: int | None, after_round: int | None = None,
                  commit: bool = True) -> Option:
    """Stop asking an option after round `after_round` (default: the latest launched round)."""
    study = option.study
    started = [r.number for r in study.rounds if r.status != RoundStatus.DRAFT]
    if not started:
        raise Conflict("No round has been launched yet, so there is nothing to retire from: "
                       "remove the option instead.")
    number = after_round if after_round is not None else started[-1]
    before = option.retired_after_round
    option.retired_after_round = number
    _record("option.retire", study, option, actor_id, before={"retired_after_round": before},
            after={"retired_after_round": number})
    if commit:
        db.session.commit()
    return option


def reinstate_option(option: Option, *, actor_id: int) -> Option:
    """Ask a retired option again from the next round."""
    before = option.retired_after_round
    option.retired_after_round = None
    _record("option.reinstate", option.study, option, actor_id,
            before={"retired_after_round": before}, after={"retired_after_round": None})
    db.session.commit()
    return option


# Criteria -------------------------------------------------------------------------------

def criterion_errors(values: dict[str, Any]) -> dict[str, str]:
    """Field errors of a criterion definition."""
    errors: dict[str, str] = {}
    name = (values.get("name") or "").strip()
    if not name:
        errors["name"] = "Name the criterion."
    elif len(name) > Criterion.NAME_MAX:
        errors["name"] = f"Keep the name under {Criterion.NAME_MAX} characters."
    if len(values.get("question") or "") > Criterion.QUESTION_MAX:
        errors["question"] = f"Keep the question under {Criterion.QUESTION_MAX:,} characters."
    if len(values.get("help") or "") > Criterion.HELP_MAX:
        errors["help"] = f"Keep the help text under {Criterion.HELP_MAX:,} characters."
    kind = values.get("kind")
    if kind not in tuple(CriterionKind):
        errors["kind"] = "Choose probability or scale."
    weight = values.get("weight", 1.0)
    limit = Criterion.WEIGHT_LIMIT
    if isinstance(weight, bool) or not isinstance(weight, int | float) \
            or not math.isfinite(weight) or not -limit <= weight <= limit:
        errors["weight"] = f"The weight lies between −{limit} and {limit}."
    if kind == CriterionKind.SCALE:
        low, high = values.get("scale_min"), values.get("scale_max")
        bound, span = Criterion.SCALE_BOUND, Criterion.SCALE_SPAN_MAX
        labels = values.get("scale_labels") or {}
        if not all(isinstance(x, int) and not isinstance(x, bool) for x in (low, high)):
            errors["scale_min"] = "Give the lowest and highest point of the scale."
        elif not -bound <= low <= bound or not -bound <= high <= bound:
            errors["scale_min"] = f"Scale points lie between −{bound:,} and {bound:,}."
        elif not low < high or high - low > span:
            errors["scale_max"] = f"The highest point must exceed the lowest, by at most {span}."
        elif not isinstance(labels, dict):
            errors["scale_labels"] = "Scale labels map a point to its label."
        else:
            bad = [str(k) for k in labels if not isinstance(k, str)
                   or not k.lstrip("-").isdigit() or not low <= int(k) <= high]
            long = [k for k, v in labels.items() if not isinstance(v, str)
                    or len(v) > Criterion.LABEL_MAX]
            if bad:
                errors["scale_labels"] = f"Labels for points outside the scale: {', '.join(bad)}."
            elif long:
                errors["scale_labels"] = (f"Keep each label under {Criterion.LABEL_MAX} "
                                          "characters.")
    return errors


def _criterion_values(values: dict[str, Any]) -> dict[str, Any]:
    scale = values.get("kind") == CriterionKind.SCALE
    return {
        "name": values["name"].strip(), "question": (values.get("question") or "").strip(),
        "help": (values.get("help") or "").strip(),
        "kind": values["kind"],
        "four_step": bool(values.get("four_step")) and not scale,
        "scale_min": values.get("scale_min") if scale else None,
        "scale_max": values.get("scale_max") if scale else None,
        "scale_labels": dict(values.get("scale_labels") or {}) if scale else {},
        "weight": float(values.get("weight", 1.0)),
    }


def _unique_name(study: Study, name: str, skip: Criterion | None = None, kind: str = "") -> None:
    if any(c.name == name.strip() and c is not skip for c in study.criteria):
        raise ValidationFailed({"name": f"A criterion called “{name.strip()}” already exists."})
    # Results rank by one likelihood: a second probability criterion breaks every analysis.
    if kind == CriterionKind.PROBABILITY and any(
            c.kind == CriterionKind.PROBABILITY and c is not skip for c in study.criteria):
        raise ValidationFailed({"kind": "A study has one probability criterion; make this a "
                                        "scale or change the existing one."})


def add_criterion(study: Study, values: dict[str, Any], *, actor_id: int | None = None,
                  commit: bool = True) -> Criterion:
    """Add a criterion (probability, IDEA four-step or labelled scale)."""
    if errors := criterion_errors(values):
        raise ValidationFailed(errors)
    refuse_while_answering(study, "criterion")
    _unique_name(study, values["name"], kind=values["kind"])
    criterion = Criterion(study=study, position=next_position(Criterion, study),
                          **_criterion_values(values))
    db.session.add(criterion)
    db.session.flush()
    _record("criterion.add", study, criterion, actor_id, after=_criterion_values(values))
    if commit:
        db.session.commit()
    return criterion


# Once answered, only the name and the weight (used in scoring, not in answering) may change.
LOCKED_CRITERION_FIELDS = ("question", "kind", "four_step", "scale_min", "scale_max",
                           "scale_labels")


def update_criterion(criterion: Criterion, values: dict[str, Any], *, actor_id: int) -> Criterion:
    """Change a criterion; answered ones keep what experts answered against."""
    if errors := criterion_errors(values):
        raise ValidationFailed(errors)
    study = criterion.study
    new = _criterion_values(values)
    before = {k: getattr(criterion, k) for k in new}
    changed = [k for k in LOCKED_CRITERION_FIELDS if before[k] != new[k]]
    if changed and criterion.id in safe_edits.answered_criterion_ids(study):
        raise Conflict(ANSWERED.format(n="This criterion was",
                                       what=f"its {', '.join(changed)} cannot change")
                       + " Only its name and weight may still change; add a new criterion for "
                         "the next round instead.")
    _unique_name(study, new["name"], skip=criterion, kind=new["kind"])
    for key, value in new.items():
        setattr(criterion, key, value)
    _record("criterion.update", study, criterion, actor_id, before=before, after=new)
    db.session.commit()
    return criterion


def remove_criterion(criterion: Criterion, *, actor_id: int) -> None:
    """Delete a criterion nobody has answered."""
    study = criterion.study
    if criterion.id in safe_edits.answered_criterion_ids(study):
        raise Conflict(ANSWERED.format(n="This criterion was", what="it cannot be removed"))
    _record("criterion.remove", study, criterion, actor_id, before={"name": criterion.name})
    db.session.delete(criterion)
    db.session.commit()


# Seed questions -------------------------------------------------------------------------

def seed_errors(values: dict[str, Any]) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not (values.get("text") or "").strip():
        errors["text"] = "Write the question."
    elif len(values["text"]) > SeedQuestion.TEXT_MAX:
        errors["text"] = f"Keep the question under {SeedQuestion.TEXT_MAX:,} characters."
    if len(values.get("unit") or "") > SeedQuestion.UNIT_MAX:
        errors["unit"] = f"Keep the unit under {SeedQuestion.UNIT_MAX} characters."
    if values.get("scale", "uni") not in ("uni", "log"):
        errors["scale"] = "Choose uniform or logarithmic."
    realization = values.get("realization")
    if realization is not None:
        if not math.isfinite(realization):
            errors["realization"] = "Enter an ordinary number."
        elif values.get("scale") == "log" and realization <= 0:
            errors["realization"] = "A log-scale question needs a positive true value."
    return errors


def _seed_values(values: dict[str, Any]) -> dict[str, Any]:
    return {"text": values["text"].strip(), "unit": (values.get("unit") or "").strip(),
            "scale": values.get("scale") or "uni", "realization": values.get("realization")}


def add_seed(study: Study, values: dict[str, Any], *, actor_id: int | None = None,
             commit: bool = True) -> SeedQuestion:
    """Add a calibration question (its realization is never shown to experts)."""
    if errors := seed_errors(values):
        raise ValidationFailed(errors)
    refuse_while_answering(study, "calibration question")
    seed = SeedQuestion(study=study, position=next_position(SeedQuestion, study),
                        **_seed_values(values))
    db.session.add(seed)
    db.session.flush()
    _record("seed.add", study, seed, actor_id, after={"text": seed.text, "unit": seed.unit})
    if commit:
        db.session.commit()
    return seed


def update_seed(seed: SeedQuestion, values: dict[str, Any], *, actor_id: int) -> SeedQuestion:
    """Change a seed question; once answered only its realization may change."""
    if errors := seed_errors(values):
        raise ValidationFailed(errors)
    study = seed.study
    new = _seed_values(values)
    before = {k: getattr(seed, k) for k in new}
    changed = [k for k in ("text", "unit", "scale") if before[k] != new[k]]
    if changed and seed.id in safe_edits.answered_seed_ids(study):
        raise Conflict(ANSWERED.format(n="This question was",
                                       what=f"its {', '.join(changed)} cannot change")
                       + " You can still enter or correct its true value.")
    for key, value in new.items():
        setattr(seed, key, value)
    # Realizations are secret: the audit trail says that it changed, not what it is.
    _record("seed.update", study, seed, actor_id,
            before={**before, "realization": "set" if before["realization"] is not None else None},
            after={**new, "realization": "set" if new["realization"] is not None else None})
    db.session.commit()
    return seed


def remove_seed(seed: SeedQuestion, *, actor_id: int) -> None:
    """Delete a seed question nobody has answered."""
    study = seed.study
    if seed.id in safe_edits.answered_seed_ids(study):
        raise Conflict(ANSWERED.format(n="This question was", what="it cannot be removed"))
    _record("seed.remove", study, seed, actor_id, before={"text": seed.text})
    db.session.delete(seed)
    db.session.commit()
