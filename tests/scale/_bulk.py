"""Many studies' worth of rows, written with bulk Core inserts (no ORM, no services).

The query-plan tests need tables large enough that PostgreSQL's planner
prefers an index where one exists: an institute with dozens of studies, each
with a panel answering every option in two rounds. Values satisfy every
CHECK constraint; the rows are not meant for the results maths.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from sqlalchemy import insert

from elicit.models import (
    Criterion,
    Expert,
    Invitation,
    Judgment,
    Option,
    OptionComment,
    OutboxMessage,
    Response,
    ResponseRevision,
    Round,
    Study,
)
from elicit.models.base import utcnow


@dataclass(frozen=True)
class Sizes:
    # 100 studies: one round is 1/200 of the data, far from the point (~1/80 here)
    # where reading the whole judgments table would cost the planner less.
    studies: int = 100
    experts: int = 40  # per study
    options: int = 6  # per study; two criteria each
    rounds: int = 2
    unanswered: int = 2  # the last experts of each panel have not answered the open round

    @property
    def responses(self) -> int:
        return self.studies * (self.experts * self.rounds - self.unanswered)

    @property
    def judgments(self) -> int:
        return self.responses * self.options * 2


def token_hash(study: int, expert: int, round_: int) -> str:
    """The stored hash of a made-up link token, reproducible by tests."""
    return hashlib.sha256(f"token-{study}-{expert}-{round_}".encode()).hexdigest()


def populate(conn, sizes: Sizes) -> None:
    """Insert `sizes` worth of studies, panels, invitations, responses and judgments."""
    now = utcnow()
    studies, options, criteria, rounds, experts = [], [], [], [], []
    invitations, responses, judgments, comments, revisions = [], [], [], [], []
    messages = []
    ids = {"option": 0, "criterion": 0, "round": 0, "expert": 0, "response": 0,
           "invitation": 0}

    def next_id(kind: str) -> int:
        ids[kind] += 1
        return ids[kind]

    for s in range(1, sizes.studies + 1):
        studies.append({"id": s, "title": f"Study {s}", "status": "active"})
        study_options = [next_id("option") for _ in range(sizes.options)]
        options += [{"id": o, "study_id": s, "position": n, "title": f"Option {n}"}
                    for n, o in enumerate(study_options, start=1)]
        likelihood, impact = next_id("criterion"), next_id("criterion")
        # executemany: every row of a table carries the same keys
        criteria += [{"id": likelihood, "study_id": s, "position": 1, "name": "Likelihood",
                      "kind": "probability", "four_step": False, "scale_min": None,
                      "scale_max": None},
                     {"id": impact, "study_id": s, "position": 2, "name": "Impact",
                      "kind": "scale", "four_step": False, "scale_min": -3, "scale_max": 3}]
        study_rounds = [next_id("round") for _ in range(sizes.rounds)]
        rounds += [{"id": r, "study_id": s, "number": n,
                    "status": "open" if n == sizes.rounds else "closed", "opened_at": now}
                   for n, r in enumerate(study_rounds, start=1)]
        for e in range(1, sizes.experts + 1):
            expert = next_id("expert")
            experts.append({"id": expert, "study_id": s, "number": e, "name": f"Expert {e}",
                            "email": f"e{e}@s{s}.example.org", "group": "AB"[e % 2]})
            for n, round_ in enumerate(study_rounds, start=1):
                invitation = next_id("invitation")
                invitations.append({"id": invitation, "expert_id": expert, "round_id": round_,
                                    "token_hash": token_hash(s, e, n),
                                    "token_nonce": f"{expert:016x}{n:016x}"})
                messages.append({"study_id": s, "expert_id": expert,
                                 "invitation_id": invitation, "kind": "invitation",
                                 "to_address": f"e{e}@s{s}.example.org", "subject": "Invited",
                                 "body": "Your link", "status": "sent", "sent_at": now})
                if n == sizes.rounds and e > sizes.experts - sizes.unanswered:
                    continue
                response = next_id("response")
                responses.append({"id": response, "expert_id": expert, "round_id": round_,
                                  "status": "submitted", "version": 1, "submitted_at": now})
                for k, option in enumerate(study_options):
                    judgments.append({"response_id": response, "option_id": option,
                                      "criterion_id": likelihood, "value": (e + k) % 10 / 10})
                    judgments.append({"response_id": response, "option_id": option,
                                      "criterion_id": impact, "value": float((e + k) % 7 - 3)})
                comments.append({"response_id": response, "option_id": study_options[0],
                                 "rationale": "Because."})
                revisions.append({"response_id": response, "version": 1,
                                  "answers": {"judgments": [], "rationales": {}}})
    for model, rows in ((Study, studies), (Option, options), (Criterion, criteria),
                        (Round, rounds), (Expert, experts), (Invitation, invitations),
                        (Response, responses), (Judgment, judgments),
                        (OptionComment, comments), (ResponseRevision, revisions),
                        (OutboxMessage, messages)):
        conn.execute(insert(model.__table__), rows)
    # Explicit ids were inserted: move the sequences past them for later inserts.
    for table in ("studies", "options", "criteria", "rounds", "experts", "invitations",
                  "responses"):
        conn.exec_driver_sql(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
            f"(SELECT max(id) FROM {table}))")
