"""Substitutions as a reader of the commentary knows them: a change is announced as it is made ("Callum Wilson
comes on for Josh King", "Entra Marcelo en su lugar", "Wechsel bei Hertha: Kurt kommt für Darida", "замена
у Лиона"), and one announcement says how many players change ("here comes the double change").

The phrases are data (``prompts/substitution_words.yaml``, seven languages); the rules, in order:
``reading`` (does a segment announce a change now, or only mention one, and how many players),
``changes`` (a match's announcements and mentions in time order), ``features`` (what is said around each of a
spotter's Substitution peaks) and ``substitution_evidence`` (a logistic model of a peak being a change,
``peak_evidence.PeakEvidence``, fitted with the answer policy on the games it is fitted on:
``evaluation.answers.fit_policy``).
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache, partial

from index.types import HALVES, Match, Segment
from index.yamlfile import read_yaml

from .clubs import LEXICON_DIR, fold
from .peak_evidence import PeakEvidence, logit
from .scoreline import language_phrases, phrase_alternatives
from .types import Spot

SUBSTITUTION_WORDS_FILE = LEXICON_DIR / "substitution_words.yaml"
LABEL = "Substitution"
BEFORE_S = 20.0  # an announcement this long before a peak is about it ("here comes the change", then the players)
AFTER_S = 20.0  # ... and this long after it (the players named once they cross the line)
MAX_PLAYERS = 3  # no team changed more than three players at once in these seasons (three substitutes a game)
# A change made at half-time is labelled at the restart (41 of the 560 valid substitutions, in the first 5 s
# of the second half), often said before the half's commentary begins.
RESTART_S = 60.0
FEATURES = ("confidence", "announcements", "mentions", "players", "restart")


@dataclass(frozen=True, slots=True)
class Change:
    """A segment that says a change: where, whether it announces one being made (or only says the word), how
    many players it changes, and the words."""

    half: int
    seconds: float
    announced: bool
    players: int
    text: str


_table = cache(partial(read_yaml, SUBSTITUTION_WORDS_FILE))  # the phrases, read once


def _words(phrases: Sequence[str]) -> re.Pattern[str]:
    return re.compile(rf"(?<!\w)(?:{phrase_alternatives(phrases)})(?!\w)")


@cache
def _pattern(key: str, language: str) -> re.Pattern[str]:
    """The ``key`` phrases of ``language`` (every language's for one the table lacks), whole words."""
    return _words(language_phrases(_table()[key], language))


@cache
def _players(language: str) -> tuple[tuple[int, re.Pattern[str]], ...]:
    """(count, its phrases) of ``language``, the largest count first."""
    table = _table()["players"]
    return tuple((int(n), _words(language_phrases(table[n], language))) for n in sorted(table, key=int, reverse=True))


def reading(segment: Segment) -> Change | None:
    """What ``segment`` says of a change being made now: None for no change, a past or might-be one ("since he
    came on", "he could be substituted", "warming up"), or a change of pace."""
    text = fold(segment.text).lower()  # fold lower-cases Latin letters only ("Замена")
    language = segment.language
    if not text.strip() or _pattern("not_now", language).search(text):
        return None
    announced = bool(_pattern("announce", language).search(text))
    if not announced and not _pattern("mention", language).search(text):
        return None
    said = next((n for n, pattern in _players(language) if pattern.search(text)), 0)
    pairs = len(_pattern("pair", language).findall(text))
    players = min(MAX_PLAYERS, max(said, pairs, 1))
    return Change(segment.half, segment.start, announced, players, segment.text)


def changes(match: Match) -> list[Change]:
    """The match's changes said in time order (every transcription; a half without commentary has none)."""
    found = [c for half in HALVES for s in match.half_segments(half) if (c := reading(s)) is not None]
    return sorted(found, key=lambda c: (c.half, c.seconds))


def around(spot: Spot, said: Sequence[Change]) -> list[Change]:
    """The changes said from ``BEFORE_S`` before ``spot`` to ``AFTER_S`` after it."""
    at = spot.position_ms / 1000.0
    return [c for c in said if c.half == spot.half and -BEFORE_S <= c.seconds - at <= AFTER_S]


def features(match: Match, spots: Sequence[Spot]) -> list[tuple[float, ...]]:
    """``FEATURES`` of each Substitution spot of ``spots`` (in their order): its confidence (logit), log(1 +
    the segments announcing a change around it), log(1 + those only mentioning one), the most players one of
    the announcements says change (0 when none does), and whether it is at the second half's restart."""
    said = changes(match)
    rows = []
    for spot in (s for s in spots if s.label == LABEL):
        near = around(spot, said)
        announced = [c for c in near if c.announced]
        players = max((c.players for c in announced), default=0)
        restart = spot.half == 2 and spot.position_ms < RESTART_S * 1000
        rows.append((logit(spot.confidence), math.log1p(len(announced)), math.log1p(len(near) - len(announced)),
                     float(players), float(restart)))  # fmt: skip
    return rows


def substitution_evidence(weights: Sequence[float], bias: float) -> PeakEvidence:
    """The model of a Substitution peak being a change, over ``FEATURES`` read by ``features``."""
    return PeakEvidence(LABEL, FEATURES, features, tuple(map(float, weights)), float(bias))


def evidence_from_dict(data: Mapping) -> PeakEvidence:
    """The model ``PeakEvidence.as_dict`` wrote; ValueError when it is not one."""
    return PeakEvidence.from_dict(data, LABEL, FEATURES, features)
