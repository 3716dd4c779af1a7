"""Security headers, health endpoints and log redaction."""

from __future__ import annotations

import logging

from elicit.request_log import redact_path
from elicit.services.common import tokens
from tests.factories import make_study


def test_every_page_sends_the_security_headers(client):
    response = client.get("/login")
    csp = response.headers["Content-Security-Policy"]
    script_src = next(p for p in csp.split("; ") if p.startswith("script-src"))
    assert script_src == "script-src 'self'"
    assert "frame-ancestors 'none'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert "Strict-Transport-Security" not in response.headers  # plain HTTP


def test_hsts_over_https(client):
    response = client.get("/login", base_url="https://localhost")
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")


def test_templates_have_no_inline_scripts(app):
    from pathlib import Path
    root = Path(app.root_path).parent / "templates"
    for template in root.rglob("*.html"):
        text = template.read_text(encoding="utf-8").lower()
        assert "<script>" not in text and " onclick=" not in text, template


def test_health_and_readiness(client):
    assert client.get("/healthz").get_json() == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200 and ready.get_json()["database"] == "ok"


def test_request_ids_are_returned_and_kept_when_sane(client):
    assert len(client.get("/healthz").headers["X-Request-Id"]) == 16
    kept = client.get("/healthz", headers={"X-Request-Id": "abc12345-from-lb"})
    assert kept.headers["X-Request-Id"] == "abc12345-from-lb"
    replaced = client.get("/healthz", headers={"X-Request-Id": "bad id; with <spaces>"})
    assert replaced.headers["X-Request-Id"] != "bad id; with <spaces>"


def test_link_tokens_never_reach_the_logs(app, client, caplog):
    with app.app_context():
        study = make_study()
        token = tokens.token_for(study.experts[0].invitations[0].token_nonce)
    # Listen on the logger itself: an app built earlier in this process without
    # TESTING gave it a console handler and stopped propagation to the root.
    request_logger = logging.getLogger("elicit.request")
    request_logger.addHandler(caplog.handler)
    try:
        with caplog.at_level(logging.INFO, logger="elicit.request"):
            client.get(f"/r/{token}")
            client.get("/r/not-a-real-token-but-long-enough-1234")
    finally:
        request_logger.removeHandler(caplog.handler)
    assert caplog.records, "the request log must have run"
    text = "\n".join(r.getMessage() for r in caplog.records)
    assert token not in text
    assert "/r/[redacted]" in text


def test_redact_path():
    assert redact_path("/r/abcdef") == "/r/[redacted]"
    assert redact_path("/respond") == "/respond"


def test_ids_beyond_the_database_range_are_404_not_500(app, client):
    assert client.get("/studies/99999999999999999999").status_code in (302, 404)
    assert client.get("/api/v1/studies/99999999999999999999").status_code == 404
