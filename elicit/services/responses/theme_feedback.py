"""The previous round's themes as experts see them: approved, at least 3 experts, no names.

Only what an organizer approved (`results.theme_review`) is shown, and only
when the study's setting asks for it: `beside` the flat list of the panel's
rationales or `instead` of it. An expert sees a theme's label in their
language, its size, its leaning and its quote unless the organizer hid it;
never who is in it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select

from elicit.extensions import db
from elicit.models import Round, ThemeDisplay, ThemeReview, ThemeSetting
from elicit.services.responses import feedback

MIN_SHOWN = 3


@dataclass(frozen=True)
class ShownTheme:
    label: str
    size: int
    leaning: str
    quote: str | None


@dataclass(frozen=True)
class ShownThemes:
    """Themes per option id for an expert's form; `instead` hides the flat list."""

    round_number: int
    instead: bool
    options: dict[int, list[ShownTheme]] = field(default_factory=dict)

    def for_option(self, option_id: int) -> list[ShownTheme]:
        return self.options.get(option_id, [])


def _label(labels: dict[str, str], language: str) -> str:
    return labels.get(language) or labels.get("en") or next(iter(labels.values()), "")


def shown_themes(round_: Round, language: str) -> ShownThemes | None:
    """The approved themes of the round before `round_`, if the study shows them."""
    setting = db.session.get(ThemeSetting, round_.study_id)
    if setting is None or setting.experts_see == ThemeDisplay.OFF:
        return None
    before = feedback.previous_round(round_)
    if before is None:
        return None
    options: dict[int, list[ShownTheme]] = {}
    for review in db.session.scalars(select(ThemeReview).where(
            ThemeReview.round_id == before.id)):
        items = [ShownTheme(label=_label(t.get("labels") or {}, language),
                            size=int(t["size"]), leaning=str(t["leaning"]),
                            quote=t.get("quote"))
                 for t in review.themes if int(t.get("size", 0)) >= MIN_SHOWN]
        if items:
            options[review.option_id] = items
    return ShownThemes(round_number=before.number,
                       instead=setting.experts_see == ThemeDisplay.INSTEAD, options=options)


def apply(panel: feedback.RoundFeedback | None, shown: ShownThemes | None) -> None:
    """With `instead`, drop the flat list of rationales where approved themes replace it."""
    if panel is None or shown is None or not shown.instead:
        return
    for option_id in shown.options:
        if option_id in panel.options:
            panel.options[option_id].rationales = []
