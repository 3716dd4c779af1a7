"""Command line: ``python -m analysis rank|themes FILE.csv`` and ``python -m analysis cooke``."""

from __future__ import annotations

import argparse
import importlib
import json
import os
import sys
from collections.abc import Sequence
from types import ModuleType

import pandas as pd

from analysis._methods import METHODS
from analysis._version import __version__
from analysis.ranking import RankingResult, cooke_weights, rank_options
from analysis.themes_cli import add_arguments as add_themes_arguments
from analysis.themes_cli import run as run_themes

__all__ = ["main", "build_parser"]

SEED_COLUMNS = ("expert", "question", "q05", "q50", "q95", "realization")


class InputError(Exception):
    """A problem with the user's input: reported in one line, exit status 2."""


def build_parser(cooke: ModuleType | None = None) -> argparse.ArgumentParser:
    """The argument parser; ``cooke`` is the module providing the cooke subcommand."""
    parser = argparse.ArgumentParser(
        prog="python -m analysis",
        description="Offline analysis of elicit judgments: rank options, Cooke weights.")
    parser.add_argument("--version", action="version", version=f"analysis {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    rank = commands.add_parser("rank", help="rank options from a tidy judgments CSV",
                               description="Rank options by aggregated expected impact "
                               "with bootstrap uncertainty over experts.")
    rank.add_argument("file", metavar="FILE.csv", help="tidy judgments (raw-judgments export)")
    rank.add_argument("--round", type=int, default=None, help="round (default: latest)")
    rank.add_argument("--method", choices=METHODS, default="mean",
                      help="aggregation method (default: mean)")
    rank.add_argument("--resamples", type=int, default=10_000,
                      help="bootstrap resamples of experts; 0 skips (default: 10000)")
    rank.add_argument("--seed", type=int, default=0, help="random seed (default: 0)")
    rank.add_argument("--seeds", metavar="SEEDS.csv", default=None,
                      help="seed-question answers for --method cooke "
                           f"(columns {', '.join(SEED_COLUMNS)})")
    rank.add_argument("--json", action="store_true", help="print JSON instead of a table")
    cooke_parser = commands.add_parser("cooke", help="Cooke's classical model (performance "
                                       "weights from seed questions)")
    add_themes_arguments(commands.add_parser(
        "themes", help="group each option's rationales into themes",
        description="Group each option's rationales into 2 to 6 themes (multilingual "
        "sentence embeddings, offline) and test which way each theme leans."))
    if cooke is not None:
        cooke.add_arguments(cooke_parser)
    else:
        cooke_parser.add_argument("args", nargs=argparse.REMAINDER, help=argparse.SUPPRESS)
    return parser


def _read_csv(path: str, what: str) -> pd.DataFrame:
    try:
        return pd.read_csv(path)
    except FileNotFoundError as exc:
        raise InputError(f"{what} file not found: {path}") from exc
    except (OSError, UnicodeDecodeError, pd.errors.ParserError,
            pd.errors.EmptyDataError) as exc:
        raise InputError(f"cannot read {what} file {path}: {exc}") from exc


def _scorable_seeds(seeds: pd.DataFrame, judgments: pd.DataFrame,
                    round_: int | None) -> pd.DataFrame:
    """The rows of a seed-answers download that Cooke's model scores.

    elicit's download holds every round, abstentions (``abstained`` true,
    quantiles empty) and questions whose realization is not known yet; keep
    the chosen round (default: the judgments' latest) and the answered,
    resolved questions. A bare table without those columns passes unchanged.
    """
    if "round" in seeds.columns:
        if round_ is None and "round" in judgments.columns and len(judgments):
            round_ = int(pd.to_numeric(judgments["round"], errors="coerce").max())
        if round_ is not None:
            seeds = seeds[pd.to_numeric(seeds["round"], errors="coerce") == round_]
    if "abstained" in seeds.columns:
        seeds = seeds[~seeds["abstained"].astype(str).str.lower().isin(["true", "1"])]
    known = seeds[["q05", "q50", "q95", "realization"]].notna().all(axis=1)
    if "round" in seeds.columns or "abstained" in seeds.columns:
        seeds = seeds[known]
    return seeds.reset_index(drop=True)


def _format_table(result: RankingResult) -> str:
    columns = ["rank", "option", "score", "low", "high", "p_first", f"p_top{result.top_k}",
               "n_experts"]
    table = result.table[columns].copy()
    for c in ("score", "low", "high"):
        table[c] = table[c].map(lambda v: "" if pd.isna(v) else f"{v:.4g}")
    for c in ("p_first", f"p_top{result.top_k}"):
        table[c] = table[c].map(lambda v: "" if pd.isna(v) else f"{v:.3f}")
    head = (f"Ranking of {len(table)} options, round {result.round}, method {result.method}, "
            f"{result.resamples} resamples (seed {result.provenance.seed}); "
            f"low/high = {result.interval:.0%} interval over experts "
            f"({result.provenance.parameters.get('interval_method', 'percentile')}); "
            f"p_first/p_top{result.top_k} = share of bootstrap "
            "resamples of experts in which the option takes that place")
    lines = [head, table.to_string(index=False)]
    lines += [f"note: {n}" for n in result.notes]
    lines.append(f"input sha256: {result.provenance.input_sha256}")
    return "\n".join(lines)


def _rank(args: argparse.Namespace) -> int:
    judgments = _read_csv(args.file, "judgments")
    expert_weights = None
    if args.seeds is not None and args.method != "cooke":
        raise InputError("--seeds is only used with --method cooke")
    if args.method == "cooke":
        if args.seeds is None:
            raise InputError("--method cooke needs --seeds SEEDS.csv")
        seeds = _read_csv(args.seeds, "seeds")
        missing = [c for c in SEED_COLUMNS if c not in seeds.columns]
        if missing:
            raise InputError(f"seeds file {args.seeds} lacks column(s) {missing}")
        expert_weights = cooke_weights(_scorable_seeds(seeds, judgments, args.round))
    result = rank_options(judgments, method=args.method, round=args.round,
                          expert_weights=expert_weights, resamples=args.resamples,
                          seed=args.seed)
    if args.json:
        print(json.dumps(result.to_dict(), indent=2, allow_nan=False))
    else:
        print(_format_table(result))
    return 0


def _themes(args: argparse.Namespace) -> int:
    return run_themes(args, _read_csv(args.file, "judgments"))


def _load_cooke() -> ModuleType:
    try:
        return importlib.import_module("analysis.cooke.cli")
    except Exception as exc:  # noqa: BLE001 - any failure means "not available"
        raise InputError(f"the cooke subcommand is unavailable: {exc}") from exc


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit status (0 ok, 2 bad input)."""
    args_list = list(sys.argv[1:] if argv is None else argv)
    try:
        cooke = _load_cooke() if args_list[:1] == ["cooke"] else None
        args = build_parser(cooke).parse_args(args_list)
        if args.command == "cooke":
            return int(cooke.run(args))  # type: ignore[union-attr]
        if args.command == "themes":
            return _themes(args)
        return _rank(args)
    except (InputError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # e.g. piped into `head`: stop quietly
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - stdout must stay open until exit
        return 1
