"""Benchmark analysis.cooke against anduryl 1.2.2 on the same studies.

Usage: python benchmarks/cooke_vs_anduryl.py [--quick] [--out FILE.json]

Times the decision maker with optimised alpha (global weights) and the
leave-one-expert-out robustness table on every reference study in
tests/data/cooke plus a generated large study, on both sides in the same
run, checks that the outputs agree (relative 1e-6, except where
tests/data/cooke/README.md documents that anduryl departs from the model),
and prints a table and a JSON list of metrics (goal: >= 10x faster).
anduryl runs in its own virtualenv, benchmarks/.venv-anduryl, created on
demand, through benchmarks/_anduryl_runner.py.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
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


def best_time(fn: Callable[[], Any], repeat: int) -> tuple[float, Any]:
    best, value = float("inf"), None
    for _ in range(repeat):
        start = time.perf_counter()
        value = fn()
        best = min(best, time.perf_counter() - start)
    return best, value


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
    size = (20, 15, 50) if args.quick else (50, 30, 200)

    studies = {
        p.stem: load_study(p.with_suffix(".dtt"), p.with_suffix(".rls"))
        for p in sorted(DATA.glob("*.json"))
    }
    large_name = f"generated {size[0]}x{size[1]}+{size[2]}"
    studies[large_name] = generated_study(*size)

    jobs = [as_job(n, s, repeat, robustness=True) for n, s in studies.items()]
    python = anduryl_python()
    with tempfile.TemporaryDirectory() as tmp:
        job_file = Path(tmp) / "jobs.json"
        job_file.write_text(json.dumps(jobs), encoding="utf-8")
        env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
        proc = subprocess.run(
            [python, RUNNER, job_file], capture_output=True, text=True, env=env, check=False
        )
    if proc.returncode != 0:
        print(proc.stderr, file=sys.stderr)
        return 1
    theirs = {entry["name"]: entry for entry in json.loads(proc.stdout)}

    rows = []
    for name, study in studies.items():
        t_dm, result = best_time(lambda s=study: classical_model(s), repeat)
        t_rob, table = best_time(lambda s=study: leave_one_expert_out(s), repeat)
        other = theirs[name]
        dm_ok = close(result.alpha, other["dm"]["alpha"]) and all(
            close(getattr(result.dm, k), other["dm"]["dm"][k])
            for k in ("calibration", "information_seed", "information_all")
        )
        rob_rows = {k: v for k, v in other["robustness"]["table"].items() if k}
        rob_agree = sum(
            close(table.loc[k, "calibration"], v["calibration"])
            and close(table.loc[k, "information_seed"], v["information_seed"])
            for k, v in rob_rows.items()
            if k in table.index
        )
        rows.append(
            {
                "name": name,
                "ours_dm": t_dm,
                "anduryl_dm": other["dm"]["seconds"],
                "ours_rob": t_rob,
                "anduryl_rob": other["robustness"]["seconds"],
                "dm_agrees": dm_ok,
                "known_departure": known_departure(name),
                "rob_agree": rob_agree,
                "rob_total": len(rob_rows),
            }
        )

    print(
        f"{'study':<24}{'DM ours':>10}{'anduryl':>10}{'ratio':>8}"
        f"{'LOO-E ours':>12}{'anduryl':>10}{'ratio':>8}  DM agrees  LOO-E agrees"
    )
    for r in rows:
        agree = "yes" if r["dm_agrees"] else ("no (known)" if r["known_departure"] else "NO")
        print(
            f"{r['name']:<24}{r['ours_dm'] * 1e3:9.1f}ms{r['anduryl_dm'] * 1e3:8.1f}ms"
            f"{r['anduryl_dm'] / r['ours_dm']:7.1f}x{r['ours_rob'] * 1e3:10.1f}ms"
            f"{r['anduryl_rob'] * 1e3:8.1f}ms{r['anduryl_rob'] / r['ours_rob']:7.1f}x"
            f"  {agree:<10} {r['rob_agree']}/{r['rob_total']}"
        )

    ref_rows = [r for r in rows if r["name"] != large_name]
    big = next(r for r in rows if r["name"] == large_name)

    def metric(name: str, ours: float, theirs_: float) -> dict[str, Any]:
        ratio = theirs_ / ours
        return {
            "name": name,
            "value": ours,
            "unit": "s",
            "reference": theirs_,
            "ratio": ratio,
            "goal": f">= {GOAL:g}x faster than anduryl 1.2.2",
            "met": bool(ratio >= GOAL),
        }

    metrics = [
        metric(
            "cooke DM, optimised alpha, all reference studies",
            sum(r["ours_dm"] for r in ref_rows),
            sum(r["anduryl_dm"] for r in ref_rows),
        ),
        metric(f"cooke DM, optimised alpha, {large_name}", big["ours_dm"], big["anduryl_dm"]),
        metric(
            "cooke leave-one-expert-out, all reference studies",
            sum(r["ours_rob"] for r in ref_rows),
            sum(r["anduryl_rob"] for r in ref_rows),
        ),
        metric(f"cooke leave-one-expert-out, {large_name}", big["ours_rob"], big["anduryl_rob"]),
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
