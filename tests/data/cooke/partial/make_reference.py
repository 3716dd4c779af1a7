"""Write <stem>.json: anduryl 1.2.2's results on each <stem>.dtt/.rls here.

Arkansas_partial is tests/data/cooke/Arkansas with two quantiles coded
missing (-999.5): expert AR03's 5 % quantile of item 2 and expert AR07's
median of item 10 -- an expert who gave only some of an item's quantiles,
as in some published EXCALIBUR files.  crossed is a small hand-made study
(3 experts, 5 seed items, 1 target, 5/50/95 %) with partial assessments on
seed and target items, one of them (E1 on s1: 1, missing, 3 with realization
0.5) counted by anduryl with a negative bin.  anduryl reads the same files
with its own EXCALIBUR reader.

Run with anduryl's interpreter (benchmarks/.venv-anduryl, see
benchmarks/cooke_vs_anduryl.py; anduryl needs numpy<2, pydantic<2, PyQt5;
the stored figures came from anduryl 1.2.2 with numpy 1.26.4, pydantic
1.10.27, PyQt5 5.15.11 on Python 3.11):

    QT_QPA_PLATFORM=offscreen benchmarks/.venv-anduryl/bin/python \\
        tests/data/cooke/partial/make_reference.py
"""

from __future__ import annotations

import json
from pathlib import Path

import anduryl
from anduryl.core.main import Project

HERE = Path(__file__).resolve().parent
VARIANTS = {"global_optimized": ("global", None), "item_optimized": ("item", None),
            "equal": ("equal", None)}


STEMS = ("Arkansas_partial", "crossed")


def run(stem: str, weight_type: str) -> dict:
    project = Project()
    project.io.load_excalibur(HERE / f"{stem}.dtt", HERE / f"{stem}.rls")
    project.calculate_decision_maker(weight_type=weight_type, overshoot=0.1, exp_id="DM",
                                     alpha=None)
    experts = project.main_results.experts
    ids = [e for e in experts.ids if e != "DM"]
    weights = experts.comb_score if weight_type == "global" else None
    out = {"alpha": float(project.main_results.alpha_opt), "experts": {}}
    for e in ids:
        i = experts.get_idx(e)
        out["experts"][e] = {"calibration": float(experts.calibration[i]),
                             "information_seed": float(experts.info_real[i]),
                             "information_all": float(experts.info_total[i])}
        if weights is not None:
            out["experts"][e]["combined"] = float(weights[i])
    i = experts.get_idx("DM")
    # the DM's quantiles (Q, N) on the original scale, by item id
    dm = project.assessments.get_array(experts=["DM"])[0]
    out["dm"] = {"calibration": float(experts.calibration[i]),
                 "information_seed": float(experts.info_real[i]),
                 "information_all": float(experts.info_total[i]),
                 "quantiles": {item: dm[:, n].tolist()
                               for n, item in enumerate(project.items.ids)}}
    return out


def main() -> None:
    version = anduryl.__version__ if hasattr(anduryl, "__version__") else "1.2.2"
    for stem in STEMS:
        result = {"anduryl": version,
                  "variants": {name: run(stem, w) for name, (w, _) in VARIANTS.items()}}
        (HERE / f"{stem}.json").write_text(json.dumps(result, indent=1) + "\n")


if __name__ == "__main__":
    main()
