"""Spotting a match once, and where its spots fall: match minutes, stoppage time, the team of a spot.

A spotter reads a whole match in one go; the cache keeps its spots per match, so a follow-up
("only the second half", "and corners?") is a filter over memory (``tools.query``), not another spotting run.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from functools import lru_cache

from index.teams import canonical_team, team_forms
from index.types import HALVES, Match
from index.words import normalise
from spotting.types import Spot, Spotter

log = logging.getLogger(__name__)

HALF_MINUTES = 45


def match_minute(half: int, seconds: float) -> float:
    """Minutes of the match elapsed at ``seconds`` into ``half``; a half's stoppage time counts as its 45th.

    Positions are measured from the start of the half's video (SoccerNet), which is close to its kick-off.
    """
    return HALF_MINUTES * (half - 1) + min(seconds / 60.0, HALF_MINUTES)


def in_stoppage_time(seconds: float) -> bool:
    return seconds >= HALF_MINUTES * 60


def spot_team(spot: Spot, match: Match) -> str | None:
    """The club a spot belongs to: the back end's ``home``/``away`` if it knows, else the one club its
    evidence names (only one of the two); ``None`` when unknown."""
    if spot.team in ("home", "away"):
        return canonical_team(match.home if spot.team == "home" else match.away)
    text = f" {normalise(spot.evidence)} "
    named = {team for form, team in _forms_of(match.home, match.away) if f" {form} " in text}
    return named.pop() if len(named) == 1 else None


@lru_cache(maxsize=1024)
def _forms_of(home: str, away: str) -> tuple[tuple[str, str], ...]:
    """Every spelling of the two clubs (normalised) with its canonical name."""
    teams = {canonical_team(home), canonical_team(away)}
    return tuple((form, team) for form, team in team_forms((home, away)).items() if team in teams)


def answer_threshold(spotter: Spotter) -> float:
    """The confidence an answer keeps: the spotter's own ``threshold`` where it has one (the embedded
    model returns every peak and carries the threshold chosen by cross-validation), else 0."""
    return float(getattr(spotter, "threshold", 0.0) or 0.0)


class SpotCache:
    """Spots per (spotter, match), computed on first use; safe to share between UI sessions.
    Only spots at or above the spotter's answer threshold are kept."""

    def __init__(self, spotter: Spotter) -> None:
        self.spotter = spotter
        self.threshold = answer_threshold(spotter)
        self._spots: dict[str, list[Spot]] = {}
        self._lock = threading.Lock()

    def spots(self, match: Match, halves: Sequence[int] = HALVES) -> list[Spot]:
        with self._lock:
            if match.id not in self._spots:
                log.info("spotting %s with %s", match.id, self.spotter.name)
                found = [s for s in self.spotter.spot(match, tuple(halves)) if s.confidence >= self.threshold]
                self._spots[match.id] = sorted(found, key=lambda s: (s.half, s.start, s.label))
            return self._spots[match.id]
