"""``python -m analysis themes JUDGMENTS.csv``: the rationale themes of each option."""

from __future__ import annotations

import argparse
import json

import pandas as pd

from analysis.themes import ThemesResult, find_themes

__all__ = ["add_arguments", "run", "format_text"]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The arguments of the ``themes`` subcommand."""
    parser.add_argument("file", metavar="JUDGMENTS.csv",
                        help="tidy judgments with a rationale column (raw-judgments export)")
    parser.add_argument("--round", type=int, default=None, help="round (default: latest)")
    parser.add_argument("--option", default=None, metavar="NAME", help="only this option")
    parser.add_argument("--language", choices=("en", "fr"), default="en",
                        help="language of the theme labels (default: en)")
    parser.add_argument("--seed", type=int, default=0, help="random seed (default: 0)")
    parser.add_argument("--json", action="store_true", help="print JSON instead of text")


def format_text(result: ThemesResult) -> str:
    """A readable summary: per option, each theme's size, leaning, label and quote."""
    lines = [f"Rationale themes, round {result.round} "
             "(an aid to reading the rationales, not a vote)"]
    for option in result.options:
        lines.append("")
        lines.append(f"{option.option}: {len(option.themes)} theme(s), "
                     f"{len(option.unassigned)} rationale(s) unassigned")
        for theme in option.themes:
            p = "" if theme.p_value is None else f", p = {theme.p_value:.3g}"
            lines.append(f"  - {theme.label} ({theme.size} experts; leans {theme.leaning}{p})")
            lines.append(f"    keywords: {', '.join(theme.keywords)}")
            lines.append(f"    \"{theme.representative}\"")
    lines.append(f"input sha256: {result.provenance.input_sha256}")
    return "\n".join(lines)


def run(args: argparse.Namespace, frame: pd.DataFrame) -> int:
    """Compute and print the themes of ``frame``; return the exit status."""
    if "rationale" not in frame.columns:
        raise ValueError(f"{args.file} has no rationale column")
    result = find_themes(frame, round=args.round, option=args.option, language=args.language,
                         seed=args.seed)
    if args.json:
        print(json.dumps(result.to_dict(), indent=2, ensure_ascii=False, allow_nan=False))
    else:
        print(format_text(result))
    return 0
