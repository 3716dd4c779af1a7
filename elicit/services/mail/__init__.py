"""Outbound e-mail: the outbox (queue, claim, retry) and its delivery; the ``mail`` task."""

__all__ = ["account_mail", "delivery", "outbox", "tasks"]
