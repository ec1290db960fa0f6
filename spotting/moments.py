"""What an answer shows of a match: the spots the answer policy keeps, each with the team and player its
commentary tells, less the goals the score timeline rules out, plus the goals no spot shows that the
running score the commentary says places (the commentary says "1-0 for PSG": a goal came just before).

The tools (``tools.spots.SpotCache``) and the evaluation (``evaluation.answers``) both take a match's
answer from here, so what a user is shown is exactly what the answer-level metrics score.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from index.types import Match

from .answers import AnswerPolicy, MatchAnswer
from .attribution import MatchAttribution, analyse
from .keywords import DEFAULT_HALF_WIDTH_S as HALF_WIDTH_S
from .types import Spot


@dataclass(frozen=True)
class MatchMoments:
    """One match's answer: its spots (by half, start and class), the policy's answer behind them (and the
    classes it found fewer of than the final score implies), and the attribution (teams, score timeline)."""

    spots: tuple[Spot, ...]
    answer: MatchAnswer
    attribution: MatchAttribution


def match_moments(policy: AnswerPolicy, match: Match, spots: Sequence[Spot]) -> MatchMoments:
    """The answer of ``match`` from its spotter's ``spots`` (and, for the classes the policy borrows, the
    spots of the back end it borrows them from)."""
    spots = policy.rescored(match, with_borrowed(policy, match, spots))
    answer = policy.answer(match, spots)
    kept = {(s.half, s.position_ms) for s in answer.spots if s.label == "Goal"}
    doubtful = [g for g in policy.calibrated("Goal", spots, TIMELINE_GOAL_FLOOR) if (g.half, g.position_ms) not in kept]
    considered = sorted((*answer.spots, *doubtful), key=lambda s: (s.half, s.start, s.label))
    attribution = analyse(match, considered)
    shown = sorted((*_credible(attribution), *_placed_goals(attribution)), key=lambda s: (s.half, s.start, s.label))
    return MatchMoments(tuple(shown), answer, attribution)


# Goal peaks the policy's count left out still go before the score timeline down to this calibrated
# confidence: it keeps the ones the final score and the running score make goals (out of fold, valid:
# Goal recall 0.50 -> 0.54 at precision 0.58; at 0.02 the timeline keeps too many, precision 0.14).
TIMELINE_GOAL_FLOOR = 0.05


def with_borrowed(policy: AnswerPolicy, match: Match, spots: Sequence[Spot]) -> list[Spot]:
    """``spots`` with each borrowed class's spots taken from the back end the policy borrows it from."""
    if not policy.borrowed:
        return list(spots)
    own = [s for s in spots if s.label not in policy.borrowed]
    lent = []
    for backend in set(policy.borrowed.values()):
        classes = {label for label, name in policy.borrowed.items() if name == backend}
        lent += one_per_remark([s for s in _lender(backend).spot(match) if s.label in classes])
    return own + lent


# The lexicon finds a spot at every remark of a class, and a commentator says a booking or a foul several
# times ("yellow card… he's booked… a caution for Terry"): its spots of one class this close are one moment.
# Out of fold (valid, one-to-one within 30 s), every borrowed class gains answer F1: Yellow card precision
# 0.35 -> 0.42 at recall 0.64, Foul 0.40 -> 0.46 at 0.41 -> 0.40, Offside 0.41 -> 0.47 at 0.55, Corner
# 0.47 -> 0.50 at 0.53 -> 0.51; at 30 s corners taken one after another begin to merge (recall 0.46).
SAME_REMARK_S = 20.0


def one_per_remark(spots: Sequence[Spot]) -> list[Spot]:
    """Of each class's spots closer than ``SAME_REMARK_S`` to the one before, the clearest only."""
    kept: list[Spot] = []
    for spot in sorted(spots, key=lambda s: (s.label, s.half, s.start)):
        last = kept[-1] if kept else None
        if last and (last.label, last.half) == (spot.label, spot.half) and spot.start - last.start <= SAME_REMARK_S:
            kept[-1] = spot if spot.confidence > last.confidence else last
            continue
        kept.append(spot)
    return kept


@lru_cache(maxsize=4)
def _lender(backend: str):
    from .registry import make_spotter  # the registry knows every back end; a lender is made once

    return make_spotter(backend)


def _credible(attribution: MatchAttribution) -> tuple[Spot, ...]:
    """The attributed spots, of the goals only the clearest spot of each goal on the score timeline: not the
    goals it discarded (more goals found than the final score and the running score the commentary say
    allow: "Marco Asensio is a genius" is no goal), nor those it never weighed (beyond ``MAX_GOALS``), and of
    a goal found twice one spot: a 2-2 match shows four goals, not six."""
    clearest = [max(goal.spots, key=lambda s: s.confidence) for goal in attribution.timeline.goals if goal.spots]
    kept = {(s.half, s.position_ms) for s in clearest}
    return tuple(s for s in attribution.spots if s.label != "Goal" or (s.half, s.position_ms) in kept)


# A running score is said about this long after its goal (out-of-fold, valid split: placing the goal this
# much before the mention finds a labelled goal within 30 s for 0.54 of them; at the mention itself 0.50).
SAID_AFTER_S = 20.0
# The share of such placed goals that were goals (the same check): their confidence, like any calibrated one.
PLACED_GOAL_CONFIDENCE = 0.5
PLACED = "score timeline"


def _placed_goals(attribution: MatchAttribution) -> list[Spot]:
    """A spot for each goal the score timeline needs but no spot shows, just before the mention that needs it,
    with that mention as its evidence."""
    said = {(m.half, m.seconds): m for m in attribution.mentions}
    placed = []
    for goal in attribution.timeline.goals:
        if goal.found:
            continue
        at = max(0.0, goal.seconds - SAID_AFTER_S)
        mention = said.get((goal.half, goal.seconds))
        evidence = f"the commentary's running score: “{mention.text}”" if mention and mention.text else ""
        placed.append(Spot("Goal", goal.half, max(0.0, at - HALF_WIDTH_S), at + HALF_WIDTH_S, round(at * 1000),
                           PLACED_GOAL_CONFIDENCE, evidence, PLACED, goal.team))  # fmt: skip
    return placed
