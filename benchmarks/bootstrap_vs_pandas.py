"""Bootstrap ranking: analysis.rank_options against a plain pandas loop over resamples.

Size: 1,000 experts x 100 options x 2 criteria (likelihood and impact),
10,000 bootstrap resamples (``--quick``: 200 x 30 x 2, 1,000 resamples).  The
pandas baseline recomputes each resample with a merge and a groupby; it runs
a subset of the resamples and its time is extrapolated linearly (said so in
the output).

    python benchmarks/bootstrap_vs_pandas.py [--quick] [--out PATH]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from _harness import best_time, emit, peak_memory, record  # noqa: E402

from analysis import rank_options  # noqa: E402

GOAL_RATIO = 50.0
GOAL_SECONDS = 2.0
GOAL_BYTES = 1024**3


def make_judgments(n_experts: int, n_options: int, seed: int = 1) -> pd.DataFrame:
    """Tidy judgments: a probability and a -3..3 impact per expert and option."""
    rng = np.random.default_rng(seed)
    e = np.repeat(np.arange(n_experts), n_options)
    o = np.tile(np.arange(n_options), n_experts)
    p = np.clip(rng.random(n_options)[o] + rng.normal(0, 0.15, e.size), 0, 1)
    v = np.clip(rng.integers(-3, 4, n_options)[o] + rng.integers(-2, 3, e.size), -3, 3)
    common = {"round": 1, "expert": [f"e{i:04d}" for i in e], "group": "all",
              "option": [f"opt{i:03d}" for i in o], "weight": 1.0, "abstained": False}
    return pd.concat([
        pd.DataFrame({**common, "criterion": "likelihood", "kind": "probability", "value": p}),
        pd.DataFrame({**common, "criterion": "impact", "kind": "scale", "value": v * 1.0}),
    ], ignore_index=True)


def pandas_baseline(judgments: pd.DataFrame, resamples: int, seed: int = 0) -> pd.DataFrame:
    """The straightforward way: one merge + groupby + rank per resample."""
    wide = judgments.pivot_table(index=["expert", "option"], columns="criterion",
                                 values="value").reset_index()
    wide["score"] = wide["likelihood"] * wide["impact"]
    scores = wide[["expert", "option", "score"]]
    experts = scores["expert"].unique()
    rng = np.random.default_rng(seed)
    rows = []
    for b in range(resamples):
        drawn = pd.DataFrame({"expert": rng.choice(experts, size=len(experts))})
        merged = drawn.merge(scores, on="expert")
        mean = merged.groupby("option")["score"].mean()
        rank = mean.rank(ascending=False, method="min")
        rows.append(pd.DataFrame({"b": b, "option": mean.index, "score": mean.to_numpy(),
                                  "rank": rank.to_numpy()}))
    draws = pd.concat(rows, ignore_index=True)
    return draws.groupby("option").agg(
        low=("score", lambda s: s.quantile(0.05)), high=("score", lambda s: s.quantile(0.95)),
        p_first=("rank", lambda r: (r == 1).mean()))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small size for a smoke run")
    parser.add_argument("--out", default=None, help="write the JSON records here")
    args = parser.parse_args()
    n_experts, n_options, resamples = (200, 30, 1_000) if args.quick else (1_000, 100, 10_000)
    baseline_resamples = 10 if args.quick else 20
    judgments = make_judgments(n_experts, n_options)
    print(f"size: {n_experts} experts x {n_options} options x 2 criteria, "
          f"{resamples} resamples ({len(judgments)} rows)")

    ours, result = best_time(lambda: rank_options(judgments, resamples=resamples, seed=0))
    print(f"analysis.rank_options (validation, hashing, bootstrap, rank statistics): "
          f"{ours:.3f} s (best of 3)")
    start = time.perf_counter()
    pandas_baseline(judgments, baseline_resamples)
    measured = time.perf_counter() - start
    baseline = measured * resamples / baseline_resamples
    print(f"pandas baseline: {measured:.3f} s for {baseline_resamples} resamples, "
          f"extrapolated linearly to {resamples}: {baseline:.1f} s")
    peak = peak_memory(lambda: rank_options(judgments, resamples=resamples, seed=0))
    print(f"peak traced memory of rank_options: {peak / 2**20:.1f} MiB")
    ratio = baseline / ours
    print(f"speed-up: {ratio:.0f}x (goal >= {GOAL_RATIO:.0f}x); "
          f"top option {result.table.loc[0, 'option']} "
          f"p_first {result.table.loc[0, 'p_first']:.3f}")
    full = not args.quick
    emit([
        record("rank_options_seconds", ours, "s", f"< {GOAL_SECONDS} s",
               ours < GOAL_SECONDS or not full),
        record("pandas_baseline_seconds_extrapolated", baseline, "s",
               f"extrapolated from {baseline_resamples} resamples", True),
        record("speedup_vs_pandas", ratio, "x", f">= {GOAL_RATIO:.0f}x", ratio >= GOAL_RATIO,
               reference=baseline, ratio=ratio),
        record("peak_memory", peak / 2**20, "MiB", "< 1024 MiB", peak < GOAL_BYTES,
               reference=GOAL_BYTES / 2**20, ratio=peak / GOAL_BYTES),
    ], args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
