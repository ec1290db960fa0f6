"""A match's commentary read once for who is named: per line, the clubs and the player names in it.

There are no rosters, so a "name" is what Whisper writes like one in this match: a word capitalised
where a sentence does not start, hardly ever written in lower case, not a club, not a word on the list
of capitalised words that name nobody (``prompts/name_words.yaml``: competitions, nations, months).
Attribution asks for the lines around a moment; the roster learns each name's club from all of them.
"""

from __future__ import annotations

import bisect
import re
from collections import Counter
from dataclasses import dataclass
from functools import cache

from index.teams import team_forms
from index.types import HALVES, Match, Segment
from index.yamlfile import read_yaml

from .clubs import WORDS_FILE, ClubMention, club_reader, fold

_TOKEN = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)*")
_ELIDED = re.compile(r"^(?:[dlDL]|dell|dall|nell|sull|all)['’](?=\w)")
_POSSESSIVE = re.compile(r"['’]s$")
_SENTENCE_END = re.compile(r"(?:^|[.!?¡¿:;\"«»]\s*)$")
MIN_NAME_CHARS = 3
MIN_CAPITALISED = 2  # times a word is written capitalised in the match before it counts as a name
NOUN_CAPITALISING = ("de",)  # languages that write every noun with a capital
MAX_LOWER_SHARE = 0.4  # "Good" is not a name: "good" is mostly written in lower case ("costa" is not)


@dataclass(frozen=True, slots=True)
class NameHit:
    """A player name (one word, folded) at character offsets of a line."""

    key: str
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Line:
    """One commentary segment with the clubs and names it holds."""

    segment: Segment
    clubs: tuple[ClubMention, ...]
    names: tuple[NameHit, ...]

    @property
    def start(self) -> float:
        return self.segment.start


@cache
def _not_names() -> frozenset[str]:
    data = read_yaml(WORDS_FILE)
    return frozenset(fold(w) for w in data["not_names"])


@cache
def _club_words() -> frozenset[str]:
    """The words of every club's names ("Chelsea", "Spurs", "Manchester", "United"): a club, even another
    match's, is not a player of this one."""
    return frozenset(word for form in team_forms() for word in fold(form).split() if len(word) >= MIN_NAME_CHARS)


def _tokens(text: str) -> list[tuple[str, int, int, bool, bool]]:
    """(folded word, start, end, capitalised, starts a sentence) for each word; an elided article
    ("d'Arsenal", "l'Inter") and a possessive ("Messi's") are not part of the word."""
    found = []
    for hit in _TOKEN.finditer(text):
        start, end = hit.span()
        elided = _ELIDED.match(hit.group(0))
        if elided:
            start += elided.end()
        possessive = _POSSESSIVE.search(text, start, end)
        if possessive:
            end = possessive.start()
        word = text[start:end]
        if word:
            found.append((fold(word), start, end, word[0].isupper(), bool(_SENTENCE_END.search(text[:start]))))
    return found


def _names_of(segments: list[Segment], clubs: dict[int, tuple[ClubMention, ...]]) -> set[str]:
    """The words this match's commentary writes as names. German capitalises every noun, so where a
    match has text in another language (a translation), only that text can show a word is a name."""
    capital, lower, inside = Counter(), Counter(), Counter()
    judges = {s.language for s in segments} - set(NOUN_CAPITALISING)
    for i, segment in enumerate(segments):
        club_chars = {c for m in clubs[i] for c in range(m.start, m.end)}
        judge = (not judges or segment.language in judges) and not _uncased(segment, clubs[i])
        for key, start, _end, upper, first in _tokens(segment.text):
            if start in club_chars:
                continue
            if upper:
                capital[key] += 1
                inside[key] += judge and not first
            elif judge:
                lower[key] += 1
    stop = _not_names() | _club_words()
    return {
        key
        for key, n in capital.items()
        if n >= MIN_CAPITALISED
        and inside[key] >= 1
        and lower[key] <= MAX_LOWER_SHARE * n
        and len(key) >= MIN_NAME_CHARS
        and key not in stop
    }


def _uncased(segment: Segment, clubs: tuple[ClubMention, ...]) -> bool:
    """Whether a line writes names in lower case ("a great finish from diego costa, chelsea level"): there
    a lower-case word may still be a name. Told by how it writes the clubs."""
    return any(not segment.text[club.start].isupper() for club in clubs)


class MatchText:
    """Every line of a match with its clubs and names, and the lines of a time window."""

    def __init__(self, match: Match) -> None:
        self.match = match
        reader = club_reader(match.home, match.away)
        every = [s for half in HALVES for s in match.half_segments(half)]
        clubs = {i: tuple(reader.mentions(s.text)) for i, s in enumerate(every)}
        self.names = _names_of(every, clubs)
        self.display = _display_names(every, self.names)
        lines = [Line(s, clubs[i], self._hits(s.text)) for i, s in enumerate(every)]
        self.lines = {
            half: sorted((x for x in lines if x.segment.half == half), key=lambda x: x.start) for half in HALVES
        }
        self._starts = {half: [x.start for x in self.lines[half]] for half in HALVES}

    def _hits(self, text: str) -> tuple[NameHit, ...]:
        return tuple(NameHit(key, s, e) for key, s, e, upper, _ in _tokens(text) if upper and key in self.names)

    def window(self, half: int, start: float, end: float) -> list[Line]:
        """The lines of ``half`` starting within [start, end] seconds."""
        starts = self._starts.get(half, [])
        return self.lines.get(half, [])[bisect.bisect_left(starts, start) : bisect.bisect_right(starts, end)]


def _display_names(segments: list[Segment], names: set[str]) -> dict[str, str]:
    """Each name word's fullest common written form: "messi" -> "Leo Messi", "casemiro" -> "Casemiro". A
    form is a run of capitalised words with a name in it ("Diego Costa" even where "Costa" alone is
    too often written in lower case to count as a name)."""
    forms: dict[str, Counter] = {key: Counter() for key in names}
    stop = _not_names() | _club_words()
    for segment in segments:
        runs: list[list[tuple[str, int, int]]] = [[]]
        for key, start, end, upper, first in _tokens(segment.text):
            if not upper or key in stop or len(key) < 2 or (first and key not in names):
                runs.append([])
            elif runs[-1] and not segment.text[runs[-1][-1][2] : start].strip():
                runs[-1].append((key, start, end))
            else:
                runs.append([(key, start, end)])
        for run in runs:
            written = segment.text[run[0][1] : run[-1][2]] if run else ""
            for word, _, _ in run:
                if word in forms:
                    forms[word][written] += 1
    return {key: _fullest(counts) or key.title() for key, counts in forms.items()}


def _fullest(counts: Counter) -> str:
    """The longest form written at least a third as often as the commonest one."""
    if not counts:
        return ""
    top = counts.most_common(1)[0][1]
    return max(
        (form for form, n in counts.items() if 3 * n >= top), key=lambda form: (len(form.split()) <= 3, len(form))
    )
