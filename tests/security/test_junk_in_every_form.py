"""Issue 17 item 11 and issue 18 item 3: junk in any field of any form is never a 5xx.

The forms are not listed here: the test crawls every page of the URL map as a
signed-in owner (who also holds an expert session) and as an anonymous
visitor, reads each ``<form method="post">`` the way a browser would (its
action, its fields and their current values), then posts that form once per
field and junk value, the other fields keeping their shown values. A form
or field added later is covered without touching this file.

Checked for every post: no 5xx. For a text field, a refused character (NUL,
a control character) must be refused with the message next to the field
(``id="<field>-error"``) and the typed text shown again — or, for a button
form that posts and redirects, with an error notice after the redirect. Runs on SQLite and
PostgreSQL (where a NUL used to reach the database and answer 500).
"""

from __future__ import annotations

import itertools
from html.parser import HTMLParser

import pytest
from markupsafe import escape
from werkzeug.routing import AnyConverter

from elicit.services.common import tokens
from tests.factories import PASSWORD, make_study, make_user
from tests.security.urls import example_value

JUNK = ["foo", "x: bad", "-3: a\n-3: b", "NaN", "1e309", "²", "99999999999999999999",
        "x" * 20_000, "a\x00b", "ctl\x01\x1fchars", "<script>alert(1)</script>", "  "]
REFUSED_CHARACTERS = ("a\x00b", "ctl\x01\x1fchars")
TEXT_TYPES = {"text", "email", "search", "url", "tel", "textarea", "number", "datetime-local"}
# Ending the session stops the crawl; destructive actions go last.
SKIP_ACTIONS = ("/logout", "/account/sessions/end")
LAST = ("delete", "remove", "role", "close", "revoke", "reissue", "retire", "clone")


class _Forms(HTMLParser):
    """Every POST form of a page: (action, [(name, type, id, value)])."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[tuple[str, list[list[str]]]] = []
        self._form: list[list[str]] | None = None
        self._textarea: list[str] | None = None
        self._select: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        a = {k: v or "" for k, v in attrs}
        if tag == "form" and a.get("method", "get").lower() == "post":
            self._form = []
            self.forms.append((a.get("action", ""), self._form))
        elif self._form is None or not a.get("name"):
            return
        elif tag == "input":
            kind = a.get("type", "text").lower()
            if kind in ("radio", "checkbox") and "checked" not in a:
                if kind == "radio" and not any(f[0] == a["name"] for f in self._form):
                    self._form.append([a["name"], kind, a.get("id", ""), a.get("value", "")])
                return
            if kind in ("radio",):
                self._form[:] = [f for f in self._form if f[0] != a["name"]]
            if kind not in ("submit", "button", "file"):
                self._form.append([a["name"], kind, a.get("id", ""), a.get("value", "")])
        elif tag == "textarea":
            self._textarea = [a["name"], "textarea", a.get("id", ""), ""]
            self._form.append(self._textarea)
        elif tag == "select":
            self._select = [a["name"], "select", a.get("id", ""), ""]
            self._form.append(self._select)
        elif tag == "option" and self._select is not None:
            if "selected" in a or not self._select[3]:
                self._select[3] = a.get("value", "")

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea[3] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "textarea":
            self._textarea = None
        elif tag == "select":
            self._select = None


def _pages(app):
    """A URL for every GET page of the URL map (each `any(...)` choice; ids 1)."""
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.rule.startswith(("/api/", "/static", "/r/")) \
                or rule.endpoint.startswith(("results.downloads", "jobs.", "ops.")) \
                or rule.rule.endswith((".svg", ".csv", ".json", ".zip", "<fmt>")):
            continue
        choices = {name: sorted(conv.items) if isinstance(conv, AnyConverter)
                   else [example_value(conv)] for name, conv in rule._converters.items()}
        for combo in itertools.product(*choices.values()):
            adapter = app.url_map.bind("localhost")
            yield adapter.build(rule.endpoint, dict(zip(choices, combo, strict=True)))


def _forms(client, app) -> dict[tuple[str, tuple[str, ...]], tuple[str, list]]:
    found = {}
    for page in _pages(app):
        response = client.get(page)
        if response.status_code != 200 or "text/html" not in response.content_type:
            continue
        parser = _Forms()
        parser.feed(response.get_data(as_text=True))
        for action, fields in parser.forms:
            target = action or page
            if target.startswith(SKIP_ACTIONS) or not target.startswith("/"):
                continue
            names = tuple(sorted(f[0] for f in fields if f[0] != "csrf_token"))
            found.setdefault((target, names), (page, fields))
    return found


def _post_junk_everywhere(client, app, *, at_least: int) -> int:
    forms = _forms(client, app)
    assert len(forms) >= at_least, sorted(forms)  # the crawl found the builder, panel, team…
    posts = 0
    order = sorted(forms, key=lambda key: (any(w in key[0] for w in LAST), key[0]))
    for target, _names in order:
        _page, fields = forms[(target, _names)]
        baseline = {f[0]: f[3] for f in fields if f[0] != "csrf_token"}
        for name, kind, field_id, _value in fields:
            if name == "csrf_token":
                continue
            for junk in JUNK:
                response = client.post(target, data={**baseline, name: junk})
                posts += 1
                assert response.status_code < 500, (target, name, junk[:40])
                if kind in TEXT_TYPES and junk in REFUSED_CHARACTERS:
                    if response.status_code in (302, 303):
                        # A button form (post, then redirect): the refusal must be flashed.
                        shown = client.get(response.headers["Location"]).get_data(as_text=True)
                        assert "notice-error" in shown, (target, name, "accepted silently")
                        continue
                    # 200: a page that re-shows its form on any refusal (the sign-in page).
                    assert response.status_code in (200, 400, 422), (target, name, "accepted")
                    if response.status_code != 400:
                        page = response.get_data(as_text=True)
                        assert f'id="{field_id or name}-error"' in page, (target, name)
                        assert str(escape(junk)) in page, (target, name, "typed text lost")
    return posts


@pytest.mark.parametrize("launched", [False, True], ids=["draft", "open-round"])
def test_junk_in_every_field_of_every_form_is_never_a_server_error(app, client, auth,
                                                                    launched):
    with app.app_context():
        owner = make_user()
        study = make_study(owner, n_experts=2, launch=launched)
        make_user("member@example.org")
        token = tokens.token_for(study.experts[0].invitations[0].token_nonce) \
            if launched else None
    anonymous = app.test_client()
    posts = _post_junk_everywhere(anonymous, app, at_least=1)  # the sign-in form
    auth.login("owner@example.org", PASSWORD)
    if token:
        client.get(f"/r/{token}")  # the same browser holds an expert session too
        client.post("/respond/consent", data={"consent": "y"})
    posts += _post_junk_everywhere(client, app, at_least=15)
    assert posts > 300
