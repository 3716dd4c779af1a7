"""Rationale themes of a round: computed by a background job, cached like the other results.

`request_themes` queues a ``themes`` job (closing a round does it too, see
`rounds.lifecycle.close_round`); the job runs `analysis.find_themes` on the
round's submitted rationales (experts under pseudonyms) and puts the result in
the database (`ThemeResult`, one row per round, so that every web process
sees it) and the results cache, under the round's data version: a new
submission to an open round makes the old themes out of date. Pages read them
with `cached_themes` and never compute in a request.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from typing import Any

import lazy_loader

import analysis
from elicit.extensions import db
from elicit.models import Job, JobStatus, Round, Study, ThemeResult
from elicit.models.base import utcnow
from elicit.services import jobs
from elicit.services.common import progress
from elicit.services.common.progress import N_
from elicit.services.results import cache, exports, frames

openpyxl = lazy_loader.load("openpyxl")

KIND = "themes"
SEED = 0  # the clustering's seed: the same rationales give the same themes


@dataclass(frozen=True)
class RoundThemes:
    """The themes of one round: per option title, and how they were computed."""

    round_number: int
    data_version: int
    options: dict[str, analysis.OptionThemes]
    provenance: dict[str, Any] | None

    def for_option(self, title: str) -> analysis.OptionThemes | None:
        """The option's themes (None when it had no submitted judgments)."""
        return self.options.get(title)


def _key(round_: Round) -> str:
    return cache.make_key(KIND, round_.id, round_.data_version)


def cached_themes(round_: Round) -> RoundThemes | None:
    """The round's themes if a job has computed them for its current data, else None."""
    store = cache.backend()
    found = store.get(_key(round_))
    if found is None:
        row = db.session.get(ThemeResult, round_.id)
        if row is not None and row.data_version == round_.data_version:
            found = _load(row.result)
            store.set(_key(round_), found)
    return found


def _dump(found: RoundThemes) -> dict[str, Any]:
    return {"round": found.round_number, "data_version": found.data_version,
            "provenance": found.provenance,
            "options": [{"option": o.option, "unassigned": list(o.unassigned),
                         "rationales": dict(o.rationales),
                         "themes": [asdict(t) for t in o.themes]}
                        for o in found.options.values()]}


def _load(data: dict[str, Any]) -> RoundThemes:
    options = {o["option"]: analysis.OptionThemes(
        option=o["option"], themes=[analysis.Theme(**t) for t in o["themes"]],
        unassigned=list(o["unassigned"]), rationales=dict(o["rationales"]))
        for o in data["options"]}
    return RoundThemes(round_number=int(data["round"]), data_version=int(data["data_version"]),
                       options=options, provenance=data["provenance"])


def job_parameters(round_: Round, url: str | None = None) -> dict[str, Any]:
    """What a ``themes`` job computes: the round as of its data version."""
    return {"study_id": round_.study_id, "round": round_.number,
            "data_version": round_.data_version, "url": url}


def latest_job(round_: Round) -> Job | None:
    """The newest ``themes`` job for the round's current data, whatever its status."""
    return jobs.latest(KIND, job_parameters(round_), study_id=round_.study_id)


def request_themes(round_: Round, *, user_id: int | None, url: str | None = None) -> Job:
    """Queue the job computing the round's themes (or return the one already at it)."""
    return jobs.enqueue(KIND, parameters=job_parameters(round_, url), study_id=round_.study_id,
                        user_id=user_id)


def state(round_: Round | None) -> tuple[RoundThemes | None, Job | None]:
    """The cached themes, or else the latest job for them (None, None: never asked)."""
    if round_ is None:
        return None, None
    found = cached_themes(round_)
    if found is not None:
        return found, None
    job = latest_job(round_)
    if job is not None and job.status == JobStatus.FINISHED:
        job = None  # finished, but its entry left the cache (or another process has it)
    return None, job


def compute(parameters: dict[str, Any]) -> dict[str, Any]:
    """The ``themes`` task's work: compute a round's themes into the results cache."""
    study = db.session.get(Study, int(parameters["study_id"]))
    if study is None or study.deleted_at is not None:
        raise LookupError(f"study {parameters['study_id']} no longer exists")
    round_ = next((r for r in study.rounds if r.number == int(parameters["round"])), None)
    if round_ is None:
        raise LookupError(f"study {study.id} has no round {parameters['round']}")
    progress.report(0.0, N_("Reading the rationales"))
    frame = frames.judgments_frame(round_)
    options: dict[str, analysis.OptionThemes] = {}
    provenance = None
    if not frame.empty:
        languages = list(study.languages or ["en"])
        with progress.stage(0.05, 0.95):
            found = analysis.find_themes(frame, round=round_.number, language=languages[0],
                                         seed=SEED, progress=progress.report)
        options = {o.option: o for o in found.options}
        provenance = found.provenance.to_dict()
    result = RoundThemes(round_number=round_.number, data_version=round_.data_version,
                         options=options, provenance=provenance)
    key, round_id, payload = _key(round_), round_.id, _dump(result)
    db.session.rollback()  # end the reading transaction: the write takes SQLite's lock at BEGIN
    with jobs.writing():
        row = db.session.get(ThemeResult, round_id) or ThemeResult(round_id=round_id)
        row.data_version, row.result, row.computed_at = result.data_version, payload, utcnow()
        db.session.add(row)
        db.session.commit()
    cache.backend().set(key, result)
    return {"url": parameters.get("url"),
            "themes": sum(len(o.themes) for o in options.values())}


def themes_or_job(round_: Round, *, user_id: int | None, url: str | None = None
                  ) -> RoundThemes | Job:
    """The round's themes if cached; otherwise the job computing them (queued if need be)."""
    found, job = state(round_)
    if found is not None:
        return found
    if job is None or job.status == JobStatus.FAILED and jobs.retry_at_once(job):
        job = request_themes(round_, user_id=user_id, url=url)
    return cached_themes(round_) or job


def to_dict(found: RoundThemes) -> dict[str, Any]:
    """JSON: the shape of ``python -m analysis themes --json`` plus each theme's labels."""
    options = []
    for option in found.options.values():
        entry = option.to_dict()
        for theme, out in zip(option.themes, entry["themes"], strict=True):
            out["labels"] = dict(theme.labels)
        options.append(entry)
    return {"round": found.round_number, "data_version": found.data_version,
            "options": options, "provenance": found.provenance}


def label(theme: analysis.Theme, language: str) -> str:
    """The theme's label in `language`, else in any language it has."""
    return theme.labels.get(language) or theme.label


def table(found: RoundThemes, language: str = "en") -> list[dict[str, Any]]:
    """One row per theme, for the downloads and the API (experts under pseudonyms)."""
    rows = []
    for option in found.options.values():
        for number, theme in enumerate(option.themes, start=1):
            rows.append({
                "round": found.round_number, "option": option.option, "theme": number,
                "label": label(theme, language), "label_en": theme.labels.get("en", ""),
                "label_fr": theme.labels.get("fr", ""), "size": theme.size,
                "leaning": theme.leaning, "p_value": theme.p_value,
                "keywords": "; ".join(theme.keywords), "representative": theme.representative,
                "experts": "; ".join(theme.experts)})
    return rows


TABLE_DICTIONARY = {
    "round": "Round number.",
    "option": "Option title.",
    "theme": "Theme number within the option (largest first).",
    "label": "Short name of the theme from its keywords (English when it has English "
             "rationales).",
    "label_en": "Label from the theme's English rationales (empty if none).",
    "label_fr": "Label from the theme's French rationales (empty if none).",
    "size": "Experts whose rationale is in the theme.",
    "leaning": "higher / lower: the theme's experts rated the option higher or lower than "
               "the rest of the panel (two-sided Mann-Whitney U, p < 0.05); mixed: both "
               "ways; neutral: neither.",
    "p_value": "p-value of the Mann-Whitney U test (empty when a side has under 2 experts).",
    "keywords": "Top terms of the theme (class-based TF-IDF).",
    "representative": "The rationale nearest the theme's centre, verbatim.",
    "experts": "The theme's experts, under pseudonyms.",
}


def table_csv(found: RoundThemes) -> Iterator[str]:
    """The themes table as CSV text (text that a spreadsheet would run is neutralised)."""
    rows = table(found)
    return exports.csv_chunks(list(TABLE_DICTIONARY), ([r[c] for c in TABLE_DICTIONARY]
                                                       for r in rows))


def table_xlsx(found: RoundThemes) -> bytes:
    """The themes table as a workbook: a ``themes`` sheet and its data dictionary."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "themes"
    sheet.append(list(TABLE_DICTIONARY))
    for row in table(found):
        sheet.append([_xlsx(row[c]) for c in TABLE_DICTIONARY])
    words = book.create_sheet("data dictionary")
    words.append(["column", "meaning"])
    for column, meaning in TABLE_DICTIONARY.items():
        words.append([column, meaning])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _xlsx(value: Any) -> Any:
    value = exports.neutralise(value)
    if isinstance(value, str):
        return openpyxl.cell.cell.ILLEGAL_CHARACTERS_RE.sub("", value)
    return value
