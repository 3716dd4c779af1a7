"""Run anduryl 1.2.2 on studies given as JSON; print timings and results as JSON.

Runs inside benchmarks/.venv-anduryl (numpy<2, pydantic<2, PyQt5), started by
cooke_vs_anduryl.py with QT_QPA_PLATFORM=offscreen. Input (argv[1]): a JSON
list of {name, experts, items, scales, quantiles, assessments (E x N x Q,
null = missing), realizations (null = target), robustness (bool), repeat}.
"""

from __future__ import annotations

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


def run_dm(study: dict) -> dict:
    best = math.inf
    for _ in range(study["repeat"]):
        project = build(study)
        start = time.perf_counter()
        project.calculate_decision_maker(
            weight_type="global", overshoot=0.1, exp_id="DM", alpha=None
        )
        best = min(best, time.perf_counter() - start)
    experts = project.main_results.experts
    idx = experts.get_idx("DM")
    return {
        "seconds": best,
        "alpha": float(project.main_results.alpha_opt),
        "dm": {
            "calibration": float(experts.calibration[idx]),
            "information_seed": float(experts.info_real[idx]),
            "information_all": float(experts.info_total[idx]),
        },
    }


def run_robustness(study: dict) -> dict:
    best = math.inf
    for _ in range(study["repeat"]):
        project = build(study)
        start = time.perf_counter()
        project.calculate_expert_robustness(
            weight_type="global", overshoot=0.1, max_exclude=1, alpha=None
        )
        best = min(best, time.perf_counter() - start)
    table = project.main_results.expert_robustness
    return {
        "seconds": best,
        "table": {
            " + ".join(key): {
                "information_all": clean(total),
                "information_seed": clean(real),
                "calibration": clean(cal),
            }
            for key, (total, real, cal) in table.items()
        },
    }


def main() -> int:
    with open(sys.argv[1], encoding="utf-8") as handle:
        studies = json.load(handle)
    out = []
    np.seterr(all="ignore")
    for study in studies:
        entry = {"name": study["name"], "dm": run_dm(study)}
        if study["robustness"]:
            entry["robustness"] = run_robustness(study)
        out.append(entry)
        print(f"anduryl: {study['name']} done", file=sys.stderr, flush=True)
    json.dump(out, sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
