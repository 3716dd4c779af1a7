"""Write an expert's answers to their rows with a few set-wise statements, no ORM objects.

Saving a form used to load every judgment, comment and calibration answer of
the response as ORM objects, set each attribute and let the unit of work
compare them: about 5 ms of CPU per save for the demo's 43 rows. Here the
existing rows are read as plain tuples, and only what differs is written: one
DELETE, one executemany UPDATE and one multi-row INSERT per table at most.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import Any

from sqlalchemy import Select, Table, Update, bindparam, delete, insert, inspect, select, update

from elicit.extensions import db
from elicit.models import Judgment, OptionComment, Response, SeedAnswer
from elicit.models.base import utcnow
from elicit.services.responses.inputs import AnswerSet

JUDGMENT_PARTS = ("value", "lowest", "best", "highest", "confidence", "abstained")
SEED_PARTS = ("q05", "q50", "q95", "abstained")
COMMENT_PARTS = ("rationale", "expertise")
COLLECTIONS = ("judgments", "comments", "seed_answers")

# (values, empty): an empty answer removes its row (judgments, calibration answers);
# a comment row, once there, is kept and updated, empty or not.
Wanted = Mapping[tuple, tuple[tuple, bool]]


def write_answers(response: Response, answers: AnswerSet) -> None:
    """Make the response's rows equal to `answers`, updating rows in place."""
    judgments = {key: (tuple(getattr(a, n) for n in JUDGMENT_PARTS), a.is_empty)
                 for key, a in answers.judgments.items()}
    comments = {}
    for option_id in set(answers.rationales) | set(answers.expertise):
        text = answers.rationales.get(option_id, "")
        level = answers.expertise.get(option_id)
        comments[(option_id,)] = ((text, level), not text and level is None)
    seeds = {(q,): (tuple(getattr(a, n) for n in SEED_PARTS), a.is_empty)
             for q, a in answers.seeds.items()}
    deleted = set()
    deleted |= _sync(Judgment.__table__, response.id, ("option_id", "criterion_id"),
                     JUDGMENT_PARTS, judgments, keep_empty=False)
    deleted |= _sync(OptionComment.__table__, response.id, ("option_id",), COMMENT_PARTS,
                     comments, keep_empty=True)
    deleted |= _sync(SeedAnswer.__table__, response.id, ("question_id",), SEED_PARTS, seeds,
                     keep_empty=False)
    response.updated_at = utcnow()
    _forget_loaded_rows(response, deleted)


def _sync(table: Table, response_id: int, keys: tuple[str, ...], parts: tuple[str, ...],
          wanted: Wanted, *, keep_empty: bool) -> set[tuple[str, int]]:
    """Write `wanted` into `table`'s rows of the response; the (table, id) pairs deleted."""
    c = table.c
    existing: dict[tuple, tuple[int, tuple]] = {}
    if wanted:
        for row in db.session.execute(_rows_of_response(table, keys, parts),
                                      {"response_id": response_id}):
            existing[tuple(row[1:1 + len(keys)])] = (row[0], tuple(row[1 + len(keys):]))
    to_delete: list[int] = []
    to_update: list[dict[str, Any]] = []
    to_insert: list[dict[str, Any]] = []
    for key, (values, empty) in wanted.items():
        found = existing.get(key)
        if found is None:
            if not empty:
                to_insert.append({"response_id": response_id, **dict(zip(keys, key, strict=False)),
                                  **dict(zip(parts, values, strict=False))})
        elif empty and not keep_empty:
            to_delete.append(found[0])
        elif found[1] != values:
            to_update.append({"row_id": found[0],
                              **{f"new_{p}": v for p, v in zip(parts, values, strict=False)}})
    if to_delete:
        db.session.execute(delete(table).where(c.id.in_(to_delete)))
    if to_update:
        db.session.execute(_update_row(table, parts), to_update)
    if to_insert:
        db.session.execute(insert(table), to_insert)
    return {(table.name, row_id) for row_id in to_delete}


# Built once per table: a reused statement keeps its SQL cache key (see answering.py).
@functools.cache
def _rows_of_response(table: Table, keys: tuple[str, ...], parts: tuple[str, ...]) -> Select:
    c = table.c
    return select(c.id, *(c[k] for k in keys), *(c[p] for p in parts)).where(
        c.response_id == bindparam("response_id"))


@functools.cache
def _update_row(table: Table, parts: tuple[str, ...]) -> Update:
    return update(table).where(table.c.id == bindparam("row_id")).values(
        {p: bindparam(f"new_{p}") for p in parts})


def _forget_loaded_rows(response: Response, deleted: set[tuple[str, int]]) -> None:
    """Rows this request had loaded are stale now: reload them (and the lists) when read."""
    state = inspect(response)
    loaded = [name for name in COLLECTIONS if name not in state.unloaded]
    for name in loaded:
        for row in getattr(response, name):
            if (row.__tablename__, row.id) in deleted:
                db.session.expunge(row)
            else:
                db.session.expire(row)
    if loaded:
        db.session.expire(response, loaded)
