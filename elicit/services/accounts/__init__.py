"""Organizer and analyst accounts, their API tokens, study teams and what each may see."""

__all__ = ["access", "api_tokens", "passwords", "team", "users"]
