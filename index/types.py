"""Core value types of the corpus: what a match, its commentary and its events are.

Times follow SoccerNet: a position is measured from the start of that half's video.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

HALVES: tuple[int, int] = (1, 2)
# A half's video is never near this long (45 min + stoppage + a long delay): a label or a commentary
# time past it is a corrupt file, refused at load, so no chunking or index sizes itself by it.
MAX_HALF_S = 3 * 3600


@dataclass(frozen=True, slots=True)
class Segment:
    """One ASR segment of commentary."""

    half: int
    start: float  # seconds from the start of the half's video
    end: float
    text: str
    source: str  # Echoes version it came from, e.g. "whisper_v2" or "whisper_v2_en"
    language: str = ""  # ISO 639-1 code of the text, "" when unknown


@dataclass(frozen=True, slots=True)
class Event:
    """One ground-truth action from SoccerNet's Labels-v2.json."""

    half: int
    position_ms: int
    label: str
    team: str = ""  # "home", "away" or "not applicable"
    visibility: str = "visible"

    @property
    def seconds(self) -> float:
        return self.position_ms / 1000.0


@dataclass(frozen=True, slots=True)
class Match:
    """A game: SoccerNet id ``LEAGUE/SEASON/GAME``, metadata, commentary and events."""

    id: str
    league: str
    season: str
    date: dt.date
    kickoff: dt.time | None
    home: str
    away: str
    home_score: int
    away_score: int
    segments: dict[int, tuple[Segment, ...]] = field(default_factory=dict)
    events: dict[int, tuple[Event, ...]] = field(default_factory=dict)
    languages: dict[int, str] = field(default_factory=dict)  # detected commentary language per half
    videos: dict[int, Path] = field(default_factory=dict)
    has_labels: bool = False
    score_note: str = ""  # set when the labels' goals disagree with the folder name's score
    score_known: bool = True  # False for a match added without its score: the name's 0 - 0 is a placeholder

    @property
    def title(self) -> str:
        return f"{self.home} {self.home_score} - {self.away_score} {self.away}"

    def half_segments(self, half: int) -> tuple[Segment, ...]:
        return self.segments.get(half, ())

    def half_events(self, half: int) -> tuple[Event, ...]:
        return self.events.get(half, ())

    def all_events(self) -> list[Event]:
        return [e for half in HALVES for e in self.half_events(half)]


@dataclass(frozen=True, slots=True)
class Chunk:
    """A fixed-length window of one half: its commentary and the events inside it.

    The research's "action-clip pair": the unit that LLM and video spotters see.
    """

    match_id: str
    half: int
    start: float
    end: float
    segments: tuple[Segment, ...]
    events: tuple[Event, ...]

    @property
    def text(self) -> str:
        return " ".join(s.text for s in self.segments)
