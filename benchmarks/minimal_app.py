"""The reference for benchmarks/web_submit.py: a Flask app answering every request with a constant.

Served by the same gunicorn command (workers, worker class) as ``wsgi:app``;
it answers GET and POST on any path, /healthz included.
"""

from __future__ import annotations

from flask import Flask

app = Flask(__name__)


@app.route("/", defaults={"path": ""}, methods=["GET", "POST"])
@app.route("/<path:path>", methods=["GET", "POST"])
def constant(path: str) -> str:
    """Answer with the same short text whatever was asked."""
    return "ok"
