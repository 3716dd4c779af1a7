"""Calibration page and Cooke performance weights, on the demo study's seed questions."""

from __future__ import annotations

import io
import json
import re
import shlex
import zipfile

import pytest

import analysis
from analysis.cli import main as analysis_main
from elicit.services import results
from elicit.services.results import calibration


def test_calibration_page_lists_pseudonyms_and_weights(app, client, demo_study):
    page = client.get(f"/studies/{demo_study}/results/calibration").get_data(as_text=True)
    rows = re.findall(r'<th scope="row">(E\d{3})</th><td class="num">([\d.]+)</td>'
                      r'.*?<td class="num">([\d.]+) %</td></tr>', page)
    assert len(rows) == 6  # six demo experts answered
    assert sum(float(w) for *_, w in rows) == pytest.approx(100, abs=0.5)
    assert "Amélie" not in page and "@example.org" not in page
    with app.app_context():
        from elicit.extensions import db
        from elicit.models import Study
        study = db.session.get(Study, demo_study)
        expected = calibration.calibrate(study.current_round)
    assert [r[0] for r in rows] == expected.experts["expert"].tolist()


def test_cooke_ranking_uses_performance_weights(app, client, demo_study):
    assert client.get(f"/studies/{demo_study}/results?method=cooke").status_code == 200
    with app.app_context():
        from elicit.extensions import db
        from elicit.models import Study
        study = db.session.get(Study, demo_study)
        round_ = study.current_round
        params = results.parse_params(study, {"method": "cooke"})
        outcome = results.round_results(study, params)
        frame = results.judgments_frame(round_)
        weights = analysis.cooke.weights_from_seed_frame(calibration.seed_frame(round_))
        direct = analysis.rank_options(frame, method="cooke", expert_weights=weights,
                                       resamples=0)
    assert outcome.ranking.ranking == direct.ranking
    assert outcome.table["score"].tolist() == pytest.approx(direct.table["score"].tolist())


def test_cooke_bundle_carries_the_seed_answers(client, demo_study, tmp_path, capsys):
    response = client.get(f"/studies/{demo_study}/downloads/bundle.zip?method=cooke")
    archive = zipfile.ZipFile(io.BytesIO(response.data))
    assert "seeds.csv" in archive.namelist()
    archive.extractall(tmp_path)
    command = shlex.split((tmp_path / "reproduce.sh").read_text().splitlines()[-1])
    args = [str(tmp_path / a) if a.endswith(".csv") else a for a in command[3:]]
    capsys.readouterr()
    assert analysis_main(args) == 0
    regenerated = json.loads(capsys.readouterr().out)
    expected = json.loads((tmp_path / "expected.json").read_text())
    assert regenerated["options"] == expected["options"]
