"""Delphi feedback: what the panel answered in the previous round, anonymously.

For round N+1 each question shows the expert's own round-N answer, the
panel's median and interquartile range with a small distribution, and the
panel's rationales without names. Anything computed from fewer than
MIN_RESPONSES answers is withheld, so nobody's answer can be singled out.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import lazy_loader
from sqlalchemy import select

import analysis
from elicit.extensions import db
from elicit.models import (
    AnchoringMode,
    Criterion,
    Invitation,
    Judgment,
    Option,
    OptionComment,
    Response,
    ResponseStatus,
    Round,
)
from elicit.services.responses import answering
from elicit.services.responses.inputs import AnswerSet, JudgmentInput
from elicit.services.responses.rules import is_answered

np = lazy_loader.load("numpy")

MIN_RESPONSES = 3
PROBABILITY_BINS = 10


@dataclass(frozen=True)
class Bin:
    """One bar of the distribution: its label and how many experts fall in it."""

    label: str
    count: int


@dataclass(frozen=True)
class Summary:
    """The panel's answers to one option × criterion (percentages for probabilities)."""

    n: int
    median: float
    q1: float
    q3: float
    iqr: float
    bins: tuple[Bin, ...]
    percent: bool
    own: float | None = None

    @property
    def max_count(self) -> int:
        return max((b.count for b in self.bins), default=0)

    @property
    def own_bin(self) -> int | None:
        """The position of the bar that holds the expert's own previous answer, if any."""
        if self.own is None:
            return None
        if self.percent:  # as numpy.histogram: [0, 10), [10, 20), …, [90, 100]
            return min(int(self.own // (100 / PROBABILITY_BINS)), PROBABILITY_BINS - 1)
        labels = [b.label for b in self.bins]
        value = int(self.own)
        for text in (f"{value:+d}", str(value)):
            if text in labels:
                return labels.index(text)
        return None


@dataclass
class OptionFeedback:
    """Feedback for one option: a summary per criterion (None = withheld) and rationales."""

    option_id: int
    summaries: dict[int, Summary | None] = field(default_factory=dict)
    rationales: list[str] = field(default_factory=list)
    own: dict[int, JudgmentInput] = field(default_factory=dict)
    own_rationale: str = ""


@dataclass
class RoundFeedback:
    """The previous round's feedback shown beside the questions of the current round."""

    round_number: int
    responses: int
    anchoring: str
    options: dict[int, OptionFeedback] = field(default_factory=dict)
    # True when the expert submitted in that round: their own answers are shown.
    own_submitted: bool = False

    @property
    def withheld(self) -> bool:
        return self.responses < MIN_RESPONSES

    def for_option(self, option_id: int) -> OptionFeedback:
        return self.options.get(option_id) or OptionFeedback(option_id=option_id)


def previous_round(round_: Round) -> Round | None:
    """The round before this one in the same study, if any."""
    return db.session.scalar(select(Round).where(Round.study_id == round_.study_id,
                                                 Round.number == round_.number - 1))


def feedback_for(invitation: Invitation, options: Sequence[Option]) -> RoundFeedback | None:
    """The panel's feedback from the round before the invitation's round (None in round 1)."""
    before = previous_round(invitation.round)
    if before is None:
        return None
    study = invitation.expert.study
    responses = db.session.scalars(
        select(Response).where(Response.round_id == before.id,
                               Response.status == ResponseStatus.SUBMITTED)
    ).all()
    result = RoundFeedback(round_number=before.number, responses=len(responses),
                           anchoring=study.anchoring)
    own = next((r for r in responses if r.expert_id == invitation.expert_id), None)
    result.own_submitted = own is not None
    values, rationales = _panel_answers([r.id for r in responses])
    for option in options:
        item = OptionFeedback(option_id=option.id)
        for criterion in study.criteria:
            own_answer = _own_judgment(own, option.id, criterion.id)
            if own_answer is not None:
                item.own[criterion.id] = own_answer
            item.summaries[criterion.id] = None if result.withheld else summarize(
                criterion, values.get((option.id, criterion.id), []),
                own=_display_value(criterion, own_answer))
        if not result.withheld:
            item.rationales = sorted(rationales.get(option.id, []), key=str.casefold)
        if own is not None:
            item.own_rationale = next((c.rationale for c in own.comments
                                       if c.option_id == option.id), "")
        result.options[option.id] = item
    return result


def _panel_answers(response_ids: list[int]) -> tuple[dict, dict]:
    values: dict[tuple[int, int], list[Judgment]] = defaultdict(list)
    rationales: dict[int, list[str]] = defaultdict(list)
    if not response_ids:
        return values, rationales
    for j in db.session.scalars(select(Judgment).where(Judgment.response_id.in_(response_ids),
                                                       Judgment.abstained.is_(False))):
        values[(j.option_id, j.criterion_id)].append(j)
    for c in db.session.scalars(select(OptionComment).where(
            OptionComment.response_id.in_(response_ids), OptionComment.rationale != "")):
        rationales[c.option_id].append(c.rationale)
    return values, rationales


def _own_judgment(response: Response | None, option_id: int,
                  criterion_id: int) -> JudgmentInput | None:
    if response is None:
        return None
    for j in response.judgments:
        if j.option_id == option_id and j.criterion_id == criterion_id:
            return JudgmentInput(value=j.value, lowest=j.lowest, best=j.best, highest=j.highest,
                                 confidence=j.confidence, abstained=j.abstained)
    return None


def _display_value(criterion: Criterion, answer: JudgmentInput | None) -> float | None:
    """The number an answer contributes to the summary, in display units."""
    if answer is None or answer.abstained:
        return None
    raw = answer.best if criterion.four_step else answer.value
    if raw is None:
        return None
    # Rounded so that 0.3 lands in the 30–40 % bar, not just below it.
    return round(raw * 100, 9) if criterion.is_probability else raw


def summarize(criterion: Criterion, judgments: Iterable[Judgment],
              own: float | None = None) -> Summary | None:
    """Median, quartiles and a histogram of the panel's answers; None under MIN_RESPONSES."""
    numbers = [v for v in (_display_value(criterion, JudgmentInput(
        value=j.value, best=j.best)) for j in judgments) if v is not None]
    if len(numbers) < MIN_RESPONSES:
        return None
    data = np.asarray(numbers, dtype=float)
    q1, median, q3 = np.percentile(data, [25, 50, 75])
    spread = float(analysis.iqr(data.reshape(-1, 1))[0])
    return Summary(n=len(numbers), median=float(median), q1=float(q1), q3=float(q3),
                   iqr=spread, bins=_bins(criterion, data), percent=criterion.is_probability,
                   own=own)


def _bins(criterion: Criterion, data: np.ndarray) -> tuple[Bin, ...]:
    if criterion.is_probability:
        edges = np.linspace(0, 100, PROBABILITY_BINS + 1)
        counts, _ = np.histogram(data, bins=edges)
        return tuple(Bin(f"{edges[i]:.0f}–{edges[i + 1]:.0f} %", int(c))
                     for i, c in enumerate(counts))
    return tuple(Bin(f"{v:+d}" if criterion.scale_min < 0 and v else str(v),
                     int(np.sum(data == v)))
                 for v, _label in criterion.scale_points())


def revealed_options(anchoring: str, criteria: Sequence[Criterion], options: Sequence[Option],
                     saved: AnswerSet) -> set[int]:
    """Options whose feedback may be shown now.

    With anchoring 'before' every option's; with 'after' only those for which
    the expert has already saved a new answer (or abstention) on every criterion.
    """
    if anchoring == AnchoringMode.BEFORE:
        return {o.id for o in options}
    return {o.id for o in options
            if all(is_answered(c, saved.judgments.get((o.id, c.id), JudgmentInput()))
                   for c in criteria)}


def previous_answers(invitation: Invitation, options: Sequence[Option]) -> AnswerSet | None:
    """The expert's own submitted answers of the previous round, for the options asked now.

    None in round 1 and when the expert submitted nothing in the previous round.
    """
    before = previous_round(invitation.round)
    if before is None:
        return None
    response = db.session.scalar(select(Response).where(
        Response.round_id == before.id, Response.expert_id == invitation.expert_id,
        Response.status == ResponseStatus.SUBMITTED))
    if response is None:
        return None
    stored = answering.current_answers(response)
    asked = {o.id for o in options}
    criteria = {c.id for c in invitation.expert.study.criteria}
    questions = {q.id for q in invitation.expert.study.seed_questions}
    return AnswerSet(
        judgments={k: v for k, v in stored.judgments.items()
                   if k[0] in asked and k[1] in criteria},
        rationales={k: v for k, v in stored.rationales.items() if k in asked},
        expertise={k: v for k, v in stored.expertise.items() if k in asked},
        seeds={k: v for k, v in stored.seeds.items() if k in questions})
