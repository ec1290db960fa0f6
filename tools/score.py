"""The score at a moment of a match, from the goals found and the final score.

The goals the spotter finds, with their teams, give a running score; the final score (from the
folder name, or the labels where they correct it) says how many there really were, so an answer can
say when the commentary shows fewer goals than the match had, instead of a wrong score.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from index.teams import canonical_team
from index.types import Match
from spotting.types import Spot

from .spots import spot_team


@dataclass(frozen=True, slots=True)
class ScoreAt:
    """The goals found up to a moment, by team, and how they compare with the final score."""

    match: Match
    home: int  # goals found for the home side
    away: int
    unknown: int  # goals found whose team the commentary does not tell
    goals: tuple[Spot, ...]

    @property
    def line(self) -> str:
        return f"{self.match.home} {self.home} - {self.away} {self.match.away}"


def score_at(match: Match, goals: Sequence[Spot]) -> ScoreAt:
    """The score after ``goals`` (the goals a query kept: up to half-time, to a minute, or all)."""
    home_name, away_name = canonical_team(match.home), canonical_team(match.away)
    teams = [spot_team(goal, match) for goal in goals]
    home, away = teams.count(home_name), teams.count(away_name)
    return ScoreAt(
        match=match,
        home=home,
        away=away,
        unknown=len(goals) - home - away,
        goals=tuple(goals),
    )


def missing_goals(match: Match, found: int) -> int:
    """How many of the match's goals (its final score) a list of ``found`` goals leaves out."""
    return max(0, match.home_score + match.away_score - found)
