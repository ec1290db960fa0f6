"""The match picker: one readable label per match, and a search over teams, date and competition.

The dropdown's value is the SoccerNet id (``LEAGUE/SEASON/GAME``); the label is what a person
recognises ("2015-02-21 · Chelsea 1 - 1 Burnley · Premier League 2014-2015").
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable

from index.types import Match
from tools.matches import COMPETITIONS


def competition(match: Match) -> str:
    return COMPETITIONS.get(match.league, match.league)


def match_label(match: Match) -> str:
    return f"{match.date.isoformat()} · {match.title} · {competition(match)} {match.season}"


def match_choices(matches: Iterable[Match]) -> list[tuple[str, str]]:
    """(label, id) pairs for a ``gr.Dropdown``, newest first."""
    ordered = sorted(matches, key=lambda m: (m.date, m.id), reverse=True)
    return [(match_label(m), m.id) for m in ordered]


def _fold(text: str) -> str:
    """Lower case without accents, so "munchen" finds "München" and "atletico" finds "Atlético"."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _haystack(match: Match) -> str:
    return _fold(" ".join((match_label(match), match.league.replace("_", " "), match.id)))


def search_matches(matches: Iterable[Match], query: str) -> list[Match]:
    """Matches whose teams, date, season or competition contain every word of ``query``."""
    words = _fold(query).split()
    return [m for m in matches if all(word in _haystack(m) for word in words)]
