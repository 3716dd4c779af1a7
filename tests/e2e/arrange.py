"""Set the stage for a journey through the services, in the live server's database.

A journey tests what a person does in the browser; what happened before it
(a study built, a round answered) is arranged here directly, so each journey
runs on its own study and does not depend on another test having run.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from elicit.demo.loader import demo_content
from elicit.services.responses.inputs import AnswerSet, JudgmentInput, SeedInput

# Names of the panel of a journey's study (e-mails are derived from them).
PANEL = ("Claire Dubois", "Samuel Chen", "Priya Natarajan", "Tomás Herrera", "Hana Sato")


@dataclass(frozen=True)
class StudyStage:
    """A study ready for a journey: its id, title, option titles and expert links."""

    id: int
    title: str
    options: list[str]
    links: dict[str, str]  # expert name -> personal link of the open round


def definition(title: str, *, anchoring: str = "after", options: int = 3,
               four_step: bool = True, seeds: int = 2) -> dict:
    """A study definition with the demo's wording: likelihood, impact and seed questions."""
    content = demo_content()
    likelihood, impact = content["criteria"][:2]
    return {
        "format": "elicit-study", "version": 1, "title": title,
        "briefing": content["briefing"], "languages": ["en", "fr"], "anchoring": anchoring,
        "consensus_rule": {"kind": "iqr", "threshold": 1.0, "criterion": "Impact"},
        "options": [{"title": o["title"], "description": o["description"]}
                    for o in content["options"][:options]],
        "criteria": [{**likelihood, "four_step": four_step}, impact],
        "seed_questions": content["seed_questions"][:seeds],
    }


class Arrange:
    """Builds studies, panels and answers with the app's services (one app context each)."""

    def __init__(self, app) -> None:
        self.app = app

    def organizer(self) -> tuple[str, str]:
        """The demo organizer's e-mail and password (they own every arranged study)."""
        from elicit.demo.loader import demo_password

        with self.app.app_context():
            return demo_content()["organizer"]["email"], demo_password()

    def study(self, *, anchoring: str = "after", options: int = 3, four_step: bool = True,
              seeds: int = 2, panel: tuple[str, ...] = PANEL[:3],
              languages: dict[str, str] | None = None) -> StudyStage:
        """A study with round 1 open for `panel` (their recorded language: `languages`)."""
        from elicit.extensions import db
        from elicit.models import User
        from elicit.services.panel import experts
        from elicit.services.rounds import lifecycle
        from elicit.services.studies.definition import import_definition

        title = f"Journey study {secrets.token_hex(3)}"
        with self.app.app_context():
            email, _password = self.organizer()
            owner = db.session.query(User).filter_by(email=email).one()
            study = import_definition(owner, definition(
                title, anchoring=anchoring, options=options, four_step=four_step, seeds=seeds),
                source="test")
            for name in panel:
                experts.add_expert(study, name=name, email=_email(name),
                                         group="academia" if len(name) % 2 else "government",
                                         language=(languages or {}).get(name, "en"))
            db.session.commit()
            round_ = lifecycle.launch_next_round(study)
            links = {link.name: link.link for link in experts.links_for_round(round_)}
            return StudyStage(study.id, title, [o.title for o in study.options], links)

    def submit(self, study_id: int, answers: dict[str, dict]) -> None:
        """Submit answers in the open round: {expert name: {option position: (p, impact, why)}}.

        `p` is a plain probability (studies with `four_step=False`) or a
        (lowest, highest, best, confidence) tuple; seed questions get fixed answers.
        """
        from elicit.extensions import db
        from elicit.models import Study
        from elicit.services.responses import answering
        from elicit.services.rounds import lifecycle

        with self.app.app_context():
            study = db.session.get(Study, study_id)
            round_ = lifecycle.open_round(study)
            likelihood, impact = study.criteria
            for expert in study.experts:
                if expert.name not in answers:
                    continue
                invitation = next(i for i in expert.invitations if i.round_id == round_.id)
                answering.record_consent(invitation)
                answer_set = AnswerSet()
                for option in study.options:
                    p, value, why = answers[expert.name][option.position]
                    answer_set.judgments[(option.id, likelihood.id)] = (
                        JudgmentInput(lowest=p[0], highest=p[1], best=p[2], confidence=p[3])
                        if isinstance(p, tuple) else JudgmentInput(value=p))
                    answer_set.judgments[(option.id, impact.id)] = JudgmentInput(value=value)
                    answer_set.rationales[option.id] = why
                for question in study.seed_questions:
                    answer_set.seeds[question.id] = SeedInput(q05=1, q50=10, q95=100)
                answering.save_answers(invitation, answer_set, submit=True)

    def analyst(self, *study_ids: int) -> tuple[str, str]:
        """A new analyst account on the given studies: (e-mail, password)."""
        from elicit.extensions import db
        from elicit.models import Study
        from elicit.services.accounts import team, users

        email, password = f"analyst-{secrets.token_hex(3)}@example.org", secrets.token_urlsafe(12)
        with self.app.app_context():
            user = users.create_user(email, password, name="Ana Lyst")
            for study_id in study_ids:
                team.add_member(db.session.get(Study, study_id), email=email, role="analyst",
                                actor_id=user.id)
        return email, password


def _email(name: str) -> str:
    ascii_name = name.lower().replace("á", "a").replace(" ", ".")
    return f"{ascii_name}@example.org"
