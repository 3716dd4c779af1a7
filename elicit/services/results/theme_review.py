"""The organizer's review of a round's themes before experts see them, and the study setting.

Quotes are verbatim and can identify their author in a small panel, so
experts see an option's themes only once an organizer has approved them
(renamed, merged, quotes hidden as needed), and never a theme of fewer than
`MIN_SHOWN` experts; they never see who is in a theme.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select

import analysis
from elicit.errors import Conflict, ValidationFailed
from elicit.extensions import db
from elicit.models import Option, Round, Study, ThemeDisplay, ThemeReview, ThemeSetting
from elicit.models.base import utcnow
from elicit.services import audit
from elicit.services.results import frames
from elicit.services.results import themes as round_themes

MIN_SHOWN = 3
LANGUAGES = ("en", "fr")


@dataclass(frozen=True)
class ThemeEdit:
    """What the organizer asks for one computed theme (numbered from 0)."""

    index: int
    labels: dict[str, str]  # language -> new label; empty keeps the computed one
    merge_into: int | None = None
    hide_quote: bool = False


def experts_see(study: Study) -> str:
    """The study's setting: `off`, `beside` or `instead` (of the flat list of rationales)."""
    found = db.session.get(ThemeSetting, study.id)
    return found.experts_see if found else ThemeDisplay.OFF.value


def set_experts_see(study: Study, value: str, *, actor_id: int) -> str:
    """Choose whether experts see approved themes in later rounds."""
    if value not in tuple(ThemeDisplay):
        raise ValidationFailed({"experts_see": f"Choose one of {', '.join(ThemeDisplay)}."})
    found = db.session.get(ThemeSetting, study.id)
    before = found.experts_see if found else ThemeDisplay.OFF.value
    if found is None:
        found = ThemeSetting(study_id=study.id)
        db.session.add(found)
    found.experts_see = value
    audit.record("themes.setting", actor_type="user", actor_id=actor_id, study_id=study.id,
                 obj=study, details={"before": before, "after": value})
    db.session.commit()
    return value


def reviews(round_: Round) -> dict[int, ThemeReview]:
    """The round's approved themes by option id."""
    found = db.session.scalars(select(ThemeReview).where(ThemeReview.round_id == round_.id))
    return {r.option_id: r for r in found}


def _scores(round_: Round, option: Option):
    frame = frames.judgments_frame(round_)
    rows = frame[frame["option"] == option.title]
    if rows.empty:
        return None
    valid = analysis.ValidatedJudgments.from_frame(rows).frame
    return analysis.themes.expert_scores(valid)


def _check(edits: Sequence[ThemeEdit], count: int) -> None:
    errors: dict[str, str] = {}
    merged = {e.index for e in edits if e.merge_into is not None}
    for edit in edits:
        if not 0 <= edit.index < count:
            errors[f"t{edit.index}"] = "No such theme."
            continue
        for language, text in edit.labels.items():
            if language not in LANGUAGES:
                errors[f"t{edit.index}_label_{language}"] = "Unknown language."
            elif len(text.strip()) > ThemeReview.LABEL_MAX:
                errors[f"t{edit.index}_label_{language}"] = \
                    f"At most {ThemeReview.LABEL_MAX} characters."
        target = edit.merge_into
        if target is not None and (not 0 <= target < count or target == edit.index):
            errors[f"t{edit.index}_merge"] = "Choose another theme of this option."
        elif target is not None and target in merged:
            errors[f"t{edit.index}_merge"] = "That theme is itself merged into another."
    if errors:
        raise ValidationFailed(errors)


def approve(round_: Round, option: Option, edits: Sequence[ThemeEdit], *,
            actor_id: int) -> ThemeReview:
    """Approve an option's computed themes with the organizer's renames, merges and hidden quotes.

    :raise Conflict: when the round's themes are not computed (or changed since).
    :raise ValidationFailed: naming the field of a bad label or merge.
    """
    found = round_themes.cached_themes(round_)
    computed = found.for_option(option.title) if found else None
    if computed is None or not computed.themes:
        raise Conflict("This option has no computed themes to approve yet.")
    _check(edits, len(computed.themes))
    by_index = {e.index: e for e in edits}
    scores = _scores(round_, option)
    kept: dict[int, dict] = {}
    for i, theme in enumerate(computed.themes):
        edit = by_index.get(i, ThemeEdit(i, {}))
        if edit.merge_into is not None:
            continue
        labels = dict(theme.labels)
        labels.update({k: v.strip() for k, v in edit.labels.items() if v.strip()})
        kept[i] = {"labels": labels, "experts": list(theme.experts),
                   "keywords": list(theme.keywords), "leaning": theme.leaning,
                   "p_value": theme.p_value,
                   "quote": None if edit.hide_quote else theme.representative}
    for edit in edits:
        if edit.merge_into is not None:
            kept[edit.merge_into]["experts"] += list(computed.themes[edit.index].experts)
            kept[edit.merge_into]["merged"] = True
    snapshot = []
    for entry in kept.values():
        if entry.pop("merged", False) and scores is not None:
            entry["leaning"], entry["p_value"] = analysis.themes.theme_leaning(
                scores, entry["experts"])
        entry["size"] = len(entry["experts"])
        snapshot.append(entry)
    snapshot.sort(key=lambda t: -t["size"])
    review = db.session.scalar(select(ThemeReview).where(
        ThemeReview.round_id == round_.id, ThemeReview.option_id == option.id))
    if review is None:
        review = ThemeReview(round_id=round_.id, option_id=option.id)
        db.session.add(review)
    review.themes, review.data_version = snapshot, round_.data_version
    review.reviewed_by_id, review.reviewed_at = actor_id, utcnow()
    audit.record("themes.approve", actor_type="user", actor_id=actor_id,
                 study_id=round_.study_id, obj=option,
                 details={"round": round_.number, "themes": len(snapshot),
                          "merged": sum(e.merge_into is not None for e in edits),
                          "hidden_quotes": sum(e.hide_quote for e in edits)})
    db.session.commit()
    return review


def withdraw(round_: Round, option: Option, *, actor_id: int) -> None:
    """Take back an approval: experts no longer see this option's themes."""
    review = db.session.scalar(select(ThemeReview).where(
        ThemeReview.round_id == round_.id, ThemeReview.option_id == option.id))
    if review is None:
        raise Conflict("These themes are not approved.")
    db.session.delete(review)
    audit.record("themes.withdraw", actor_type="user", actor_id=actor_id,
                 study_id=round_.study_id, obj=option, details={"round": round_.number})
    db.session.commit()
