"""What an answer shows of a match: the spots the answer policy keeps, each with the team and player its
commentary tells, less the goals the score timeline rules out.

The tools (``tools.spots.SpotCache``) and the evaluation (``evaluation.answers``) both take a match's
answer from here, so what a user is shown is exactly what the answer-level metrics score.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from index.types import Match

from .answers import AnswerPolicy, MatchAnswer
from .attribution import MatchAttribution, analyse
from .types import Spot


@dataclass(frozen=True)
class MatchMoments:
    """One match's answer: its spots (by half, start and class), the policy's answer behind them (and the
    classes it found fewer of than the final score implies), and the attribution (teams, score timeline)."""

    spots: tuple[Spot, ...]
    answer: MatchAnswer
    attribution: MatchAttribution


def match_moments(policy: AnswerPolicy, match: Match, spots: Sequence[Spot]) -> MatchMoments:
    """The answer of ``match`` from its spotter's ``spots``."""
    answer = policy.answer(match, spots)
    attribution = analyse(match, sorted(answer.spots, key=lambda s: (s.half, s.start, s.label)))
    return MatchMoments(_credible(attribution), answer, attribution)


def _credible(attribution: MatchAttribution) -> tuple[Spot, ...]:
    """The attributed spots, less the goals the score timeline discarded: more goals found than the final
    score and the running score the commentary says allow ("Marco Asensio is a genius" is no goal)."""
    discarded = {(s.half, s.position_ms) for goal in attribution.timeline.discarded for s in goal.spots}
    return tuple(s for s in attribution.spots if s.label != "Goal" or (s.half, s.position_ms) not in discarded)
