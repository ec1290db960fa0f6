"""The running score as the commentary says it: "2-1", "two goals to one", "3 a 0", "zwei zu eins",
"1-0 for PSG", "Madrid 1, Barça 2", "Real Madrid is ahead on the scoreboard", "the equaliser".

Stable API (the score timeline and the embedded spotter's score-state decoding read it):

- ``score_mentions(segments, home="", away="") -> list[ScoreMention]``: every mention in a half's (or a
  match's) segments, in time order, the same mention heard in several transcriptions kept once.
- ``ScoreMention``: ``kind`` (``MentionKind.SCORE``, ``LEAD``, ``LEVEL``), ``half``, ``seconds`` (the
  segment's start), ``goals`` (SCORE: the two numbers, larger first), ``team`` ("home"/"away": the
  club that leads, or that equalised; "" when the words do not say), ``text``, ``source``;
  ``agrees(home, away)`` says whether a score state fits it.

A mention is evidence, not truth: commentators also say other matches' scores, aggregates and
formations. The obvious ones are dropped here (number chains "4-4-2", spans "2-3 years", passes
"one-two", scores next to "won"/"first leg"); the rest is weighed by the timeline against the goals.
The words of each language are data (``prompts/score_words.yaml``); segments of an unknown language
are read with all of them.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from enum import StrEnum
from functools import cache

from index.types import Segment
from index.yamlfile import read_yaml

from .clubs import LEXICON_DIR, ClubMention, ClubReader, club_reader, fold

SCORE_WORDS_FILE = LEXICON_DIR / "score_words.yaml"
MAX_GOALS = 15  # larger numbers are minutes, years or distances, not goals
MERGE_S = 15.0  # the same mention in two transcriptions (or said twice in a breath) is one
CONTEXT_CHARS = 35  # how far "won", "first leg" or "for PSG" may stand before the numbers
AFTER_CHARS = 25  # ... and "won", "down to Olympiacos" after them
TEAM_CHARS = 50  # how far a club may stand from "takes the lead" / "equalises" to be its subject


# Where a segment names clubs that are not the match's (``ClubReader.others``), read only when needed.
OtherClubs = Callable[[], list[tuple[int, int]]]


class MentionKind(StrEnum):
    SCORE = "score"  # numbers: "2-1"
    LEAD = "lead"  # a club goes or is ahead
    LEVEL = "level"  # the score is level (an equaliser)


@dataclass(frozen=True, slots=True)
class ScoreMention:
    """One thing the commentary says about the score at ``seconds`` into ``half``."""

    kind: MentionKind
    half: int
    seconds: float
    goals: tuple[int, int] = (0, 0)  # SCORE: larger first
    team: str = ""  # "home"/"away": the club leading (SCORE, LEAD) or equalising (LEVEL)
    text: str = ""
    source: str = ""

    def agrees(self, home: int, away: int) -> bool:
        """Whether the score ``home``-``away`` is what this mention says."""
        leader = "home" if home > away else "away" if away > home else ""
        if self.kind is MentionKind.SCORE:
            same = (max(home, away), min(home, away)) == self.goals
            return same and (not self.team or not leader or self.team == leader)
        if self.kind is MentionKind.LEAD:
            return bool(leader) and (not self.team or self.team == leader)
        return home == away


@dataclass(frozen=True, slots=True)
class _Words:
    """One language's compiled phrases (several languages merged for unknown text)."""

    score: re.Pattern[str]
    numbers: dict[str, int]
    for_words: re.Pattern[str]
    lead: re.Pattern[str]
    level: re.Pattern[str]
    past: re.Pattern[str]
    not_now: re.Pattern[str]
    not_after: re.Pattern[str]
    idioms: re.Pattern[str]
    number: str  # the number alternative, for "Madrid 1, Barça 2"


@cache
def _table() -> dict:
    return read_yaml(SCORE_WORDS_FILE)


def phrase_alternatives(phrases: Iterable[str]) -> str:
    """One regular-expression alternation of ``phrases``, longest first; a space in a phrase is any spacing."""
    return "|".join(sorted({p.replace(" ", r"[\W_]+") for p in phrases}, key=len, reverse=True)) or r"(?!x)x"


def language_phrases(words: Mapping[str, Sequence[str]], language: str) -> list[str]:
    """A table's phrases in ``language``; every language's for one it has none of (an unknown language is
    read with all of them)."""
    return list(words.get(language) or [p for phrases in words.values() for p in phrases])


def _words_pattern(phrases: Iterable[str]) -> re.Pattern[str]:
    return re.compile(rf"(?<!\w)(?:{phrase_alternatives(phrases)})(?!\w)")


@cache
def _words(language: str) -> _Words:
    """Compiled phrases of ``language``; of every language when it has none of its own."""
    table = _table()
    languages = [language] if language in table["numbers"] else list(table["numbers"])

    def pooled(key: str) -> list[str]:
        return [p for lang in languages for p in table[key].get(lang, [])]

    numbers = {fold(w): n for lang in languages for w, n in table["numbers"][lang].items()}
    number = rf"\d{{1,2}}|{phrase_alternatives(re.escape(w) for w in numbers)}"
    symbols = "".join(re.escape(j) for j in table["joiners"]["any"])
    joined = phrase_alternatives(re.escape(j) for j in pooled("joiners"))
    goal_words = phrase_alternatives(pooled("goal_words"))
    score = re.compile(
        rf"(?<![\w.,])(?P<a>{number})(?:\s+(?:{goal_words}))?(?:\s*[{symbols}]\s*|\s+(?:{joined})\s+)"
        rf"(?P<b>{number})(?![\w])"
    )
    return _Words(
        score=score,
        numbers=numbers,
        for_words=re.compile(rf"^[\W_]*(?:{phrase_alternatives(pooled('for_words'))})[\W_]+(?:\w{{1,3}}[\W_]+)?$"),
        lead=_words_pattern(pooled("lead")),
        level=_words_pattern(pooled("level")),
        past=_words_pattern(pooled("past")),
        not_now=_words_pattern(pooled("not_now")),
        not_after=re.compile(rf"^[\W_]*(?:{phrase_alternatives(table['not_after'])})(?!\w)"),
        idioms=re.compile(rf"^(?:{phrase_alternatives(table['idioms'])})(?!\w)"),
        number=number,
    )


def _value(token: str, words: _Words) -> int | None:
    value = int(token) if token.isdigit() else words.numbers.get(token)
    return value if value is not None and value <= MAX_GOALS else None


def _is_chain(text: str, start: int, end: int) -> bool:
    """Part of "4-4-2" or "4-2-3-1": a formation, not a score."""
    return bool(re.search(r"\d\s*[-–:]\s*$", text[:start]) or re.match(r"\s*[-–:]\s*\d", text[end:]))


def _leader(text: str, span: tuple[int, int], numbers: tuple[int, int], clubs: list[ClubMention], words: _Words) -> str:
    """The club the words give the lead: "1-0 for PSG" (after "for"/"para"/"für"), or the one whose
    number it is in "Real Madrid 2-1 Barcelona"."""
    (start, end), (a, b) = span, numbers
    if a == b:
        return ""
    before = [c for c in clubs if c.end <= start and not text[c.end : start].strip()]
    after = [c for c in clubs if c.start >= end and not text[end : c.start].strip()]
    if before and after and before[-1].side != after[0].side:
        return before[-1].side if a > b else after[0].side
    for club in clubs:
        if end <= club.start <= end + CONTEXT_CHARS and words.for_words.match(text[end : club.start]):
            return club.side
    return ""


def _not_this_score(text: str, span: tuple[int, int], others: OtherClubs, words: _Words) -> bool:
    """Whether the words around ``span`` make it another match's score, an old one or one only wished for
    ("won 3-0", "looking for the 2-0", "Arsenal 1-0 down to Olympiacos" in a Porto match)."""
    start, end = max(0, span[0] - CONTEXT_CHARS), span[1] + AFTER_CHARS
    near = text[start:end]
    return bool(
        words.past.search(near) or words.not_now.search(near) or any(a < end and b > start for a, b in others())
    )


def _numbers(
    segment: Segment, text: str, clubs: list[ClubMention], others: OtherClubs, words: _Words
) -> list[ScoreMention]:
    found = []
    for hit in words.score.finditer(text):
        a, b = _value(hit["a"], words), _value(hit["b"], words)
        start, end = hit.span()
        if a is None or b is None or _is_chain(text, start, end) or words.idioms.match(text[start:]):
            continue
        if words.not_after.match(text[end:]) or _not_this_score(text, (start, end), others, words):
            continue
        team = _leader(text, (start, end), (a, b), clubs, words)
        found.append(_mention(MentionKind.SCORE, segment, hit.group(0), (max(a, b), min(a, b)), team))
    return found


def _club_numbers(segment: Segment, text: str, clubs: list[ClubMention], words: _Words) -> list[ScoreMention]:
    """ "Madrid 1, Barça 2": each club with its own number."""
    number = re.compile(rf"^\s*({words.number})(?!\w)")
    found = []
    for first, second in itertools.pairwise(clubs):
        if first.side == second.side:
            continue
        own = number.match(text[first.end : second.start])
        rest = text[first.end + own.end() : second.start] if own else ""
        theirs = number.match(text[second.end :]) if own and re.fullmatch(r"\s*(?:[,;]|\w{1,3})?\s*", rest) else None
        if not (own and theirs):
            continue
        a, b = _value(own.group(1), words), _value(theirs.group(1), words)
        if a is None or b is None:
            continue
        team = "" if a == b else first.side if a > b else second.side
        quote = text[first.start : second.end + theirs.end()]
        found.append(_mention(MentionKind.SCORE, segment, quote, (max(a, b), min(a, b)), team))
    return found


def _nearest_club(clubs: list[ClubMention], start: int, end: int) -> str:
    distance = {c.side: min(abs(c.start - end), abs(start - c.end)) for c in reversed(clubs)}
    near = {side: d for side, d in distance.items() if d <= TEAM_CHARS}
    if not near:
        return ""
    best = min(near.values())
    sides = [side for side, d in near.items() if d == best]
    return sides[0] if len(sides) == 1 else ""


def _phrases(
    segment: Segment, text: str, clubs: list[ClubMention], others: OtherClubs, words: _Words
) -> list[ScoreMention]:
    found = []
    for kind, pattern in ((MentionKind.LEAD, words.lead), (MentionKind.LEVEL, words.level)):
        for hit in pattern.finditer(text):
            team = _nearest_club(clubs, *hit.span())
            if kind is MentionKind.LEAD and not team:
                continue  # "they lead" says nothing a score state can be checked against
            if _not_this_score(text, hit.span(), others, words):
                continue
            found.append(_mention(kind, segment, hit.group(0), (0, 0), team))
    return found


def _mention(kind: MentionKind, segment: Segment, text: str, goals: tuple[int, int], team: str) -> ScoreMention:
    return ScoreMention(kind, segment.half, segment.start, goals, team, text, segment.source)


def segment_mentions(segment: Segment, reader: ClubReader | None = None) -> list[ScoreMention]:
    """What one segment says about the score; ``reader`` knows the match's clubs (without it no team)."""
    words = _words(segment.language)
    text = fold(segment.text)
    clubs = reader.mentions(segment.text) if reader else []
    others = cache(lambda: reader.others(segment.text) if reader else [])  # read only beside a score
    scores = _club_numbers(segment, text, clubs, words) or _numbers(segment, text, clubs, others, words)
    phrases = _phrases(segment, text, clubs, others, words)
    leads = {m.team for m in phrases if m.kind is MentionKind.LEAD}
    if len(leads) == 1:  # "Bayern lead 2-1": the club that leads has the larger number
        scores = [replace(m, team=m.team or next(iter(leads))) if m.goals[0] != m.goals[1] else m for m in scores]
    return scores + phrases


def score_mentions(segments: Iterable[Segment], home: str = "", away: str = "") -> list[ScoreMention]:
    """Every score mention of ``segments`` in time order; ``home``/``away`` name the clubs, when known."""
    reader = club_reader(home, away) if home and away else None
    every = sorted(
        (m for s in segments for m in segment_mentions(s, reader)), key=lambda m: (m.half, m.seconds, m.kind)
    )
    kept: list[ScoreMention] = []
    last: dict[tuple, float] = {}
    for mention in every:
        key = (mention.half, mention.kind, mention.goals, mention.team)
        if mention.seconds - last.get(key, -MERGE_S - 1) > MERGE_S:
            kept.append(mention)
        last[key] = mention.seconds
    return kept
