"""Match metadata parsed from SoccerNet's folder names.

``england_epl/2014-2015/2015-02-21 - 18-00 Chelsea 1 - 1 Burnley`` gives league, season,
date, kick-off time, home, away and the score. Team names may hold digits
("1. FSV Mainz 05"), so the score is the last ``N - N`` that leaves a team on each side.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import lru_cache

from .errors import HighlightsError, printable

_GAME = re.compile(
    r"^(?P<date>\d{4}-\d{2}-\d{2}) - (?P<time>\d{2}-\d{2}) "
    r"(?P<home>.+?) (?P<hs>\d+) - (?P<as>\d+) (?P<away>.+)$"
)


@dataclass(frozen=True, slots=True)
class GameName:
    league: str
    season: str
    date: dt.date
    kickoff: dt.time | None
    home: str
    away: str
    home_score: int
    away_score: int


@lru_cache(maxsize=8192)
def parse_game_id(game_id: str) -> GameName:
    """Parse ``LEAGUE/SEASON/GAME`` (SoccerNet's folder path) into its metadata."""
    try:
        game_id.encode("utf-8")
    except UnicodeEncodeError:  # a folder name of bytes that are not UTF-8 (read with surrogateescape)
        raise HighlightsError("the folder name is not UTF-8 text", printable(game_id)) from None
    parts = game_id.strip("/").split("/")
    if len(parts) != 3:
        raise HighlightsError("a match id must be LEAGUE/SEASON/GAME", game_id)
    league, season, game = parts
    found = _GAME.match(game)
    if not found:
        raise HighlightsError(
            "cannot parse the game folder name; expected 'YYYY-MM-DD - HH-MM Home N - N Away'", game_id
        )
    try:
        date = dt.date.fromisoformat(found["date"])
        hours, minutes = (int(x) for x in found["time"].split("-"))
        kickoff = dt.time(hours, minutes) if hours < 24 and minutes < 60 else None
    except ValueError as error:
        raise HighlightsError(f"bad date in the game folder name ({error})", game_id) from None
    return GameName(
        league=league,
        season=season,
        date=date,
        kickoff=kickoff,
        home=found["home"].strip(),
        away=found["away"].strip(),
        home_score=int(found["hs"]),
        away_score=int(found["as"]),
    )
