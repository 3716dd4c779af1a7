"""Write Arkansas_partial.json: anduryl 1.2.2's results on Arkansas_partial.dtt/.rls.

Arkansas_partial is tests/data/cooke/Arkansas with two quantiles coded
missing (-999.5): expert AR03's 5 % quantile of item 2 and expert AR07's
median of item 10 -- an expert who gave only some of an item's quantiles,
as in some published EXCALIBUR files.  anduryl reads the same files with
its own EXCALIBUR reader and treats such an assessment as missing.

Run with anduryl's interpreter (benchmarks/.venv-anduryl, see
benchmarks/cooke_vs_anduryl.py; anduryl needs numpy<2, pydantic<2, PyQt5):

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


def run(weight_type: str) -> dict:
    project = Project()
    project.io.load_excalibur(HERE / "Arkansas_partial.dtt", HERE / "Arkansas_partial.rls")
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
    out["dm"] = {"calibration": float(experts.calibration[i]),
                 "information_seed": float(experts.info_real[i]),
                 "information_all": float(experts.info_total[i])}
    return out


def main() -> None:
    result = {"anduryl": anduryl.__version__ if hasattr(anduryl, "__version__") else "1.2.2",
              "variants": {name: run(w) for name, (w, _) in VARIANTS.items()}}
    (HERE / "Arkansas_partial.json").write_text(json.dumps(result, indent=1) + "\n")


if __name__ == "__main__":
    main()
