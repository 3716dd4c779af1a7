"""Command line: ``python -m analysis cooke FILE.dtt FILE.rls [options]``."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Literal

from .excalibur import load_study
from .model import CookeResult, WeightScheme, classical_model

__all__ = ["add_arguments", "format_table", "main", "run"]


def _alpha(text: str) -> Literal["optimize"] | float:
    if text.lower() in ("optimize", "optimise"):
        return "optimize"
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"alpha must be 'optimize' or a number in [0, 1], got {text!r}"
        ) from None
    if not 0.0 <= value <= 1.0:
        raise argparse.ArgumentTypeError(f"alpha must lie in [0, 1], got {text!r}")
    return value


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the ``cooke`` subcommand's arguments to ``parser``."""
    parser.add_argument("dtt", help="EXCALIBUR assessment file (.dtt)")
    parser.add_argument("rls", help="EXCALIBUR realization file (.rls)")
    parser.add_argument(
        "--weights",
        choices=["global", "item", "equal"],
        default="global",
        help="performance weights (default: global)",
    )
    parser.add_argument(
        "--alpha",
        type=_alpha,
        default="optimize",
        help="significance level: 'optimize' (default) or a number in [0, 1]",
    )
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")


def format_table(result: CookeResult) -> str:
    """Render experts and the decision maker as a fixed-width text table."""
    width = max([len("expert"), len("DM")] + [len(str(e)) for e in result.experts.index])
    header = (
        f"{'expert':<{width}}  {'calibration':>12}  {'inf. seed':>10}  {'inf. all':>10}"
        f"  {'weight':>8}"
    )
    lines = [
        f"Cooke classical model: {result.weights} weights, alpha = {result.alpha:.6g}",
        "",
        header,
        "-" * len(header),
    ]
    for expert, row in result.experts.iterrows():
        weight = "-" if row.weight != row.weight else f"{row.weight:8.4f}"
        lines.append(
            f"{expert!s:<{width}}  {row.calibration:12.4g}  {row.information_seed:10.4f}"
            f"  {row.information_all:10.4f}  {weight:>8}"
        )
    dm = result.dm
    lines += [
        "-" * len(header),
        f"{'DM':<{width}}  {dm.calibration:12.4g}  {dm.information_seed:10.4f}"
        f"  {dm.information_all:10.4f}  {'':>8}",
        "",
    ]
    levels = [f"{100 * q:g}%" for q in result.dm_quantiles.columns]
    item_width = max(len("item"), *(len(str(i)) for i in result.dm_quantiles.index))
    lines.append(f"{'DM quantiles':<{item_width}}  " + "  ".join(f"{lv:>12}" for lv in levels))
    for item, row in result.dm_quantiles.iterrows():
        lines.append(f"{item!s:<{item_width}}  " + "  ".join(f"{x:12.5g}" for x in row))
    return "\n".join(lines)


def run(args: argparse.Namespace) -> int:
    """Run the ``cooke`` subcommand; return the process exit code (2 on bad input)."""
    weights: WeightScheme = args.weights
    try:
        study = load_study(args.dtt, args.rls)
        result = classical_model(study, weights=weights, alpha=args.alpha)
    except (OSError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    for note in study.notes:
        print(f"warning: {note}", file=sys.stderr)
    if args.json:
        print(json.dumps(result.to_dict(), indent=2))
    else:
        print(format_table(result))
    return 0


def main(argv: list[str] | None = None) -> int:
    """Parse ``argv`` and run; used by ``python -m analysis.cooke``."""
    parser = argparse.ArgumentParser(
        prog="python -m analysis cooke", description="Cooke's classical model on EXCALIBUR files."
    )
    add_arguments(parser)
    return run(parser.parse_args(argv))
