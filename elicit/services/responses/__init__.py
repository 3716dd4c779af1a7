"""An expert's way through a round: answers and their rules, feedback, own-answer export."""

__all__ = ["answering", "feedback", "inputs", "own_export", "rules", "theme_feedback"]
