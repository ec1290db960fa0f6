"""Running-score mentions in commentary ("2-1", "two-nil", "3 a 0", "two goals to one") as model inputs.

A commentator says the score after every goal; the first time a half's commentary names a score
whose total is higher than any it named before, a goal has just been scored. These are two side
channels of the temporal model (a score is named; a *new* total is named), plus how far the named
total is from the final score of the folder name (what every user's match has). The folder's score
may be wrong (one valid game's folder says 1-0 for a 10-2 match), so it is one input among others,
never a rule.

Kept small and self-contained; ``spotting/scoreline.py`` (team attribution's score timeline) can
take over the parsing when it lands.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np

from index.types import Segment

MAX_GOALS = 15  # a total above this is not a score ("20 to 30 metres")
_NUMBER_WORDS = {
    "nil": 0, "nothing": 0, "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
    "seven": 7, "eight": 8, "nine": 9, "cero": 0, "uno": 1, "dos": 2, "tres": 3, "cuatro": 4, "cinco": 5,
}  # fmt: skip
_WORD = "|".join(_NUMBER_WORDS)
_DIGIT_SCORE = re.compile(r"(?<![\d:.,])(\d{1,2}) ?(?:-|–|:| to | a | à | zu | x ) ?(\d{1,2})(?![\d:.,]| ?%| ?min)")
_WORD_SCORE = re.compile(rf"\b({_WORD})(?:-| to | a |-all\b)(?:goals? to )?({_WORD})?\b", re.IGNORECASE)
_ALL = re.compile(rf"\b({_WORD})[- ]all\b", re.IGNORECASE)
_GOALS_TO = re.compile(rf"\b({_WORD}) goals? to ({_WORD})\b", re.IGNORECASE)

FEATURES = 3  # named a score; named a new total; the named total's distance to the final total


def _value(token: str) -> int:
    return int(token) if token.isdigit() else _NUMBER_WORDS[token.lower()]


def mentioned_totals(text: str) -> list[int]:
    """The totals (home + away) of every score ``text`` names, in order."""
    found = []
    for match in _DIGIT_SCORE.finditer(text):
        found.append((match.start(), _value(match[1]) + _value(match[2])))
    for pattern in (_GOALS_TO, _WORD_SCORE):
        for match in pattern.finditer(text):
            if match[2]:
                found.append((match.start(), _value(match[1]) + _value(match[2])))
    for match in _ALL.finditer(text):
        found.append((match.start(), 2 * _value(match[1])))
    return [total for _, total in sorted(set(found)) if total <= MAX_GOALS]


def score_features(segments: Sequence[Segment], final_goals: int | None) -> np.ndarray:
    """(segments, FEATURES) for segments in time order: a score named, a new (higher) total named,
    and 1 / (1 + |named total − final total|) when the final total is known."""
    out = np.zeros((len(segments), FEATURES), dtype=np.float32)
    highest = 0
    for row, segment in enumerate(segments):
        totals = mentioned_totals(segment.text)
        if not totals:
            continue
        out[row, 0] = 1.0
        if max(totals) > highest:
            out[row, 1] = 1.0
            highest = max(totals)
        if final_goals is not None:
            out[row, 2] = max(1.0 / (1.0 + abs(t - final_goals)) for t in totals)
    return out
