"""A match the user added (``highlights add``): its SoccerNet-style name, and the record kept beside it.

The name is what every other part reads a match from (``index.names``), so an added match is built
from the same parts: ``LEAGUE/SEASON/YYYY-MM-DD - HH-MM Home N - N Away``. The record
(``soccernet/GAME/match.json``) says where it came from and what was not given (the score).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path

from .errors import HighlightsError
from .jsonfile import read_json
from .names import parse_game_id
from .teams import canonical_team
from .words import normalise

RECORD = "match.json"
# A match added without a competition: its own league folder, so it is never mistaken for a SoccerNet one.
DEFAULT_LEAGUE = "own"
UNKNOWN_KICKOFF = "00-00"  # the folder name needs a time; the record says when it was not given
SEASON_STARTS = 7  # European seasons run July to June: 2024-10-05 is in 2024-2025
_TEAMS = re.compile(r"\s+(?:-|–|—|vs\.?|v\.?)\s+", re.IGNORECASE)
_SCORE = re.compile(r"^\s*(\d{1,2})\s*[-–:]\s*(\d{1,2})\s*$")
_FORBIDDEN = re.compile(r"[/\\\x00-\x1f]")


@dataclass(frozen=True, slots=True)
class NewMatch:
    """Who played, when, in what, and the final score where the user gave it."""

    home: str
    away: str
    date: dt.date
    kickoff: dt.time | None = None
    score: tuple[int, int] | None = None
    league: str = DEFAULT_LEAGUE

    @property
    def season(self) -> str:
        start = self.date.year if self.date.month >= SEASON_STARTS else self.date.year - 1
        return f"{start}-{start + 1}"

    @property
    def game_id(self) -> str:
        time = self.kickoff.strftime("%H-%M") if self.kickoff else UNKNOWN_KICKOFF
        home_score, away_score = self.score or (0, 0)
        game = f"{self.date.isoformat()} - {time} {self.home} {home_score} - {away_score} {self.away}"
        return f"{self.league}/{self.season}/{game}"

    def check(self) -> str:
        """The game id, after checking that it reads back as this match (names with slashes or a
        trailing score would not)."""
        for name in (self.home, self.away, self.league):
            if not name.strip() or _FORBIDDEN.search(name):
                raise HighlightsError(f"{name!r} cannot be part of a match folder's name (empty, or has / or \\)")
        if normalise(self.home) == normalise(self.away):
            raise HighlightsError(f"a team cannot play itself: {self.home!r}", "--teams")
        parsed = parse_game_id(self.game_id)
        if (parsed.home, parsed.away) != (self.home, self.away):
            raise HighlightsError(
                f"the names {self.home!r} and {self.away!r} do not read back from a folder name "
                "(a team name ending in 'N - N'?); spell them differently",
                "--teams",
            )
        return self.game_id

    def same_game(self, game_id: str) -> bool:
        """Whether ``game_id`` is this match (same teams, same day), whatever its score or kick-off."""
        try:
            other = parse_game_id(game_id)
        except HighlightsError:
            return False
        teams = (canonical_team(other.home), canonical_team(other.away))
        return other.date == self.date and teams == (canonical_team(self.home), canonical_team(self.away))


def parse_teams(text: str) -> tuple[str, str]:
    """``"Home - Away"`` (or ``vs``, ``v``, a dash) → the two names, spelled as SoccerNet does where it
    knows the club ("Man Utd" → "Manchester United")."""
    parts = _TEAMS.split(text.strip())
    if len(parts) != 2 or not all(p.strip() for p in parts):
        raise HighlightsError(f'write the teams as "Home - Away", not {text!r}', "--teams")
    home, away = (canonical_team(" ".join(p.split())) for p in parts)
    return home, away


def league_folder(competition: str) -> str:
    """A league folder for a competition SoccerNet does not have: "Sunday League" → "sunday-league"."""
    slug = re.sub(r"[^a-z0-9]+", "-", normalise(competition)).strip("-")
    if not slug:
        raise HighlightsError(f"a competition needs letters or digits, not {competition!r}", "--competition")
    return slug


def parse_score(text: str) -> tuple[int, int]:
    found = _SCORE.match(text)
    if not found:
        raise HighlightsError(f'write the score as "2-1" (home first), not {text!r}', "--score")
    return int(found[1]), int(found[2])


def parse_date(text: str) -> tuple[dt.date, dt.time | None]:
    """``YYYY-MM-DD``, optionally with the kick-off (``YYYY-MM-DD 20:45``)."""
    try:
        moment = dt.datetime.fromisoformat(text.strip())
    except ValueError:
        raise HighlightsError(f"write the date as YYYY-MM-DD (or YYYY-MM-DD HH:MM), not {text!r}", "--date") from None
    has_time = len(text.strip()) > 10
    return moment.date(), moment.time().replace(second=0, microsecond=0, tzinfo=None) if has_time else None


def record_path(root: Path, game_id: str) -> Path:
    return root / "soccernet" / game_id / RECORD


def read_record(root: Path, game_id: str) -> dict | None:
    """The record of an added match, or None for a SoccerNet game."""
    path = record_path(root, game_id)
    if not path.is_file():
        return None
    record = read_json(path)
    return record if isinstance(record, dict) else None


UNKNOWN_SCORE_NOTE = "the score was not given when this match was added (the name says 0 - 0)"


def score_given(root: Path, game_id: str) -> bool:
    """Whether the final score in the match's name is real: always for a SoccerNet game; for an added
    match, when the user gave it."""
    record = read_record(root, game_id)
    return record is None or bool(record.get("score_given", True))
