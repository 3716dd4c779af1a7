"""elicit: structured expert elicitation (Flask application factory)."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask, request, session
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import IntegerConverter

from elicit import config as settings


class DatabaseIdConverter(IntegerConverter):
    """`<int:…>` in URLs: only values a database integer column can hold.

    A larger number is simply not a route (404), instead of an overflow error
    from PostgreSQL.
    """

    def __init__(self, map, *args, **kwargs):  # noqa: A002 - werkzeug's signature
        kwargs.setdefault("max", 2**31 - 1)
        super().__init__(map, *args, **kwargs)


def create_app(config: Mapping[str, Any] | str | None = None) -> Flask:
    """Build the application: defaults, then the environment, then `config`.

    `config` is a mapping of overrides, or the string ``"testing"`` for the
    pytest configuration.
    """
    app = Flask(
        __name__,
        template_folder=str(_beside_package("templates")),
        instance_relative_config=True,
    )
    configure(app, config)
    app.url_map.converters["int"] = DatabaseIdConverter
    register_extensions(app)
    register_blueprints(app)
    register_job_tasks(app)
    register_commands(app)
    register_errorhandlers(app)
    register_template_helpers(app)
    register_http_hooks(app)
    return app


def configure(app: Flask, config: Mapping[str, Any] | str | None) -> None:
    """Load settings in order: defaults, environment, explicit overrides (settings_table)."""
    # Imported here, not at the top: `python -m elicit.settings_table` imports this package.
    from elicit import settings_table

    app.config.from_mapping(settings_table.default_settings(app.instance_path))
    environment = settings_table.environment_settings(
        settings_table.settings_environ(app.instance_path))
    app.config.from_mapping(environment)
    if config == "testing":
        app.config.from_mapping(settings.testing_settings())
    elif isinstance(config, Mapping):
        app.config.from_mapping(config)
    elif config is not None:
        raise ValueError(f"config must be a mapping or 'testing', got {config!r}")
    # Which settings were given (not defaulted): the CLI warns when links use the default address
    app.extensions["elicit.settings_given"] = frozenset(environment) | frozenset(
        settings.testing_settings() if config == "testing" else config or ())
    if str(app.config["BASE_URL"]).startswith("https://") \
            and "SESSION_COOKIE_SECURE" not in environment:
        # Served over HTTPS: cookies must never travel in clear text.
        app.config["SESSION_COOKIE_SECURE"] = True
        app.config["REMEMBER_COOKIE_SECURE"] = True
    if not app.config["SECRET_KEY"]:
        if app.config["REDIS_URL"]:
            # Redis suggests several instances: each machine would make its own key.
            app.logger.warning("SECRET_KEY is not set: using instance/secret_key; every "
                               "instance behind a load balancer needs the same SECRET_KEY")
        app.config["SECRET_KEY"] = settings.instance_secret_key(app.instance_path)
    configure_scale_out(app)


def configure_scale_out(app: Flask) -> None:
    """Settings derived for running as one of many instances (see docs/operations/deploy.md)."""
    app.config["RATELIMIT_STORAGE_URI"] = settings.ratelimit_storage_uri(app.config,
                                                                         app.instance_path)
    if app.config["RATELIMIT_STORAGE_OPTIONS"] is None:
        redis = app.config["RATELIMIT_STORAGE_URI"].startswith(("redis", "rediss"))
        # A stalled Redis must not hang the login page: time out, count in memory.
        app.config["RATELIMIT_STORAGE_OPTIONS"] = (
            {"socket_connect_timeout": 2, "socket_timeout": 2} if redis else {})
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = settings.engine_options(app.config)
    hops = int(app.config["TRUSTED_PROXIES"] or 0)
    if hops:
        # Behind N proxies the client's address is the Nth from the right of
        # X-Forwarded-For; without this every client looks like the proxy and
        # all share one per-address rate limit.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)


def register_extensions(app: Flask) -> None:
    """Bind the extensions of `elicit.extensions` to this app."""
    from elicit import models  # noqa: F401  (register the tables)
    from elicit.extensions import babel, csrf, db, limiter, login_manager, mail, migrate
    from elicit.i18n import select_locale
    from elicit.services.accounts.users import load_session_user

    db.init_app(app)
    migrate.init_app(app, db, directory=_migrations_dir())
    csrf.init_app(app)
    limiter.init_app(app)
    mail.init_app(app)
    babel.init_app(app, locale_selector=select_locale)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.session_protection = "strong"
    # The session key (set at sign-in) lets *Sign out* end this one session for good.
    login_manager.user_loader(lambda user_id: load_session_user(user_id, session.get("key")))


def register_blueprints(app: Flask) -> None:
    """Mount one blueprint per role."""
    from elicit.account.views import bp as account_bp
    from elicit.api.views import bp as api_bp
    from elicit.auth.views import bp as auth_bp
    from elicit.jobs.views import bp as jobs_bp
    from elicit.ops.views import bp as ops_bp
    from elicit.organize.views import bp as organize_bp
    from elicit.respond.views import bp as respond_bp
    from elicit.results.views import bp as results_bp

    app.register_blueprint(auth_bp)
    app.register_blueprint(organize_bp)
    app.register_blueprint(respond_bp)
    app.register_blueprint(results_bp)
    app.register_blueprint(api_bp)
    app.register_blueprint(account_bp)
    app.register_blueprint(ops_bp)
    app.register_blueprint(jobs_bp)


def register_job_tasks(app: Flask) -> None:
    """Import the modules that register background-job tasks (`jobs.task`)."""
    from elicit.services.mail import tasks as mail_tasks  # noqa: F401
    from elicit.services.results import tasks as results_tasks  # noqa: F401


def register_commands(app: Flask) -> None:
    """Add the `flask` commands of elicit/cli.py."""
    from elicit.cli import register

    register(app)


def register_errorhandlers(app: Flask) -> None:
    """Render HTTP errors as pages (JSON under /api/)."""
    from elicit.errorpages import register

    register(app)


def register_template_helpers(app: Flask) -> None:
    """Filters and globals used by the templates."""
    from elicit.templating import register

    register(app)


def register_http_hooks(app: Flask) -> None:
    """Security headers, structured request logs, the input boundary on every request."""
    from elicit import input_guard, request_log, security
    from elicit.extensions import sqlite_write_intent

    security.register(app)
    request_log.register(app)
    input_guard.register(app)

    @app.before_request
    def _declare_write_intent() -> None:
        sqlite_write_intent.set(request.method not in ("GET", "HEAD", "OPTIONS"))

    if float(app.config["SCHEDULER_INTERVAL"] or 0) > 0:
        from elicit import scheduler

        @app.before_request
        def _start_the_scheduler() -> None:
            # A serving process ticks the scheduler (deadlines, reminders): elicit/scheduler.py.
            scheduler.ensure_started(app)


def _migrations_dir() -> str:
    return str(_beside_package("migrations"))


def _beside_package(name: str) -> Path:
    """`templates/` or `migrations/` at the repository root, else inside the installed package.

    The repository keeps both at its root; a wheel (`pip install .`) ships them
    as `elicit/templates/` and `elicit/migrations/`.
    """
    package = Path(__file__).resolve().parent
    checkout = package.parent / name
    return checkout if checkout.is_dir() else package / name
