"""The moment query: "these moments of this match, filtered so", as one frozen, typed value.

The planner and the LLM agent produce it, the tools take it, answers and the session carry it, the
timeline and the API show it. A follow-up is the previous query with a field replaced
(``dataclasses.replace``); a new filter is one field here and one clause in ``MomentQuery.keeps``.
Each field carries the description an LLM reads in the tools' schemas (``agent.llm_tools``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, field, fields
from enum import StrEnum
from typing import Any

from index.types import Match
from spotting.types import Spot

from .spots import in_stoppage_time, match_minute, spot_team

HALF_WORDS = {1: "first half", 2: "second half"}


class Intent(StrEnum):
    """What a question asks for; every intent has exactly one handler in ``agent.planner``."""

    SPOTS = "spots"  # list the moments the query keeps
    COUNT = "count"  # how many there are
    REEL = "reel"  # cut them into one video
    SELECT = "select"  # one moment of the last list, in detail (the query's ordinal)
    WHO = "who"  # which team / who: the moments with their teams and players
    SCORE = "score"  # the score after the goals the query keeps (at half-time, at a minute, at the end)
    SUMMARY = "summary"
    MATCHES = "matches"  # list the matches that fit
    SEARCH = "search"  # commentary passages by meaning
    HELP = "help"
    TOO_LONG = "too_long"
    UNKNOWN_ACTION = "unknown_action"
    UNKNOWN_MATCH = "unknown_match"
    AMBIGUOUS_MATCH = "ambiguous_match"  # several matches fit: a question back, waiting for the reply
    NO_MATCH = "no_match"  # no match named and none in view: a question back
    NOTHING_TO_SELECT = "nothing_to_select"

    @property
    def lists_moments(self) -> bool:
        """Whether the answer is a list of moments a follow-up ("the second one") can pick from."""
        return self in _LISTING

    @property
    def asks_back(self) -> bool:
        """Whether the answer is a question to the user whose reply finishes the original question."""
        return self in (Intent.AMBIGUOUS_MATCH, Intent.NO_MATCH)


_LISTING = frozenset({Intent.SPOTS, Intent.COUNT, Intent.REEL, Intent.WHO, Intent.SCORE, Intent.SUMMARY})


def described(default: Any, description: str) -> Any:
    """A dataclass field with the description the LLM's tool schema shows for it."""
    return field(default=default, metadata={"description": description})


@dataclass(frozen=True, slots=True)
class MomentQuery:
    """Which moments of which match. Fields left at their default constrain nothing.

    As the LLM writes it, ``match`` may be a description and ``classes`` everyday words;
    ``tools.Toolbox.resolve`` returns the canonical form (match id, official class names in their
    order, a club of that match), which is what answers and sessions carry.
    """

    match: str | None = described(
        None, "The match: its id from find_matches, or a description such as 'Chelsea 2-2 Watford'."
    )
    classes: tuple[str, ...] = described(
        (),
        "Action classes (official names) or everyday words: 'goals', 'free-kicks', 'cards', 'subs', "
        "'chances', 'set pieces', 'highlights'. Empty: every class.",
    )
    half: int | None = described(None, "1 or 2: only that half.")
    from_minute: float | None = described(None, "Match minute the moments start from (second half: 45-90).")
    to_minute: float | None = described(None, "Match minute the moments end before (exclusive).")
    stoppage_time: bool = described(False, "Only moments in a half's added time.")
    team: str | None = described(None, "Only this club's moments (one of the two teams of the match).")
    ordinal: int | None = described(
        None, "Only the n-th of the moments (1 = first, -1 = last, -2 = second to last)."
    )

    def __post_init__(self) -> None:
        # A window from minute 0 has no lower bound: one canonical form, so "the first 20 minutes" is
        # ``to_minute=20`` however it was written (the planner, the LLM, a question set).
        if self.from_minute == 0:  # any other value is checked where the query is resolved
            object.__setattr__(self, "from_minute", None)

    def keeps(self, spot: Spot, match: Match) -> bool:
        """Whether ``spot`` of ``match`` is one of the moments asked for (the ordinal aside)."""
        if self.classes and spot.label not in self.classes:
            return False
        if self.half is not None and spot.half != self.half:
            return False
        minute = match_minute(spot.half, spot.start)
        if self.from_minute is not None and minute < self.from_minute:
            return False
        if self.to_minute is not None and minute >= self.to_minute:
            return False
        if self.stoppage_time and not in_stoppage_time(spot.start):
            return False
        return self.team is None or spot_team(spot, match) == self.team

    def select(self, spots: Sequence[Spot], match: Match) -> list[Spot]:
        """The moments of ``spots`` this query keeps, then its ordinal's one (none if out of range)."""
        kept = [s for s in spots if self.keeps(s, match)]
        return kept if self.ordinal is None else nth(kept, self.ordinal)

    @property
    def windowed(self) -> bool:
        """Whether the query narrows the match in time (a half, minutes or added time)."""
        return self.half is not None or self.from_minute is not None or self.to_minute is not None or self.stoppage_time

    def scope(self) -> str:
        """The filters in words, for an answer's heading: "second half, minutes 65-75, Chelsea only"."""
        parts = [HALF_WORDS[self.half]] if self.half in HALF_WORDS else []
        if self.from_minute is not None and self.to_minute is not None:
            parts.append(f"minutes {self.from_minute:g}-{self.to_minute:g}")
        elif self.from_minute is not None:
            parts.append(f"from minute {self.from_minute:g}")
        elif self.to_minute is not None:
            parts.append(f"before minute {self.to_minute:g}")
        if self.stoppage_time:
            parts.append("stoppage time")
        if self.team:
            parts.append(f"{self.team} only")
        return ", ".join(parts)

    def given(self) -> dict[str, Any]:
        """The fields set away from their defaults, as plain data (tool-call arguments, the API)."""
        defaults = {f.name: f.default for f in fields(self)}
        return {name: _plain(value) for name, value in asdict(self).items() if value != defaults[name]}


def nth(spots: Sequence[Spot], ordinal: int) -> list[Spot]:
    """The ``ordinal``-th spot (1-based; -1 the last) as a one-item list, or ``[]`` when there is none."""
    index = ordinal - 1 if ordinal > 0 else len(spots) + ordinal
    return [spots[index]] if 0 <= index < len(spots) else []


def _plain(value: Any) -> Any:
    return list(value) if isinstance(value, tuple) else value
