"""Finding matches from how people name them, and telling a few candidates apart.

``tools.match_text`` reads what a text says (clubs, date, season, competition, score, venue, result);
here those constraints are applied to a corpus, and a list of candidates is described by what tells
them apart, so "which one?" can be answered with "the 3-1 one" or "the one from April 2017".
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, replace

from rapidfuzz import fuzz, process

from index.names import parse_game_id
from index.teams import canonical_team
from index.types import Match

from .match_text import COMPETITIONS, MatchQuery, read_match_text

MAX_CHOICES = 8  # a question back lists this many matches; more is a list to read, not a choice


@dataclass(frozen=True, slots=True)
class MatchInfo:
    """A match as a tool returns it: enough for a person or an LLM to name and pick it."""

    match_id: str
    title: str
    date: str
    competition: str
    season: str
    has_labels: bool
    kickoff: str = ""

    def describe(self, with_kickoff: bool = False) -> str:
        when = f"{self.date}, {self.kickoff}" if with_kickoff and self.kickoff else self.date
        return f"{self.title} ({self.competition}, {when})"


def match_info(match: Match) -> MatchInfo:
    return MatchInfo(
        match_id=match.id,
        title=match.title,
        date=match.date.isoformat(),
        competition=COMPETITIONS.get(match.league, match.league),
        season=match.season,
        has_labels=match.has_labels,
        kickoff=match.kickoff.strftime("%H:%M") if match.kickoff else "",
    )


def team_names(matches: Sequence[Match]) -> tuple[str, ...]:
    return tuple(sorted({m.home for m in matches} | {m.away for m in matches}))


def by_date(match: Match) -> tuple:
    return match.date, match.kickoff or dt.time(), match.id


def matches_for(query: MatchQuery, matches: Sequence[Match]) -> list[Match]:
    """The matches that satisfy every constraint of ``query``, by date."""
    return sorted((m for m in matches if fits(query, m)), key=by_date)


class MatchIndex:
    """A corpus's matches indexed by club, so a question is resolved in milliseconds on 550 games:
    the clubs named pick a few candidates, and only those are checked against the rest of the query."""

    def __init__(self, matches: Sequence[Match]) -> None:
        self.matches: tuple[Match, ...] = tuple(sorted(matches, key=by_date))
        self.names = team_names(self.matches)
        self._by_id = {m.id: m for m in self.matches}
        self._by_club: dict[str, list[Match]] = {}
        for match in self.matches:
            for club in {canonical_team(match.home), canonical_team(match.away)}:
                self._by_club.setdefault(club, []).append(match)

    def __len__(self) -> int:
        return len(self.matches)

    def get(self, match_id: str) -> Match | None:
        return self._by_id.get(match_id)

    def find(self, query: MatchQuery) -> list[Match]:
        """The matches that satisfy every constraint of ``query``, by date."""
        pools = [self._by_club.get(canonical_team(t), []) for t in query.team_names]
        pool = min(pools, key=len) if pools else self.matches
        found = [m for m in pool if fits(query, m)]
        other_date = query.dates.month_of_year() if query.dates and not found else None
        return [m for m in pool if fits(replace(query, dates=other_date), m)] if other_date else found


def fits(query: MatchQuery, match: Match) -> bool:
    """Whether ``match`` is one ``query`` may mean: each constraint it states holds."""
    home, away = canonical_team(match.home), canonical_team(match.away)
    wanted = {canonical_team(t) for t in query.team_names}
    checks = (
        wanted <= {home, away},
        query.dates is None or query.dates.holds(match.date),
        query.season is None or match.season == query.season,
        query.league is None or match.league == query.league,
        query.score is None or sorted(query.score) in _scores(match),
        query.home is None or canonical_team(query.home) == home,
        query.ground is None or home in query.ground,
        query.result is None or _ended(match, *query.result),
        query.kickoff is None or match.kickoff == query.kickoff,
        query.unknown_club is None,  # a club the corpus does not know plays in none of its matches
    )
    return all(checks)


def as_written(query: MatchQuery, found: list[Match]) -> list[Match]:
    """Of several fits, those a score and two clubs name, each club with its own goals, wherever after the first
    club the score sits ("Juventus Napoli 2-1", "Villarreal 1 Real Madrid 0", "PSG v Barcelona ... 1-3"): first the
    match as written (home club first), else the line read from right to left ("juventus 1-2 napoli" is Napoli
    2 - 1 Juventus), or right before them ("the 2-0 real madrid espanyol game"). Two clubs with no score name every
    meeting at either ground."""
    clubs = list(dict.fromkeys(canonical_team(m.team) for m in sorted(query.teams, key=lambda m: m.start)))
    if len(found) < 2 or query.score is None or len(clubs) != 2 or not _titles(query):
        return found
    (first, second), (goals, against) = clubs, query.score
    for said in ((first, second, goals, against), (second, first, against, goals)):
        exact = [m for m in found if any((canonical_team(m.home), canonical_team(m.away), *score) == said
                                         for score in _home_away_scores(m))]  # fmt: skip
        if exact:
            return exact
    return found


SCORE_WORDS = 2  # "2-0" is two words: right before the clubs, it leaves none between them


def _titles(query: MatchQuery) -> bool:
    """Whether the score sits where a title puts it: after the first club, or right before the clubs; "the 2-1 between
    Inter and Roma" is no title."""
    at = query.score_at or 0
    return at >= _clubs_start(query) or _clubs_start(query) - at == SCORE_WORDS


def _clubs_start(query: MatchQuery) -> int:
    """The word the first club named starts at."""
    return min(m.start for m in query.teams)


def _home_away_scores(match: Match) -> list[tuple[int, int]]:
    """Both the score shown and the folder name's (the labels may have corrected one), home goals first."""
    named = parse_game_id(match.id)
    return [(match.home_score, match.away_score), (named.home_score, named.away_score)]


def _scores(match: Match) -> list[list[int]]:
    """The match's scores in either order."""
    return [sorted(score) for score in _home_away_scores(match)]


def _ended(match: Match, team: str, result: str) -> bool:
    scored, conceded = (match.home_score, match.away_score)
    if canonical_team(team) == canonical_team(match.away):
        scored, conceded = conceded, scored
    elif canonical_team(team) != canonical_team(match.home):
        return False
    return {"win": scored > conceded, "loss": scored < conceded, "draw": scored == conceded}[result]


def closest_matches(text: str, matches: Sequence[Match], limit: int = 3) -> list[Match]:
    """Matches whose titles look most like ``text``: suggestions for a name that found nothing."""
    titles = {m.id: f"{m.home} {m.away} {m.date.isoformat()}" for m in matches}
    ranked = process.extract(text, titles, scorer=fuzz.token_set_ratio, limit=limit, score_cutoff=30)
    by_id = {m.id: m for m in matches}
    return [by_id[key] for _, _, key in ranked]


def find_matches(text: str, index: MatchIndex) -> list[Match]:
    """Matches named by ``text`` (clubs, date, season, competition, score, venue, result); a fuzzy title
    search when it names none of those; every match for an empty text."""
    query = read_match_text(text, index.names)
    if query.names_match or not text.strip():
        return as_written(query, index.find(query))
    return closest_matches(text, index.matches)


def describe_all(matches: Sequence[Match]) -> list[str]:
    """One line per match with what tells it apart: title, competition, date, and the kick-off time
    where two share a date (SoccerNet has Paris SG 2-2 Nice twice on 2016-12-11)."""
    dates = [m.date for m in matches]
    return [match_info(m).describe(with_kickoff=dates.count(m.date) > 1) for m in matches]


def choice_lines(candidates: Sequence[Match]) -> list[str]:
    """``describe_all``'s lines, numbered, for a reply such as "the second one"."""
    return [f"{number}. {line}" for number, line in enumerate(describe_all(candidates), start=1)]
