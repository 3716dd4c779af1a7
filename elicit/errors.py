"""Domain exceptions raised by services and translated by views, API and CLI.

Each error knows the HTTP status it answers with when the refusal is the whole
answer (the API, a results page asked for with a wrong query), its `messages`
(field name -> message; a refusal naming no field has the one key "") and its
`text` (the messages in one line). How each output shows them lives in one
place per output: `elicit.errorpages` (JSON under /api/), `elicit.web` (form
pages, button actions, objects of a study) and `elicit.cli.common` (commands).
"""

from __future__ import annotations


class DomainError(Exception):
    """Base class: a business rule refused the operation."""

    status = 400

    @property
    def messages(self) -> dict[str, str]:
        """What a person should read, by field name ("" when no field is concerned)."""
        return {"": str(self)}

    @property
    def text(self) -> str:
        """All messages in one line."""
        return " ".join(self.messages.values())


class NotFound(DomainError):
    """The object does not exist, or the caller may not know it exists."""

    status = 404


class Forbidden(DomainError):
    """The caller is known but lacks the role for this operation."""

    status = 403


class InvalidLink(DomainError):
    """A personal link (an expert's, or a set-password link) that does not work.

    410 when it existed but no longer works (revoked, expired, already used), else 404.
    """

    status = 404

    def __init__(self, reason: str = "invalid") -> None:
        super().__init__(reason)
        self.reason = reason  # 'invalid' | 'revoked' | 'expired' | 'used'
        if reason in ("revoked", "expired", "used"):
            self.status = 410


class RoundClosed(DomainError):
    """The round no longer accepts answers."""

    status = 409


class ValidationFailed(DomainError):
    """Answers that break a rule; `errors` maps field names to messages.

    Its status is 400 wherever the refusal is the whole answer (the API documents
    400; so do the results pages for a wrong query). A form page that shows the
    messages next to its fields answers 422 for every refusal (`elicit.web.status_for`).
    """

    status = 400

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors

    @property
    def messages(self) -> dict[str, str]:
        """The field map (`errors`)."""
        return self.errors


class Conflict(DomainError):
    """The operation conflicts with existing data (for example a duplicate)."""

    status = 409
