"""Access decorators used by every blueprint."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import wraps

from flask import abort, current_app, g, redirect, request, url_for
from flask_login import current_user

from elicit.errors import Conflict, Forbidden, NotFound
from elicit.services.accounts import access
from elicit.services.studies import finished
from elicit.web import show_refusal

# What a finished (read-only) study still accepts: reopening, deleting, cloning, the team.
STILL_ALLOWED_WHEN_FINISHED = ("organize.reopen_study", "organize.delete_study",
                               "organize.clone_study", "organize.team.")


def study_role(roles: Iterable = access.READ_ROLES) -> Callable:
    """Require a signed-in user holding one of `roles` on the `study_id` in the URL.

    The study is put in `g.study`. Anonymous callers get 401 (JSON) or the
    login page; strangers get 404 so ids reveal nothing; weaker roles 403.
    A write (POST…) to a finished study goes back to the study page with the
    read-only message, unless it is one of STILL_ALLOWED_WHEN_FINISHED.
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
            if request.method not in ("GET", "HEAD", "OPTIONS") \
                    and finished.is_finished(g.study) \
                    and not (request.endpoint or "").startswith(STILL_ALLOWED_WHEN_FINISHED):
                show_refusal(Conflict(finished.READ_ONLY))
                return redirect(url_for("organize.show_study", study_id=g.study.id))
            return view(*args, **kwargs)

        return wrapped

    return decorator
