"""Benchmark analysis.cooke against anduryl 1.2.2 on the same studies.

Usage: python benchmarks/cooke_vs_anduryl.py [--quick] [--out FILE.json]

Times the decision maker with optimised alpha (global weights) and the
leave-one-expert-out robustness table on every reference study in
tests/data/cooke plus a generated large study, on both sides in the same
run, checks that the outputs agree (relative 1e-6, except where
tests/data/cooke/README.md documents that anduryl departs from the model),
and prints a table and a JSON list of metrics (goal: >= 10x faster).
anduryl runs in its own virtualenv, benchmarks/.venv-anduryl, created on
demand, through benchmarks/_anduryl_runner.py, as a server process.

Fairness: both sides are already imported and hold the study in memory
(neither process start-up, imports, file parsing nor building the
Study/Project is timed); both compute the experts' scores and the DM's
quantiles on every item within the timed call and return them as arrays
(our CookeResult builds its labelled pandas views on first access, which
neither side's timing includes); each side gets one untimed warm-up run per study;
then the timed runs alternate anduryl, ours, anduryl, ours ... so both see
the same machine load; gc.collect() runs before every timed call on both
sides. The figures are the best of N runs, N >= 3 (1 with --quick) and up to
15 for short runs (the median is shown too).
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import statistics
import subprocess
import sys
import time
import venv
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from analysis.cooke import Study, classical_model, leave_one_expert_out, load_study  # noqa: E402

DATA = ROOT / "tests" / "data" / "cooke"
VENV = ROOT / "benchmarks" / ".venv-anduryl"
RUNNER = ROOT / "benchmarks" / "_anduryl_runner.py"
PACKAGES = ["anduryl==1.2.2", "numpy<2", "pydantic<2", "PyQt5"]
RTOL = 1e-6
GOAL = 10.0
MAX_REPEAT = 15
MIN_SECONDS = 1.0


def anduryl_python() -> Path:
    """Return the anduryl virtualenv's interpreter, creating the env if needed."""
    python = VENV / "bin" / "python"
    if python.exists():
        probe = subprocess.run([python, "-c", "import anduryl"], capture_output=True, check=False)
        if probe.returncode == 0:
            return python
    print(f"creating {VENV} with {' '.join(PACKAGES)} ...", file=sys.stderr)
    venv.EnvBuilder(with_pip=True, clear=True).create(VENV)
    subprocess.run([python, "-m", "pip", "install", "-q", *PACKAGES], check=True)
    return python


def generated_study(n_experts: int, n_seed: int, n_target: int, seed: int = 20240601) -> Study:
    """A random study: experts with scattered, biased and over/under-confident quantiles."""
    rng = np.random.default_rng(seed)
    n_items = n_seed + n_target
    truth = rng.lognormal(3.0, 1.0, size=n_items)
    bias = rng.normal(0.0, 0.3, size=(n_experts, 1))
    spread = rng.uniform(0.1, 0.8, size=(n_experts, 1))
    centre = np.log(truth)[None, :] + bias + rng.normal(0.0, 0.4, size=(n_experts, n_items))
    z = np.array([-1.645, 0.0, 1.645])
    values = np.exp(centre[:, :, None] + spread[:, :, None] * z)
    realizations = np.r_[truth[:n_seed], np.full(n_target, np.nan)]
    scales = tuple("log" if i % 3 == 0 else "uni" for i in range(n_items))
    return Study(
        experts=tuple(f"X{e:03d}" for e in range(n_experts)),
        items=tuple(f"{'S' if i < n_seed else 'T'}{i:04d}" for i in range(n_items)),
        scales=scales,  # type: ignore[arg-type]
        quantiles=np.array([0.05, 0.5, 0.95]),
        assessments=values,
        realizations=realizations,
    )


def as_job(name: str, study: Study, repeat: int, robustness: bool) -> dict[str, Any]:
    def num(x: float) -> float | None:
        return None if np.isnan(x) else float(x)

    return {
        "name": name,
        "experts": list(study.experts),
        "items": list(study.items),
        "scales": list(study.scales),
        "quantiles": study.quantiles.tolist(),
        "assessments": [[[num(v) for v in q] for q in row] for row in study.assessments],
        "realizations": [num(v) for v in study.realizations],
        "robustness": robustness,
        "repeat": repeat,
    }


def timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    """Wall time of one call (after a gc.collect(), like the anduryl side) and its value."""
    gc.collect()
    start = time.perf_counter()
    value = fn()
    return time.perf_counter() - start, value


class Anduryl:
    """The anduryl server process (benchmarks/_anduryl_runner.py --serve)."""

    def __init__(self, python: Path) -> None:
        env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
        self.proc = subprocess.Popen(
            [python, RUNNER, "--serve"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            env=env,
        )

    def ask(self, request: dict[str, Any]) -> dict[str, Any]:
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.proc.stdin.write(json.dumps(request) + "\n")
        self.proc.stdin.flush()
        line = self.proc.stdout.readline()
        if not line:
            raise RuntimeError("the anduryl runner stopped; see its stderr above")
        return json.loads(line)

    def close(self) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.close()
        self.proc.wait(timeout=60)


def compare(
    anduryl: Anduryl,
    study: Study,
    op: str,
    ours: Callable[[], Any],
    repeat: int,
    max_repeat: int,
) -> tuple[list[float], list[float], dict[str, Any], Any]:
    """Warm both sides up once, then alternate timed runs; return both time lists and results.

    At least ``repeat`` runs per side, and more (up to ``max_repeat``) while
    anduryl's runs add up to less than MIN_SECONDS, so that the short
    timings of small studies are not decided by one scheduler hiccup.
    """
    theirs_runs: list[float] = []
    ours_runs: list[float] = []
    theirs = anduryl.ask({"op": op, "name": study_name(study)})
    value = ours()
    while len(ours_runs) < repeat or (
        len(ours_runs) < max_repeat and sum(theirs_runs) < MIN_SECONDS
    ):
        theirs = anduryl.ask({"op": op, "name": study_name(study)})
        theirs_runs.append(theirs["seconds"])
        seconds, value = timed(ours)
        ours_runs.append(seconds)
    return ours_runs, theirs_runs, theirs, value


_NAMES: dict[int, str] = {}


def study_name(study: Study) -> str:
    return _NAMES[id(study)]


def close(a: float | None, b: float | None) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return bool(np.isclose(a, b, rtol=RTOL, atol=0.0))


def known_departure(name: str) -> bool:
    """Whether the reference data records anduryl departing from the model here."""
    path = DATA / f"{name}.json"
    if not path.exists():
        return False
    ref = json.loads(path.read_text(encoding="utf-8"))
    exp, and_ = ref["expected"]["global_optimized"], ref["anduryl"]["global_optimized"]
    pairs = [(exp["alpha"], and_["alpha"])] + [
        (exp["dm"][k], and_["dm"][k]) for k in ("calibration", "information_seed")
    ]
    return not all(close(a, b) for a, b in pairs)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller generated study, 1 repeat")
    parser.add_argument("--out", type=Path, help="also write the JSON metrics here")
    args = parser.parse_args()
    repeat = 1 if args.quick else 3
    max_repeat = repeat if args.quick else MAX_REPEAT
    size = (20, 15, 50) if args.quick else (50, 30, 200)

    studies = {
        p.stem: load_study(p.with_suffix(".dtt"), p.with_suffix(".rls"))
        for p in sorted(DATA.glob("*.json"))
    }
    large_name = f"generated {size[0]}x{size[1]}+{size[2]}"
    studies[large_name] = generated_study(*size)

    python = anduryl_python()
    anduryl = Anduryl(python)
    rows = []
    try:
        for name, study in studies.items():
            _NAMES[id(study)] = name
            anduryl.ask({"op": "load", "study": as_job(name, study, repeat, robustness=True)})
            ours_dm, theirs_dm, other_dm, result = compare(
                anduryl, study, "dm", lambda s=study: classical_model(s), repeat, max_repeat
            )
            ours_rob, theirs_rob, other_rob, table = compare(
                anduryl,
                study,
                "robustness",
                lambda s=study: leave_one_expert_out(s),
                repeat,
                max_repeat,
            )
            dm_ok = close(result.alpha, other_dm["alpha"]) and all(
                close(getattr(result.dm, k), other_dm["dm"][k])
                for k in ("calibration", "information_seed", "information_all")
            )
            rob_rows = {k: v for k, v in other_rob["table"].items() if k}
            rob_agree = sum(
                close(table.loc[k, "calibration"], v["calibration"])
                and close(table.loc[k, "information_seed"], v["information_seed"])
                for k, v in rob_rows.items()
                if k in table.index
            )
            rows.append(
                {
                    "name": name,
                    "ours_dm": min(ours_dm),
                    "anduryl_dm": min(theirs_dm),
                    "ours_rob": min(ours_rob),
                    "anduryl_rob": min(theirs_rob),
                    "ours_dm_median": statistics.median(ours_dm),
                    "anduryl_dm_median": statistics.median(theirs_dm),
                    "ours_rob_median": statistics.median(ours_rob),
                    "anduryl_rob_median": statistics.median(theirs_rob),
                    "dm_agrees": dm_ok,
                    "known_departure": known_departure(name),
                    "rob_agree": rob_agree,
                    "rob_total": len(rob_rows),
                }
            )
            print(f"{name} done", file=sys.stderr, flush=True)
    finally:
        anduryl.close()

    print(f"best of {repeat}-{MAX_REPEAT} alternating runs per side (ratio of medians in brackets)")
    print(
        f"{'study':<24}{'DM ours':>10}{'anduryl':>10}{'ratio':>8}{'(med)':>7}"
        f"{'LOO-E ours':>12}{'anduryl':>10}{'ratio':>8}{'(med)':>7}  DM agrees  LOO-E agrees"
    )
    for r in rows:
        agree = "yes" if r["dm_agrees"] else ("no (known)" if r["known_departure"] else "NO")
        print(
            f"{r['name']:<24}{r['ours_dm'] * 1e3:9.1f}ms{r['anduryl_dm'] * 1e3:8.1f}ms"
            f"{r['anduryl_dm'] / r['ours_dm']:7.1f}x"
            f"{r['anduryl_dm_median'] / r['ours_dm_median']:6.1f}x"
            f"{r['ours_rob'] * 1e3:10.1f}ms{r['anduryl_rob'] * 1e3:8.1f}ms"
            f"{r['anduryl_rob'] / r['ours_rob']:7.1f}x"
            f"{r['anduryl_rob_median'] / r['ours_rob_median']:6.1f}x"
            f"  {agree:<10} {r['rob_agree']}/{r['rob_total']}"
        )

    ref_rows = [r for r in rows if r["name"] != large_name]
    big = next(r for r in rows if r["name"] == large_name)

    def metric(name: str, key: str, which: list[dict[str, Any]]) -> dict[str, Any]:
        ours = sum(r[f"ours_{key}"] for r in which)
        theirs_ = sum(r[f"anduryl_{key}"] for r in which)
        ratio = theirs_ / ours
        median_ratio = sum(r[f"anduryl_{key}_median"] for r in which) / sum(
            r[f"ours_{key}_median"] for r in which
        )
        return {
            "name": name,
            "value": ours,
            "unit": "s",
            "reference": theirs_,
            "ratio": ratio,
            "ratio_of_medians": median_ratio,
            "goal": f">= {GOAL:g}x faster than anduryl 1.2.2",
            "met": bool(ratio >= GOAL),
        }

    metrics = [
        metric("cooke DM, optimised alpha, all reference studies", "dm", ref_rows),
        metric(f"cooke DM, optimised alpha, {large_name}", "dm", [big]),
        metric("cooke leave-one-expert-out, all reference studies", "rob", ref_rows),
        metric(f"cooke leave-one-expert-out, {large_name}", "rob", [big]),
    ]
    unexplained = [r["name"] for r in rows if not r["dm_agrees"] and not r["known_departure"]]
    metrics.append(
        {
            "name": "cooke DM agrees with anduryl (rtol 1e-6)",
            "value": sum(r["dm_agrees"] for r in rows),
            "unit": "studies",
            "reference": len(rows),
            "ratio": sum(r["dm_agrees"] for r in rows) / len(rows),
            "goal": "all, except documented anduryl departures",
            "met": not unexplained,
        }
    )
    text = json.dumps(metrics, indent=2)
    print(text)
    if args.out:
        args.out.write_text(text + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
