"""Run anduryl 1.2.2 on studies given as JSON; print timings and results as JSON.

Runs inside benchmarks/.venv-anduryl (numpy<2, pydantic<2, PyQt5), started by
cooke_vs_anduryl.py with QT_QPA_PLATFORM=offscreen. A study is a JSON object
{name, experts, items, scales, quantiles, assessments (E x N x Q, null =
missing), realizations (null = target), robustness (bool), repeat}.

Two modes:

* ``_anduryl_runner.py JOBS.json``: run every study of the JSON list
  (``repeat`` timed runs each, best kept) and print one JSON list.
* ``_anduryl_runner.py --serve``: read one JSON request per stdin line and
  answer one JSON line each, so that the caller can interleave anduryl's runs
  with its own: ``{"op": "load", "study": {...}}`` keeps a study by name;
  ``{"op": "dm" | "robustness", "name": ...}`` times one run on a freshly
  built project (the build is not timed) and returns its seconds and results.
"""

from __future__ import annotations

import gc
import json
import math
import sys
import time

import numpy as np
from anduryl.core.main import Project
from anduryl.io.savemodels import SaveModel


def build(study: dict) -> Project:
    quantiles = study["quantiles"]
    nan = float("nan")
    model = SaveModel.parse_obj(
        {
            "experts": {e: {"name": e} for e in study["experts"]},
            "items": {
                item: {
                    "realization": nan if r is None else r,
                    "scale": scale,
                    "quantiles": quantiles,
                }
                for item, r, scale in zip(
                    study["items"], study["realizations"], study["scales"], strict=True
                )
            },
            "assessments": {
                e: {
                    item: [nan if v is None else v for v in values]
                    for item, values in zip(study["items"], rows, strict=True)
                }
                for e, rows in zip(study["experts"], study["assessments"], strict=True)
            },
        }
    )
    project = Project()
    project.io.add_data(model)
    return project


def clean(x: float) -> float | None:
    return None if x is None or (isinstance(x, float) and math.isnan(x)) else float(x)


def time_dm(study: dict) -> dict:
    """One timed decision maker (global weights, optimised alpha) on a fresh project."""
    project = build(study)
    gc.collect()
    start = time.perf_counter()
    project.calculate_decision_maker(weight_type="global", overshoot=0.1, exp_id="DM", alpha=None)
    seconds = time.perf_counter() - start
    experts = project.main_results.experts
    idx = experts.get_idx("DM")
    return {
        "seconds": seconds,
        "alpha": float(project.main_results.alpha_opt),
        "dm": {
            "calibration": float(experts.calibration[idx]),
            "information_seed": float(experts.info_real[idx]),
            "information_all": float(experts.info_total[idx]),
        },
    }


def time_robustness(study: dict) -> dict:
    """One timed leave-one-expert-out table (global weights, optimised alpha)."""
    project = build(study)
    gc.collect()
    start = time.perf_counter()
    project.calculate_expert_robustness(
        weight_type="global", overshoot=0.1, max_exclude=1, alpha=None
    )
    seconds = time.perf_counter() - start
    table = project.main_results.expert_robustness
    return {
        "seconds": seconds,
        "table": {
            " + ".join(key): {
                "information_all": clean(total),
                "information_seed": clean(real),
                "calibration": clean(cal),
            }
            for key, (total, real, cal) in table.items()
        },
    }


def best_of(fn, study: dict) -> dict:
    runs = [fn(study) for _ in range(study["repeat"])]
    best = min(runs, key=lambda r: r["seconds"])
    return {**best, "all_seconds": [r["seconds"] for r in runs]}


def serve() -> int:
    studies: dict[str, dict] = {}
    for line in sys.stdin:
        request = json.loads(line)
        if request["op"] == "load":
            studies[request["study"]["name"]] = request["study"]
            answer: dict = {"ok": True}
        elif request["op"] == "dm":
            answer = time_dm(studies[request["name"]])
        else:
            answer = time_robustness(studies[request["name"]])
        sys.stdout.write(json.dumps(answer) + "\n")
        sys.stdout.flush()
    return 0


def main() -> int:
    np.seterr(all="ignore")
    if sys.argv[1:] == ["--serve"]:
        return serve()
    with open(sys.argv[1], encoding="utf-8") as handle:
        studies = json.load(handle)
    out = []
    for study in studies:
        entry = {"name": study["name"], "dm": best_of(time_dm, study)}
        if study["robustness"]:
            entry["robustness"] = best_of(time_robustness, study)
        out.append(entry)
        print(f"anduryl: {study['name']} done", file=sys.stderr, flush=True)
    json.dump(out, sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
