"""Shared helpers of the respond tests (the test client as an expert)."""

from __future__ import annotations

import re
from html import unescape

from tests.factories import idea_fields, link_token, make_study


def value_of(page: str, name: str) -> str | None:
    """The value attribute of the input called `name` in an HTML page (unescaped)."""
    tag = re.search(rf'<input[^>]*name="{re.escape(name)}"[^>]*>', page)
    if tag is None:
        return None
    value = re.search(r'value="([^"]*)"', tag.group(0))
    return unescape(value.group(1)) if value else ""


def checked_value(page: str, name: str) -> str | None:
    """The value of the checked radio button called `name`, if any."""
    for tag in re.findall(rf'<input[^>]*name="{re.escape(name)}"[^>]*>', page):
        if "checked" in tag:
            return re.search(r'value="([^"]*)"', tag).group(1)
    return None


def textarea(page: str, name: str) -> str | None:
    """The text inside the textarea called `name` (still HTML-escaped)."""
    match = re.search(rf'<textarea[^>]*name="{re.escape(name)}"[^>]*>\r?\n?(.*?)</textarea>',
                      page, re.S)
    return match.group(1) if match else None


def open_link(client, token: str):
    response = client.get(f"/r/{token}")
    assert response.status_code == 303, response.status_code
    return response


def consent(client) -> None:
    assert client.post("/respond/consent", data={"consent": "y"}).status_code == 303


def start_expert(app, client, **study_options) -> dict:
    """A new study (`make_study(**study_options)`) whose first expert has opened the link
    and consented; returns the study's ids (see `ids_of`)."""
    with app.app_context():
        study = make_study(**study_options)
        ids, token = ids_of(study), link_token(study)
    open_link(client, token)
    consent(client)
    return ids


def full_form(study_ids: dict, best=40, impact=2, action="submit", options=None) -> dict:
    """Form data answering every option (percentages as typed)."""
    like, imp = study_ids["criteria"][:2]
    data = {"action": action}
    for o in (study_ids["options"] if options is None else options):
        data |= idea_fields(f"o{o}_c{like}", max(best - 10, 0), min(best + 10, 100), best, 80)
        data[f"o{o}_c{imp}_value"] = str(impact)
        data[f"o{o}_rationale"] = f"Because of reason {o}."
    return data


def ids_of(study) -> dict:
    return {"study": study.id, "options": [o.id for o in study.options],
            "criteria": [c.id for c in study.criteria],
            "seeds": [q.id for q in study.seed_questions]}
