"""The submit path and the results query use indexes on PostgreSQL (EXPLAIN checked).

An institute's database holds many studies: here 100 studies × 40 experts
× 2 rounds (about 94,000 judgments), written in bulk and ANALYZEd. The
statements are the ones the services really send, recorded while they run,
then EXPLAINed with their parameters:

- with the planner's own choices, the hot statements must read the big
  tables (judgments, responses, invitations) through an index, never a
  sequential scan;
- with sequential scans, hash and merge joins priced out (``enable_seqscan =
  off`` and friends), every statement must reach each big table it reads
  through an index bound to the index's first column: that asks whether an
  index *can* serve the query whatever the data's shape.

PostgreSQL only; under CI=true a missing server fails the run (conftest).
"""

from __future__ import annotations

import json
import re
import secrets
from collections.abc import Iterator

import pytest
from sqlalchemy import create_engine, select, text, update
from sqlalchemy.pool import NullPool

from elicit import create_app
from elicit.config import testing_settings as settings_for_tests
from elicit.extensions import db
from elicit.models import Invitation, Round
from elicit.services import results
from elicit.services.common import tokens
from elicit.services.panel import status
from elicit.services.responses import answering
from elicit.services.responses.inputs import AnswerSet, JudgmentInput
from tests.conftest import _truncate_all
from tests.scale._bulk import Sizes, populate, token_hash
from tests.scale._statements import recorded

pytestmark = pytest.mark.postgres

SIZES = Sizes()
# Tables that grow with studies × experts × rounds × options.
HOT = {"judgments", "responses", "invitations"}
FILLED = HOT | {"experts", "option_comments", "response_revisions",  # rows made in bulk
                "outbox_messages"}
BIG = FILLED | {"seed_answers", "audit_events"}
INDEX_NODES = {"Index Scan", "Index Only Scan", "Bitmap Index Scan"}


@pytest.fixture(scope="module")
def big_app(postgres_database) -> Iterator:
    """An app on a PostgreSQL database holding many studies, statistics up to date."""
    _truncate_all(postgres_database)
    engine = create_engine(postgres_database, poolclass=NullPool)
    with engine.begin() as conn:
        populate(conn, SIZES)
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("ANALYZE"))
    engine.dispose()
    app = create_app({**settings_for_tests(), "SQLALCHEMY_DATABASE_URI": postgres_database,
                      "SECRET_KEY": secrets.token_hex(32)})
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
    _truncate_all(postgres_database)


def plan(statement: str, parameters, *, indexes_only: bool = False, conn=None) -> dict:
    """EXPLAIN (FORMAT JSON) of a statement as sent, with its parameters (not executed).

    `indexes_only` prices out sequential scans, hash joins and merge joins:
    the planner must then reach every row through an index if any index
    can serve, so a table still read end to end has no usable index. The
    result carries the plan and, under "scans", what `scans()` finds in it.
    """
    if conn is None:
        with db.engine.connect() as conn:
            found = plan(statement, parameters, indexes_only=indexes_only, conn=conn)
            conn.rollback()
            return found
    if indexes_only:
        for setting in ("enable_seqscan", "enable_hashjoin", "enable_mergejoin"):
            conn.exec_driver_sql(f"SET LOCAL {setting} = off")
    raw = conn.exec_driver_sql(f"EXPLAIN (FORMAT JSON) {statement}",
                               parameters or {}).scalar_one()
    explained = (json.loads(raw) if isinstance(raw, str) else raw)[0]
    explained["scans"] = scans(explained["Plan"], leading_columns(conn))
    return explained


def leading_columns(conn) -> dict[str, tuple[str, str]]:
    """Each index's table and first column."""
    rows = conn.execute(text(
        "SELECT c.relname, t.relname, a.attname FROM pg_index i"
        " JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_class t ON t.oid = i.indrelid"
        " JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = i.indkey[0]"
        " WHERE t.relnamespace = 'public'::regnamespace")).all()
    return {index: (table, column) for index, table, column in rows}


def scans(node: dict, indexes: dict[str, tuple[str, str]]
          ) -> list[tuple[str, str | None, str | None]]:
    """(node type, table, index) of every scan in a plan tree.

    An index scan whose condition does not bind the index's first column
    walks the whole index: it is reported as "Full Index Scan", a table scan
    by another name (PostgreSQL takes that path when a missing index leaves
    it no other under ``enable_seqscan = off``).
    """
    found = []
    if "Relation Name" in node or "Index Name" in node:
        kind, table = node["Node Type"], node.get("Relation Name")
        index = node.get("Index Name")
        if index in indexes:
            table = indexes[index][0]
            if not re.search(rf"\b{indexes[index][1]}\b", node.get("Index Cond", "")):
                kind = "Full Index Scan"
        found.append((kind, table, index))
    for child in node.get("Plans", []):
        found += scans(child, indexes)
    return found


def seq_scanned(explained: dict, tables: set[str]) -> set[str]:
    """The tables of `tables` that the plan reads from end to end."""
    return {table for kind, table, _ in explained["scans"]
            if kind in ("Seq Scan", "Full Index Scan") and table in tables}


def index_used(explained: dict, table_or_index: str) -> bool:
    """Whether an index scan bound to its first column reads `table_or_index`."""
    return any(kind in INDEX_NODES and table_or_index in (table, index)
               for kind, table, index in explained["scans"])


def _link(app, study: int, expert: int, round_number: int) -> str:
    """A working link for a bulk-made invitation (its stored hash replaced)."""
    with app.app_context():
        invitation = db.session.scalar(select(Invitation).where(
            Invitation.token_hash == token_hash(study, expert, round_number)))
        token = tokens.token_for(invitation.token_nonce)
        db.session.execute(update(Invitation).where(Invitation.id == invitation.id)
                           .values(token_hash=tokens.hash_token(token)))
        db.session.commit()
    return token


def _full_answers(invitation) -> AnswerSet:
    likelihood, impact = invitation.expert.study.criteria
    answer_set = AnswerSet()
    for n, option in enumerate(invitation.expert.study.options):
        answer_set.judgments[(option.id, likelihood.id)] = JudgmentInput(value=n / 10)
        answer_set.judgments[(option.id, impact.id)] = JudgmentInput(value=float(n % 3))
    answer_set.rationales[invitation.expert.study.options[0].id] = "Seen it before."
    return answer_set


@pytest.fixture(scope="module")
def submit_statements(big_app) -> list[tuple[str, object]]:
    """Everything the database hears while an expert opens a link, consents and submits."""
    token = _link(big_app, study=7, expert=SIZES.experts, round_number=SIZES.rounds)
    with big_app.app_context(), recorded(db.engine) as recorder:
        invitation = answering.invitation_for_token(token)
        answering.record_consent(invitation)
        answering.save_answers(invitation, _full_answers(invitation), submit=True)
        db.session.remove()
    return recorder.queries()


def _one(statements, *needles: str) -> tuple[str, object]:
    found = [s for s in statements if all(n in s[0] for n in needles)]
    assert found, f"no statement with {needles}"
    return found[0]


def test_the_data_is_big_enough_to_matter(big_app):
    with big_app.app_context():
        counted = db.session.execute(text(
            "SELECT relname, reltuples FROM pg_class WHERE relname IN "
            "('judgments', 'responses', 'invitations')")).all()
    assert dict(counted)["judgments"] >= 0.9 * SIZES.judgments >= 80_000
    assert dict(counted)["responses"] >= 0.9 * SIZES.responses


def test_expert_link_is_found_through_the_token_hash_index(big_app, submit_statements):
    with big_app.app_context():
        explained = plan(*_one(submit_statements, "FROM invitations", "token_hash ="))
    assert index_used(explained, "uq_invitations_token_hash"), explained["scans"]


def test_response_upsert_and_lock_use_the_expert_round_unique_index(big_app, submit_statements):
    with big_app.app_context():
        upsert = plan(*_one(submit_statements, "INSERT INTO responses", "ON CONFLICT"))
        lock = plan(*_one(submit_statements, "FROM responses", "FOR UPDATE"))
    assert upsert["Plan"]["Conflict Arbiter Indexes"] == ["uq_responses_expert_id_round_id"]
    assert index_used(lock, "uq_responses_expert_id_round_id"), lock["scans"]


def test_judgments_of_a_response_are_read_through_an_index(big_app, submit_statements):
    with big_app.app_context():
        explained = plan(*_one(submit_statements, "FROM judgments", "judgments.response_id"))
    assert index_used(explained, "judgments"), explained["scans"]
    assert not seq_scanned(explained, HOT)


@pytest.mark.parametrize("indexes_only", [False, True], ids=["planner-choice", "index-possible"])
def test_no_statement_of_the_submit_path_scans_a_big_table(big_app, submit_statements,
                                                          indexes_only):
    # The planner rightly scans a table it knows to be empty: judge it on filled ones.
    tables = BIG if indexes_only else FILLED
    assert len(submit_statements) >= 8
    with big_app.app_context():
        offenders = {sql: seq_scanned(plan(sql, params, indexes_only=indexes_only), tables)
                     for sql, params in submit_statements}
    assert {sql: tables for sql, tables in offenders.items() if tables} == {}


def _study_rounds(round_numbers: tuple[int, ...]) -> list[Round]:
    return list(db.session.scalars(select(Round).where(
        Round.study_id == 7, Round.number.in_(round_numbers)).order_by(Round.number)))


def _results_statements(app, round_numbers: tuple[int, ...]) -> list[tuple[str, object]]:
    """What the results service sends to build the tidy frame of `round_numbers`."""
    with app.app_context(), recorded(db.engine) as recorder:
        rounds = _study_rounds(round_numbers)
        frame = results.judgments_frame(rounds[-1], rounds=rounds)
        db.session.remove()
    # (one more expert than made in bulk answered the open round when the submit test ran)
    assert len(frame) >= len(round_numbers) * (SIZES.experts - SIZES.unanswered) \
        * SIZES.options * 2
    return recorder.queries()


def _judgments_query(app, round_numbers: tuple[int, ...]) -> tuple[str, object]:
    """`results.judgments_query` (the exports' row source), compiled as sent."""
    with app.app_context(), recorded(db.engine) as recorder:
        ids = [r.id for r in _study_rounds(round_numbers)]
        db.session.execute(results.judgments_query(ids)).all()
        db.session.remove()
    return _one(recorder.queries(), "FROM judgments JOIN responses")


def test_results_queries_read_judgments_and_responses_through_indexes(big_app):
    statements = _results_statements(big_app, (SIZES.rounds,))
    statements.append(_judgments_query(big_app, (SIZES.rounds,)))
    with big_app.app_context():
        explained = [plan(*statement) for statement in statements]
    reading = [e for e in explained if {"judgments", "responses"} <= {t for _, t, _ in e["scans"]}]
    assert len(reading) >= 2, [e["scans"] for e in explained]  # the frame's and the query's
    for found in reading:
        assert index_used(found, "responses") and index_used(found, "judgments"), found["scans"]
    assert [e["scans"] for e in explained if seq_scanned(e, HOT)] == []


@pytest.mark.parametrize("round_numbers", [(2,), (1, 2)], ids=["one-round", "two-rounds"])
def test_an_index_can_serve_every_big_table_of_the_results_queries(big_app, round_numbers):
    statements = _results_statements(big_app, round_numbers)
    statements.append(_judgments_query(big_app, round_numbers))
    with big_app.app_context():
        explained = [plan(*statement, indexes_only=True) for statement in statements]
    assert [e["scans"] for e in explained if seq_scanned(e, BIG)] == []


def test_an_index_can_serve_the_panel_status_queries(big_app):
    with big_app.app_context(), recorded(db.engine) as recorder:
        round_ = db.session.scalar(select(Round).where(Round.study_id == 7,
                                                       Round.number == SIZES.rounds))
        statuses = status.expert_statuses(round_)
        db.session.remove()
    assert len(statuses) == SIZES.experts
    with big_app.app_context():
        offenders = {sql: seq_scanned(plan(sql, params, indexes_only=True), BIG)
                     for sql, params in recorder.queries()}
    assert any("outbox_messages.invitation_id IN" in sql for sql in offenders)
    assert {sql: tables for sql, tables in offenders.items() if tables} == {}


def test_the_check_notices_a_missing_index(big_app):
    """Drop the round index inside a transaction: the results query must fall back to a scan."""
    statement, parameters = _judgments_query(big_app, (SIZES.rounds,))
    with big_app.app_context(), db.engine.connect() as conn:
        conn.exec_driver_sql("DROP INDEX ix_responses_round_id")
        explained = plan(statement, parameters, indexes_only=True, conn=conn)
        conn.rollback()  # the index is back
    # uq_responses_expert_id_round_id still holds round_id, second: a full index walk
    assert "responses" in seq_scanned(explained, BIG), explained["scans"]
