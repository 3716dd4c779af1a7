"""Every setting elicit reads: one table, from which the rest is generated.

Each `Setting` gives a name, a type, a default, the environment variable it
can be set from (if any) and one sentence of documentation. From the table:

- `default_settings()`: the defaults, loaded first by `create_app()`;
- `environment_settings()`: the values given in the environment, parsed by
  type (loaded second; overrides passed to `create_app()` come last);
- `reference()`: the configuration reference, docs/reference/configuration.md.

Code reads settings as ``current_app.config["KEY"]``, without a fallback: a
default belongs here and nowhere else. Nothing is read at import time.

Regenerate the reference after editing the table::

    python -m elicit.settings_table > docs/reference/configuration.md
"""

from __future__ import annotations

import copy
import math
import os
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REFERENCE_PATH = "docs/reference/configuration.md"
REGENERATE = f"python -m elicit.settings_table > {REFERENCE_PATH}"

TRUE_WORDS = frozenset({"1", "true", "yes", "on"})


@dataclass(frozen=True)
class FromInstance:
    """A default computed from the app's instance folder (known only in `create_app`)."""

    make: Callable[[Path], Any]
    shown: str  # how the reference writes it, e.g. ``<instance>/outbox``

    def __call__(self, instance_path: str) -> Any:
        return self.make(Path(instance_path))


@dataclass(frozen=True)
class Setting:
    """One setting: `env` is False, True (a variable of the same name) or the variable's name.

    `type` is one of TYPES; ``"seconds"`` is a non-negative number. `clean`
    rewrites a string read from the environment (e.g. a trailing slash).
    """

    name: str
    type: str
    default: Any
    env: bool | str = True
    doc: str = ""
    clean: Callable[[str], str] | None = None

    @property
    def variable(self) -> str | None:
        """The environment variable this setting is read from, or None."""
        if self.env is True:
            return self.name
        return self.env or None

    def default_for(self, instance_path: str) -> Any:
        if isinstance(self.default, FromInstance):
            return self.default(instance_path)
        return copy.deepcopy(self.default)  # lists and dicts: each app its own


def normalise_database_url(url: str) -> str:
    """Map the common `postgres://` spellings onto the psycopg 3 driver."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def _strip_slash(url: str) -> str:
    return url.rstrip("/")


def _sqlite_in(instance: Path) -> str:
    return f"sqlite:///{instance / 'elicit.sqlite'}"


def _outbox_in(instance: Path) -> str:
    return str(instance / "outbox")


def _settings_file_in(instance: Path) -> str:
    return str(instance / "settings.env")


def _exports_in(instance: Path) -> str:
    return str(instance / "exports")


def _results_cache_in(instance: Path) -> str:
    return str(instance / "results-cache")


SECTIONS: tuple[tuple[str, tuple[Setting, ...]], ...] = (
    ("Site", (
        Setting("SECRET_KEY", "str | None", None,
                doc="Signs sessions and derives the experts' personal links; unset: generated "
                    "once into `instance/secret_key` (every instance behind a load balancer "
                    "needs the same key). Changing it invalidates sessions and every personal "
                    "link."),
        Setting("BASE_URL", "str", "http://127.0.0.1:8000", clean=_strip_slash,
                doc="Public address of the site, used in e-mailed links and the API "
                    "description (a trailing `/` is dropped); an `https://` address also makes "
                    "the session and remember-me cookies secure."),
        Setting("SETTINGS_FILE", "str", FromInstance(_settings_file_in, "<instance>/settings.env"),
                env="ELICIT_SETTINGS_FILE",
                doc="A file of `VARIABLE=value` lines (the variables of this table, e.g. "
                    "`BASE_URL=https://elicit.example.org`; `#` starts a comment) read before "
                    "the environment, so the server and every `flask` command run from a shell "
                    "see the same settings; the environment wins; a missing file is ignored. "
                    "`/etc/elicit.env` of the deployment guide is such a file."),
        Setting("TRUSTED_PROXIES", "int", 0,
                doc="Reverse proxies in front of gunicorn whose `X-Forwarded-For`/`-Proto` to "
                    "trust (`1` behind one nginx)."),
        Setting("MAX_CONTENT_LENGTH", "int", 2 * 1024 * 1024, env=False,
                doc="Largest request body accepted, in bytes (Flask)."),
        Setting("TESTING", "bool", False, env=False,
                doc="Flask's testing mode (set by the pytest configuration)."),
    )),
    ("Database", (
        Setting("SQLALCHEMY_DATABASE_URI", "str",
                FromInstance(_sqlite_in, "sqlite:///<instance>/elicit.sqlite"),
                env="DATABASE_URL", clean=normalise_database_url,
                doc="SQLAlchemy URL of the database, e.g. "
                    "`postgresql+psycopg://user@host/db` (plain `postgresql://` and "
                    "`postgres://` are accepted)."),
        Setting("DB_POOL_SIZE", "int", 5,
                doc="PostgreSQL connections kept open per process (SQLite ignores the pool "
                    "settings)."),
        Setting("DB_MAX_OVERFLOW", "int", 10,
                doc="PostgreSQL connections a process may open beyond the pool size."),
        Setting("DB_POOL_TIMEOUT", "int", 30,
                doc="Seconds a request waits for a free PostgreSQL connection."),
        Setting("DB_POOL_RECYCLE", "int", 1800,
                doc="Seconds after which a PostgreSQL connection is replaced (`-1`: never)."),
        Setting("SQLALCHEMY_ENGINE_OPTIONS", "dict", {}, env=False,
                doc="Extra SQLAlchemy engine options; they win over the `DB_POOL_*` settings, "
                    "except `pool_pre_ping`, which is always on."),
    )),
    ("Cookies and forms", (
        Setting("SESSION_COOKIE_SECURE", "bool", False,
                doc="Send the session cookie over HTTPS only; turned on by an `https://` "
                    "`BASE_URL` unless this variable is set."),
        Setting("SESSION_COOKIE_HTTPONLY", "bool", True, env=False,
                doc="Hide the session cookie from scripts."),
        Setting("SESSION_COOKIE_SAMESITE", "str", "Lax", env=False,
                doc="SameSite attribute of the session cookie."),
        Setting("REMEMBER_COOKIE_SECURE", "bool", False, env=False,
                doc="Send the remember-me cookie over HTTPS only; turned on by an `https://` "
                    "`BASE_URL`."),
        Setting("REMEMBER_COOKIE_HTTPONLY", "bool", True, env=False,
                doc="Hide the remember-me cookie from scripts."),
        Setting("REMEMBER_COOKIE_SAMESITE", "str", "Lax", env=False,
                doc="SameSite attribute of the remember-me cookie."),
        Setting("WTF_CSRF_ENABLED", "bool", True, env=False,
                doc="Check CSRF tokens on form posts (off in the pytest configuration)."),
        Setting("WTF_CSRF_TIME_LIMIT", "int | None", None, env=False,
                doc="Seconds a CSRF token stays valid; unset: as long as the session."),
        Setting("ACCOUNT_INVITE_HOURS", "int", 72,
                doc="Hours a team invitation's set-password link works (single use)."),
        Setting("PASSWORD_RESET_MINUTES", "int", 60,
                doc="Minutes a \"Forgot password\" link works (single use)."),
    )),
    ("Rate limits", (
        Setting("RATELIMIT_ENABLED", "bool", True, env=False,
                doc="Apply the rate limits (sign-in, link guessing); off in the pytest "
                    "configuration."),
        Setting("RATELIMIT_STORAGE_URI", "str | None", None,
                doc="Flask-Limiter storage; unset: `REDIS_URL` if set, else the SQLite file "
                    "`instance/ratelimits.sqlite` (`sqlitefile:///path`), shared by every "
                    "worker of the instance. In Redis, limits hold across all instances."),
        Setting("RATELIMIT_STORAGE_OPTIONS", "dict | None", None, env=False,
                doc="Options of the limiter's storage; unset: 2-second socket timeouts with "
                    "Redis (a stalled Redis must not hang the sign-in page), else none."),
        Setting("RATELIMIT_KEY_PREFIX", "str", "",
                doc="Prefix of the rate-limit keys (several deployments on one Redis)."),
        Setting("RATELIMIT_HEADERS_ENABLED", "bool", True, env=False,
                doc="Send `X-RateLimit-*` headers with limited responses."),
        Setting("RATELIMIT_IN_MEMORY_FALLBACK_ENABLED", "bool", True, env=False,
                doc="Count in process memory while the limiter's Redis is unreachable, instead "
                    "of failing requests."),
    )),
    ("Redis", (
        Setting("REDIS_URL", "str | None", None,
                doc="When set (e.g. `redis://127.0.0.1:6379/0`), rate limits, computed results "
                    "and job queues live in Redis, shared by all processes and instances; "
                    "otherwise in each process's memory."),
    )),
    ("Mail", (
        Setting("MAIL_BACKEND", "str", "outbox",
                doc="`outbox` writes each e-mail as an `.eml` file into `MAIL_OUTBOX_DIR`; "
                    "`smtp` sends it through `MAIL_SERVER`."),
        Setting("MAIL_OUTBOX_DIR", "str", FromInstance(_outbox_in, "<instance>/outbox"),
                doc="Where the `outbox` mail backend writes its `.eml` files."),
        Setting("MAIL_SERVER", "str", "localhost", doc="SMTP server."),
        Setting("MAIL_PORT", "int", 25, doc="SMTP port."),
        Setting("MAIL_USE_TLS", "bool", False, doc="Use STARTTLS with the SMTP server."),
        Setting("MAIL_USE_SSL", "bool", False, doc="Connect to the SMTP server over SSL."),
        Setting("MAIL_USERNAME", "str | None", None, doc="SMTP user name."),
        Setting("MAIL_PASSWORD", "str | None", None, doc="SMTP password."),
        Setting("MAIL_DEFAULT_SENDER", "str", "elicit@localhost",
                doc="From address of invitations and reminders."),
        Setting("MAIL_SEND_AFTER_RESPONSE", "bool", True,
                doc="Start a background `mail` job once invitations or reminders are queued; "
                    "`false` when `flask mail send-pending --loop 30` does the sending."),
        Setting("MAIL_RETRY_BACKOFF", "int", 60,
                doc="Seconds before the first retry of a failed e-mail (doubling after each "
                    "attempt)."),
        Setting("MAIL_JOB_ATTEMPTS", "int", 3,
                doc="Delivery passes a `mail` job makes, retrying failed e-mails with "
                    "back-off between passes (at least 1)."),
        Setting("MAIL_JOB_MAX_WAIT", "seconds", 300, env=False,
                doc="Seconds a `mail` job may wait in all for retries to fall due; messages due "
                    "later are left to the next job or `flask mail send-pending`."),
    )),
    ("Background jobs", (
        Setting("JOBS_BACKEND", "str", "",
                doc="Where background jobs run: `rq`, `thread` or `sync`; empty: `rq` with "
                    "`REDIS_URL` (or `JOBS_REDIS_URL`), else `thread`."),
        Setting("JOBS_REDIS_URL", "str | None", None,
                doc="The Redis of the job queues; unset: `REDIS_URL`."),
        Setting("JOBS_QUEUE_PREFIX", "str", "elicit",
                doc="RQ queue names are `<prefix>-default` and `<prefix>-mail` (and RQ job "
                    "ids `<prefix>-<id>`)."),
        Setting("JOBS_THREADS", "int", 2,
                doc="Size of the thread pool running jobs inside each web process (`thread` "
                    "backend)."),
        Setting("JOBS_TIMEOUT", "int", 1800, doc="Seconds an RQ job may run."),
        Setting("JOBS_PROGRESS_INTERVAL", "seconds", 0.5,
                doc="Seconds between progress writes of one stage of a job."),
        Setting("JOBS_STALE_AFTER", "int", 3600,
                doc="Seconds after which a queued or running job that never finished (its "
                    "process died) no longer blocks a new one of the same kind."),
        Setting("JOBS_RETRY_FAILED_AFTER", "int", 60,
                doc="Seconds a failed results job is shown before a reload tries again."),
    )),
    ("Scheduler", (
        Setting("SCHEDULER_INTERVAL", "seconds", 30,
                doc="Seconds between two ticks of the scheduler that closes rounds at their "
                    "deadline and sends planned reminders; it runs in a thread of each web "
                    "process (started by its first request) and of each `flask worker`. `0` "
                    "turns it off (then run `flask round tick` from cron)."),
        Setting("TEST_CLOCK_FILE", "str | None", None,
                doc="Tests only: a file holding an ISO 8601 time the scheduler takes as now "
                    "(the browser tests move the clock forward). Never set it in production."),
    )),
    ("Results and exports", (
        Setting("RESULTS_RESAMPLES", "int", 2000,
                doc="Bootstrap resamples behind the results page."),
        Setting("RESULTS_INLINE_MAX_ROWS", "int", 20_000,
                doc="Above this many submitted judgment rows, a round's results are computed "
                    "by a job (the page answers 202)."),
        Setting("ROBUSTNESS_INLINE_MAX_ANSWERS", "int", 1_000,
                doc="Above this many submitted seed answers, the Cooke robustness tables are "
                    "computed by a job."),
        Setting("RESULTS_CACHE_REDIS_URL", "str | None", None, env=False,
                doc="The Redis of the computed-results cache; unset: `REDIS_URL`, and without "
                    "either the cache is the files of `RESULTS_CACHE_DIR`."),
        Setting("RESULTS_CACHE_DIR", "str", FromInstance(_results_cache_in,
                                                         "<instance>/results-cache"),
                doc="Without Redis, the folder where computed results are cached for every "
                    "worker of this instance (empty: each process keeps its own in memory)."),
        Setting("CHARTS_WAIT_SECONDS", "float", 20, env=False,
                doc="How long a chart image request waits for the results job drawing it "
                    "before drawing it itself."),
        Setting("RESULTS_CACHE_SIZE", "int", 64, env=False,
                doc="Computed results kept (entries in the folder, or per process in memory) "
                    "before the least recently used go."),
        Setting("EXPORTS_INLINE_MAX_ROWS", "int", 20_000,
                doc="Above this many submitted judgment rows, raw XLSX workbooks are built by a "
                    "job."),
        Setting("EXPORTS_DIR", "str", FromInstance(_exports_in, "<instance>/exports"),
                doc="Where export jobs leave their files (a shared folder when workers run on "
                    "other machines)."),
        Setting("EXPORTS_KEEP_DAYS", "float", 7, env=False,
                doc="Days after which files in `EXPORTS_DIR` are deleted."),
    )),
    ("Languages", (
        Setting("LANGUAGES", "list[str]", ["en", "fr"], env=False,
                doc="Languages of the interface and of studies (each needs a translation "
                    "catalogue in `elicit/translations/`)."),
        Setting("BABEL_DEFAULT_LOCALE", "str", "en", env=False,
                doc="Language used outside a request (CLI, jobs) and for a study offering none of "
                    "`LANGUAGES`."),
    )),
)

SETTINGS: tuple[Setting, ...] = tuple(setting for _, group in SECTIONS for setting in group)
BY_NAME: dict[str, Setting] = {setting.name: setting for setting in SETTINGS}

# Variables read outside the application; listed in the reference, not settings.
OTHER_VARIABLES: tuple[tuple[str, str, str], ...] = (
    ("WORKERS", "`2`", "gunicorn worker processes for `make run`."),
    ("DATABASE_URL_TEST", "`postgresql+psycopg://postgres@127.0.0.1:5432/test`",
     "(tests) PostgreSQL server on which the suite creates and drops its own database."),
)


# --- the environment -------------------------------------------------------------------------

def _parse_bool(name: str, raw: str) -> bool:
    return raw.strip().lower() in TRUE_WORDS


def _parse_int(name: str, raw: str) -> int:
    try:
        return int(raw)
    except ValueError as exc:
        raise RuntimeError(f"{name} must be an integer, got {raw!r}") from exc


def _parse_seconds(name: str, raw: str) -> float:
    try:
        value = float(raw)
    except ValueError as exc:
        raise RuntimeError(f"{name} must be a number, got {raw!r}") from exc
    if not math.isfinite(value) or value < 0:
        raise RuntimeError(f"{name} must be a number of seconds, got {raw!r}")
    return value


def _parse_str(name: str, raw: str) -> str:
    return raw


# The types a setting read from the environment may have, and how each is parsed.
PARSERS: dict[str, Callable[[str, str], Any]] = {
    "str": _parse_str,
    "str | None": _parse_str,
    "int": _parse_int,
    "int | None": _parse_int,
    "seconds": _parse_seconds,
    "bool": _parse_bool,
}
TYPES = (*PARSERS, "float", "list[str]", "dict", "dict | None")


def default_settings(instance_path: str) -> dict[str, Any]:
    """The default of every setting (no environment needed: the `make run` case)."""
    return {setting.name: setting.default_for(instance_path) for setting in SETTINGS}


def read_settings_file(path: str) -> dict[str, str]:
    """The `VARIABLE=value` lines of a settings file ({} when there is no such file).

    Blank lines and lines starting with `#` are skipped, an `export ` prefix
    and quotes around the value are dropped (the file may also be sourced by
    a shell or used as a systemd `EnvironmentFile`).
    """
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}
    values: dict[str, str] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        name, equals, value = line.removeprefix("export ").partition("=")
        if not equals or not name.strip():
            raise RuntimeError(f"{path}, line {number}: expected VARIABLE=value, got {line!r}")
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        values[name.strip()] = value
    return values


def settings_environ(instance_path: str, environ: Mapping[str, str] | None = None
                     ) -> dict[str, str]:
    """The environment with the settings file's variables underneath (the environment wins)."""
    environ = os.environ if environ is None else environ
    path = environ.get("ELICIT_SETTINGS_FILE") or _settings_file_in(Path(instance_path))
    return {**read_settings_file(path), **environ}


def environment_settings(environ: Mapping[str, str] | None = None) -> dict[str, Any]:
    """Settings given in the environment; absent or empty variables are left out.

    A bool is true for 1/true/yes/on (any case), false for anything else; a
    number that does not parse stops the start with an error naming the
    variable; blank numbers count as unset.
    """
    environ = os.environ if environ is None else environ
    settings: dict[str, Any] = {}
    for setting in SETTINGS:
        variable = setting.variable
        raw = environ.get(variable) if variable else None
        if not raw:
            continue
        if setting.type in ("int", "int | None", "seconds") and not raw.strip():
            continue
        value = PARSERS[setting.type](variable, raw)
        settings[setting.name] = setting.clean(value) if setting.clean else value
    return settings


# --- the reference ---------------------------------------------------------------------------

def _shown(value: Any) -> str:
    if isinstance(value, FromInstance):
        return f"`{value.shown}`"
    if value is None:
        return "unset"
    if isinstance(value, bool):
        return "`true`" if value else "`false`"
    if isinstance(value, list):
        return ", ".join(f"`{item}`" for item in value)
    if value == "":
        return "empty"
    return f"`{value}`"


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def reference() -> str:
    """docs/reference/configuration.md, generated from the table."""
    lines = [
        "# Configuration reference",
        "",
        "<!-- Generated from elicit/settings_table.py; do not edit by hand. Regenerate with:",
        f"     {REGENERATE}",
        "     tests/test_settings_table.py fails when this file and the table differ. -->",
        "",
        "Every setting elicit reads. `create_app()` loads them in this order, each step",
        "overriding the one before: the **defaults** below, then the **settings file**",
        "(`SETTINGS_FILE`, `VARIABLE=value` lines), then the **environment**",
        "(settings with a variable in the second column), then the mapping passed to",
        "`create_app()` (the pytest configuration, `create_app(\"testing\")`, is such a",
        "mapping). Settings without a variable can only be given in that mapping.",
        "",
        "In the environment an empty variable counts as unset; `bool` settings are true",
        "for `1`, `true`, `yes` or `on` (any case) and false otherwise; `int` and",
        "`seconds` (a non-negative number) settings that do not parse stop the start with",
        "an error naming the variable. `<instance>` is the Flask instance folder",
        "(`instance/` next to the code).",
        "",
    ]
    for title, group in SECTIONS:
        lines += [f"## {title}", "",
                  "| Setting | Environment | Type | Default | What it does |",
                  "|---|---|---|---|---|"]
        for setting in group:
            variable = f"`{setting.variable}`" if setting.variable else "–"
            lines.append(f"| `{setting.name}` | {variable} | {_cell(setting.type)} | "
                         f"{_cell(_shown(setting.default))} | {_cell(setting.doc)} |")
        lines.append("")
    lines += ["## Not settings", "",
              "Variables read outside the application:", "",
              "| Variable | Default | What it does |", "|---|---|---|"]
    lines += [f"| `{name}` | {default} | {doc} |" for name, default, doc in OTHER_VARIABLES]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    sys.stdout.write(reference())
