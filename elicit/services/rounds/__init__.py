"""Delphi round lifecycle (launch, close, deadlines) and the round overview."""

__all__ = ["lifecycle", "overview"]
