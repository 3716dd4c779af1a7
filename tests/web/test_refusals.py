"""Refusals translated once per output: form pages, button actions, the API, the CLI.

The helpers are exercised on probe routes of a bare app (no database needed);
the real pages that use them are covered in tests/web/organize and tests/web/api.
"""

from __future__ import annotations

import click
import pytest
from click.testing import CliRunner
from flask import Blueprint, get_flashed_messages, redirect, render_template_string
from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import DataRequired

from elicit import config as settings
from elicit import create_app
from elicit.cli.common import refusals_as_click_errors
from elicit.errors import (
    Conflict,
    DomainError,
    Forbidden,
    InvalidLink,
    NotFound,
    RoundClosed,
    ValidationFailed,
)
from elicit.web import action, refusals_onto, status_for


class ProbeForm(FlaskForm):
    title = StringField("Title", validators=[DataRequired()])
    notes = StringField("Notes")


def _service(title: str) -> None:
    """Stands for a service: refuses according to the title it is given."""
    if title == "field":
        raise ValidationFailed({"title": "That title is taken."})
    if title == "elsewhere":
        raise ValidationFailed({"line 3": "Line 3: the name is empty."})
    if title == "conflict":
        raise Conflict("A round is open.")
    if title == "boom":
        raise RuntimeError("not a refusal")


PAGE = ("<input name=title value='{{ form.title.data or '' }}'>"
        "<p id=title-errors>{{ form.title.errors | join('|') }}</p>"
        "<p id=notes-errors>{{ form.notes.errors | join('|') }}</p>"
        "<p id=flashed>{{ get_flashed_messages() | join('|') }}</p>")

REFUSALS = {"validation": ValidationFailed({"title": "Give a title.", "w2": "Not a number."}),
            "conflict": Conflict("Already there."), "not-found": NotFound("study"),
            "forbidden": Forbidden("role analyst may not do this"),
            "closed": RoundClosed("This round is closed."), "revoked": InvalidLink("revoked"),
            "base": DomainError("Refused.")}


@pytest.fixture(scope="module")
def probe_app():
    app = create_app(settings.testing_settings())
    bp = Blueprint("probe", __name__)

    @bp.route("/probe/form", methods=["GET", "POST"])
    def form_page():
        form = ProbeForm()
        attempt = refusals_onto(form, fallback="notes")
        if form.validate_on_submit():
            with attempt:
                _service(form.title.data)
            if attempt.ok:
                return redirect("/probe/done")
        return render_template_string(PAGE, form=form), status_for(form, attempt)

    @bp.post("/probe/<int:study_id>/button/<title>")
    @action(back="probe.back_page")
    def button(study_id: int, title: str):
        if title == "missing":
            raise NotFound("membership")
        _service(title)
        return redirect("/probe/done")

    @bp.get("/probe/<int:study_id>/back")
    def back_page(study_id: int):
        return " | ".join(get_flashed_messages())

    @bp.get("/api/probe/<kind>")
    def api_refusal(kind: str):
        raise REFUSALS[kind]

    @bp.get("/probe/page-refusal")
    def page_refusal():
        raise Conflict("Nobody translated me.")

    app.register_blueprint(bp)
    return app


@pytest.fixture
def probe(probe_app):
    return probe_app.test_client()


def test_errors_know_their_status_and_messages():
    assert [REFUSALS[k].status for k in ("validation", "conflict", "not-found", "forbidden",
                                         "closed", "base")] == [400, 409, 404, 403, 409, 400]
    assert InvalidLink("revoked").status == 410
    assert InvalidLink().status == 404
    # A link that existed but no longer works (revoked, replaced, expired, used) is gone: 410.
    assert InvalidLink("expired").status == InvalidLink("revoked").status == 410
    refused = REFUSALS["validation"]
    assert refused.messages == {"title": "Give a title.", "w2": "Not a number."}
    assert refused.text == "Give a title. Not a number."
    assert Conflict("Already there.").messages == {"": "Already there."}
    assert Conflict("Already there.").text == "Already there."


def test_a_form_page_shows_a_field_refusal_next_to_the_field_keeping_what_was_typed(probe):
    page = probe.post("/probe/form", data={"title": "field"})
    assert page.status_code == 422
    body = page.get_data(as_text=True)
    assert "value='field'" in body
    assert "<p id=title-errors>That title is taken.</p>" in body
    assert "<p id=flashed></p>" in body


def test_a_refusal_naming_no_field_of_the_form_goes_under_the_fallback(probe):
    page = probe.post("/probe/form", data={"title": "elsewhere"})
    assert page.status_code == 422
    assert "<p id=notes-errors>Line 3: the name is empty.</p>" in page.get_data(as_text=True)


def test_a_refusal_of_the_whole_form_is_a_notice(probe):
    page = probe.post("/probe/form", data={"title": "conflict"})
    assert page.status_code == 422
    body = page.get_data(as_text=True)
    assert "<p id=flashed>A round is open.</p>" in body
    assert "<p id=title-errors></p>" in body and "<p id=notes-errors></p>" in body


def test_a_form_page_answers_200_unless_refused(probe):
    assert probe.get("/probe/form").status_code == 200
    assert probe.post("/probe/form", data={"title": ""}).status_code == 422  # its own check
    done = probe.post("/probe/form", data={"title": "fine"})
    assert done.status_code == 302 and done.headers["Location"] == "/probe/done"


def test_a_form_page_lets_other_exceptions_through(probe):
    with pytest.raises(RuntimeError):
        probe.post("/probe/form", data={"title": "boom"})


def test_a_button_action_flashes_the_refusal_and_goes_back(probe):
    refused = probe.post("/probe/7/button/conflict")
    assert refused.status_code == 302 and refused.headers["Location"] == "/probe/7/back"
    assert probe.get("/probe/7/back").get_data(as_text=True) == "A round is open."
    both = probe.post("/probe/7/button/elsewhere", follow_redirects=True)
    assert both.get_data(as_text=True) == "Line 3: the name is empty."
    done = probe.post("/probe/7/button/fine")
    assert done.status_code == 302 and done.headers["Location"] == "/probe/done"


def test_a_button_action_on_a_missing_object_is_a_404(probe):
    assert probe.post("/probe/7/button/missing").status_code == 404


@pytest.mark.parametrize(("kind", "status", "title", "detail"), [
    ("validation", 400, "Invalid values for title, w2", "Give a title. Not a number."),
    ("conflict", 409, "Conflict", "Already there."),
    ("not-found", 404, "Page not found", "study"),
    ("forbidden", 403, "You do not have access to this page", "role analyst may not do this"),
    ("closed", 409, "Conflict", "This round is closed."),
    ("revoked", 410, "This link is no longer valid", "revoked"),
    ("base", 400, "The request could not be read", "Refused."),
])
def test_the_api_answers_a_refusal_as_json_with_its_status(probe, kind, status, title, detail):
    response = probe.get(f"/api/probe/{kind}")
    assert response.status_code == status
    fields = {k: v for k, v in REFUSALS[kind].messages.items() if k}
    assert response.get_json() == {"error": {"status": status, "title": title, "detail": detail,
                                             **({"fields": fields} if fields else {})}}


def test_a_refusal_no_page_translated_is_not_answered_as_json(probe):
    with pytest.raises(Conflict):  # TESTING propagates it; in production it is a 500 page
        probe.get("/probe/page-refusal")


@click.command()
@click.argument("title")
@refusals_as_click_errors
def probe_command(title: str) -> None:
    _service(title)
    click.echo("done")


@click.command()
@click.argument("title")
@refusals_as_click_errors(heading="Nothing was imported.")
def probe_import(title: str) -> None:
    raise ValidationFailed({"line 2": "Line 2: no e-mail.", "line 3": "Line 3: no name."})


def test_a_refused_command_exits_with_status_1_and_the_message():
    result = CliRunner().invoke(probe_command, ["conflict"])
    assert result.exit_code == 1
    assert result.output == "Error: A round is open.\n"
    assert CliRunner().invoke(probe_command, ["field"]).output == "Error: That title is taken.\n"
    fine = CliRunner().invoke(probe_command, ["fine"])
    assert fine.exit_code == 0 and fine.output == "done\n"


def test_a_refused_command_with_a_heading_lists_each_message_on_its_line():
    result = CliRunner().invoke(probe_import, ["x"])
    assert result.exit_code == 1
    assert result.output == ("Error: Nothing was imported.\nLine 2: no e-mail.\n"
                             "Line 3: no name.\n")
