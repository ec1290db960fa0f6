"""The match picker: one readable label per match, and a search over teams, date and competition.

The dropdown's value is the SoccerNet id (``LEAGUE/SEASON/GAME``); the label is what a person
recognises ("2015-02-21 · Chelsea 1 - 1 Burnley · Premier League 2014-2015").
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable

from index.corpus import Corpus
from index.types import Match
from tools.matches import COMPETITIONS

ANY_MATCH = ("Any match", "")


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


def picker_choices(corpus: Corpus, query: str = "") -> list[tuple[str, str]]:
    """The picker's list for ``query``: a first line that says how many fit (or "Any match"), then them."""
    found = match_choices(search_matches(corpus.matches, query))
    info = f"{len(found)} of {len(corpus.matches)} matches" if query.strip() else ANY_MATCH[0]
    return [(info, ""), *found]


def match_card(match: Match | None) -> str:
    """The sidebar's card of the picked match: what it is, whether it has ground truth and video, and a
    note about its data said here once (a folder name whose score the labels correct)."""
    if match is None:
        lines = ["No match picked: name one in your question (e.g. “goals in Chelsea Burnley”)."]
    else:
        lines = [
            f"**{match.title}**",
            f"{competition(match)} {match.season} · {match.date:%d %B %Y}",
            "Ground truth: " + (f"{len(match.all_events())} labelled events" if match.has_labels else "none"),
            "Video: "
            + (", ".join(f"half {h}" for h in sorted(match.videos)) if match.videos else "none (upload it in Video)"),
        ]
        if match.score_note:
            lines.append(f"*Note: {match.score_note}.*")
    return "\n\n".join(lines)
