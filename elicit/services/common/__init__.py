"""Leaf helpers with no domain imports: CSV rows, SQL upserts, progress, text checks, tokens."""

__all__ = ["csv_rows", "emails", "progress", "sql", "text", "tokens"]
