"""Issue 20.1: seed answers, self-rated expertise and withdrawals in every download."""

from __future__ import annotations

import io
import json
import shlex
import zipfile

import openpyxl
import pandas as pd
import pytest

from analysis.cli import main as analysis_main
from elicit.extensions import db
from elicit.models import Invitation, OptionComment, SeedAnswer, Study
from elicit.services import results
from elicit.services.panel import invitations
from elicit.services.results import calibration
from elicit.services.results.seed_answers import SEED_ANSWER_COLUMNS, SEED_ANSWER_DICTIONARY


def _download(client, study_id, path, **query):
    response = client.get(f"/studies/{study_id}/downloads/{path}", query_string=query)
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    return response


@pytest.fixture
def marked(app, demo_study):
    """The demo with one seed answer abstained and the first submitted expert withdrawn."""
    with app.app_context():
        study = db.session.get(Study, demo_study)
        round_ = study.current_round
        answer = db.session.scalars(db.select(SeedAnswer).order_by(SeedAnswer.id)).first()
        answer.q05 = answer.q50 = answer.q95 = None
        answer.abstained = True
        expert_id = answer.response.expert_id
        db.session.commit()
        invitation = db.session.scalar(db.select(Invitation).where(
            Invitation.expert_id == expert_id, Invitation.round_id == round_.id))
        invitations.revoke_invitation(invitation)
        pseudonym = results.frames.pseudonyms(study.id)[expert_id]
        comments = db.session.scalars(db.select(OptionComment).order_by(OptionComment.id)
                                      .limit(3)).all()
        for n, comment in enumerate(comments, start=3):
            comment.expertise = n
        db.session.commit()
        return {"study": demo_study, "pseudonym": pseudonym, "round": round_.number,
                "expertise_given": len(comments)}


def test_seed_answers_csv_is_tidy_and_marks_abstentions_and_withdrawals(client, marked):
    frame = pd.read_csv(io.StringIO(_download(client, marked["study"], "seed-answers",
                                              format="csv").get_data(as_text=True)))
    assert list(frame.columns) == SEED_ANSWER_COLUMNS
    assert len(frame) == 6 * 3  # six demo experts answered three calibration questions
    abstained = frame[frame["abstained"]]
    assert len(abstained) == 1 and abstained[["q05", "q50", "q95"]].isna().all(axis=None)
    assert set(frame.loc[frame["withdrawn"], "expert"]) == {marked["pseudonym"]}
    assert frame["question"].str.fullmatch(r"Q\d+").all()
    assert set(frame["scale"]) <= {"uni", "log"} and frame["unit"].notna().any()
    assert "@example.org" not in frame.to_csv()


def test_seed_answers_xlsx_json_and_judgments_downloads_agree(client, marked):
    study = marked["study"]
    csv = pd.read_csv(io.StringIO(_download(client, study, "seed-answers", format="csv")
                                  .get_data(as_text=True)))
    book = openpyxl.load_workbook(io.BytesIO(_download(client, study, "seed-answers",
                                                       format="xlsx").data))
    rows = list(book["seed answers"].values)
    assert list(rows[0]) == SEED_ANSWER_COLUMNS and len(rows) == len(csv) + 1
    assert {r[0] for r in list(book["seed dictionary"].values)[1:]} == set(SEED_ANSWER_COLUMNS)
    alone = json.loads(_download(client, study, "seed-answers", format="json").data)
    assert alone["columns"] == SEED_ANSWER_COLUMNS
    assert [r["q50"] for r in alone["seed_answers"]] == [
        None if pd.isna(v) else v for v in csv["q50"]]
    judgments = json.loads(_download(client, study, "judgments", format="json").data)
    assert judgments["seed_answers"] == alone["seed_answers"]
    workbook = openpyxl.load_workbook(io.BytesIO(_download(client, study, "judgments",
                                                           format="xlsx").data))
    assert len(list(workbook["seed answers"].values)) == len(rows)


def test_judgments_carry_expertise_and_withdrawal(client, marked):
    frame = pd.read_csv(io.StringIO(_download(client, marked["study"], "judgments",
                                              format="csv").get_data(as_text=True)))
    assert {"expertise", "panel_expertise", "withdrawn"} <= set(frame.columns)
    per_option = frame.drop_duplicates(["round", "expert", "option"])
    assert per_option["expertise"].notna().sum() == marked["expertise_given"] > 0
    assert per_option["expertise"].dropna().between(1, 5).all()
    assert set(frame.loc[frame["withdrawn"], "expert"]) == {marked["pseudonym"]}
    assert not frame.loc[frame["expert"] != marked["pseudonym"], "withdrawn"].any()


def test_analysis_rank_cooke_reads_the_standard_download(app, client, marked, tmp_path,
                                                         capsys):
    study = marked["study"]
    (tmp_path / "j.csv").write_bytes(_download(client, study, "judgments", format="csv").data)
    (tmp_path / "s.csv").write_bytes(_download(client, study, "seed-answers", format="csv").data)
    capsys.readouterr()
    assert analysis_main(["rank", str(tmp_path / "j.csv"), "--method", "cooke", "--seeds",
                          str(tmp_path / "s.csv"), "--resamples", "0", "--json"]) == 0
    offline = json.loads(capsys.readouterr().out)
    with app.app_context():
        model = db.session.get(Study, study)
        params = results.parse_params(model, {"method": "cooke"})
        page = results.round_results(model, params)
        weights = calibration.performance_weights(model.current_round)
    assert [o["option"] for o in offline["options"]] == page.ranking.ranking
    assert offline["provenance"]["parameters"]["expert_weights_sha256"] == \
        page.ranking.provenance.parameters["expert_weights_sha256"]
    assert weights is not None and len(weights) == 6


def test_cooke_bundle_seeds_are_the_standard_download(client, marked, tmp_path, capsys):
    study = marked["study"]
    archive = zipfile.ZipFile(io.BytesIO(_download(client, study, "bundle.zip",
                                                   method="cooke").data))
    seeds = pd.read_csv(archive.open("seeds.csv"))
    assert list(seeds.columns) == SEED_ANSWER_COLUMNS and seeds["abstained"].any()
    archive.extractall(tmp_path)
    command = shlex.split((tmp_path / "reproduce.sh").read_text().splitlines()[-1])
    capsys.readouterr()
    args = [str(tmp_path / a) if a.endswith(".csv") else a for a in command[3:]]
    assert analysis_main(args) == 0
    expected = json.loads((tmp_path / "expected.json").read_text())
    assert json.loads(capsys.readouterr().out)["options"] == expected["options"]


def test_seed_answers_refuse_a_missing_round_and_a_bad_format(client, marked):
    base = f"/studies/{marked['study']}/downloads/seed-answers"
    assert client.get(f"{base}?round=9").status_code == 404
    assert client.get(f"{base}?format=pdf").status_code == 400
    assert client.get(f"{base}?round={marked['round']}").status_code == 200


def test_dictionary_names_every_seed_column():
    assert list(SEED_ANSWER_DICTIONARY) == SEED_ANSWER_COLUMNS
