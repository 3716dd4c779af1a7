"""The domain model (see DESIGN.md): one module per part of the domain."""

from elicit.models.accounts import ApiToken, EndedSession, Membership, Role, User
from elicit.models.audit import AuditEvent
from elicit.models.jobs import Job, JobStatus
from elicit.models.outbox import OutboxMessage, OutboxStatus
from elicit.models.panel import Expert, Invitation
from elicit.models.responses import (
    Judgment,
    OptionComment,
    Response,
    ResponseRevision,
    ResponseStatus,
    SeedAnswer,
)
from elicit.models.study import (
    AnchoringMode,
    Criterion,
    CriterionKind,
    Option,
    Round,
    RoundStatus,
    SeedQuestion,
    Study,
    StudyStatus,
)

__all__ = [
    "AnchoringMode",
    "ApiToken",
    "AuditEvent",
    "Criterion",
    "CriterionKind",
    "EndedSession",
    "Expert",
    "Invitation",
    "Job",
    "JobStatus",
    "Judgment",
    "Membership",
    "Option",
    "OptionComment",
    "OutboxMessage",
    "OutboxStatus",
    "Response",
    "ResponseRevision",
    "ResponseStatus",
    "Role",
    "Round",
    "RoundStatus",
    "SeedAnswer",
    "SeedQuestion",
    "Study",
    "StudyStatus",
    "User",
]
