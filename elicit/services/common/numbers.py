"""How a quantity is printed on every page, in the report and in summaries: one rule each.

- a probability (a likelihood, its median, quartiles and IQR, P(rank 1), P(top 3),
  a rank-acceptability cell): a percentage in whole points, ``0.25 → '25 %'``;
- a scale value (an answer, its median, quartiles and IQR, a score, an interval
  bound): two decimals, ``0.25 → '0.25'``.

A non-breaking space goes before ``%``; French writes a decimal comma. The
downloads carry the unrounded numbers (12 significant digits), fractions for
probabilities. docs/guide/analysts.md, "How numbers are printed", says the same.
"""

from __future__ import annotations

import math

NBSP = "\u00a0"
PROBABILITY_DIGITS = 0
SCALE_DIGITS = 2
MISSING = "–"


def _missing(value: float | None) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def _fixed(value: float, digits: int, decimal: str) -> str:
    text = f"{value:.{digits}f}"
    if float(text) == 0:
        text = text.lstrip("-")  # no '-0.00'
    return text.replace(".", decimal)


def scale_value(value: float | None, decimal: str = ".") -> str:
    """A scale answer, median, IQR, score or interval bound: '1.50'; '–' when missing."""
    if _missing(value):
        return MISSING
    return _fixed(value, SCALE_DIGITS, decimal)


def probability(fraction: float | None, decimal: str = ".") -> str:
    """A probability, an IQR of probabilities or a P(rank): 0.25 → '25 %'; '–' when missing."""
    if _missing(fraction):
        return MISSING
    return f"{_fixed(fraction * 100, PROBABILITY_DIGITS, decimal)}{NBSP}%"


def quantity(value: float | None, is_probability: bool, decimal: str = ".") -> str:
    """A judgment statistic by its criterion's kind."""
    return probability(value, decimal) if is_probability else scale_value(value, decimal)
