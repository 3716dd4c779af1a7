"""Small factories for tests (call inside an app context)."""

from __future__ import annotations

from typing import Any

from elicit.extensions import db
from elicit.models import Criterion, Membership, Option, Role, Study, User
from elicit.services import panel, rounds
from elicit.services.accounts import hash_password

PASSWORD = "correct horse battery"


def make_user(email: str = "owner@example.org", password: str = PASSWORD) -> User:
    user = User(email=email, name=email.split("@")[0], password_hash=hash_password(password))
    db.session.add(user)
    db.session.commit()
    return user


def make_study(owner: User | None = None, *, role: Role = Role.OWNER, n_options: int = 3,
               n_experts: int = 3, launch: bool = True, **overrides: Any) -> Study:
    """A study with options, a four-step likelihood and a −3…+3 impact criterion."""
    fields = {"title": "Test study", "briefing": "Please **judge**."} | overrides
    study = Study(**fields)
    for i in range(1, n_options + 1):
        study.options.append(Option(position=i, title=f"Option {i}", description=f"Do {i}."))
    study.criteria.append(Criterion(position=1, name="Likelihood", kind="probability",
                                    four_step=True, weight=1.0))
    study.criteria.append(Criterion(position=2, name="Impact", kind="scale", scale_min=-3,
                                    scale_max=3, weight=1.0,
                                    scale_labels={"-3": "Very harmful", "3": "Very beneficial"}))
    db.session.add(study)
    if owner is not None:
        db.session.add(Membership(user=owner, study=study, role=role))
    db.session.flush()
    for i in range(1, n_experts + 1):
        panel.add_expert(study, name=f"Expert {i}", email=f"expert{i}@example.org",
                         group="A" if i % 2 else "B")
    db.session.commit()
    if launch:
        rounds.launch_next_round(study)
    return study


def idea_fields(prefix: str, lowest, highest, best, confidence) -> dict[str, str]:
    """Form fields of an IDEA four-step answer (percentages as typed)."""
    return {f"{prefix}_lowest": str(lowest), f"{prefix}_highest": str(highest),
            f"{prefix}_best": str(best), f"{prefix}_confidence": str(confidence)}
