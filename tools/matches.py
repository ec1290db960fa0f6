"""Finding matches from how people name them: teams (fuzzy, aliases), dates, seasons, competitions, scores."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from rapidfuzz import fuzz, process

from index.names import parse_game_id
from index.teams import COMMON_WORDS, canonical_team, team_forms
from index.types import Match
from index.words import normalise, words_of

COMPETITIONS: dict[str, str] = {
    "england_epl": "Premier League",
    "spain_laliga": "La Liga",
    "germany_bundesliga": "Bundesliga",
    "italy_serie-a": "Serie A",
    "france_ligue-1": "Ligue 1",
    "europe_uefa-champions-league": "Champions League",
}
# Words for each competition (normalised) -> league folder.
_COMPETITION_WORDS: dict[str, str] = {
    "premier league": "england_epl",
    "epl": "england_epl",
    "english premier league": "england_epl",
    "la liga": "spain_laliga",
    "laliga": "spain_laliga",
    "liga": "spain_laliga",
    "bundesliga": "germany_bundesliga",
    "serie a": "italy_serie-a",
    "ligue 1": "france_ligue-1",
    "ligue un": "france_ligue-1",
    "champions league": "europe_uefa-champions-league",
    "ucl": "europe_uefa-champions-league",
}


def league_of(competition: str) -> str | None:
    """The SoccerNet league folder a competition's name or folder means ("Premier League" → "england_epl")."""
    return competition if competition in COMPETITIONS else _COMPETITION_WORDS.get(normalise(competition))


_MONTHS = {m.lower(): i for i, m in enumerate(
    ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
     "November", "December"), start=1)}  # fmt: skip
_MONTHS.update({name[:3]: i for name, i in list(_MONTHS.items())})
_MONTH = "(" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")\.?"
_ISO_DATE = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")
_DAY_MONTH_YEAR = re.compile(rf"\b(\d{{1,2}})(?:st|nd|rd|th)?\s+{_MONTH}\s+(\d{{4}})\b", re.I)
_MONTH_DAY_YEAR = re.compile(rf"\b{_MONTH}\s+(\d{{1,2}})(?:st|nd|rd|th)?,?\s+(\d{{4}})\b", re.I)
_SEASON = re.compile(r"\b(20\d\d)\s*[-/]\s*(20\d\d|\d\d)\b")
_SCORE = re.compile(r"(?<![\d:])(\d{1,2})\s*[-:–]\s*(\d{1,2})(?![\d:])(?!\s*(?:min|'|th|st|nd|rd))")


@dataclass(frozen=True, slots=True)
class TeamMention:
    """A club named in a text: which words, and which club (canonical name)."""

    start: int
    stop: int
    team: str
    possessive: bool = False  # "Chelsea's"


@dataclass
class MatchQuery:
    """What a text says about a match; empty fields constrain nothing."""

    teams: list[TeamMention] = field(default_factory=list)
    date: dt.date | None = None
    season: str | None = None
    league: str | None = None
    score: tuple[int, int] | None = None
    spans: list[tuple[int, int]] = field(default_factory=list)  # character spans used, for the planner

    @property
    def team_names(self) -> list[str]:
        return list(dict.fromkeys(m.team for m in self.teams))

    @property
    def constrains(self) -> bool:
        return bool(self.teams or self.date or self.season or self.league or self.score)


@dataclass(frozen=True, slots=True)
class MatchInfo:
    """A match as a tool returns it: enough for a person or an LLM to name and pick it."""

    match_id: str
    title: str
    date: str
    competition: str
    season: str
    has_labels: bool

    def describe(self) -> str:
        return f"{self.title} ({self.competition}, {self.date})"


def match_info(match: Match) -> MatchInfo:
    return MatchInfo(
        match_id=match.id,
        title=match.title,
        date=match.date.isoformat(),
        competition=COMPETITIONS.get(match.league, match.league),
        season=match.season,
        has_labels=match.has_labels,
    )


def team_names(matches: Sequence[Match]) -> tuple[str, ...]:
    return tuple(sorted({m.home for m in matches} | {m.away for m in matches}))


def find_team_mentions(text: str, extra_teams: tuple[str, ...] = ()) -> list[TeamMention]:
    """Clubs named in ``text``: longest spelling first, exact, then one-typo fuzzy for long words."""
    forms = team_forms(extra_teams)
    longest = max(len(f.split()) for f in forms)
    original = words_of(text)
    words = [w.lower() for w in original]
    found: list[TeamMention] = []
    i = 0
    while i < len(words):
        hit = None
        for size in range(min(longest, len(words) - i), 0, -1):
            phrase = " ".join(words[i : i + size])
            team = forms.get(phrase)
            if team is None and len(phrase) >= 6:
                best = process.extractOne(phrase, forms.keys(), scorer=fuzz.ratio, score_cutoff=85)
                team = forms[best[0]] if best and len(best[0].split()) == size else None
            if team is None or (size == 1 and phrase in COMMON_WORDS and not original[i][0].isupper()):
                continue
            possessive = i + size < len(words) and words[i + size] == "s"
            hit = TeamMention(i, i + size, team, possessive)
            break
        if hit:
            found.append(hit)
            i = hit.stop
        else:
            i += 1
    return found


def parse_match_query(text: str, extra_teams: tuple[str, ...] = ()) -> MatchQuery:
    """Teams, a date, a season, a competition and a score, wherever ``text`` names them."""
    query = MatchQuery(teams=find_team_mentions(text, extra_teams))
    for pattern in (_ISO_DATE, _DAY_MONTH_YEAR, _MONTH_DAY_YEAR):
        found = pattern.search(text)
        if found and query.date is None:
            query.date = _date_of(found)
            query.spans.append(found.span())
    season = _SEASON.search(text)
    if season and query.date is None:
        first, second = int(season[1]), int(season[2][-2:])
        if second == (first + 1) % 100:
            query.season = f"{first}-{first + 1}"
            query.spans.append(season.span())
    flat = f" {normalise(text)} "
    for words, league in sorted(_COMPETITION_WORDS.items(), key=lambda kv: -len(kv[0])):
        if f" {words} " in flat:
            query.league = league
            break
    masked = _mask(text, query.spans)
    score = _SCORE.search(masked)
    if score:
        query.score = (int(score[1]), int(score[2]))
        query.spans.append(score.span())
    return query


def _mask(text: str, spans: list[tuple[int, int]]) -> str:
    for start, stop in spans:
        text = text[:start] + " " * (stop - start) + text[stop:]
    return text


def _date_of(found: re.Match) -> dt.date | None:
    groups = found.groups()
    try:
        if groups[0].isdigit() and len(groups[0]) == 4:
            return dt.date(int(groups[0]), int(groups[1]), int(groups[2]))
        if groups[0].isdigit():
            return dt.date(int(groups[2]), _MONTHS[groups[1].lower()], int(groups[0]))
        return dt.date(int(groups[2]), _MONTHS[groups[0].lower()], int(groups[1]))
    except (ValueError, KeyError):
        return None


def matches_for(query: MatchQuery, matches: Sequence[Match]) -> list[Match]:
    """The matches that satisfy every constraint of ``query``, by date."""
    wanted = {canonical_team(t) for t in query.team_names}
    chosen = []
    for match in matches:
        teams = {canonical_team(match.home), canonical_team(match.away)}
        score = (match.home_score, match.away_score)
        if wanted - teams:
            continue
        if query.date and match.date != query.date:
            continue
        if query.season and match.season != query.season:
            continue
        if query.league and match.league != query.league:
            continue
        named = parse_game_id(match.id)  # the folder's score too, where the labels corrected it
        scores = {score, score[::-1], (named.home_score, named.away_score), (named.away_score, named.home_score)}
        if query.score and query.score not in scores:
            continue
        chosen.append(match)
    return sorted(chosen, key=lambda m: (m.date, m.id))


def closest_matches(text: str, matches: Sequence[Match], limit: int = 3) -> list[Match]:
    """Matches whose titles look most like ``text``: suggestions for a name that found nothing."""
    titles = {m.id: f"{m.home} {m.away} {m.date.isoformat()}" for m in matches}
    ranked = process.extract(text, titles, scorer=fuzz.token_set_ratio, limit=limit, score_cutoff=30)
    by_id = {m.id: m for m in matches}
    return [by_id[key] for _, _, key in ranked]


def find_matches(text: str, matches: Sequence[Match], limit: int = 10) -> list[MatchInfo]:
    """Matches named by ``text`` (teams, date, season, competition, score); fuzzy title search otherwise."""
    query = parse_match_query(text, team_names(matches))
    if query.constrains or not text.strip():  # nothing asked: every match, by date
        found = matches_for(query, matches)
    else:
        found = closest_matches(text, matches, limit)
    return [match_info(m) for m in found[:limit]]
