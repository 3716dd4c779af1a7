"""Issue 20.2: SPSS .sav and Stata .dta, wide and long, read back with pyreadstat and pandas."""

from __future__ import annotations

import io

import pandas as pd
import pyreadstat
import pytest

from elicit.extensions import db
from elicit.models import Study
from elicit.services.results import frames


def _read(client, study_id, tmp_path, fmt, layout):
    response = client.get(f"/studies/{study_id}/downloads/judgments",
                          query_string={"format": fmt, "layout": layout})
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    assert f"judgments-{layout}.{fmt}" in response.headers["Content-Disposition"]
    path = tmp_path / f"file.{fmt}"
    path.write_bytes(response.data)
    return (pyreadstat.read_sav if fmt == "sav" else pyreadstat.read_dta)(str(path))


def _tidy(client, study_id) -> pd.DataFrame:
    body = client.get(f"/studies/{study_id}/downloads/judgments?format=csv")
    return pd.read_csv(io.StringIO(body.get_data(as_text=True)))


@pytest.mark.parametrize("fmt", ["sav", "dta"])
def test_wide_layout_one_row_per_expert_and_round_with_labels(app, client, demo_study,
                                                              tmp_path, fmt):
    frame, meta = _read(client, demo_study, tmp_path, fmt, "wide")
    tidy = _tidy(client, demo_study)
    with app.app_context():
        study = db.session.get(Study, demo_study)
        options = {o.title: o.position for o in study.options}
        criteria = {c.name: c for c in study.criteria}
        first_option, impact = study.options[0], next(c for c in study.criteria
                                                      if c.kind == "scale" and c.scale_labels)
        impact_labels = {float(k): v for k, v in impact.scale_labels.items()}
        impact_question = impact.question or impact.name
        n_variables = len(study.options) * len(study.criteria)
    assert len(frame) == tidy.drop_duplicates(["round", "expert"]).shape[0] == 6
    assert list(frame.columns[:5]) == ["round", "expert", "group", "submitted_at", "withdrawn"]
    assert len(frame.columns) == 5 + n_variables
    # every answer lands in its option × criterion variable
    for row in tidy.itertuples():
        name = f"o{options[row.option]}_c{criteria[row.criterion].position}"
        got = frame.loc[(frame["round"] == row.round) & (frame["expert"] == row.expert), name]
        expected = row.value if pd.notna(row.value) else row.best
        if pd.isna(expected):
            assert got.isna().all()
        else:
            assert got.iloc[0] == pytest.approx(expected)
    variable = f"o{first_option.position}_c{impact.position}"
    label = meta.column_names_to_labels[variable]
    assert label.startswith(first_option.title[:30]) and "—" in label
    if fmt == "sav":
        assert impact_question[:20] in label
    values = {float(k): v for k, v in meta.variable_value_labels[variable].items()}
    assert values == impact_labels
    assert meta.column_names_to_labels["expert"] == "Expert pseudonym"


@pytest.mark.parametrize("fmt", ["sav", "dta"])
def test_long_layout_is_the_tidy_download_with_labels(client, demo_study, tmp_path, fmt):
    frame, meta = _read(client, demo_study, tmp_path, fmt, "long")
    tidy = _tidy(client, demo_study)
    assert list(frame.columns) == frames.EXPORT_COLUMNS and len(frame) == len(tidy)
    for column in ("value", "lowest", "best", "highest", "confidence", "weight"):
        pd.testing.assert_series_equal(frame[column].astype(float), tidy[column].astype(float),
                                       check_names=False)
    assert frame["expert"].tolist() == tidy["expert"].tolist()
    assert frame["abstained"].astype(int).tolist() == tidy["abstained"].astype(int).tolist()
    assert {float(k): v for k, v in meta.variable_value_labels["abstained"].items()} == \
        {0.0: "no", 1.0: "yes"}
    assert meta.column_names_to_labels["round"].startswith("Round number")
    assert meta.column_names_to_labels["expertise"].startswith("The expert's self-rated")


def test_bad_layout_and_results_do_not_take_the_statistics_formats(client, demo_study):
    base = f"/studies/{demo_study}/downloads"
    assert client.get(f"{base}/judgments?format=sav&layout=diagonal").status_code == 400
    assert client.get(f"{base}/results?format=dta").status_code == 400
