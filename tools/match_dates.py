"""Dates, seasons, kick-off times and scores as a text writes them about a match.

"the one from April 2017", "26 December 2015", "2014/15", "the 20:45 game", "the 2-2": each reader
finds one in the text, outside the characters earlier readers took (``spans``, which it extends),
so a date is never read again as a score. Days in any common order and in the six languages are
read by dateutil with the month names of ``data/matches.yaml``.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path

from dateutil import parser as dateparser

from index.words import fold, normalise, word_spans, words_of
from index.yamlfile import read_yaml

TABLE = read_yaml(Path(__file__).parent / "data" / "matches.yaml")  # the words of match texts, read once
MONTHS: dict[str, int] = {normalise(name): int(month) for month, names in TABLE["months"].items() for name in names}
MAX_GOALS = 15  # a side's score beyond this is a minute or a time, not a score
VERSUS = frozenset(normalise(w) for w in TABLE["versus"])  # words that join two clubs into one match

_MONTH = "(" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")\.?"
_YEAR = r"((?:19|20)\d\d)"
_ISO_DATE = re.compile(r"\b(\d{4})([-/.])(\d{1,2})\2(\d{1,2})\b")  # 2017-04-23, 2015/09/12
_NOT_SCORE = r"(?<![-:–]\s)(?<![-:–])"  # a day is no score's second number: "3-2 may 2015" is May 2015, 3-2
_DAY_PATTERNS = (  # read by dateutil (day first, the six languages' month names)
    re.compile(r"\b(\d{1,2})[/.](\d{1,2})[/.](\d{4}|\d{2})\b"),  # 23/4/2017, 23.4.17
    re.compile(
        rf"{_NOT_SCORE}\b(\d{{1,2}})(?:st|nd|rd|th|er|o|\.)?\s+(?:of\s+|de\s+)?{_MONTH}(?:\s+(?:de\s+)?{_YEAR})?\b"
    ),
    re.compile(rf"\b{_MONTH}\s+(\d{{1,2}})(?:st|nd|rd|th)?(?!\s*[-:–]\s*\d)(?:,?\s+{_YEAR})?\b"),
)
_MONTH_YEAR = re.compile(rf"\b{_MONTH}\s+(?:de\s+|of\s+)?{_YEAR}\b")
# A month alone only after a word that makes it a date ("the one from February", "celui de février",
# "quello di aprile") or as "the October one": "may" and "mars" are words too.
_DATE_WORDS = r"(?:in|from|of|de|di|del|d|do|da|von|vom|im|du|en|em|na|no|aus|dal|dell)"
_MONTH_ALONE = re.compile(rf"\b{_DATE_WORDS}\s+{_MONTH}(?!\w)|\b(?:the|that)\s+{_MONTH}\s+(?=one\b|game\b|match\b)")
HOLIDAYS: dict[str, tuple[int, int]] = {fold(name): (month, day) for name, (month, day) in TABLE["holidays"].items()}
_HOLIDAY = re.compile(
    r"\b(" + "|".join(re.escape(h) for h in sorted(HOLIDAYS, key=len, reverse=True))
    + rf")(?:\s+(?:(?:game|match|fixture|one)\s+)?(?:of\s+|in\s+)?{_YEAR})?\b"  # "the valentine's day game 2016"
)
_SEASON = re.compile(r"\b((?:19|20)\d\d)\s*[-/–]\s*((?:19|20)?\d\d)\b")
_SHORT_SEASON = re.compile(r"(?<![\d/.])(1[3-9]|2\d)/(1[4-9]|2\d)(?![\d/.])")  # "15/16": no day and month
_YEAR_ALONE = re.compile(rf"\b{_YEAR}\b")
_KICKOFF = re.compile(r"\b(1[1-9]|2[0-3])[:h]([0-5][05])\b")  # kick-offs: 11:00-23:55, on the five minutes
_SCORE = re.compile(  # "2-1", "2:1", "2 a 2", "3 x 0", "2x2", "7-nil", "4 nil"
    r"(?<![\d:./])(\d{1,2})(?:\s*(?:[-:–]|x(?=\d)|\s(?:a|zu|à|x)\s)\s*(\d{1,2})|\s*[-–]?\s*(nil)\b)(?![\d:./])"
    r"(?!\s*(?:min|'|(?:th|st|nd|rd)\b|\.\s*min))",
    re.IGNORECASE,
)
# A score said as words, as fans say and voice typing writes it ("three nil", "2 all", "four zip", "nil three",
# "2 to 1"): only with a word no other phrase puts beside a number ("nil", "zip", "all"), or digits joined by "to"
# where no minute is said ("minutes 20 to 45" is a window).
_SPOKEN = {
    w: n
    for n, words in enumerate(
        ("nil zip zero nothing goalless scoreless", "one", "two too", "three", "four", "five", "six", "seven")
    )
    for w in words.split()
}
_GOALS = r"(\d{1,2}|" + "|".join(_SPOKEN) + r")"
_NO_GOALS = r"(nil|zip|nothing)"
_SPOKEN_SCORES = (  # each with its two goal counts' groups (the same group twice for a draw)
    (re.compile(rf"\b{_GOALS}\s+{_NO_GOALS}\b", re.IGNORECASE), (1, 2)),
    (re.compile(rf"\b{_NO_GOALS}\s+{_GOALS}\b", re.IGNORECASE), (1, 2)),
    (re.compile(rf"\b{_GOALS}\s+all\b", re.IGNORECASE), (1, 1)),
    (re.compile(r"\b(goalless|scoreless)\b", re.IGNORECASE), (1, 1)),  # "the goalless draw": 0-0
    (re.compile(r"(?<!min )(?<!mins )(?<!minute )(?<!minutes )(?<!from )\b(\d{1,2})\s+to\s+(\d{1,2})\b(?!\s*min)",
                re.IGNORECASE), (1, 2)),
)  # fmt: skip


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

    def month_of_year(self) -> DateSpan | None:
        """ "oct 16" read the other way, as October 2016: what a day of a month that fits nothing may mean."""
        if self.month_day is None:
            return None
        month, year = self.month_day[0], 2000 + self.month_day[1]
        return DateSpan(dt.date(year, month, 1), dt.date(year, month, calendar.monthrange(year, month)[1]))

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


def masked(text: str, spans: tuple[tuple[int, int], ...]) -> str:
    """``text`` with the characters of ``spans`` blanked, so no other reader sees a date or score again."""
    for start, stop in spans:
        text = text[:start] + " " * (stop - start) + text[stop:]
    return text


class _Months(dateparser.parserinfo):
    """dateutil's parser, reading the month names of the six languages."""

    MONTHS = [tuple(n for n, m in MONTHS.items() if m == number) for number in range(1, 13)]  # noqa: RUF012


_PARSER = dateparser.parser(_Months(dayfirst=True))


def read_season(text: str, spans: list[tuple[int, int]]) -> str | None:
    """A season ("2015-2016", "2014/15", "15/16"); its characters are added to ``spans``."""
    found = _SEASON.search(text) or _SHORT_SEASON.search(text)
    if not found:
        return None
    first, second = int(found[1]) % 100 + 2000 if len(found[1]) == 2 else int(found[1]), int(found[2][-2:])
    if second != (first + 1) % 100:
        return None
    spans.append(found.span())
    return f"{first}-{first + 1}"


def read_dates(text: str, spans: list[tuple[int, int]], days: bool = True) -> DateSpan | None:
    """A day (any common order and language), else a month of a year, else a year; ``days=False`` reads no day
    ("burnley 0 arsenal 1 april 2015": the "1" may be the score's)."""
    plain = fold(masked(text, tuple(spans)))
    if found := _ISO_DATE.search(plain):
        with suppress(ValueError):
            day = dt.date(int(found[1]), int(found[3]), int(found[4]))
            spans.append(found.span())
            return DateSpan(day, day)
    if found := _HOLIDAY.search(plain):  # "christmas day 2016", "the boxing day game"
        spans.append(found.span())
        month, day = HOLIDAYS[found[1]]
        return DateSpan(*[dt.date(int(found[2]), month, day)] * 2) if found[2] else DateSpan(month_day=(month, day))
    for pattern in _DAY_PATTERNS if days else ():
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
        return DateSpan(month=MONTHS[found[1] or found[2]])
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


def read_kickoff(text: str, spans: list[tuple[int, int]]) -> dt.time | None:
    """A kick-off time ("20:45", "18h30"), outside ``spans``."""
    found = _KICKOFF.search(masked(text, tuple(spans)))
    if not found:
        return None
    spans.append(found.span())
    return dt.time(int(found[1]), int(found[2]))


def read_score(text: str, spans: list[tuple[int, int]]) -> tuple[int, int] | None:
    """A score ("2-1", "3 a 0"), outside ``spans``: not a minute, a time or a date."""
    for found in _SCORE.finditer(masked(text, tuple(spans))):
        home, away = int(found[1]), int(found[2] or 0)  # "nil" is no goals
        if max(home, away) <= MAX_GOALS and not _leading_zero(found[1], found[2] or ""):
            spans.append(found.span())
            return home, away
    for pattern, (home, away) in _SPOKEN_SCORES:
        spoken = pattern.search(masked(text, tuple(spans)))
        goals = (_goal_count(spoken[home]), _goal_count(spoken[away])) if spoken else (None, None)
        if spoken and None not in goals and max(goals) <= MAX_GOALS:
            spans.append(spoken.span())
            return goals
    return None


def _leading_zero(*numbers: str) -> bool:
    return any(len(n) == 2 and n.startswith("0") for n in numbers)


def word_at(text: str, offset: int) -> int:
    """The index of the first word of ``text`` at or after character ``offset``."""
    return next((i for i, (start, _) in enumerate(word_spans(text)) if start >= offset), 0)


def read_spaced_score(
    text: str, clubs: list[tuple[int, int, int]], spans: list[tuple[int, int]]
) -> tuple[int, int] | None:
    """A score written with spaces only, which reads as one only beside two clubs (``clubs``: each one's first word,
    end and end past a possessive "s"): "Villarreal 1 Real Madrid 0", "barcelona 2 0 psg", "Real Madrid Espanyol
    2 0", "juventus napoli too one" (home first, as the clubs are named)."""
    if len(clubs) < 2:
        return None
    words = words_of(text)
    (_, _, after_first), (second_start, _, after_second) = clubs[0], clubs[1]
    ways = {
        after_first + 1: [after_first, after_second],  # A 1 B 0
        after_first + 2: [after_first, after_first + 1],  # A 2 0 B
    }
    numbers = ways.get(second_start)
    if numbers is None and all(fold(w) in VERSUS for w in words[after_first:second_start]):  # A B 2 0, A v B 2 0
        numbers = [after_second, after_second + 1]
    if numbers is None or not _goals(words, numbers, clubs):
        return None
    offsets = word_spans(text)
    if any(start <= offsets[i][0] < stop for i in numbers for start, stop in spans):
        return None  # a date's numbers ("psg barcelona 08.03.2017") are no score
    spans.extend(offsets[i] for i in numbers)
    return _goal_count(words[numbers[0]]), _goal_count(words[numbers[1]])


def _goals(words: list[str], at: list[int], clubs: list[tuple[int, int, int]]) -> bool:
    """Whether the words at ``at`` are two goal counts no club claims, no minute ("2 0 min") after them."""
    if at[0] < 0 or at[-1] >= len(words) or any(start <= i < stop for start, stop, _ in clubs for i in at):
        return False
    following = fold(words[at[-1] + 1]) if at[-1] + 1 < len(words) else ""
    counts = [_goal_count(words[i]) for i in at]
    return all(c is not None and c <= MAX_GOALS for c in counts) and not following.startswith("min")


def _goal_count(word: str) -> int | None:
    """A goal count as digits ("2") or as said ("too", "one": voice typing beside two clubs); else None."""
    if word.isdigit():
        return int(word) if len(word) <= 2 else None
    return _SPOKEN.get(fold(word))
