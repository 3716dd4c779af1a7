"""What a study is and asks: its builder, questions, definition (JSON/CSV), consensus rule."""

__all__ = ["builder", "consensus", "counts", "definition", "mail_texts", "questions",
           "safe_edits", "translations"]
