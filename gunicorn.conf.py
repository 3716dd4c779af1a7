"""gunicorn settings read from the project folder (`make run`, or `gunicorn wsgi:app` run here).

Importing the application loads no scientific library (they load on first
use, see docs/architecture.md), so a worker boots in well under a second. Each
worker then loads them in a background thread, so the first results page it
serves does not pay the ~1.3 s of imports. The thread runs only for elicit's
own app, never for another app served from this folder (the benchmarks'
minimal reference).
"""

from __future__ import annotations

import importlib
import threading

WARM_MODULES = ("pandas", "scipy.stats", "analysis.ranking", "analysis.consensus",
                "analysis.stability", "analysis.plots", "analysis.cooke.model", "openpyxl")


def warm_up() -> None:
    """Import what the results pages need (errors are left for the request to report)."""
    for name in WARM_MODULES:
        try:
            importlib.import_module(name)
        except Exception:  # noqa: BLE001, S112 - a failing import will fail again, in a request
            continue


def post_worker_init(worker) -> None:
    """gunicorn hook: start the warm-up once this worker has loaded the app."""
    if getattr(worker.wsgi, "import_name", None) == "elicit":
        threading.Thread(target=warm_up, name="elicit-warm-up", daemon=True).start()
