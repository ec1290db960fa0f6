"""What a text says about a match: its clubs, date, season, competition, score, venue and result.

"Liverpool's 4-3 loss at Bournemouth", "Bayern gegen Schachtar Donezk", "the one from April 2017",
"Real Madrid 2 - 3 Barcelona", "the Champions League one": each reader finds one kind of
constraint (dates, seasons, kick-offs and scores are ``tools.match_dates``'); ``read_match_text``
puts them together. The words live in ``data/matches.yaml`` and
``index/data/teams.yaml``; the readers are small functions over the text's words and characters.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import NamedTuple

from rapidfuzz import fuzz, process

from index.teams import COMMON_WORDS, DERBIES, GROUNDS, PAIRED_ONLY, canonical_team, team_forms
from index.words import fold, normalise, words_of

from .match_dates import (
    MONTHS,
    TABLE,
    VERSUS,
    DateSpan,
    read_dates,
    read_kickoff,
    read_score,
    read_season,
    read_spaced_score,
    word_at,
)

COMPETITIONS: dict[str, str] = {league: spec["name"] for league, spec in TABLE["competitions"].items()}
_COMPETITION_WORDS = sorted(
    ((normalise(w), league) for league, spec in TABLE["competitions"].items() for w in spec["words"]),
    key=lambda item: -len(item[0]),
)
_LEAGUE_WORDS = frozenset(w for words, _ in _COMPETITION_WORDS for w in words.split())
OPPONENT = frozenset(normalise(w) for w in TABLE["opponent"])
JOINING = frozenset(normalise(w) for w in TABLE["joining"])
PLACE_WORDS = frozenset(normalise(w) for w in TABLE["place_words"])
STRICT_VERSUS = tuple(normalise(w).split() for w in TABLE["strict_versus"])
UNKNOWN_NAME_WORDS = 3  # at most this many words beside "vs" are read as the name of an unknown club
MATCH_NOUNS = frozenset(normalise(w) for w in TABLE["match_nouns"])
RESULT_SUBJECTS = frozenset(normalise(w) for w in TABLE["result_subjects"])
RESULTS: dict[str, str] = {normalise(w): result for result, words in TABLE["results"].items() for w in words}
_AWAY_AT = tuple(normalise(w).split() for w in TABLE["away_at"])
_AT_HOME = tuple(normalise(w).split() for w in TABLE["at_home"])

FUZZY_MIN_CHARS = 6  # from here one typo is read through ("Bayren", "Napili")
FUZZY_SHORT_CHARS, FUZZY_SHORT_SCORE = 5, 90  # 5 letters: only a letter missing at the end ("Napol")
SINGLE_MIN_CHARS = 4  # a doubled letter is read through from here: "batte" (BATE)
FUZZY_SCORE = 80  # one letter wrong or two swapped in a 6-letter name ("Bayren", "Napili")
LONGER_SCORE = 88  # a misspelt longer name over an exact shorter one: "Atletico Madird", not "Atalanta cards"
PAIR_GAP = 3  # words between two clubs that name a match: "the toffees v the foxes", "foxes 2-5 gunners"
RESULT_REACH = 3  # words from a club to its result word: "Liverpool's 4-3 loss"
DERBY_WORDS = max(len(name.split()) for name in DERBIES)
GROUND_WORDS = max(len(name.split()) for name in GROUNDS)
GROUND_WORDS_SET = frozenset(w for name in GROUNDS for w in name.split())  # never the name of an unknown club


@dataclass(frozen=True, slots=True)
class TeamMention:
    """A club named in a text: which words (indices into ``words_of``), and which club (canonical)."""

    start: int
    stop: int
    team: str
    possessive: bool = False  # "Chelsea's"


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
    score_at: int | None = field(default=None, compare=False)  # the word the score starts at

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
    season = read_season(text, spans)
    dates = read_dates(text, spans)
    kickoff = read_kickoff(text, spans)
    before_score = len(spans)
    score = read_score(text, spans)
    words = words_of(text)
    teams = find_team_mentions(text, extra_teams)
    clubs = [(m.start, m.stop, m.stop + m.possessive) for m in teams]
    score = score or read_spaced_score(text, clubs, spans)
    score_at = word_at(text, spans[before_score][0]) if score else None
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
        score_at=score_at,
        spans=tuple(spans),
    )


# -- clubs ---------------------------------------------------------------------------------------------
class _Typos(NamedTuple):
    """Where a misspelt club name is looked up: the long spellings by first letter (a typo keeps the first
    letter: "Bayren", "Juventis"; "Rangers" is not "Angers"), and every spelling with its doubled letters
    written once (a letter doubled or not: "batte" is BATE, "Barcelonna": a short name has no room for a score)."""

    by_letter: dict[str, tuple[str, ...]]
    single_letters: dict[str, str]


@lru_cache(maxsize=8)
def _forms(extra_teams: tuple[str, ...]) -> tuple[dict[str, str], int, _Typos]:
    """Every spelling -> club, the longest spelling's words, and where misspellings are looked up."""
    forms = team_forms(extra_teams)
    longest = max(len(f.split()) for f in forms)
    by_letter: dict[str, list[str]] = {}
    for form in forms:
        if len(form) >= FUZZY_SHORT_CHARS:
            by_letter.setdefault(form[0], []).append(form)
    single = {
        _undoubled(f): team
        for f, team in forms.items()
        if f not in COMMON_WORDS | PAIRED_ONLY and len(f) >= SINGLE_MIN_CHARS
    }
    return forms, longest, _Typos({letter: tuple(group) for letter, group in by_letter.items()}, single)


def _undoubled(phrase: str) -> str:
    return re.sub(r"(\w)\1+", r"\1", phrase)


def find_team_mentions(text: str, extra_teams: tuple[str, ...] = ()) -> list[TeamMention]:
    """Clubs named in ``text``: at each word the longest exact spelling, else a derby's name (two clubs), else
    a one-typo spelling of a long name. A name that is also an everyday word ("nice", "the foxes") counts only
    capitalised, possessive or paired with another club ("the foxes 2-5 gunners", "city villa 4-0")."""
    forms, longest, fuzzy = _forms(extra_teams)
    original = words_of(text)
    words = [fold(w) for w in original]
    found: list[TeamMention] = []
    everyday: list[TeamMention] = []  # lower-case everyday words that may name a club
    i = 0
    while i < len(words):
        beside = bool(found) and (found[-1].stop == i or (found[-1].stop == i - 1 and words[i - 1] in VERSUS))
        hits = _derby_at(i, words) or _exact_at(i, words, original, forms, longest, beside)
        if _ends_unknown_name(i, words, original, found):  # "Leeds United": no Manchester United in it
            i += 1
            continue
        if hits:  # "Atletico Madird" is one misspelt club, not Atlético and then Real Madrid
            longer = _fuzzy_at(i, words, original, forms, longest, fuzzy, LONGER_SCORE)
            if longer and longer[0].stop > hits[0].stop and longer[0].team == hits[0].team:
                after = _exact_at(hits[0].stop, words, original, forms, longest)  # "atletico real madrid": two clubs
                hits = hits if after and after[0].team != hits[0].team else longer
        else:
            hits = _fuzzy_at(i, words, original, forms, longest, fuzzy)
        if not hits and (word := _everyday_at(i, words, forms, longest)):
            everyday.append(word)
        if hits:
            found.extend(hits)
            i = hits[0].stop
        else:
            i += everyday[-1].stop - i if everyday and everyday[-1].start == i else 1
    return _with_paired_everyday(found, everyday, words)


def _ends_unknown_name(i: int, words: list[str], original: list[str], found: list[TeamMention]) -> bool:
    """Whether the everyday word at ``i`` ("United", "City") ends the capitalised name of a club the corpus does
    not know ("goals of Leeds United", "Norwich City vs Chelsea"): a capitalised word before it, inside the
    sentence, that is no club and no joining word."""
    if words[i] not in COMMON_WORDS or i < 2 or not original[i][0].isupper():
        return False
    before, word = original[i - 1], words[i - 1]
    named = bool(found) and found[-1].stop == i
    return len(before) > 1 and before[0].isupper() and not named and not _stops_name(word)


def _stops_name(word: str) -> bool:
    """A folded word that is never part of a club's name: a joining or versus word, a month, a competition's
    or a ground's word."""
    return word in JOINING or word in VERSUS or word in MONTHS or word in _LEAGUE_WORDS or word in GROUND_WORDS_SET


def _everyday_at(i: int, words: list[str], forms: dict[str, str], longest: int) -> TeamMention | None:
    """The longest spelling at word ``i`` that is an everyday word ("city", "the foxes") or a player's name too."""
    for size in range(min(longest, len(words) - i), 0, -1):
        phrase = " ".join(words[i : i + size])
        if (phrase in COMMON_WORDS or phrase in PAIRED_ONLY) and phrase in forms:
            return _mention(i, size, forms[phrase], words)
    return None


def _with_paired_everyday(found: list[TeamMention], everyday: list[TeamMention], words: list[str]) -> list[TeamMention]:
    """``found`` and the everyday words that sit beside another club, across at most a score, "vs" or "the", or
    right after a word that only joins clubs when another club is named ("PSG au Parc contre Bâle")."""
    kept = list(found)
    for mention in everyday:
        others = [m for m in (*found, *everyday) if m is not mention and m.team != mention.team]
        facing = bool(others) and mention.start > 0 and [words[mention.start - 1]] in STRICT_VERSUS
        if facing or any(_joined(*sorted((mention, other), key=lambda m: m.start), words) for other in others):
            kept.append(mention)
    return sorted(kept, key=lambda m: m.start)


def _joined(first: TeamMention, second: TeamMention, words: list[str]) -> bool:
    between = words[first.stop + first.possessive : second.start]
    return 0 <= len(between) <= PAIR_GAP and all(w.isdigit() or w in VERSUS or w == "the" for w in between)


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
        if phrase in PAIRED_ONLY:
            return []
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
    phrase: str, size: int, forms: dict[str, str], typos: _Typos, cutoff: float = FUZZY_SCORE
) -> str | None:
    """The club a misspelt name means; never across a joining word ("at Bournemouth" is not "AFC Bournemouth"),
    and never a spelling that is itself a name, left out for a reason (lower-case "paris")."""
    if phrase in forms:
        return None
    if len(phrase) >= SINGLE_MIN_CHARS and (team := typos.single_letters.get(_undoubled(phrase))):
        return team
    edges = phrase.split()[:: max(1, size - 1)]
    if len(phrase) < FUZZY_SHORT_CHARS or any(w in VERSUS or w in JOINING for w in edges) or phrase in MONTHS:
        return None
    if len(phrase) < FUZZY_MIN_CHARS:
        cutoff = max(cutoff, FUZZY_SHORT_SCORE)
    best = process.extractOne(phrase, typos.by_letter.get(phrase[0], ()), scorer=fuzz.ratio, score_cutoff=cutoff)
    return forms[best[0]] if best and len(best[0].split()) == size else None


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
            free = not claimed & set(range(at, at + size))  # "at the Juventus Stadium" holds a club's name
            if clubs and ((placed and (free or size > 1)) or (size > 1 and free)):
                return clubs  # "at Anfield", "in Naples"; a ground of two words anywhere ("el del Camp Nou")
    return None


def _result(words: list[str], teams: list[TeamMention]) -> tuple[str, str] | None:
    """How the match ended, from the side of the club named just before the result word."""
    folded = [fold(w) for w in words]
    for index, word in enumerate(folded):
        before = [m for m in teams if m.stop <= index]
        if word in RESULTS and before and index - before[-1].stop <= RESULT_REACH:
            return before[-1].team, RESULTS[word]
        said_by = folded[index - 1] in RESULT_SUBJECTS if index else False
        if word in RESULTS and said_by and len({m.team for m in before}) == 1:  # "the derby they won 3-1"
            return before[0].team, RESULTS[word]
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
        if i in claimed or _stops_name(folded[i]) or not words[i][0].isupper():
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
