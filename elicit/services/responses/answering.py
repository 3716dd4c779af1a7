"""An expert's way through a round: open the link, consent, save, submit."""

from __future__ import annotations

import hashlib
import hmac
from datetime import UTC

from flask_babel import gettext as _
from sqlalchemy import bindparam, select
from sqlalchemy.orm import joinedload

from elicit.errors import InvalidLink, RoundClosed, ValidationFailed
from elicit.extensions import db
from elicit.models import (
    Expert,
    Invitation,
    Response,
    ResponseRevision,
    ResponseStatus,
    Round,
    RoundStatus,
    Study,
)
from elicit.models.base import utcnow
from elicit.services import audit
from elicit.services.common import tokens
from elicit.services.common.sql import insert_ignoring_duplicates
from elicit.services.responses.inputs import AnswerSet, JudgmentInput, SeedInput
from elicit.services.responses.rows import write_answers
from elicit.services.responses.rules import options_in_round, validate_answers

# Every expert page needs the round, the expert and the study: one query, not four.
_WITH_ROUND_AND_STUDY = (joinedload(Invitation.round),
                         joinedload(Invitation.expert).joinedload(Expert.study))

# The statements of every expert request, built once: SQLAlchemy memoizes a
# statement's cache key on the statement object, so a statement built per call
# pays the key (and `session.get` its options) each time: about half their CPU.
_BY_TOKEN_HASH = (select(Invitation).where(Invitation.token_hash == bindparam("digest"))
                  .options(*_WITH_ROUND_AND_STUDY))
_BY_ID = select(Invitation).where(Invitation.id == bindparam("invitation_id")) \
    .options(*_WITH_ROUND_AND_STUDY)
_RESPONSE = select(Response).where(Response.expert_id == bindparam("expert_id"),
                                   Response.round_id == bindparam("round_id"))
_LOCKED_RESPONSE = _RESPONSE.with_for_update().execution_options(populate_existing=True)


def _response_key(invitation: Invitation) -> dict[str, int]:
    return {"expert_id": invitation.expert_id, "round_id": invitation.round_id}


def invitation_for_token(token: str) -> Invitation:
    """Return the live invitation behind a link token; raise InvalidLink otherwise."""
    if not tokens.looks_like_token(token):
        raise InvalidLink()
    digest = tokens.hash_token(token)
    invitation = db.session.scalar(_BY_TOKEN_HASH, {"digest": digest})
    if invitation is None or not hmac.compare_digest(invitation.token_hash, digest):
        raise InvalidLink()
    return _live(invitation)


def invitation_by_id(invitation_id: int) -> Invitation:
    """Return the live invitation held in an expert's session."""
    invitation = db.session.scalar(_BY_ID, {"invitation_id": invitation_id})
    if invitation is None:
        raise InvalidLink()
    return _live(invitation)


def _live(invitation: Invitation) -> Invitation:
    if invitation.revoked_at is not None:
        raise InvalidLink("revoked")
    if invitation.round.status == RoundStatus.DRAFT:
        raise InvalidLink()
    if invitation.expert.study.deleted_at is not None:
        raise InvalidLink()
    return invitation


def response_for(invitation: Invitation) -> Response | None:
    """The expert's response in the invitation's round, if one was started."""
    return db.session.scalar(_RESPONSE, _response_key(invitation))


# The consent statement every expert agrees to. Its fingerprint is stored with each
# consent: a later round asks again only when the statement has changed since.
CONSENT_STATEMENT = ("I have read the briefing and agree that my anonymised answers "
                     "are used as described.")


def consent_text(study: Study) -> str:
    """The text an expert of `study` consents to (the one place that says what it is).

    The built-in statement plus the study's own consent text in every language,
    so editing the study's consent text (or a translation of it) asks again.
    """
    versions = [f"{lang}: {texts.get('consent_text', '')}"
                for lang, texts in sorted((study.translations or {}).items())
                if isinstance(texts, dict) and texts.get("consent_text")]
    return "\n".join([CONSENT_STATEMENT, study.consent_text or "", *versions])


def consent_digest(study: Study) -> str:
    """A fingerprint of the consent text of `study`."""
    return hashlib.sha256(consent_text(study).encode()).hexdigest()


def carried_consent(invitation: Invitation) -> Response | None:
    """The expert's consent in an earlier round, when the consent text is unchanged since.

    A consent recorded before fingerprints were kept (digest None) was given
    to the built-in statement.
    """
    study = invitation.expert.study
    current = consent_digest(study)
    legacy = hashlib.sha256(CONSENT_STATEMENT.encode()).hexdigest()
    earlier = db.session.scalar(
        select(Response).join(Round, Response.round_id == Round.id)
        .where(Response.expert_id == invitation.expert_id, Round.study_id == study.id,
               Round.number < invitation.round.number, Response.consent_at.is_not(None))
        .order_by(Round.number.desc()).limit(1))
    if earlier is None or (earlier.consent_digest or legacy) != current:
        return None
    return earlier


def record_consent(invitation: Invitation, *, carried_from: Response | None = None) -> Response:
    """Record the expert's consent (and first opening); idempotent.

    `carried_from`: the earlier round's response whose consent stands for this
    round (the text is unchanged), recorded as such in the audit log.
    """
    require_open(invitation)
    response = lock_response(invitation)
    if response.consent_at is None:
        response.consent_at = utcnow()
        response.consent_digest = consent_digest(invitation.expert.study)
        if invitation.opened_at is None:
            invitation.opened_at = response.consent_at
        details = None if carried_from is None else {
            "carried_over_from_round": carried_from.round.number}
        audit.record("response.consent", actor_type="expert", actor_id=invitation.expert_id,
                     study_id=invitation.expert.study_id, obj=response, details=details)
    db.session.commit()
    return response


def current_answers(response: Response | None) -> AnswerSet:
    """The stored answers of a response as an AnswerSet (empty when None)."""
    answers = AnswerSet()
    if response is None:
        return answers
    for j in response.judgments:
        answers.judgments[(j.option_id, j.criterion_id)] = JudgmentInput(
            value=j.value, lowest=j.lowest, best=j.best, highest=j.highest,
            confidence=j.confidence, abstained=j.abstained)
    for c in response.comments:
        answers.rationales[c.option_id] = c.rationale
        answers.expertise[c.option_id] = c.expertise
    for s in response.seed_answers:
        answers.seeds[s.question_id] = SeedInput(q05=s.q05, q50=s.q50, q95=s.q95,
                                                 abstained=s.abstained)
    return answers


def save_answers(invitation: Invitation, answers: AnswerSet, *, submit: bool) -> Response:
    """Store a draft, or submit; one transaction, one audit event.

    A submission requires every question answered or abstained. Submitting
    the same answers again changes nothing (double clicks and retries give
    one version); different answers after a submission become a new
    revision, and earlier revisions are kept.
    """
    require_open(invitation)
    study = invitation.expert.study
    errors = validate_answers(study, answers, complete=submit,
                              options=options_in_round(study, invitation.round))
    if errors:
        raise ValidationFailed(errors)
    response = lock_response(invitation)
    if not submit and response.is_submitted:
        # A submitted response stays submitted: a revision in progress is a draft
        # beside it (drafts.save_draft), never rows that results would read.
        raise ValidationFailed({"form": _("Your answers are already submitted; "
                                          "submit again to revise them.")})
    write_answers(response, answers)
    response.draft = None  # complete and valid: nothing is kept aside any more
    snapshot = answers.to_json()
    action = "response.save_draft"
    if submit:
        latest = response.revisions[-1].answers if response.revisions else None
        if latest != snapshot or not response.is_submitted:
            response.version += 1
            response.revisions.append(ResponseRevision(version=response.version,
                                                       answers=snapshot))
            response.status = ResponseStatus.SUBMITTED
            response.submitted_at = utcnow()
            invitation.submitted_at = response.submitted_at
            # An SQL increment, not read-modify-write: concurrent submissions by
            # several experts must each invalidate cached results.
            invitation.round.data_version = Round.data_version + 1
            action = "response.submit" if response.version == 1 else "response.revise"
        else:
            action = "response.resubmit_unchanged"
    audit.record(action, actor_type="expert", actor_id=invitation.expert_id,
                 study_id=study.id, obj=response, details={"version": response.version})
    commit_keeping_loaded()
    return response


def commit_keeping_loaded() -> None:
    """Commit without expiring what the request has loaded.

    The page shown next (the review, the form) reads the same study, round
    and response; expiring them would reload each in a second transaction,
    which on SQLite is a second write lock (POST requests begin IMMEDIATE).
    """
    session = db.session()
    expire, session.expire_on_commit = session.expire_on_commit, False
    try:
        session.commit()
    finally:
        session.expire_on_commit = expire


def accepts_answers(round_: Round) -> bool:
    """True while the round is open and its deadline (if any) has not passed.

    The deadline counts even before the job that closes due rounds has run.
    """
    if round_.status != RoundStatus.OPEN:
        return False
    if round_.closes_at is None:
        return True
    deadline = round_.closes_at
    if deadline.tzinfo is None:  # SQLite hands back naive UTC datetimes
        deadline = deadline.replace(tzinfo=UTC)
    return utcnow() < deadline


def require_open(invitation: Invitation) -> None:
    if not accepts_answers(invitation.round):
        raise RoundClosed("This round is closed and no longer accepts answers.")


def lock_response(invitation: Invitation) -> Response:
    """Get or create the response row and lock it for the rest of the transaction."""
    insert_ignoring_duplicates(
        Response,
        {"expert_id": invitation.expert_id, "round_id": invitation.round_id,
         "status": ResponseStatus.DRAFT, "version": 0, "created_at": utcnow(),
         "updated_at": utcnow()},
        ("expert_id", "round_id"),
    )
    return db.session.scalars(_LOCKED_RESPONSE, _response_key(invitation)).one()
