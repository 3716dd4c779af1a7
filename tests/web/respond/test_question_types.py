"""Each question type through the form: valid input, boundaries and refusals next to the field."""

from __future__ import annotations

import pytest

from elicit.extensions import db
from elicit.models import Criterion, Judgment, OptionComment, SeedAnswer, SeedQuestion
from elicit.services.rounds import lifecycle
from tests.factories import link_token, make_study
from tests.web.respond.helpers import (
    checked_value,
    consent,
    full_form,
    ids_of,
    open_link,
    textarea,
    value_of,
)


@pytest.fixture
def rich(app, client):
    """A study with four-step likelihood, −3…+3 impact, a plain percentage and two seeds."""
    with app.app_context():
        study = make_study(launch=False, n_options=2)
        study.criteria.append(Criterion(position=3, name="Support", kind="probability",
                                        four_step=False, weight=0.5))
        study.seed_questions.append(SeedQuestion(position=1, text="Exercises in 2025?",
                                                 unit="exercises", scale="uni"))
        study.seed_questions.append(SeedQuestion(position=2, text="Budget?", unit="M CAD",
                                                 scale="log"))
        db.session.commit()
        lifecycle.launch_next_round(study)
        ids = ids_of(study)
        token = link_token(study)
    open_link(client, token)
    consent(client)
    return ids


def _complete(ids, **overrides) -> dict:
    data = full_form(ids)
    support = ids["criteria"][2]
    for o in ids["options"]:
        data[f"o{o}_c{support}_value"] = "55"
    for s, (a, b, c) in zip(ids["seeds"], [("2", "5", "9"), ("10", "40", "200")], strict=True):
        data |= {f"s{s}_q05": a, f"s{s}_q50": b, f"s{s}_q95": c}
    return data | overrides


def _post(client, data):
    return client.post("/respond", data=data)


def test_complete_answers_of_every_type_are_stored(app, client, rich):
    response = _post(client, _complete(rich))
    assert response.status_code == 303, response.get_data(as_text=True)[:2000]
    with app.app_context():
        support = db.session.scalars(db.select(Judgment).where(
            Judgment.criterion_id == rich["criteria"][2])).all()
        assert sorted(j.value for j in support) == [0.55, 0.55]
        seeds = db.session.scalars(db.select(SeedAnswer).order_by(SeedAnswer.question_id)).all()
        assert [(s.q05, s.q50, s.q95) for s in seeds] == [(2, 5, 9), (10, 40, 200)]


@pytest.mark.parametrize("typed, ok", [("0", True), ("100", True), ("0,5", True), (" 12.5 ", True),
                                       ("-1", False), ("100.01", False), ("abc", False),
                                       ("1e3", False), ("NaN", False)])
def test_plain_percentage_boundaries(client, rich, typed, ok):
    field = f"o{rich['options'][0]}_c{rich['criteria'][2]}_value"
    response = _post(client, _complete(rich, **{field: typed}))
    assert response.status_code == (303 if ok else 422)
    if not ok:
        page = response.get_data(as_text=True)
        assert f'id="{field}-error"' in page
        assert value_of(page, field) == typed  # what was typed is kept
        assert 'aria-invalid="true"' in page


@pytest.mark.parametrize("typed", ["4", "-4", "1.5", "abc", "<b>2</b>"])
def test_scale_refuses_values_off_the_scale(client, rich, typed):
    field = f"o{rich['options'][0]}_c{rich['criteria'][1]}_value"
    response = _post(client, _complete(rich, **{field: typed}))
    assert response.status_code == 422
    assert f'id="{field}-error"' in response.get_data(as_text=True)


def test_scale_is_labelled_radio_buttons(client, rich):
    page = client.get("/respond").get_data(as_text=True)
    field = f"o{rich['options'][0]}_c{rich['criteria'][1]}_value"
    import re

    radios = [t for t in re.findall(r"<input[^>]*>", page)
              if f'name="{field}"' in t and 'type="radio"' in t]
    assert len(radios) == 7
    for tag in radios:  # each point has a visible label of its own
        ident = re.search(r'\sid="([^"]+)"', tag).group(1)
        assert re.search(rf'<label class="scale-point" for="{ident}">', page)
    assert "-3 Very harmful" in page and "+3 Very beneficial" in page
    assert 'type="range"' not in page  # never an unlabelled slider


@pytest.mark.parametrize("q05, q50, q95, message", [
    ("9", "5", "2", "increase strictly"),
    ("5", "5", "9", "increase strictly"),
    ("2", "", "9", "all three values"),
    ("x", "5", "9", "Enter a number"),
])
def test_reversed_or_partial_quantiles_are_refused(client, rich, q05, q50, q95, message):
    s = rich["seeds"][0]
    data = _complete(rich, **{f"s{s}_q05": q05, f"s{s}_q50": q50, f"s{s}_q95": q95})
    response = _post(client, data)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert message in page
    assert value_of(page, f"s{s}_q05") == q05


def test_log_scale_quantity_must_be_positive(client, rich):
    s = rich["seeds"][1]
    response = _post(client, _complete(rich, **{f"s{s}_q05": "-1"}))
    assert response.status_code == 422
    assert "above 0" in response.get_data(as_text=True)


def test_units_are_shown_with_the_quantiles(client, rich):
    page = client.get("/respond").get_data(as_text=True)
    assert "unit: exercises" in page and "M CAD" in page


def test_oversize_rationale_is_refused_and_kept(client, rich):
    field = f"o{rich['options'][0]}_rationale"
    text = "x" * 2001
    response = _post(client, _complete(rich, **{field: text, "action": "draft"}))
    assert response.status_code == 303  # the other answers are saved; this one is kept aside
    page = client.get("/respond").get_data(as_text=True)
    assert "2000 characters" in page
    assert textarea(page, field) == text


def test_html_in_rationale_is_stored_verbatim_and_shown_escaped(app, client, rich):
    field = f"o{rich['options'][0]}_rationale"
    evil = '<img src=x onerror="alert(1)"> & <script>alert(2)</script>'
    assert _post(client, _complete(rich, **{field: evil, "action": "draft"})).status_code == 303
    page = client.get("/respond").get_data(as_text=True)
    assert "<script>alert(2)</script>" not in page and "<img src=x" not in page
    assert "&lt;script&gt;alert(2)&lt;/script&gt;" in page
    with app.app_context():
        stored = db.session.scalar(db.select(OptionComment.rationale).where(
            OptionComment.option_id == rich["options"][0]))
        assert stored == evil


def test_abstention_is_distinct_from_a_missing_answer(app, client, rich):
    like = rich["criteria"][0]
    o1, o2 = rich["options"]
    data = _complete(rich, action="draft")
    for part in ("lowest", "highest", "best", "confidence"):
        del data[f"o{o1}_c{like}_{part}"]
        del data[f"o{o2}_c{like}_{part}"]
    data[f"o{o1}_c{like}_abstain"] = "y"
    assert _post(client, data).status_code == 303
    with app.app_context():
        rows = {j.option_id: j for j in db.session.scalars(
            db.select(Judgment).where(Judgment.criterion_id == like))}
        assert rows[o1].abstained is True and rows[o1].best is None
        assert o2 not in rows  # missing: no row at all
    response = _post(client, data | {"action": "submit"})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert f'id="o{o2}_c{like}-error"' in page
    assert f'id="o{o1}_c{like}-error"' not in page


def test_abstaining_and_answering_at_once_is_refused(client, rich):
    like = rich["criteria"][0]
    field = f"o{rich['options'][0]}_c{like}"
    response = _post(client, _complete(rich, **{f"{field}_abstain": "y"}))
    assert response.status_code == 422
    assert "Abstain or answer, not both." in response.get_data(as_text=True)


@pytest.mark.parametrize("lowest, highest, best, confidence, ok", [
    (0, 100, 50, 50, True), (20, 20, 20, 100, True), (30, 20, 25, 80, False),
    (10, 30, 40, 80, False), (10, 30, 20, 49.9, False), (10, 30, 20, 100.5, False),
])
def test_idea_four_step_boundaries(client, rich, lowest, highest, best, confidence, ok):
    prefix = f"o{rich['options'][0]}_c{rich['criteria'][0]}"
    data = _complete(rich, **{f"{prefix}_lowest": str(lowest), f"{prefix}_highest": str(highest),
                              f"{prefix}_best": str(best),
                              f"{prefix}_confidence": str(confidence)})
    assert _post(client, data).status_code == (303 if ok else 422)


def test_self_rated_expertise_is_optional_and_bounded(app, client, rich):
    field = f"o{rich['options'][0]}_expertise"
    assert _post(client, _complete(rich, action="draft", **{field: "4"})).status_code == 303
    page = client.get("/respond").get_data(as_text=True)
    assert checked_value(page, field) == "4"
    with app.app_context():
        assert db.session.scalar(db.select(OptionComment.expertise).where(
            OptionComment.option_id == rich["options"][0])) == 4
    assert _post(client, _complete(rich, **{field: "6"})).status_code == 422


def test_every_input_has_a_label(client, rich):
    import re

    page = client.get("/respond").get_data(as_text=True)
    for tag in re.findall(r"<(?:input|textarea)[^>]*>", page):
        if 'type="hidden"' in tag:
            continue
        ident = re.search(r'\sid="([^"]+)"', tag).group(1)
        assert f'for="{ident}"' in page, tag


@pytest.mark.parametrize("text", ["nul \x00 byte", "bell \x07", "escape \x1b[31m"])
def test_control_characters_in_rationale_are_refused_not_a_server_error(client, rich, text):
    field = f"o{rich['options'][0]}_rationale"
    response = _post(client, _complete(rich, **{field: text, "action": "review"}))
    assert response.status_code == 422
    assert "control characters" in response.get_data(as_text=True)
    assert _post(client, _complete(rich, **{field: text, "action": "draft"})).status_code == 303
    assert "control characters" in client.get("/respond").get_data(as_text=True)


def test_tabs_and_newlines_in_rationale_are_fine(app, client, rich):
    field = f"o{rich['options'][0]}_rationale"
    response = _post(client, _complete(rich, **{field: "a\tb\r\nc", "action": "draft"}))
    assert response.status_code == 303
    with app.app_context():
        assert db.session.scalar(db.select(OptionComment.rationale).where(
            OptionComment.option_id == rich["options"][0])) == "a\tb\nc"
