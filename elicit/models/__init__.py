"""The domain model (see DESIGN.md): one module per part of the domain."""

from elicit.models.accounts import (
    AccountToken,
    AccountTokenPurpose,
    ApiToken,
    EndedSession,
    Membership,
    Role,
    User,
)
from elicit.models.audit import AuditEvent
from elicit.models.jobs import Job, JobStatus
from elicit.models.outbox import MAIL_KINDS, OutboxMessage, OutboxStatus
from elicit.models.panel import Expert, Invitation
from elicit.models.responses import (
    Judgment,
    OptionComment,
    Response,
    ResponseRevision,
    ResponseStatus,
    SeedAnswer,
)
from elicit.models.schedule import RoundReminder
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
from elicit.models.themes import ThemeDisplay, ThemeResult, ThemeReview, ThemeSetting

__all__ = [
    "AccountToken",
    "AccountTokenPurpose",
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
    "MAIL_KINDS",
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
    "RoundReminder",
    "RoundStatus",
    "SeedAnswer",
    "SeedQuestion",
    "Study",
    "StudyStatus",
    "ThemeDisplay",
    "ThemeResult",
    "ThemeReview",
    "ThemeSetting",
    "User",
]
