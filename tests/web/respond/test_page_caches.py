"""The expert pages' caches: the per-study form class and the rendered briefing."""

from __future__ import annotations

from elicit.extensions import db
from elicit.models import Option, Study
from elicit.respond.forms import answer_form_class
from tests.factories import make_study
from tests.web.respond.helpers import start_expert


def test_form_class_is_built_once_per_definition(app):
    with app.app_context():
        study = make_study()
        with app.test_request_context():
            first = answer_form_class(study, study.options)
            assert answer_form_class(study, study.options) is first
            study.criteria[1].scale_labels = {"-3": "Disastrous", "3": "Very beneficial"}
            db.session.commit()
            renamed = answer_form_class(study, study.options)
            assert renamed is not first
            field = renamed(formdata=None)[f"o{study.options[0].id}_c{study.criteria[1].id}_value"]
            assert ("-3", "-3 Disastrous") in field.choices
            assert answer_form_class(study, study.options[:2]) is not renamed  # an option less


def test_edited_questions_and_briefing_reach_the_next_page(app, client):
    ids = start_expert(app, client)
    page = client.get("/respond").get_data(as_text=True)
    assert "Please <strong>judge</strong>." in page and "-3 Very harmful" in page

    with app.app_context():
        study = db.session.get(Study, ids["study"])
        study.briefing = "Now **weigh** each option."
        study.criteria[1].scale_labels = {"-3": "Disastrous", "3": "Very beneficial"}
        study.options.append(Option(position=4, title="Option 4", description="Do 4."))
        db.session.commit()
        new_option = study.options[-1].id
    page = client.get("/respond").get_data(as_text=True)
    assert "Now <strong>weigh</strong> each option." in page
    assert "Please <strong>judge</strong>." not in page
    assert "-3 Disastrous" in page and "Very harmful" not in page
    assert f'name="o{new_option}_c{ids["criteria"][1]}_value"' in page


def test_the_form_class_follows_the_expert_language(app, client):
    start_expert(app, client, languages=["en", "fr"])
    english = client.get("/respond").get_data(as_text=True)
    assert client.post("/respond/language", data={"lang": "fr"}).status_code == 303
    french = client.get("/respond").get_data(as_text=True)
    assert "Best guess (%)" in english and "Best guess (%)" not in french
    assert "Meilleure estimation (%)" in french
