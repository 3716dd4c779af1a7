"""Issue 20.7: every printed link uses the configured public address (BASE_URL)."""

from __future__ import annotations

import json

import pytest

from elicit import config as elicit_config
from elicit import create_app, settings_table
from elicit.extensions import db
from tests.factories import make_study


@pytest.fixture
def build(database_url, monkeypatch, tmp_path):
    """An app configured like a shell on the server: no BASE_URL override from the tests."""
    built = []
    monkeypatch.delenv("BASE_URL", raising=False)
    monkeypatch.setenv("ELICIT_SETTINGS_FILE", str(tmp_path / "elicit.env"))

    def make(file_text: str | None = None):
        if file_text is not None:
            (tmp_path / "elicit.env").write_text(file_text)
        settings = {k: v for k, v in elicit_config.testing_settings().items() if k != "BASE_URL"}
        app = create_app({**settings, "SQLALCHEMY_DATABASE_URI": database_url})
        built.append(app)
        return app

    yield make
    for app in built:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


def _links(app, *extra):
    with app.app_context():
        study_id = make_study(n_experts=2).id
    return app.test_cli_runner().invoke(args=["links", str(study_id), *extra])


def test_links_use_the_base_url_of_the_settings_file(build):
    app = build("# the deployment's settings\nexport BASE_URL='https://elicit.example.org:8443/'\n")
    assert app.config["BASE_URL"] == "https://elicit.example.org:8443"
    result = _links(app)
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert len(lines) == 2
    assert all(line.split("\t")[-1].startswith("https://elicit.example.org:8443/r/")
               for line in lines)
    assert "note:" not in result.stderr
    assert all(e["link"].startswith("https://elicit.example.org:8443/r/")
               for e in json.loads(_links(app, "--json").stdout))


def test_the_environment_wins_over_the_file(build, monkeypatch):
    monkeypatch.setenv("BASE_URL", "https://from-the-environment.example")
    app = build("BASE_URL=https://from-the-file.example\n")
    assert app.config["BASE_URL"] == "https://from-the-environment.example"


def test_the_demo_and_links_say_when_base_url_is_not_set(build):
    app = build()
    result = _links(app)
    assert result.exit_code == 0
    assert "BASE_URL is not set" in result.stderr and "elicit.env" in result.stderr
    default = settings_table.default_settings(app.instance_path)["BASE_URL"]
    assert all(line.split("\t")[-1].startswith(default + "/r/")
               for line in result.stdout.splitlines())
    demo = app.test_cli_runner().invoke(args=["demo"])
    assert f"Organizer login  {default}/login" in demo.stdout
    assert "BASE_URL is not set" in demo.stderr


def test_a_malformed_settings_file_names_the_line(tmp_path):
    path = tmp_path / "bad.env"
    path.write_text("BASE_URL=https://x.example\nthis is not a setting\n")
    with pytest.raises(RuntimeError, match=r"bad.env, line 2"):
        settings_table.read_settings_file(str(path))
    assert settings_table.read_settings_file(str(tmp_path / "missing.env")) == {}
