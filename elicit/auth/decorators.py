"""Access decorators used by every blueprint."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import wraps

from flask import abort, current_app, g, request
from flask_login import current_user

from elicit.errors import Forbidden, NotFound
from elicit.services.accounts import access


def study_role(roles: Iterable = access.READ_ROLES) -> Callable:
    """Require a signed-in user holding one of `roles` on the `study_id` in the URL.

    The study is put in `g.study`. Anonymous callers get 401 (JSON) or the
    login page; strangers get 404 so ids reveal nothing; weaker roles 403.
    """
    allowed = tuple(roles)

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:
                if request.path.startswith("/api/"):
                    abort(401)
                return current_app.login_manager.unauthorized()
            try:
                g.study = access.study_for(current_user, kwargs["study_id"], allowed)
            except NotFound:
                abort(404)
            except Forbidden:
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator
