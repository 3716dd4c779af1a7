"""Create, edit, delete and restore studies: the study-level fields.

Options, criteria and seed questions are in `questions.py`; JSON export,
import and cloning in `definition.py`. Every write is one transaction with one
audit event carrying a before/after summary.
"""

from __future__ import annotations

from typing import Any

from flask import current_app
from sqlalchemy import delete, select

from elicit.errors import Conflict, ValidationFailed
from elicit.extensions import db
from elicit.models import (
    AnchoringMode,
    Membership,
    Response,
    Role,
    Round,
    RoundStatus,
    Study,
    User,
)
from elicit.models.base import utcnow
from elicit.services import audit
from elicit.services.studies import consensus, mail_texts

STUDY_FIELDS = ("title", "briefing", "consent_text", "languages", "anchoring")


def study_errors(*, title: str, briefing: str, languages: list[str], anchoring: str,
                 consent_text: str = "") -> dict:
    """Field errors of the study-level settings (empty when valid)."""
    errors: dict[str, str] = {}
    if len(consent_text) > Study.CONSENT_MAX:
        errors["consent_text"] = f"Keep the consent text under {Study.CONSENT_MAX:,} characters."
    if not title.strip():
        errors["title"] = "Give the study a title."
    elif len(title.strip()) > Study.TITLE_MAX:
        errors["title"] = f"Keep the title under {Study.TITLE_MAX} characters."
    if len(briefing) > Study.BRIEFING_MAX:
        errors["briefing"] = f"Keep the briefing under {Study.BRIEFING_MAX:,} characters."
    supported = current_app.config["LANGUAGES"]
    if not languages:
        errors["languages"] = "Choose at least one language."
    elif unknown := [code for code in languages if code not in supported]:
        errors["languages"] = f"Unsupported language(s): {', '.join(unknown)}."
    elif len(set(languages)) != len(languages):
        errors["languages"] = "Name each language once."
    if anchoring not in tuple(AnchoringMode):
        errors["anchoring"] = f"Unknown anchoring setting {anchoring!r}."
    return errors


def _summary(study: Study) -> dict[str, Any]:
    return {"title": study.title, "languages": list(study.languages),
            "anchoring": study.anchoring, "prefill_previous": study.prefill_previous,
            "briefing_chars": len(study.briefing)}


def create_study(owner: User, *, title: str, briefing: str = "", languages: list[str] | None = None,
                 anchoring: str = AnchoringMode.AFTER, prefill_previous: bool = True,
                 consent_text: str = "") -> Study:
    """Create a draft study owned by `owner`."""
    languages = languages or ["en"]
    if errors := study_errors(title=title, briefing=briefing, languages=languages,
                              anchoring=anchoring, consent_text=consent_text):
        raise ValidationFailed(errors)
    study = Study(title=title.strip(), briefing=briefing, languages=languages,
                  anchoring=anchoring, prefill_previous=bool(prefill_previous),
                  consent_text=consent_text.strip())
    db.session.add(study)
    db.session.add(Membership(user=owner, study=study, role=Role.OWNER))
    db.session.flush()
    audit.record("study.create", actor_type="user", actor_id=owner.id, study_id=study.id,
                 obj=study, details={"after": _summary(study)})
    db.session.commit()
    return study


def update_study(study: Study, *, actor_id: int, title: str, briefing: str,
                 languages: list[str], anchoring: str,
                 prefill_previous: bool | None = None, consent_text: str | None = None) -> Study:
    """Change the study-level settings; answers never depend on them.

    `prefill_previous` or `consent_text` None leaves that setting as it is.
    """
    consent_text = study.consent_text if consent_text is None else consent_text
    if errors := study_errors(title=title, briefing=briefing, languages=languages,
                              anchoring=anchoring, consent_text=consent_text):
        raise ValidationFailed(errors)
    before = _summary(study)
    study.title, study.briefing, study.consent_text = title.strip(), briefing, consent_text.strip()
    study.languages, study.anchoring = list(languages), anchoring
    if prefill_previous is not None:
        study.prefill_previous = bool(prefill_previous)
    audit.record("study.update", actor_type="user", actor_id=actor_id, study_id=study.id,
                 obj=study, details={"before": before, "after": _summary(study)})
    db.session.commit()
    return study


def launched(study: Study) -> bool:
    """True once round 1 has been opened."""
    return any(r.status != RoundStatus.DRAFT for r in study.rounds)


def set_consensus_rule(study: Study, rule: dict[str, Any], *, actor_id: int,
                       reason: str = "") -> Study:
    """Choose the consensus and stopping rule: freely before round 1, between rounds with a reason.

    Once round 1 has been launched a change is a protocol change: refused while
    a round is open (its experts answer under the announced rule), and it needs
    a reason, recorded with the round it follows in the audit log, from which
    the methods report lists it (`consensus.protocol_changes`).
    """
    clean = consensus.validate_rule(rule, study)
    before = dict(study.consensus_rule or {})
    details: dict[str, Any] = {"before": before, "after": clean}
    if launched(study):
        open_round = next((r for r in study.rounds if r.status == RoundStatus.OPEN), None)
        if open_round is not None:
            raise Conflict(f"Round {open_round.number} is open and its experts answer under "
                           "the announced rule; close it before changing the rule.")
        reason = " ".join((reason or "").split())
        if not reason:
            raise ValidationFailed({"reason": "Say why the rule changes between rounds: the "
                                              "methods report gives the reason."})
        if len(reason) > consensus.REASON_MAX:
            raise ValidationFailed({"reason": f"At most {consensus.REASON_MAX} characters."})
        if clean == before:
            raise ValidationFailed({"kind": "This is the rule already in force; nothing "
                                            "changes."})
        last = max(r.number for r in study.rounds if r.status != RoundStatus.DRAFT)
        details |= {"protocol_change": True, "after_round": last, "reason": reason}
    study.consensus_rule = clean
    audit.record("study.consensus_rule", actor_type="user", actor_id=actor_id,
                 study_id=study.id, obj=study, details=details)
    db.session.commit()
    return study


def set_mail_templates(study: Study, templates: dict[str, dict[str, str]], *,
                       actor_id: int) -> Study:
    """Store the study's own invitation and reminder texts."""
    clean = mail_texts.validate_templates(templates)
    before = sorted((study.mail_templates or {}).keys())
    study.mail_templates = clean
    audit.record("study.mail_templates", actor_type="user", actor_id=actor_id,
                 study_id=study.id, obj=study,
                 details={"before": before, "after": sorted(clean.keys())})
    db.session.commit()
    return study


def soft_delete_study(study: Study, *, confirm_title: str, actor_id: int) -> Study:
    """Hide the study (and end its links) after the title was typed; purge is separate."""
    if confirm_title.strip() != study.title.strip():
        raise ValidationFailed({"confirm_title": "Type the study's title exactly to delete it."})
    study.deleted_at = utcnow()
    audit.record("study.delete", actor_type="user", actor_id=actor_id, study_id=study.id,
                 obj=study, details={"title": study.title})
    db.session.commit()
    return study


def deleted_study(study_id: int) -> Study:
    """A soft-deleted study by id (for restore and purge)."""
    study = db.session.get(Study, study_id)
    if study is None or study.deleted_at is None:
        raise Conflict(f"Study {study_id} is not in the bin (only deleted studies can be "
                       "restored or purged).")
    return study


def restore_study(study: Study, *, actor_id: int | None = None) -> Study:
    """Bring a soft-deleted study back."""
    if study.deleted_at is None:
        raise Conflict("This study is not deleted.")
    study.deleted_at = None
    audit.record("study.restore", actor_type="user" if actor_id else "system",
                 actor_id=actor_id, study_id=study.id, obj=study)
    db.session.commit()
    return study


def purge_study(study: Study, *, actor_id: int | None = None) -> None:
    """Erase a soft-deleted study and every answer in it; the audit trail stays."""
    if study.deleted_at is None:
        raise Conflict("Delete the study first; only deleted studies can be purged.")
    round_ids = select(Round.id).where(Round.study_id == study.id)
    # Responses reference experts and rounds without cascade (deliberately): remove first.
    db.session.execute(delete(Response).where(Response.round_id.in_(round_ids)))
    audit.record("study.purge", actor_type="user" if actor_id else "system",
                 actor_id=actor_id, study_id=study.id, obj=study,
                 details={"title": study.title})
    db.session.delete(study)
    db.session.commit()


def owners(study: Study) -> list[User]:
    """The owners of a study."""
    return list(db.session.scalars(
        select(User).join(Membership).where(Membership.study_id == study.id,
                                            Membership.role == Role.OWNER)))
