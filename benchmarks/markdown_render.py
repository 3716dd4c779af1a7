"""Markdown rendering: hostile 50,000-character texts against ordinary prose of the same size.

Issue 18.1: Python-Markdown needed 50 s for 2,000 backticks. Each shape
below (the issue's, and a few more) is cut to 50,000 characters — the
longest briefing an organizer can save — and rendered with
`elicit.richtext.render` (markdown-it-py, then nh3), best of 3.

Reference: 50,000 characters of ordinary Markdown prose (headings,
paragraphs, emphasis, lists, links) rendered the same way in the same run.
Goal: every shape in under 0.5 s.

    python benchmarks/markdown_render.py [--quick] [--out PATH]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(HERE))

from _harness import best_time, emit, record  # noqa: E402

from elicit import richtext  # noqa: E402

N = 50_000
GOAL_SECONDS = 0.5
PROSE = ("## A heading\n\nCanada could **join** the exercise, or *not*; see [the brief]"
         "(https://example.org/brief). The panel weighs each option.\n\n- one point\n"
         "- another point\n\n")
SHAPES = {
    "2,000 backticks": "`" * 2000 + " a",
    "16,000 '<a '": "<a ",
    "20,000 '[' then '](' ": "[" * 20000 + "](" * 15000,
    "7,000 '<http://'": "<http://",
    "3,000 reference links": "".join(f"[r{i}]: http://x.org/{i}\n" for i in range(3000))
    + "".join(f"[r{i}] " for i in range(3000)),
    "50,000 '['": "[",
    "emphasis '*_' runs": "*_",
    "nested block quotes": "> ",
    "table of 8,000 rows": "|a|b|\n|-|-|\n" + "|x|y|\n" * 8000,
}


def fill(unit: str) -> str:
    """`unit` repeated and cut to N characters."""
    return (unit * (N // len(unit) + 1))[:N]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="same sizes (it is quick)")
    parser.add_argument("--out", default=None, help="write the JSON records here")
    args = parser.parse_args()
    reference, _ = best_time(lambda: richtext.render(fill(PROSE)))
    records = []
    for name, unit in SHAPES.items():
        text = fill(unit)
        seconds, _ = best_time(lambda text=text: richtext.render(text))
        print(f"{name:28} {seconds:.3f} s  (prose {reference:.3f} s)", file=sys.stderr)
        records.append(record(f"markdown_render: {name} (50,000 chars)", seconds, "s",
                              f"< {GOAL_SECONDS} s", seconds < GOAL_SECONDS,
                              reference=reference, ratio=seconds / reference))
    emit(records, args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
