"""Rationale themes: analysis.find_themes against the sentence embedding alone.

Sizes: 1,000 and 10,000 rationales on one option (the worst case for the
clustering; ``--quick``: 200 and 1,000), built from the labelled bilingual set
in tests/data/themes with a varying second clause, so that no two texts are
equal. Each measurement runs in a fresh process limited to one BLAS/OpenMP
thread: CPU seconds (user + system) and peak resident memory of the whole
process (Python, numpy, scikit-learn and the 65 MB model included). The
reference is the same process doing only what every approach must do: load
the model and embed the same texts.

    python benchmarks/themes.py [--quick] [--out PATH]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from _harness import emit, record  # noqa: E402

GOALS = {1_000: 10.0, 10_000: 90.0}  # CPU seconds on one core (issue 22)
GOAL_MB = 500.0
CLAUSES = ["in my view", "after reading the briefing", "based on past crises",
           "as the last round showed", "selon mon expérience", "d'après les consultations",
           "given the evidence so far", "à mon avis", "from a practitioner's view",
           "considering the timeline"]


def make_judgments(n: int, seed: int = 3):
    """``n`` experts with one rationale each on one option, and an impact rating."""
    import numpy as np
    import pandas as pd

    base = pd.read_csv(ROOT / "tests" / "data" / "themes" / "rationales.csv")
    base = base.dropna(subset=["theme"]).reset_index(drop=True)
    rng = np.random.default_rng(seed)
    picks = rng.integers(0, len(base), n)
    clause = rng.integers(0, len(CLAUSES), n)
    texts = [f"{base.at[p, 'rationale'].rstrip('.')}, {CLAUSES[c]} (point {i % 97})."
             for i, (p, c) in enumerate(zip(picks, clause, strict=True))]
    return pd.DataFrame({"round": 1, "expert": [f"e{i:05d}" for i in range(n)],
                         "option": "opt", "criterion": "impact", "kind": "scale",
                         "value": rng.integers(-3, 4, n).astype(float), "rationale": texts})


def child(n: int, mode: str) -> None:
    """Measure one run in this (fresh) process and print its figures as JSON."""
    import resource

    from analysis import embeddings, themes

    frame = make_judgments(n)
    start = resource.getrusage(resource.RUSAGE_SELF)
    if mode == "embed":
        embeddings.USEEmbedder().encode(frame["rationale"].tolist())
        found = None
    else:
        found = themes.find_themes(frame, embedder=embeddings.USEEmbedder())
    end = resource.getrusage(resource.RUSAGE_SELF)
    cpu = (end.ru_utime - start.ru_utime) + (end.ru_stime - start.ru_stime)
    print(json.dumps({"cpu": cpu, "maxrss_mb": end.ru_maxrss / 1024,
                      "themes": None if found is None else len(found.options[0].themes)}))


def measure(n: int, mode: str) -> dict:
    env = {**os.environ, "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1",
           "MKL_NUM_THREADS": "1", "PYTHONPATH": str(ROOT)}
    out = subprocess.run([sys.executable, __file__, "--child", str(n), mode], env=env,
                         capture_output=True, text=True, check=True, timeout=1200)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--out")
    parser.add_argument("--child", nargs=2, metavar=("N", "MODE"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(int(args.child[0]), args.child[1])
        return
    sizes = (200, 1_000) if args.quick else (1_000, 10_000)
    records = []
    for n in sizes:
        embed, full = measure(n, "embed"), measure(n, "themes")
        goal = GOALS.get(n, GOALS[1_000])
        records.append(record(f"themes: {n:,} rationales, CPU seconds on one core",
                              full["cpu"], "s", f"< {goal:g} s CPU; ratio = themes / "
                              "embedding alone", full["cpu"] < goal, reference=embed["cpu"],
                              ratio=full["cpu"] / embed["cpu"]))
        records.append(record(f"themes: {n:,} rationales, peak resident memory",
                              full["maxrss_mb"], "MB", f"< {GOAL_MB:g} MB (whole process)",
                              full["maxrss_mb"] < GOAL_MB, reference=embed["maxrss_mb"],
                              ratio=full["maxrss_mb"] / embed["maxrss_mb"]))
        print(f"{n} rationales: {full['themes']} themes; themes {full['cpu']:.1f} s CPU, "
              f"{full['maxrss_mb']:.0f} MB; embedding alone {embed['cpu']:.1f} s, "
              f"{embed['maxrss_mb']:.0f} MB", file=sys.stderr)
    emit(records, args.out)


if __name__ == "__main__":
    main()
