"""What a study is and asks: its builder, questions, definition (JSON/CSV), consensus rule."""

# Imported for its effect too: a finished study's content refuses every write (a flush guard).
from elicit.services.studies import finished  # noqa: E402

__all__ = ["builder", "consensus", "counts", "definition", "finished", "mail_texts",
           "questions", "safe_edits", "translations", "csv_import"]
