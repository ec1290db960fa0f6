"""What a text says about a match: its clubs, date, season, competition, score, venue and result.

"Liverpool's 4-3 loss at Bournemouth", "Bayern gegen Schachtar Donezk", "the one from April 2017",
"Real Madrid 2 - 3 Barcelona", "the Champions League one": each reader finds one kind of
constraint (the clubs are ``tools.club_text``'s; dates, seasons, kick-offs and scores ``tools.match_dates``');
``read_match_text``
puts them together. The words live in ``data/matches.yaml`` and
``index/data/teams.yaml``; the readers are small functions over the text's words and characters.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from index.teams import COMMON_WORDS, GROUNDS, PAIRED_ONLY, team_forms
from index.words import fold, normalise, word_spans, words_of

from .club_text import (
    GROUND_WORDS,
    JOINING,
    MATCH_NOUNS,
    PLACE_WORDS,
    STRICT_VERSUS,
    TeamMention,
    find_team_mentions,
    stops_name,
    unknown_name_word,
)
from .match_dates import (
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
OPPONENT = frozenset(normalise(w) for w in TABLE["opponent"])
UNKNOWN_NAME_WORDS = 3  # at most this many words beside "vs" are read as the name of an unknown club
RESULT_SUBJECTS = frozenset(normalise(w) for w in TABLE["result_subjects"])
RESULT_AGENTS = frozenset(normalise(w) for w in TABLE["result_agents"])
PASSIVE = frozenset(normalise(w) for w in TABLE["passive"])
RESULTS: dict[str, str] = {normalise(w): result for result, words in TABLE["results"].items() for w in words}
_AWAY_AT = tuple(normalise(w).split() for w in TABLE["away_at"])
_AT_HOME = tuple(normalise(w).split() for w in TABLE["at_home"])
_HOSTING = tuple(normalise(w).split() for w in TABLE["hosting"])

RESULT_REACH = 3  # words from a club to its result word: "Liverpool's 4-3 loss"


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


def read_match_text(
    text: str, extra_teams: tuple[str, ...] = (), playing: frozenset[str] = frozenset(), days: bool = True
) -> MatchQuery:
    """Every constraint on a match that ``text`` states, wherever it states it; ``playing``: the clubs of the match in
    view, whose everyday names ("madrid") count as the clubs; ``days=False``: a number before a month is no day."""
    spans: list[tuple[int, int]] = []
    season = read_season(text, spans)
    dates = read_dates(text, spans, days)
    kickoff = read_kickoff(text, spans)
    before_score = len(spans)
    score = read_score(text, spans)
    words = words_of(text)
    teams = find_team_mentions(text, extra_teams, playing)
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
        unknown_club=_unknown_club(words, teams, _span_words(text, spans)),
        score_at=score_at,
        spans=tuple(spans),
    )


# -- competition, venue, result ------------------------------------------------------------------------
def _league(text: str) -> str | None:
    flat = f" {normalise(text)} "
    return next((league for words, league in _COMPETITION_WORDS if f" {words} " in flat), None)


def _home(words: list[str], teams: list[TeamMention]) -> str | None:
    """The club that played at home, by the first rule that tells: the club after "at"/"away to"/"in casa
    del", the club after a bare "in" that no "vs" pairs ("goals by Schalke in Madrid"), the club before
    "at home" ("Liverpool at home", but not "in casa del Chievo"), the club before the one "at home to" faces."""
    folded = [fold(w) for w in words]
    for rule in (_after_away_words, _after_in, _before_at_home, _hosting):
        for index, mention in enumerate(teams):
            if home := rule(folded, mention, teams[index - 1] if index else None):
                return home
    return None


def _after_away_words(folded: list[str], mention: TeamMention, before: TeamMention | None) -> str | None:
    return mention.team if any(folded[max(0, mention.start - len(p)) : mention.start] == p for p in _AWAY_AT) else None


def _after_in(folded: list[str], mention: TeamMention, before: TeamMention | None) -> str | None:
    """A club after a bare "in" and another club before it (not the other half of a derby's name)."""
    after = folded[mention.stop] if mention.stop < len(folded) else ""
    named_before = before is not None and before.stop <= mention.start - 1
    placed = named_before and folded[mention.start - 1] in ("in", "a", "en", "em", "im") and after not in VERSUS
    placed = placed and " ".join(folded[mention.start - 2 : mention.start]) not in VERSUS  # "face à Guingamp"
    return mention.team if placed else None


def _before_at_home(folded: list[str], mention: TeamMention, before: TeamMention | None) -> str | None:
    at = mention.stop + mention.possessive
    for phrase in _AT_HOME:
        if folded[at : at + len(phrase)] == phrase:
            of = folded[at + len(phrase) : at + len(phrase) + 1] in (["del"], ["di"], ["de"], ["do"], ["da"])
            return None if of else _first_of_pair(folded, mention, before)
    return None


def _first_of_pair(folded: list[str], mention: TeamMention, before: TeamMention | None) -> str:
    """ "chelsea maccabi home game": after two clubs named as a title, the home one is the title's first."""
    titled = before is not None and all(w in VERSUS for w in folded[before.stop + before.possessive : mention.start])
    return before.team if titled else mention.team


def _hosting(folded: list[str], mention: TeamMention, before: TeamMention | None) -> str | None:
    """ "corners sassuolo won at home to milan": the club named before the one after "at home to" was at home."""
    hosted = any(folded[max(0, mention.start - len(p)) : mention.start] == p for p in _HOSTING)
    return before.team if hosted and before is not None else None


_CLUB_FORMS = frozenset(team_forms())
# The grounds that are no city's or club's name: one word names where a match was played even beside two clubs.
_STADIUMS = frozenset(name for name in GROUNDS if " " not in name and name not in COMMON_WORDS | PAIRED_ONLY
                      and name not in _CLUB_FORMS)  # fmt: skip


def _ground(words: list[str], teams: list[TeamMention]) -> frozenset[str] | None:
    """The clubs at home where a text says it was played: "at Anfield", "in Naples", "das in Berlin"."""
    folded = [fold(w) for w in words]
    claimed = {i for m in teams for i in range(m.start, m.stop)}
    for i in range(len(folded)):
        placed = i > 0 and folded[i - 1] in PLACE_WORDS
        at = i + (placed and folded[i] in ("the", "der", "el", "la", "le", "il", "o"))
        for size in range(min(GROUND_WORDS, len(folded) - at), 0, -1):
            name = " ".join(folded[at : at + size])
            clubs = GROUNDS.get(name)
            free = not claimed & set(range(at, at + size))  # "at the Juventus Stadium" holds a club's name
            alone = free and (size > 1 or not (teams or name in COMMON_WORDS | PAIRED_ONLY))  # "goodison april 2017"
            alone = alone or (free and not placed and name in _STADIUMS)  # "valencia real madrid mestalla 2016"
            within_club = set(range(at, at + size)) <= claimed  # "Maccabi Tel Aviv": a club's name, not its city
            # "juventus stadium, juve napoli": a club's name in it
            alone = alone or (size > 1 and name not in _CLUB_FORMS and not within_club)
            if clubs and ((placed and (free or size > 1)) or alone):
                return clubs  # "at Anfield", "in Naples"; a ground of two words anywhere ("el del Camp Nou")
    return None


def _result(words: list[str], teams: list[TeamMention]) -> tuple[str, str] | None:
    """How the match ended, from the side of the club named just before the result word."""
    folded = [fold(w) for w in words]
    for index, word in enumerate(folded):
        before = [m for m in teams if m.stop <= index]
        by = [m for m in teams if m.start == index + 2 and folded[index + 1] in RESULT_AGENTS]
        if word in RESULTS and by:  # "the one won by Lazio", "quello vinto dalla Lazio": the club after "by"
            return by[0].team, RESULTS[word]
        if word in RESULTS and before and index - before[-1].stop <= RESULT_REACH:
            suffered = index and folded[index - 1] in PASSIVE and RESULTS[word] == "win"  # "getafe got battered"
            return before[-1].team, "loss" if suffered else RESULTS[word]
        said_by = folded[index - 1] in RESULT_SUBJECTS if index else False
        if word in RESULTS and said_by and len({m.team for m in before}) == 1:  # "the derby they won 3-1"
            return before[0].team, RESULTS[word]
    return None


def _span_words(text: str, spans: list[tuple[int, int]]) -> set[int]:
    """The words a date or score was read from ("7-nil"): no club's name."""
    return {i for i, (start, _) in enumerate(word_spans(text)) if any(a <= start < b for a, b in spans)}


def _unknown_club(words: list[str], teams: list[TeamMention], taken: set[int]) -> str | None:
    """The clubs as named where one is no club the corpus knows: a name beside "vs"/"against"
    ("Atlantis FC vs Chelsea", "Celtic vs Rangers") or before "game"/"match" ("the Leeds game")."""
    folded = [fold(w) for w in words]
    claimed = {i for m in teams for i in range(m.start, m.stop + m.possessive)} | taken
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
            if phrase in _PLAIN_VERSUS and (lower := _lower_case_unknown(words, teams, claimed, index - 1, index + 1)):
                return lower
        if folded[index] in MATCH_NOUNS and index > 0:
            name = _name_words(words, folded, claimed, range(index - 1, -1, -1))[::-1]
            if name and index - len(name) > 0 and folded[index - len(name) - 1] in JOINING:
                return " ".join(name)
    return None


# Only these join a lower-case unknown name to a club: "the one against Liverpool", "score against Everton" are no
# club called "one" or "score".
_PLAIN_VERSUS = (["v"], ["vs"], ["versus"])
# Words of home and away, no club's name on either side of "v": "home vs away goals"
_SIDE_WORDS = frozenset(w for phrase in (*_AT_HOME, *_AWAY_AT, *_HOSTING) for w in phrase)


def _lower_case_unknown(words: list[str], teams: list[TeamMention], claimed: set[int], before: int, after: int) -> str:
    """A lower-case name on one side of "v" and a known club on the other ("leeds v arsenal", "celtic v rangers"):
    the words as typed, from one name to the other; "" when the word could be anything else (an action word, or a
    word right after a club: "man city score v newcastle", "napoli won v udinese"); two lower-case names the corpus
    does not know ("leeds vs millwall", "brighton v fulham") are that match, as typed."""
    sides = [fold(words[i]) for i in (before, after) if 0 <= i < len(words)]
    if all(_unknown_name_at(words, claimed, i) for i in (before, after)) and not set(sides) & _SIDE_WORDS:
        first, last = _name_reach(words, claimed, before, -1)[0], _name_reach(words, claimed, after, 1)[1]
        return " ".join(words[first : last + 1])
    for unknown, known in ((before, after), (after, before)):
        club = next((m for m in teams if m.start <= known < m.stop), None)
        if club is None or unknown - 1 in claimed:
            continue
        if _unknown_name_at(words, claimed, unknown):
            first, last = _name_reach(words, claimed, unknown, -1 if unknown == before else 1)
            return " ".join(words[min(first, club.start) : max(last + 1, club.stop)])
    return ""


def _unknown_name_at(words: list[str], claimed: set[int], at: int) -> bool:
    """Whether word ``at`` may be a lower-case name of a club the corpus does not know (beside "v")."""
    if not 0 <= at < len(words) or at in claimed:
        return False
    word = fold(words[at])
    return unknown_name_word(word) and word not in MATCH_NOUNS and word != "one"


def _name_reach(words: list[str], claimed: set[int], at: int, step: int) -> tuple[int, int]:
    """The first and last word of the lower-case unknown name that ends (``step`` -1) or starts (+1) at word ``at``:
    up to ``UNKNOWN_NAME_WORDS`` name words ("leeds united v arsenal", "nottingham forest v arsenal")."""
    end = at
    while (
        abs(end + step - at) < UNKNOWN_NAME_WORDS
        and 0 <= end + step < len(words)
        and end + step not in claimed
        and unknown_name_word(fold(words[end + step]))
    ):
        end += step
    return min(at, end), max(at, end)


def _name_words(words: list[str], folded: list[str], claimed: set[int], order: range) -> list[str]:
    """Up to ``UNKNOWN_NAME_WORDS`` capitalised words from the "vs" (names are written so), stopping at a
    club, a joining word, a month or a competition's name."""
    name: list[str] = []
    for i in order:
        if i in claimed or stops_name(folded[i]) or not words[i][0].isupper():
            break
        name.append(words[i])
        if len(name) == UNKNOWN_NAME_WORDS:
            break
    return name
