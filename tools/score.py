"""The score at a moment of a match, as the commentary tells it.

``spotting.score_timeline`` decodes the goals found, the running score the commentary says ("2-1",
"takes the lead") and the final score together, so the score at half-time or at a minute counts goals
nobody spotted where the commentary's own score requires them, and says when it cannot be sure.
"""

from __future__ import annotations

from dataclasses import dataclass

from index.types import Match
from spotting.score_timeline import Score
from spotting.types import Spot

from .query import MomentQuery
from .spots import MatchMoments


@dataclass(frozen=True, slots=True)
class ScoreAt:
    """The score at the moment a query asks about, the goals found until then, and what limits it."""

    match: Match
    score: Score
    goals: tuple[Spot, ...]  # the goals found up to that moment
    missing: tuple[int, int]  # (home, away) goals of the final score that no spot shows
    note: str = ""  # the timeline's own caveat (the commentary and the final score disagree)

    @property
    def line(self) -> str:
        return f"{self.match.home} {self.score.home} - {self.score.away} {self.match.away}"


def score_at(match: Match, moments: MatchMoments, query: MomentQuery) -> ScoreAt:
    """The score at half-time (``query.half`` 1), before ``query.to_minute``, or at the end (neither)."""
    timeline = moments.attribution.timeline
    if query.half == 1 and query.to_minute is None:
        score = timeline.half_time
    elif query.to_minute is not None:
        score = timeline.score_at_minute(query.to_minute)
    else:
        score = timeline.full_time
    goals = tuple(query.select(moments.spots, match))
    return ScoreAt(match, score, goals, timeline.missing, timeline.note)
