"""CSV imports at the documented maximum: a 5,000-row panel and a 5,000-row options file.

Each import goes through the service the organizer page calls
(`importer.import_panel`, `csv_import.import_options_csv`): decode, check
every row (e-mail syntax, duplicates, lengths), insert, audit, commit — into
a fresh, migrated SQLite database (``--db postgresql`` or ``both`` for
PostgreSQL). The reference, measured in the same run on the same database,
is a plain ``executemany`` of the same rows into the same table (no checks,
no audit): the ratio says what validation and bookkeeping cost on top of the
bare insert. Goal: each in under 3 s (issue 18, item 5; the gunicorn timeout
is 30 s; before, 5,000 panel rows and a 6,000-row options file — refused past
row 5,000 only after checking every row against every other — timed out).

    python benchmarks/csv_import.py [--quick] [--db sqlite|postgresql|both] [--out PATH]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from _harness import emit, record  # noqa: E402
from results_page import database, make_app, postgres_available  # noqa: E402

GOAL_SECONDS = 3.0


def panel_csv(rows: int) -> bytes:
    lines = ["name,email,affiliation,group,language,expertise"]
    lines += [f"Expert {n},expert{n}@example.org,Institute {n % 50},group {n % 7},en,"
              f"{n % 5 + 1}" for n in range(rows)]
    return ("\n".join(lines) + "\n").encode()


def options_csv(rows: int) -> bytes:
    lines = ["title,description"] + [f"Option {n},Do thing number {n}." for n in range(rows)]
    return ("\n".join(lines) + "\n").encode()


def _fresh_study(app):
    from elicit.extensions import db
    from elicit.models import Membership, Role, Study, User

    user = User(email=f"bench-{time.monotonic_ns()}@example.org", name="b", password_hash="x")
    study = Study(title=f"Bench {time.monotonic_ns()}", briefing="")
    db.session.add_all([user, study, Membership(user=user, study=study, role=Role.OWNER)])
    db.session.commit()
    return study, user


def _reference(app, table: str, rows: list[dict]) -> float:
    from sqlalchemy import insert

    from elicit.extensions import db

    start = time.perf_counter()
    db.session.execute(insert(db.metadata.tables[table]), rows)
    db.session.commit()
    return time.perf_counter() - start


def measure(kind: str, n_panel: int, n_options: int) -> list[dict]:
    from elicit.services.panel import importer
    from elicit.services.studies import csv_import

    records = []
    with database(kind) as url:
        app = make_app(url)
        with app.app_context():
            study, user = _fresh_study(app)
            data = panel_csv(n_panel)
            start = time.perf_counter()
            result = importer.import_panel(study, data, actor_id=user.id)
            elapsed = time.perf_counter() - start
            assert result.imported == n_panel, result
            other, _ = _fresh_study(app)
            reference = _reference(app, "experts", [
                {"study_id": other.id, "name": f"Expert {n}", "email": f"e{n}@example.org",
                 "affiliation": "", "group": "", "language": "en"} for n in range(n_panel)])
            records.append(record(f"panel CSV, {n_panel:,} rows ({kind})", elapsed, "s",
                                  f"< {GOAL_SECONDS:g} s", elapsed < GOAL_SECONDS,
                                  reference=reference, ratio=elapsed / reference))

            study, user = _fresh_study(app)
            start = time.perf_counter()
            count = csv_import.import_options_csv(study, options_csv(n_options), actor_id=user.id)
            elapsed = time.perf_counter() - start
            assert count == n_options
            other, _ = _fresh_study(app)
            reference = _reference(app, "options", [
                {"study_id": other.id, "position": n + 1, "title": f"Option {n}",
                 "description": f"Do thing number {n}."} for n in range(n_options)])
            records.append(record(f"options CSV, {n_options:,} rows ({kind})", elapsed, "s",
                                  f"< {GOAL_SECONDS:g} s", elapsed < GOAL_SECONDS,
                                  reference=reference, ratio=elapsed / reference))
    return records


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="1,000 rows each")
    parser.add_argument("--db", choices=("sqlite", "postgresql", "both"), default="sqlite")
    parser.add_argument("--out")
    args = parser.parse_args()
    n_panel, n_options = (1000, 1000) if args.quick else (5000, 5000)
    kinds = ["sqlite", "postgresql"] if args.db == "both" else [args.db]
    records = []
    for kind in kinds:
        if kind == "postgresql" and not postgres_available():
            continue
        records += measure(kind, n_panel, n_options)
    emit(records, args.out)


if __name__ == "__main__":
    main()
