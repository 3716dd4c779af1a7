"""Leaf helpers with no domain imports: CSV rows, SQL upserts, progress reports, tokens."""

__all__ = ["csv_rows", "progress", "sql", "tokens"]
