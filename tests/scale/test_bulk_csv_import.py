"""Issue 18 item 5: CSV imports check and insert in bulk, so the documented maximum fits a request.

Each row used to cost a query and a flush (the panel) or a savepoint, a
query, a flush and a scan of every option already added (options, O(n²)):
5,000 panel rows and 6,000 options exceeded gunicorn's 30 s timeout. Counted
here as SQL statements, which do not depend on the machine: importing 400
rows sends (nearly) as many statements as importing 20 — the rows themselves
go out in batched INSERTs. The time at the documented maximum is a
`make bench` figure (benchmarks/csv_import.py), never asserted in a test.
"""

from __future__ import annotations

from sqlalchemy import func, select

from elicit.extensions import db
from elicit.models import AuditEvent, Expert, Option
from tests.factories import make_study, make_user
from tests.scale._statements import recorded


def _panel(rows: int, offset: int = 0) -> bytes:
    lines = ["name,email,group,expertise"] + [
        f"Expert {n},bulk{n}@example.org,g{n % 3},{n % 5 + 1}"
        for n in range(offset, offset + rows)]
    return ("\n".join(lines) + "\n").encode()


def _options(rows: int, offset: int = 0) -> bytes:
    lines = ["title,description"] + [f"Option {n},Do {n}." for n in range(offset, offset + rows)]
    return ("\n".join(lines) + "\n").encode()


def _writes(recorder) -> int:
    return len(recorder.queries())


def test_panel_and_options_imports_send_a_bounded_number_of_statements(app):
    from elicit.services.panel import importer
    from elicit.services.studies import csv_import

    with app.app_context():
        owner = make_user()
        counts = {}
        for size in (20, 400):
            study = make_study(owner, n_options=0, n_experts=0, launch=False,
                               title=f"Bulk {size}")
            with recorded(db.engine) as panel:
                assert importer.import_panel(study, _panel(size), actor_id=owner.id) \
                    .imported == size
            with recorded(db.engine) as options:
                assert csv_import.import_options_csv(study, _options(size),
                                                     actor_id=owner.id) == size
            counts[size] = (_writes(panel), _writes(options))
            assert db.session.scalar(select(func.count()).select_from(Expert).where(
                Expert.study_id == study.id)) == size
            positions = db.session.scalars(select(Option.position).where(
                Option.study_id == study.id).order_by(Option.position)).all()
            assert positions == list(range(1, size + 1))
            assert db.session.scalar(select(func.count()).select_from(AuditEvent).where(
                AuditEvent.study_id == study.id, AuditEvent.action == "option.add")) == size
        (small_panel, small_options), (big_panel, big_options) = counts[20], counts[400]
        # 20× the rows: a few more batches of INSERT at most, not one statement per row.
        assert big_panel <= small_panel + 10, counts
        assert big_options <= small_options + 10, counts


def test_bulk_import_still_refuses_duplicates_with_their_lines(app):
    from elicit.services.studies import csv_import

    with app.app_context():
        owner = make_user()
        study = make_study(owner, n_options=1, n_experts=0, launch=False)
        data = b"title\nOption 1\nNew\nNew\n"
        try:
            csv_import.import_options_csv(study, data, actor_id=owner.id)
        except Exception as exc:  # noqa: BLE001 - the refusal is what we look at
            text = str(getattr(exc, "messages", exc))
        else:
            raise AssertionError("duplicates were imported")
        assert "Line 2" in text and "already exists" in text
        assert "Line 4" in text and "also appears on line 3" in text
        assert db.session.scalar(select(func.count()).select_from(Option).where(
            Option.study_id == study.id)) == 1
