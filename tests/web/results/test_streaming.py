"""A million judgment rows download as CSV with bounded server memory."""

from __future__ import annotations

import itertools

import pytest

from elicit.extensions import db
from elicit.models import Criterion, Membership, Option, Role, Round, Study
from elicit.models.base import utcnow
from tests.factories import PASSWORD, make_user

EXPERTS, OPTIONS = 1000, 500  # × 2 criteria = 1,000,000 judgment rows
LIMIT_MB = 100


def _rss_mb() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS")


def _copy_rows(connection, table: str, columns: tuple[str, ...], rows) -> None:
    """Bulk-load rows with the driver itself: COPY on PostgreSQL, executemany on SQLite."""
    raw = connection.connection.driver_connection
    names = ", ".join(f'"{c}"' for c in columns)
    if connection.dialect.name == "postgresql":
        with raw.cursor() as cursor, cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
    else:
        marks = ", ".join("?" for _ in columns)
        cursor = raw.cursor()
        while chunk := list(itertools.islice(rows, 50_000)):
            cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})", chunk)
        cursor.close()


def _large_study() -> int:
    owner = make_user()
    study = Study(title="Large study", briefing="")
    study.options = [Option(position=i, title=f"Option {i}") for i in range(1, OPTIONS + 1)]
    study.criteria = [Criterion(position=1, name="Likelihood", kind="probability", weight=1.0),
                      Criterion(position=2, name="Impact", kind="scale", scale_min=-3,
                                scale_max=3, weight=1.0)]
    round_ = Round(study=study, number=1, status="open", opened_at=utcnow())
    db.session.add_all([study, Membership(user=owner, study=study, role=Role.ANALYST)])
    db.session.flush()
    connection = db.session.connection()
    now = utcnow()
    _copy_rows(connection, "experts", ("study_id", "number", "name", "email", "affiliation",
                                       "group", "language", "created_at"),
               iter([(study.id, e + 1, f"Expert {e}", f"e{e}@example.org", "", "AB"[e % 2],
                      "en", now) for e in range(EXPERTS)]))
    expert_ids = db.session.execute(db.text(
        "SELECT id FROM experts WHERE study_id = :s ORDER BY id"), {"s": study.id}).scalars()
    _copy_rows(connection, "responses", ("expert_id", "round_id", "status", "version",
                                         "created_at", "updated_at", "submitted_at"),
               iter([(e, round_.id, "submitted", 1, now, now, now) for e in expert_ids]))
    # the million judgments are generated inside the database: one INSERT … SELECT
    db.session.execute(db.text(
        "INSERT INTO judgments (response_id, option_id, criterion_id, value, abstained) "
        "SELECT r.id, o.id, c.id, CASE WHEN c.kind = 'probability' THEN 0.5 ELSE 1.0 END, "
        "false FROM responses r CROSS JOIN options o CROSS JOIN criteria c "
        "WHERE r.round_id = :r AND o.study_id = :s AND c.study_id = :s"),
        {"r": round_.id, "s": study.id})
    db.session.commit()
    return study.id


@pytest.mark.slow
def test_a_million_rows_stream_with_bounded_memory(app, client, auth):
    with app.app_context():
        study_id = _large_study()
        db.session.remove()
    auth.login("owner@example.org", PASSWORD)
    before = peak = _rss_mb()
    response = client.get(f"/studies/{study_id}/downloads/judgments?format=csv",
                          buffered=False)
    assert response.status_code == 200
    lines = size = 0
    first = None
    for n, chunk in enumerate(response.response):
        text = chunk.decode() if isinstance(chunk, bytes) else chunk
        first = first or text.split("\n", 2)[:2]
        lines += text.count("\n")
        size += len(text)
        if n % 50 == 0:
            peak = max(peak, _rss_mb())
    response.close()
    peak = max(peak, _rss_mb())
    assert lines == EXPERTS * OPTIONS * 2 + 1
    assert first[0].startswith("round,expert,group,option,criterion")
    assert first[1].startswith("1,E001,A,Option 1,Likelihood,probability,1.0,0.5,")
    assert peak - before < LIMIT_MB, f"memory grew {peak - before:.0f} MB streaming {size} bytes"
