"""Domain exceptions raised by services and translated by views, API and CLI."""

from __future__ import annotations


class DomainError(Exception):
    """Base class: a business rule refused the operation."""


class NotFound(DomainError):
    """The object does not exist, or the caller may not know it exists."""


class Forbidden(DomainError):
    """The caller is known but lacks the role for this operation."""


class InvalidLink(DomainError):
    """An expert link that is unknown, revoked or expired."""

    def __init__(self, reason: str = "invalid") -> None:
        super().__init__(reason)
        self.reason = reason  # 'invalid' | 'revoked' | 'expired'


class RoundClosed(DomainError):
    """The round no longer accepts answers."""


class ValidationFailed(DomainError):
    """Answers that break a rule; `errors` maps field names to messages."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


class Conflict(DomainError):
    """The operation conflicts with existing data (for example a duplicate)."""
