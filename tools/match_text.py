"""What a text says about a match: its clubs, date, season, competition, score, venue and result.

"Liverpool's 4-3 loss at Bournemouth", "Bayern gegen Schachtar Donezk", "the one from April 2017",
"Real Madrid 2 - 3 Barcelona", "the Champions League one": each reader below finds one kind of
constraint; ``read_match_text`` puts them together. The words live in ``data/matches.yaml`` and
``index/data/teams.yaml``; the readers are small functions over the text's words and characters.
"""

from __future__ import annotations

import datetime as dt
import re
from contextlib import suppress
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from dateutil import parser as dateparser
from rapidfuzz import fuzz, process

from index.teams import COMMON_WORDS, DERBIES, GROUNDS, canonical_team, team_forms
from index.words import fold, normalise, words_of
from index.yamlfile import read_yaml

TABLE = read_yaml(Path(__file__).parent / "data" / "matches.yaml")
COMPETITIONS: dict[str, str] = {league: spec["name"] for league, spec in TABLE["competitions"].items()}
_COMPETITION_WORDS = sorted(
    ((normalise(w), league) for league, spec in TABLE["competitions"].items() for w in spec["words"]),
    key=lambda item: -len(item[0]),
)
_LEAGUE_WORDS = frozenset(w for words, _ in _COMPETITION_WORDS for w in words.split())
MONTHS: dict[str, int] = {normalise(name): int(month) for month, names in TABLE["months"].items() for name in names}
VERSUS = frozenset(normalise(w) for w in TABLE["versus"])
OPPONENT = frozenset(normalise(w) for w in TABLE["opponent"])
JOINING = frozenset(normalise(w) for w in TABLE["joining"])
PLACE_WORDS = frozenset(normalise(w) for w in TABLE["place_words"])
STRICT_VERSUS = tuple(normalise(w).split() for w in TABLE["strict_versus"])
UNKNOWN_NAME_WORDS = 3  # at most this many words beside "vs" are read as the name of an unknown club
MATCH_NOUNS = frozenset(normalise(w) for w in TABLE["match_nouns"])
RESULTS: dict[str, str] = {normalise(w): result for result, words in TABLE["results"].items() for w in words}
_AWAY_AT = tuple(normalise(w).split() for w in TABLE["away_at"])
_AT_HOME = tuple(normalise(w).split() for w in TABLE["at_home"])

FUZZY_MIN_CHARS = 6  # from here one typo is read through ("Bayren", "Napili")
FUZZY_SHORT_CHARS, FUZZY_SHORT_SCORE = 5, 90  # 5 letters: only a letter missing at the end ("Napol")
FUZZY_SCORE = 80  # one letter wrong or two swapped in a 6-letter name ("Bayren", "Napili")
LONGER_SCORE = 88  # a misspelt longer name over an exact shorter one: "Atletico Madird", not "Atalanta cards"
RESULT_REACH = 3  # words from a club to its result word: "Liverpool's 4-3 loss"
DERBY_WORDS = max(len(name.split()) for name in DERBIES)
GROUND_WORDS = max(len(name.split()) for name in GROUNDS)
GROUND_WORDS_SET = frozenset(w for name in GROUNDS for w in name.split())  # never the name of an unknown club
MAX_GOALS = 15  # a side's score beyond this is a minute or a time, not a score

_MONTH = "(" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")\.?"
_YEAR = r"((?:19|20)\d\d)"
_ISO_DATE = re.compile(r"\b(\d{4})-(\d{1,2})-(\d{1,2})\b")
_DAY_PATTERNS = (  # read by dateutil (day first, the six languages' month names)
    re.compile(r"\b(\d{1,2})[/.](\d{1,2})[/.](\d{4}|\d{2})\b"),  # 23/4/2017, 23.4.17
    re.compile(rf"\b(\d{{1,2}})(?:st|nd|rd|th|er|o|\.)?\s+(?:of\s+|de\s+)?{_MONTH}(?:\s+(?:de\s+)?{_YEAR})?\b"),
    re.compile(rf"\b{_MONTH}\s+(\d{{1,2}})(?:st|nd|rd|th)?(?:,?\s+{_YEAR})?\b"),
)
_MONTH_YEAR = re.compile(rf"\b{_MONTH}\s+(?:de\s+|of\s+)?{_YEAR}\b")
# A month alone only after a word that makes it a date ("the one from February", "celui de février",
# "quello di aprile"): "may" and "mars" are words too.
_DATE_WORDS = r"(?:in|from|of|de|di|del|d|do|da|von|vom|im|du|en|em|na|no|aus|dal|dell)"
_MONTH_ALONE = re.compile(rf"\b{_DATE_WORDS}\s+{_MONTH}(?!\w)")
_SEASON = re.compile(r"\b((?:19|20)\d\d)\s*[-/–]\s*((?:19|20)?\d\d)\b")
_YEAR_ALONE = re.compile(rf"\b{_YEAR}\b")
_KICKOFF = re.compile(r"\b(1[1-9]|2[0-3])[:h]([0-5][05])\b")  # kick-offs: 11:00-23:55, on the five minutes
_SCORE = re.compile(
    r"(?<![\d:./])(\d{1,2})\s*(?:[-:–]|\s(?:a|zu|à)\s)\s*(\d{1,2})(?![\d:./])"
    r"(?!\s*(?:min|'|th|st|nd|rd|\.\s*min))"
)


@dataclass(frozen=True, slots=True)
class TeamMention:
    """A club named in a text: which words (indices into ``words_of``), and which club (canonical)."""

    start: int
    stop: int
    team: str
    possessive: bool = False  # "Chelsea's"


@dataclass(frozen=True, slots=True)
class DateSpan:
    """The days a text's date names: one day, a month, a year, or a day of a month in any year."""

    first: dt.date | None = None
    last: dt.date | None = None
    month_day: tuple[int, int] | None = None  # "April 23" with no year
    month: int | None = None  # "the one from February": that month of any year

    def holds(self, day: dt.date) -> bool:
        if self.month is not None:
            return day.month == self.month
        if self.month_day is not None:
            return (day.month, day.day) == self.month_day
        return self.first <= day <= self.last

    def describe(self) -> str:
        """ "2015-12-25", "April 2017", "2017", "23 April" (any year), "February" (any year)."""
        if self.month is not None:
            return f"{dt.date(2016, self.month, 1):%B}"
        if self.month_day is not None:
            return f"{dt.date(2016, *self.month_day):%d %B}"
        if self.first == self.last:
            return self.first.isoformat()
        if (self.first.month, self.first.day, self.last.month, self.last.day) == (1, 1, 12, 31):
            return str(self.first.year)
        return f"{self.first:%B %Y}" if self.first.month == self.last.month else f"{self.first} to {self.last}"


@dataclass(frozen=True)
class MatchQuery:
    """What a text says about a match; empty fields constrain nothing."""

    teams: tuple[TeamMention, ...] = ()
    dates: DateSpan | None = None
    season: str | None = None  # "2015-2016"
    league: str | None = None  # SoccerNet's league folder
    score: tuple[int, int] | None = None  # as said, either order
    home: str | None = None  # the club that played at home ("at Bournemouth")
    ground: frozenset[str] | None = None  # the clubs whose ground or city it was played in ("at Anfield", "in Milan")
    result: tuple[str, str] | None = None  # (club, "win" | "loss" | "draw")
    kickoff: dt.time | None = None
    unknown_club: str | None = None  # the clubs as named when one is unknown: "Atlantis FC vs Chelsea", "Leeds"
    spans: tuple[tuple[int, int], ...] = field(default=(), compare=False)  # characters the readers used

    @property
    def team_names(self) -> list[str]:
        return list(dict.fromkeys(m.team for m in self.teams))

    @property
    def constrains(self) -> bool:
        """Whether anything beyond the clubs is said (a date, a score, the competition, where, how it ended)."""
        return any(v is not None for v in (self.dates, self.season, self.league, self.score, self.home, self.ground,
                                           self.result, self.kickoff, self.unknown_club))  # fmt: skip

    @property
    def names_match(self) -> bool:
        return bool(self.teams) or self.constrains

    def describe(self) -> str:
        """What the text said of the match, in words: "Chelsea vs Burnley, on 2019-05-01, 2-1"."""
        clubs = self.unknown_club or " vs ".join(self.team_names)
        parts = [clubs] if clubs else []
        if self.dates is not None:
            parts.append(self.dates.describe())
        if self.season:
            parts.append(f"in the {self.season} season")
        if self.league:
            parts.append(COMPETITIONS.get(self.league, self.league))
        if self.score:
            parts.append(f"{self.score[0]}-{self.score[1]}")
        if self.home:
            parts.append(f"at {self.home}")
        if self.result:
            parts.append(f"a {self.result[1]} for {self.result[0]}")
        if self.kickoff:
            parts.append(f"kick-off {self.kickoff:%H:%M}")
        return ", ".join(parts)


def league_of(competition: str) -> str | None:
    """The SoccerNet league folder a competition's name or folder means ("Premier League" → "england_epl")."""
    return competition if competition in COMPETITIONS else dict(_COMPETITION_WORDS).get(normalise(competition))


def read_match_text(text: str, extra_teams: tuple[str, ...] = ()) -> MatchQuery:
    """Every constraint on a match that ``text`` states, wherever it states it."""
    spans: list[tuple[int, int]] = []
    season = _season(text, spans)
    dates = _dates(text, spans)
    kickoff = _kickoff(text, spans)
    score = _score(text, spans)
    words = words_of(text)
    teams = find_team_mentions(text, extra_teams)
    return MatchQuery(
        teams=tuple(teams),
        dates=dates,
        season=season,
        league=_league(text),
        score=score,
        home=_home(words, teams),
        ground=_ground(words, teams),
        result=_result(words, teams),
        kickoff=kickoff,
        unknown_club=_unknown_club(words, teams),
        spans=tuple(spans),
    )


def masked(text: str, spans: tuple[tuple[int, int], ...]) -> str:
    """``text`` with the characters of ``spans`` blanked, so no other reader sees a date or score again."""
    for start, stop in spans:
        text = text[:start] + " " * (stop - start) + text[stop:]
    return text


# -- clubs ---------------------------------------------------------------------------------------------
@lru_cache(maxsize=8)
def _forms(extra_teams: tuple[str, ...]) -> tuple[dict[str, str], int, dict[str, tuple[str, ...]]]:
    """Every spelling -> club, the longest spelling's words, and the long spellings by first letter (a typo
    keeps the first letter: "Bayren", "Juventis"; "Rangers" is not "Angers")."""
    forms = team_forms(extra_teams)
    longest = max(len(f.split()) for f in forms)
    by_letter: dict[str, list[str]] = {}
    for form in forms:
        if len(form) >= FUZZY_SHORT_CHARS:
            by_letter.setdefault(form[0], []).append(form)
    return forms, longest, {letter: tuple(group) for letter, group in by_letter.items()}


def find_team_mentions(text: str, extra_teams: tuple[str, ...] = ()) -> list[TeamMention]:
    """Clubs named in ``text``: at each word the longest exact spelling, else a derby's name (two clubs), else
    a one-typo spelling of a long name. A name that is also an everyday word ("nice") counts only capitalised."""
    forms, longest, fuzzy = _forms(extra_teams)
    original = words_of(text)
    words = [fold(w) for w in original]
    found: list[TeamMention] = []
    i = 0
    while i < len(words):
        beside = bool(found) and (found[-1].stop == i or (found[-1].stop == i - 1 and words[i - 1] in VERSUS))
        hits = _derby_at(i, words) or _exact_at(i, words, original, forms, longest, beside)
        if hits:  # "Atletico Madird" is one misspelt club, not Atlético and then Real Madrid
            longer = _fuzzy_at(i, words, original, forms, longest, fuzzy, LONGER_SCORE)
            if longer and longer[0].stop > hits[0].stop and longer[0].team == hits[0].team:
                hits = longer
        else:
            hits = _fuzzy_at(i, words, original, forms, longest, fuzzy)
        if hits:
            found.extend(hits)
            i = hits[0].stop
        else:
            i += 1
    return found


def _exact_at(
    i: int, words: list[str], original: list[str], forms: dict[str, str], longest: int, beside: bool = False
) -> list:
    """The longest exact spelling at word ``i``; an everyday word ("inter") only capitalised, possessive
    ("inter's") or beside another club ("lazio inter")."""
    for size in range(min(longest, len(words) - i), 0, -1):
        phrase = " ".join(words[i : i + size])
        team = forms.get(phrase)
        if team is None:
            continue
        mention = _mention(i, size, team, words)
        if phrase not in COMMON_WORDS or original[i][0].isupper() or mention.possessive or beside:
            return [mention]
    return []


def _derby_at(i: int, words: list[str]) -> list:
    for size in range(min(DERBY_WORDS, len(words) - i), 0, -1):
        clubs = DERBIES.get(" ".join(words[i : i + size]))
        if clubs:
            return [_mention(i, size, club, words) for club in clubs]
    return []


def _fuzzy_at(i, words, original, forms, longest, fuzzy, cutoff: float = FUZZY_SCORE) -> list:
    for size in range(min(longest, len(words) - i), 0, -1):
        team = _fuzzy_team(" ".join(words[i : i + size]), size, forms, fuzzy, cutoff)
        if team is not None:
            return [_mention(i, size, team, words)]
    return []


def _mention(i: int, size: int, team: str, words: list[str]) -> TeamMention:
    return TeamMention(i, i + size, team, possessive=i + size < len(words) and words[i + size] == "s")


def _fuzzy_team(
    phrase: str, size: int, forms: dict[str, str], fuzzy: dict[str, tuple[str, ...]], cutoff: float = FUZZY_SCORE
) -> str | None:
    """The club a misspelt name means; never across a joining word ("at Bournemouth" is not "AFC Bournemouth"),
    and never a spelling that is itself a name, left out for a reason (lower-case "paris")."""
    if phrase in forms:
        return None
    edges = phrase.split()[:: max(1, size - 1)]
    if len(phrase) < FUZZY_SHORT_CHARS or any(w in VERSUS or w in JOINING for w in edges) or phrase in MONTHS:
        return None
    if len(phrase) < FUZZY_MIN_CHARS:
        cutoff = max(cutoff, FUZZY_SHORT_SCORE)
    best = process.extractOne(phrase, fuzzy.get(phrase[0], ()), scorer=fuzz.ratio, score_cutoff=cutoff)
    return forms[best[0]] if best and len(best[0].split()) == size else None


# -- dates, seasons, times, scores ----------------------------------------------------------------------
class _Months(dateparser.parserinfo):
    """dateutil's parser, reading the month names of the six languages."""

    MONTHS = [tuple(n for n, m in MONTHS.items() if m == number) for number in range(1, 13)]  # noqa: RUF012


_PARSER = dateparser.parser(_Months(dayfirst=True))


def _season(text: str, spans: list[tuple[int, int]]) -> str | None:
    found = _SEASON.search(text)
    if not found:
        return None
    first, second = int(found[1]), int(found[2][-2:])
    if second != (first + 1) % 100:
        return None
    spans.append(found.span())
    return f"{first}-{first + 1}"


def _dates(text: str, spans: list[tuple[int, int]]) -> DateSpan | None:
    """A day (any common order and language), else a month of a year, else a year."""
    plain = fold(masked(text, tuple(spans)))
    if found := _ISO_DATE.search(plain):
        with suppress(ValueError):
            day = dt.date(int(found[1]), int(found[2]), int(found[3]))
            spans.append(found.span())
            return DateSpan(day, day)
    for pattern in _DAY_PATTERNS:
        for found in pattern.finditer(plain):
            if (day := _day(found)) is not None:
                spans.append(found.span())
                return day
    if found := _MONTH_YEAR.search(plain):
        month, year = MONTHS[found[1]], int(found[2])
        spans.append(found.span())
        last = dt.date(year + month // 12, month % 12 + 1, 1) - dt.timedelta(days=1)
        return DateSpan(dt.date(year, month, 1), last)
    if found := _YEAR_ALONE.search(plain):
        spans.append(found.span())
        year = int(found[1])
        return DateSpan(dt.date(year, 1, 1), dt.date(year, 12, 31))
    if found := _MONTH_ALONE.search(plain):
        spans.append(found.span())
        return DateSpan(month=MONTHS[found[1]])
    return None


def _day(found: re.Match) -> DateSpan | None:
    """The day a date pattern matched; a month and day with no year as such; None if no such day."""
    groups = [g for g in found.groups() if g]
    month = next((MONTHS[g] for g in groups if g in MONTHS), None)
    has_year = month is None or any(len(g) == 4 for g in groups)
    try:
        if has_year:
            return DateSpan(*[_PARSER.parse(re.sub(r"\b(?:of|de)\b", " ", found[0])).date()] * 2)
        day = int(next(g for g in groups if g.isdigit()))
        dt.date(2016, month, day)  # a real day of that month (2016: a leap year)
        return DateSpan(month_day=(month, day))
    except (ValueError, OverflowError, dateparser.ParserError):
        return None


def _kickoff(text: str, spans: list[tuple[int, int]]) -> dt.time | None:
    found = _KICKOFF.search(masked(text, tuple(spans)))
    if not found:
        return None
    spans.append(found.span())
    return dt.time(int(found[1]), int(found[2]))


def _score(text: str, spans: list[tuple[int, int]]) -> tuple[int, int] | None:
    for found in _SCORE.finditer(masked(text, tuple(spans))):
        home, away = int(found[1]), int(found[2])
        if max(home, away) <= MAX_GOALS and not _leading_zero(found[1], found[2]):
            spans.append(found.span())
            return home, away
    return None


def _leading_zero(*numbers: str) -> bool:
    return any(len(n) == 2 and n.startswith("0") for n in numbers)


# -- competition, venue, result ------------------------------------------------------------------------
def _league(text: str) -> str | None:
    flat = f" {normalise(text)} "
    return next((league for words, league in _COMPETITION_WORDS if f" {words} " in flat), None)


def _home(words: list[str], teams: list[TeamMention]) -> str | None:
    """The club that played at home, by the first rule that tells: the club after "at"/"away to"/"in casa
    del", the club after a bare "in" that no "vs" pairs ("goals by Schalke in Madrid"), the club before
    "at home" ("Liverpool at home", but not "in casa del Chievo")."""
    folded = [fold(w) for w in words]
    for rule in (_after_away_words, _after_in, _before_at_home):
        for index, mention in enumerate(teams):
            if rule(folded, mention, teams[index - 1] if index else None):
                return mention.team
    return None


def _after_away_words(folded: list[str], mention: TeamMention, before: TeamMention | None) -> bool:
    return any(folded[max(0, mention.start - len(p)) : mention.start] == p for p in _AWAY_AT)


def _after_in(folded: list[str], mention: TeamMention, before: TeamMention | None) -> bool:
    """A club after a bare "in" and another club before it (not the other half of a derby's name)."""
    after = folded[mention.stop] if mention.stop < len(folded) else ""
    named_before = before is not None and before.stop <= mention.start - 1
    return named_before and folded[mention.start - 1] in ("in", "a", "en", "im") and after not in VERSUS


def _before_at_home(folded: list[str], mention: TeamMention, before: TeamMention | None) -> bool:
    at = mention.stop + mention.possessive
    for phrase in _AT_HOME:
        if folded[at : at + len(phrase)] == phrase:
            return folded[at + len(phrase) : at + len(phrase) + 1] not in (["del"], ["di"], ["de"], ["do"], ["da"])
    return False


def _ground(words: list[str], teams: list[TeamMention]) -> frozenset[str] | None:
    """The clubs at home where a text says it was played: "at Anfield", "in Naples", "das in Berlin"."""
    folded = [fold(w) for w in words]
    claimed = {i for m in teams for i in range(m.start, m.stop)}
    for i in range(len(folded)):
        placed = i > 0 and folded[i - 1] in PLACE_WORDS
        at = i + (placed and folded[i] in ("the", "der", "el", "la", "le", "il", "o"))
        for size in range(min(GROUND_WORDS, len(folded) - at), 0, -1):
            clubs = GROUNDS.get(" ".join(folded[at : at + size]))
            if clubs and (placed or size > 1) and not claimed & set(range(at, at + size)):
                return clubs  # "at Anfield", "in Naples"; a ground of two words anywhere ("el del Camp Nou")
    return None


def _result(words: list[str], teams: list[TeamMention]) -> tuple[str, str] | None:
    """How the match ended, from the side of the club named just before the result word."""
    for index, word in enumerate(fold(w) for w in words):
        before = [m for m in teams if m.stop <= index]
        if word in RESULTS and before and index - before[-1].stop <= RESULT_REACH:
            return before[-1].team, RESULTS[word]
    return None


def _unknown_club(words: list[str], teams: list[TeamMention]) -> str | None:
    """The clubs as named where one is no club the corpus knows: a name beside "vs"/"against"
    ("Atlantis FC vs Chelsea", "Celtic vs Rangers") or before "game"/"match" ("the Leeds game")."""
    folded = [fold(w) for w in words]
    claimed = {i for m in teams for i in range(m.start, m.stop + m.possessive)}
    club_at = {m.start: m.team for m in teams} | {m.stop - 1: m.team for m in teams}
    for index in range(len(folded)):
        for phrase in STRICT_VERSUS:
            if folded[index : index + len(phrase)] != phrase:
                continue
            after = _name_words(words, folded, claimed, range(index + len(phrase), len(words)))
            before = _name_words(words, folded, claimed, range(index - 1, -1, -1))[::-1]
            if before or after:
                first = " ".join(before) or club_at.get(index - 1, "")
                second = " ".join(after) or club_at.get(index + len(phrase), "")
                return " vs ".join(side for side in (first, second) if side)
        if folded[index] in MATCH_NOUNS and index > 0:
            name = _name_words(words, folded, claimed, range(index - 1, -1, -1))[::-1]
            if name and index - len(name) > 0 and folded[index - len(name) - 1] in JOINING:
                return " ".join(name)
    return None


def _name_words(words: list[str], folded: list[str], claimed: set[int], order: range) -> list[str]:
    """Up to ``UNKNOWN_NAME_WORDS`` capitalised words from the "vs" (names are written so), stopping at a
    club, a joining word, a month or a competition's name."""
    name: list[str] = []
    for i in order:
        stop = folded[i] in JOINING or folded[i] in VERSUS or folded[i] in MONTHS or folded[i] in _LEAGUE_WORDS
        stop = stop or folded[i] in GROUND_WORDS_SET
        if i in claimed or stop or not words[i][0].isupper():
            break
        name.append(words[i])
        if len(name) == UNKNOWN_NAME_WORDS:
            break
    return name


def names_pair(first: TeamMention, second: TeamMention, words: list[str]) -> bool:
    """Whether two club mentions name one match together: next to each other, or joined by "vs",
    "gegen", "–", "and", ... ("Chelsea – Burnley", "Bayern gegen Schachtar", "Hoffenheim Dortmund")."""
    if canonical_team(first.team) == canonical_team(second.team):
        return False
    between = [fold(w) for w in words[first.stop + first.possessive : second.start]]
    return not between or (len(between) <= 2 and all(w in VERSUS for w in between))
