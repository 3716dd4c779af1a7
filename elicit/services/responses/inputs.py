"""Plain value objects for an expert's answers, shared by forms, services and API."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class JudgmentInput:
    """One option × criterion answer. Probabilities are fractions in [0, 1]."""

    value: float | None = None
    lowest: float | None = None
    best: float | None = None
    highest: float | None = None
    confidence: float | None = None
    abstained: bool = False

    @property
    def is_empty(self) -> bool:
        return not self.abstained and all(
            v is None for v in (self.value, self.lowest, self.best, self.highest, self.confidence)
        )


@dataclass(frozen=True)
class SeedInput:
    """5 %, 50 % and 95 % quantiles for a calibration question."""

    q05: float | None = None
    q50: float | None = None
    q95: float | None = None
    abstained: bool = False

    @property
    def is_empty(self) -> bool:
        return not self.abstained and self.q05 is None and self.q50 is None and self.q95 is None


@dataclass
class AnswerSet:
    """Everything an expert can answer in a round, keyed by database ids."""

    judgments: dict[tuple[int, int], JudgmentInput] = field(default_factory=dict)
    rationales: dict[int, str] = field(default_factory=dict)
    seeds: dict[int, SeedInput] = field(default_factory=dict)
    # Self-rated expertise per option, 1–5; None when not given.
    expertise: dict[int, int | None] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready snapshot, as kept in each response revision."""
        # Field by field, not dataclasses.asdict: asdict deep-copies every value
        # recursively, a third of a save's snapshot time for plain floats.
        return {
            "judgments": [
                {"option_id": o, "criterion_id": c, "value": j.value, "lowest": j.lowest,
                 "best": j.best, "highest": j.highest, "confidence": j.confidence,
                 "abstained": j.abstained}
                for (o, c), j in sorted(self.judgments.items()) if not j.is_empty
            ],
            "rationales": {str(o): text for o, text in sorted(self.rationales.items()) if text},
            "seeds": [
                {"question_id": q, "q05": s.q05, "q50": s.q50, "q95": s.q95,
                 "abstained": s.abstained}
                for q, s in sorted(self.seeds.items()) if not s.is_empty
            ],
            "expertise": {str(o): v for o, v in sorted(self.expertise.items()) if v is not None},
        }
