"""Spotting a match once, and where its spots fall: match minutes, stoppage time, the team of a spot.

A spotter reads a whole match in one go; the cache keeps what an answer needs of it per match (the spots
the answer policy keeps, each with the team and player its commentary tells, and the score timeline), so
a follow-up ("only the second half", "and corners?") is a filter over memory (``tools.query``), not
another spotting run.
"""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from collections.abc import Iterable, Sequence

from index.settings import SPOTTED_MATCHES
from index.teams import canonical_team
from index.types import HALVES, Match
from spotting.answers import AnswerPolicy
from spotting.moments import MatchMoments, match_moments
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
    """The club a spot belongs to (``spotting.attribution`` reads it from the commentary; a back end may
    know it too), or ``None`` when neither tells: a wrong team is worse than none."""
    if spot.team in ("home", "away"):
        return canonical_team(match.home if spot.team == "home" else match.away)
    return None


def answer_policy(spotter: Spotter) -> AnswerPolicy:
    """What an answer keeps of a match's spots: the spotter's own ``answer_policy`` where it has one
    (the embedded model's per-class cut-offs, calibration and goal count, chosen by cross-validation),
    else one cut-off for every class, its ``threshold`` (0 when it has none)."""
    policy = getattr(spotter, "answer_policy", None)
    if isinstance(policy, AnswerPolicy):
        return policy
    return AnswerPolicy.single(float(getattr(spotter, "threshold", 0.0) or 0.0))


class SpotCache:
    """A match's answer (the spots it keeps, and the classes it found fewer of than the final score
    implies) per (spotter, match), computed on first use; safe to share between UI sessions.

    Spotting a match takes a second or more, so it runs outside the cache's lock: while one user's match is
    spotted, every other user's follow-up on a match already in memory is answered at once, and two users
    asking about one new match wait for one spotting run. The cache keeps the ``capacity`` matches used last."""

    def __init__(self, spotter: Spotter, capacity: int = SPOTTED_MATCHES) -> None:
        self.spotter = spotter
        self.policy = answer_policy(spotter)
        self.capacity = capacity
        self._moments: OrderedDict[str, MatchMoments] = OrderedDict()
        self._spotting: dict[str, threading.Lock] = {}  # one lock per match being spotted
        self._lock = threading.Lock()

    def moments(self, match: Match, halves: Sequence[int] = HALVES) -> MatchMoments:
        """The match's moments, spotted, kept and attributed on first use, then from memory."""
        with self._lock:
            known = self._recall(match.id)
            if known is not None:
                return known
            spotting = self._spotting.setdefault(match.id, threading.Lock())
        with spotting:
            with self._lock:
                known = self._recall(match.id)
            if known is not None:
                return known
            log.info("spotting %s with %s", match.id, self.spotter.name)
            found = match_moments(self.policy, match, self.spotter.spot(match, tuple(halves)))
            with self._lock:
                self._moments[match.id] = found
                while len(self._moments) > self.capacity:
                    self._moments.popitem(last=False)
                self._spotting.pop(match.id, None)
            return found

    def _recall(self, match_id: str) -> MatchMoments | None:
        """The match's moments if in memory, marked as used last (the caller holds the lock)."""
        if match_id in self._moments:
            self._moments.move_to_end(match_id)
        return self._moments.get(match_id)

    def spots(self, match: Match, halves: Sequence[int] = HALVES) -> list[Spot]:
        """The spots the answer keeps, with teams and players, by half, start and class."""
        return list(self.moments(match, halves).spots)

    def forget(self, match_ids: Iterable[str]) -> None:
        """Drop the answers of matches whose commentary changed (a match added again with ``--force``)."""
        with self._lock:
            for match_id in match_ids:
                self._moments.pop(match_id, None)
