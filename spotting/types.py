"""What a spotter predicts, and the interface every back end implements."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from index.types import HALVES, Match


@dataclass(frozen=True, slots=True)
class Spot:
    """A predicted action: the interval a user sees, and the anchor the average-mAP scores."""

    label: str  # one of index.classes.LABELS
    half: int
    start: float  # seconds from the start of the half's video
    end: float
    position_ms: int  # anchor (SoccerNet's "position")
    confidence: float  # in [0, 1]
    evidence: str = ""  # the commentary the prediction rests on
    backend: str = ""
    team: str = ""  # "home"/"away" when the back end (or spotting.attribution) knows it
    player: str = ""  # the player(s) the commentary names for it, as written ("Leo Messi"; a substitution's two)


class Spotter(Protocol):
    """A back end that spots actions in a match's halves.

    Implementations: the embedded commentary model (default), the keyword baseline, LLMs over
    any OpenAI-compatible endpoint, local transformers, and Qwen2-VL on video.
    """

    name: str

    def spot(self, match: Match, halves: Sequence[int] = (1, 2)) -> list[Spot]: ...


@dataclass(frozen=True)
class GameSpots:
    """One game's spots and the parts of it a back end could not read (an LLM's chunks that got no
    reply), so a run can tell a complete game from a partial one."""

    spots: list[Spot]
    failed: tuple[str, ...] = ()  # e.g. "half 1 at 60-120 s"


def spot_game(spotter: Spotter, match: Match, halves: Sequence[int] = HALVES) -> GameSpots:
    """``spotter.spot`` with the failures of the back ends that can fail part of a game (they
    implement ``spot_game``); the others read a game whole or raise."""
    partial = getattr(spotter, "spot_game", None)
    return partial(match, halves) if partial is not None else GameSpots(spotter.spot(match, halves))
