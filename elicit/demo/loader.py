"""Load the demo study: content from elicit/demo/, six simulated submissions."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from dataclasses import dataclass
from importlib import resources
from typing import Any

import lazy_loader
from flask import current_app
from sqlalchemy import select

from elicit.extensions import db
from elicit.models import SeedQuestion, Study, User
from elicit.services.accounts.users import hash_password
from elicit.services.panel import importer
from elicit.services.responses import answering
from elicit.services.responses.inputs import AnswerSet, JudgmentInput, SeedInput
from elicit.services.rounds import lifecycle
from elicit.services.studies import definition

np = lazy_loader.load("numpy")

DEMO_SEED = 20250531  # the Shangri-La speech; any fixed number would do


@dataclass(frozen=True)
class DemoInfo:
    study: Study
    organizer_email: str
    organizer_password: str
    created: bool


def demo_content() -> dict[str, Any]:
    """The demo study definition shipped in the package."""
    text = resources.files("elicit.demo").joinpath("strategic_flexibility.json").read_text(
        encoding="utf-8")
    return json.loads(text)


def demo_password() -> str:
    """The demo organizer's password, derived from SECRET_KEY (no literal in code)."""
    secret = current_app.config["SECRET_KEY"]
    digest = hmac.new(secret.encode() if isinstance(secret, str) else secret,
                      b"elicit demo organizer password", hashlib.sha256).digest()
    word = base64.b32encode(digest[:10]).decode("ascii").lower()
    return "-".join(word[i:i + 4] for i in range(0, 16, 4))


def find_demo() -> Study | None:
    """The demo study, if it was loaded."""
    return db.session.scalar(select(Study).where(Study.slug == demo_content()["slug"]))


def database_is_empty() -> bool:
    """True when no study exists at all."""
    return db.session.scalar(select(Study.id).limit(1)) is None


def load_demo() -> DemoInfo:
    """Create the demo study unless it exists; idempotent."""
    content = demo_content()
    organizer = content["organizer"]
    existing = find_demo()
    if existing is not None:
        return DemoInfo(existing, organizer["email"], demo_password(), created=False)
    user = _demo_organizer(organizer)
    study = _build_study(content, user)
    round_ = lifecycle.launch_next_round(study, actor_id=user.id)
    _simulate_answers(study, round_, content)
    return DemoInfo(study, organizer["email"], demo_password(), created=True)


def _demo_organizer(organizer: dict[str, str]) -> User:
    user = db.session.scalar(select(User).where(User.email == organizer["email"]))
    if user is None:
        user = User(email=organizer["email"], name=organizer["name"],
                    password_hash=hash_password(demo_password()))
        db.session.add(user)
        db.session.flush()
    return user


def _build_study(content: dict[str, Any], owner: User) -> Study:
    """The demo's definition and panel, through the same paths as any import."""
    study = definition.import_definition(owner, content, source="demo", slug=content["slug"])
    panel = [{k: v for k, v in item.items() if k != "answers"} for item in content["experts"]]
    importer.import_rows(study, panel, actor_id=owner.id)
    return study


def _simulate_answers(study: Study, round_, content: dict[str, Any]) -> None:
    rng = np.random.default_rng(DEMO_SEED)
    answered = [e for e, item in zip(study.experts, content["experts"], strict=True)
                if item["answers"]]
    for expert, skill in zip(answered, content["seed_skill"], strict=True):
        invitation = next(i for i in expert.invitations if i.round_id == round_.id)
        answering.record_consent(invitation)
        answers = _simulated_answer_set(study, content["profiles"], skill, rng)
        answering.save_answers(invitation, answers, submit=True)


def _simulated_answer_set(study: Study, profiles: list[dict[str, Any]], skill: float,
                          rng: np.random.Generator) -> AnswerSet:
    likelihood, impact, risk = study.criteria
    bias = rng.normal(0, 0.08)
    answers = AnswerSet()
    for option, profile in zip(study.options, profiles, strict=True):
        best = float(np.clip(profile["likelihood"] + bias + rng.normal(0, 0.1), 0.03, 0.97))
        spread = float(rng.uniform(0.08, 0.2))
        answers.judgments[(option.id, likelihood.id)] = JudgmentInput(
            lowest=round(max(0.0, best - spread), 2), best=round(best, 2),
            highest=round(min(1.0, best + spread), 2),
            confidence=float(rng.choice([0.6, 0.7, 0.8, 0.9])))
        value = int(np.clip(round(profile["impact"] + rng.normal(0, 0.9)), -3, 3))
        answers.judgments[(option.id, impact.id)] = JudgmentInput(value=float(value))
        danger = int(np.clip(round(profile["risk"] + rng.normal(0, 0.8)), 0, 4))
        answers.judgments[(option.id, risk.id)] = JudgmentInput(value=float(danger))
        answers.rationales[option.id] = profile["pro"] if value >= 1 else profile["con"]
    for question in study.seed_questions:
        answers.seeds[question.id] = _simulated_quantiles(question, skill, rng)
    return answers


def _simulated_quantiles(question: SeedQuestion, skill: float,
                         rng: np.random.Generator) -> SeedInput:
    """An expert's 5/50/95 % answer: error and width grow with `skill` (0 = sharp, right)."""
    truth = question.realization
    width = 0.15 + 2 * skill * float(rng.uniform(0.3, 1.0))
    if question.scale == "log":
        median = truth * float(np.exp(rng.normal(0, skill * 2 + 0.05)))
        low, high = median * np.exp(-1.645 * width), median * np.exp(1.645 * width)
        return SeedInput(q05=float(round(low)), q50=float(round(median)), q95=float(round(high)))
    median = truth + rng.normal(0, 2 + 20 * skill)
    return SeedInput(q05=float(round(median - 4 - 30 * width)), q50=float(round(median)),
                     q95=float(round(median + 4 + 30 * width)))
