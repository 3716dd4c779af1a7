"""The settings table: the only place defaults live, the environment parsed from it,
and the configuration reference generated from it."""

from __future__ import annotations

import re
import secrets
from pathlib import Path

import pytest

from elicit import create_app
from elicit.config import testing_settings as settings_for_tests
from elicit.settings_table import (
    BY_NAME,
    PARSERS,
    REFERENCE_PATH,
    REGENERATE,
    SETTINGS,
    TYPES,
    FromInstance,
    default_settings,
    environment_settings,
    reference,
)

ROOT = Path(__file__).resolve().parents[1]

# Every variable read from the environment before the table existed: none may be lost.
VARIABLES_READ_BEFORE_THE_TABLE = {
    "SECRET_KEY", "DATABASE_URL", "RATELIMIT_STORAGE_URI", "RATELIMIT_KEY_PREFIX", "REDIS_URL",
    "DB_POOL_SIZE", "DB_MAX_OVERFLOW", "DB_POOL_TIMEOUT", "DB_POOL_RECYCLE", "TRUSTED_PROXIES",
    "MAIL_SERVER", "MAIL_USERNAME", "MAIL_PASSWORD", "MAIL_DEFAULT_SENDER", "MAIL_BACKEND",
    "MAIL_PORT", "MAIL_OUTBOX_DIR", "MAIL_USE_TLS", "MAIL_USE_SSL", "SESSION_COOKIE_SECURE",
    "MAIL_SEND_AFTER_RESPONSE", "BASE_URL", "RESULTS_RESAMPLES", "JOBS_BACKEND",
    "JOBS_QUEUE_PREFIX", "JOBS_REDIS_URL", "EXPORTS_DIR", "JOBS_THREADS", "JOBS_TIMEOUT",
    "JOBS_STALE_AFTER", "JOBS_RETRY_FAILED_AFTER", "RESULTS_INLINE_MAX_ROWS",
    "EXPORTS_INLINE_MAX_ROWS", "ROBUSTNESS_INLINE_MAX_ANSWERS", "MAIL_JOB_ATTEMPTS",
    "MAIL_RETRY_BACKOFF", "JOBS_PROGRESS_INTERVAL",
}

KEY_READ = re.compile(r"""config\[\s*["']([A-Z][A-Z0-9_]+)["']\s*\]"""
                      r"""|config\.(?:get|setdefault|pop)\(\s*["']([A-Z][A-Z0-9_]+)["']""")
CONFIG_UPDATE = re.compile(r"config\.update\(([^)]*)\)")
UPDATE_KEYWORD = re.compile(r"\b([A-Z][A-Z0-9_]+)\s*=")


def _sources(*folders: str) -> list[Path]:
    """The Python files under `folders`, but the table's own module (its docs name `KEY`)."""
    return [path for folder in folders for path in sorted((ROOT / folder).rglob("*.py"))
            if path != ROOT / "elicit" / "settings_table.py"]


def _keys_named(paths: list[Path]) -> dict[str, set[str]]:
    """Setting names read or written through a `config` mapping, with the files naming them."""
    found: dict[str, set[str]] = {}
    for path in paths:
        text = path.read_text(encoding="utf-8")
        names = {a or b for a, b in KEY_READ.findall(text)}
        for arguments in CONFIG_UPDATE.findall(text):
            names.update(UPDATE_KEYWORD.findall(arguments))
        for name in names:
            found.setdefault(name, set()).add(str(path.relative_to(ROOT)))
    return found


@pytest.fixture
def clean_environ(monkeypatch):
    """No setting in the environment; returns a setter."""
    for setting in SETTINGS:
        if setting.variable:
            monkeypatch.delenv(setting.variable, raising=False)

    def set_(**values: str) -> None:
        for name, value in values.items():
            monkeypatch.setenv(name, value)

    return set_


# --- the table and the reference ---------------------------------------------------------------

def test_the_committed_reference_is_generated_from_the_table():
    committed = (ROOT / REFERENCE_PATH).read_text(encoding="utf-8")
    assert committed == reference(), f"{REFERENCE_PATH} is out of date: run `{REGENERATE}`"


def test_every_setting_is_complete_and_named_once():
    assert len(BY_NAME) == len(SETTINGS)
    variables = [setting.variable for setting in SETTINGS if setting.variable]
    assert len(variables) == len(set(variables))
    for setting in SETTINGS:
        assert setting.type in TYPES, setting.name
        assert setting.doc.endswith(".") and "|" not in setting.name, setting.name
        if setting.variable:
            assert setting.type in PARSERS, f"{setting.name}: no parser for {setting.type}"


def test_every_key_the_code_reads_is_in_the_table():
    found = _keys_named(_sources("elicit", "benchmarks"))
    assert len(found) > 30  # the scan still sees the call sites
    unknown = {name: files for name, files in found.items() if name not in BY_NAME}
    assert not unknown, f"settings read in code but missing from the table: {unknown}"


def test_every_key_the_tests_set_is_in_the_table():
    found = _keys_named(_sources("tests"))
    unknown = {name: files for name, files in found.items() if name not in BY_NAME}
    assert not unknown, f"settings used by tests but missing from the table: {unknown}"


def test_no_fallback_defaults_outside_the_table():
    offenders = [f"{path.relative_to(ROOT)}:{number}"
                 for path in _sources("elicit", "benchmarks")
                 for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
                 if re.search(r"config\.(get|setdefault)\(", line)]
    assert not offenders, f"read settings as config[KEY]; defaults go in the table: {offenders}"


def test_the_testing_overrides_are_settings_of_the_table():
    assert set(settings_for_tests()) <= set(BY_NAME)


def test_the_environment_is_read_for_every_variable_it_was_read_for_before():
    variables = {setting.variable for setting in SETTINGS if setting.variable}
    assert variables >= VARIABLES_READ_BEFORE_THE_TABLE


# --- defaults ----------------------------------------------------------------------------------

def test_defaults_cover_the_table_and_follow_the_instance_folder(tmp_path):
    defaults = default_settings(str(tmp_path))
    assert list(defaults) == [setting.name for setting in SETTINGS]
    assert defaults["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path / 'elicit.sqlite'}"
    assert defaults["MAIL_OUTBOX_DIR"] == str(tmp_path / "outbox")
    assert defaults["EXPORTS_DIR"] == str(tmp_path / "exports")
    assert isinstance(BY_NAME["EXPORTS_DIR"].default, FromInstance)


def test_defaults_are_fresh_copies():
    first, second = default_settings("a"), default_settings("a")
    first["LANGUAGES"].append("de")
    assert second["LANGUAGES"] == ["en", "fr"] == default_settings("a")["LANGUAGES"]


def test_an_app_starts_with_the_table_defaults(clean_environ):
    app = create_app({"SECRET_KEY": secrets.token_hex(16)})
    derived = {"RATELIMIT_STORAGE_URI", "RATELIMIT_STORAGE_OPTIONS", "SQLALCHEMY_ENGINE_OPTIONS",
               "SECRET_KEY"}
    defaults = default_settings(app.instance_path)
    assert {name: app.config[name] for name in defaults if name not in derived} == \
        {name: value for name, value in defaults.items() if name not in derived}
    assert app.config["RATELIMIT_STORAGE_URI"] == \
        f"sqlitefile://{Path(app.instance_path, 'ratelimits.sqlite').resolve()}"
    assert app.config["RATELIMIT_STORAGE_OPTIONS"] == {}
    assert app.config["MAIL_OUTBOX_DIR"] == str(Path(app.instance_path) / "outbox")


# --- the environment ---------------------------------------------------------------------------

@pytest.mark.parametrize(("environ", "expected"), [
    ({}, {}),
    ({"DATABASE_URL": "postgres://u@h/db"},
     {"SQLALCHEMY_DATABASE_URI": "postgresql+psycopg://u@h/db"}),
    ({"DATABASE_URL": "sqlite:///x.sqlite"}, {"SQLALCHEMY_DATABASE_URI": "sqlite:///x.sqlite"}),
    ({"BASE_URL": "https://elicit.example.org/"}, {"BASE_URL": "https://elicit.example.org"}),
    ({"MAIL_SERVER": " smtp.example.org"}, {"MAIL_SERVER": " smtp.example.org"}),
    ({"MAIL_USE_TLS": "TRUE", "MAIL_USE_SSL": "on", "SESSION_COOKIE_SECURE": "yes",
      "MAIL_SEND_AFTER_RESPONSE": "1"},
     {"MAIL_USE_TLS": True, "MAIL_USE_SSL": True, "SESSION_COOKIE_SECURE": True,
      "MAIL_SEND_AFTER_RESPONSE": True}),
    ({"MAIL_USE_TLS": "0", "MAIL_USE_SSL": "no", "SESSION_COOKIE_SECURE": " ",
      "MAIL_SEND_AFTER_RESPONSE": "false"},
     {"MAIL_USE_TLS": False, "MAIL_USE_SSL": False, "SESSION_COOKIE_SECURE": False,
      "MAIL_SEND_AFTER_RESPONSE": False}),
    ({"MAIL_PORT": "587", "DB_POOL_RECYCLE": "-1", "JOBS_THREADS": " 4 "},
     {"MAIL_PORT": 587, "DB_POOL_RECYCLE": -1, "JOBS_THREADS": 4}),
    ({"JOBS_PROGRESS_INTERVAL": "0.25"}, {"JOBS_PROGRESS_INTERVAL": 0.25}),
    ({"REDIS_URL": "", "MAIL_PORT": "", "JOBS_THREADS": "  "}, {}),  # empty or blank: unset
    ({"MAIL_JOB_MAX_WAIT": "5", "LANGUAGES": "de"}, {}),  # not settable from the environment
])
def test_environment_values_are_parsed_by_type(environ, expected):
    assert environment_settings(environ) == expected


@pytest.mark.parametrize(("name", "value", "message"), [
    ("JOBS_THREADS", "abc", "JOBS_THREADS must be an integer, got 'abc'"),
    ("MAIL_PORT", "25.0", "MAIL_PORT must be an integer"),
    ("JOBS_PROGRESS_INTERVAL", "soon", "JOBS_PROGRESS_INTERVAL must be a number"),
    ("JOBS_PROGRESS_INTERVAL", "-1", "JOBS_PROGRESS_INTERVAL must be a number of seconds"),
])
def test_an_invalid_environment_value_names_the_variable(name, value, message):
    with pytest.raises(RuntimeError, match=re.escape(message)):
        environment_settings({name: value})


def test_an_app_refuses_to_start_on_an_invalid_variable(clean_environ):
    clean_environ(JOBS_THREADS="abc")
    with pytest.raises(RuntimeError, match="JOBS_THREADS must be an integer"):
        create_app({"SECRET_KEY": secrets.token_hex(16)})


def test_environment_then_overrides(clean_environ):
    clean_environ(JOBS_THREADS="4", MAIL_PORT="2525")
    app = create_app({"SECRET_KEY": secrets.token_hex(16), "MAIL_PORT": 26})
    assert (app.config["JOBS_THREADS"], app.config["MAIL_PORT"]) == (4, 26)
