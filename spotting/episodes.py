"""The rare moments as a reader of the commentary knows them: by what is said of them and what follows.

A word alone is weak evidence: "penalty" is said of every appeal and every stat ("three goals this
season, all from the spot"), "red" of every heated tackle. What tells the real ones is the episode: a
penalty is awarded, talked over, and its kick ends in a goal, a save or a miss a minute or two later; a
red card leaves a team with ten men, and the commentary says so. Here each class's remarks (in the
original text and its translation, six languages and Russian: ``prompts/episode_words.yaml``) are
grouped into episodes, and each episode becomes one spot whose confidence grows with how many remarks
say it and whether what follows it is said. The answer policy calibrates these confidences and chooses
each class's cut-off on held-out games, as it does for every spotter.

The rules, in order: ``_remarks`` (the segments that say a role's words), ``_episodes`` (remarks of one
moment), ``_penalty`` and ``_red_card`` (one spot per episode).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

from index.echoes import one_transcription
from index.settings import DEFAULT_HALF_WIDTH_S
from index.types import Match, Segment
from index.yamlfile import read_yaml

from .clubs import LEXICON_DIR, fold
from .scoreline import language_phrases
from .types import Spot

EPISODE_WORDS_FILE = LEXICON_DIR / "episode_words.yaml"
CLASSES = ("Penalty", "Red card")  # what this module spots, instead of the bare lexicon

LAG_S = 2.5  # commentary follows the action (spotting.keywords.DEFAULT_LAG_S, the README's goal-to-"goal" gap)
SAME_REMARK_S = 4.0  # a remark and its translation (or a word repeated in one breath) are one remark
EPISODE_GAP_S = 120.0  # remarks of a class closer than this to the one before tell one moment
# A penalty is taken after the award is argued over and the kicker placed (at least half a minute) and
# before two and a half minutes are out: the kick's end ("scores", "saved", "over the bar") is looked for
# between, the one said nearest a minute after the award (the talk before the kick says "goal" too).
KICK_AFTER_S = (30.0, 150.0)
KICK_TYPICAL_S = 60.0
MAN_SHORT_WITHIN_S = 600.0  # "ten men" is said within minutes of a sending-off, and again and again after
# How much one piece of evidence makes an episode more certain (combined as independent evidence, never
# above 1): priors written by hand, not fitted; the answer policy calibrates the result per class.
SAID_WEIGHT = 0.3
FOLLOWS_WEIGHT = 0.6


@dataclass(frozen=True)
class Remark:
    """One segment that says a role's words: when, and what it says."""

    seconds: float
    text: str


@cache
def _table() -> dict:
    return read_yaml(EPISODE_WORDS_FILE)


@cache
def _pattern(table: str, key: str, language: str) -> re.Pattern[str] | None:
    """One alternation of ``_table()[table][key]``'s words in ``language`` (every language's for one the
    table lacks); None where the table has no such words."""
    phrases = language_phrases(_table()[table].get(key) or {}, language)
    return re.compile("|".join(f"(?:{p})" for p in phrases)) if phrases else None


def _says(table: str, key: str, segment: Segment) -> bool:
    pattern = _pattern(table, key, segment.language)
    return bool(segment.text) and pattern is not None and bool(pattern.search(fold(segment.text).lower()))


def said_of_else(label: str, segment: Segment) -> bool:
    """Whether ``segment`` says ``label``'s words of something other than one happening now: an appeal ("no
    penalty"), a stat ("four yellow cards this season"), a team's colours ("Schwarz-Gelb"), a might-have-been."""
    return _says("not_said", label, segment)


def _remarks(segments: Sequence[Segment], label: str, role: str) -> list[Remark]:
    """The segments that say ``label``'s ``role`` words, in time order, a remark and its translation once."""
    said = sorted(
        (s for s in segments if _says(label, role, s) and not (role == "said" and said_of_else(label, s))),
        key=lambda s: s.start,
    )
    remarks: list[Remark] = []
    for segment in said:
        if remarks and segment.start - remarks[-1].seconds <= SAME_REMARK_S:
            continue
        remarks.append(Remark(segment.start, segment.text))
    return remarks


def _episodes(remarks: Sequence[Remark]) -> list[list[Remark]]:
    """Remarks closer than ``EPISODE_GAP_S`` to the one before, as one moment each."""
    episodes: list[list[Remark]] = []
    for remark in remarks:
        if episodes and remark.seconds - episodes[-1][-1].seconds <= EPISODE_GAP_S:
            episodes[-1].append(remark)
        else:
            episodes.append([remark])
    return episodes


def _confidence(said: int, follows: bool) -> float:
    return round(1 - (1 - SAID_WEIGHT) ** said * (1 - FOLLOWS_WEIGHT) ** follows, 6)


def _spot(label: str, half: int, at: float, confidence: float, evidence: str) -> Spot:
    at = max(0.0, at)
    return Spot(label, half, max(0.0, at - DEFAULT_HALF_WIDTH_S), at + DEFAULT_HALF_WIDTH_S, round(at * 1000),
                confidence, evidence, "keywords")  # fmt: skip


def _penalty(segments: Sequence[Segment], half: int) -> list[Spot]:
    """One spot per penalty episode, at the end of its kick (or a minute after the award, if none is said)."""
    ends = _remarks(segments, "Penalty", "follows")
    spots = []
    for episode in _episodes(_remarks(segments, "Penalty", "said")):
        awarded = episode[0]
        low, high = awarded.seconds + KICK_AFTER_S[0], awarded.seconds + KICK_AFTER_S[1]
        typical = awarded.seconds + KICK_TYPICAL_S
        end = min((r for r in ends if low <= r.seconds <= high), key=lambda r: abs(r.seconds - typical), default=None)
        at = end.seconds - LAG_S if end else typical
        evidence = f"{awarded.text} … {end.text}" if end else awarded.text
        spots.append(_spot("Penalty", half, at, _confidence(len(episode), end is not None), evidence))
    return spots


def _red_card(segments: Sequence[Segment], half: int) -> list[Spot]:
    """One spot per sending-off episode, at its first remark; none for one that says "second yellow" (that is
    a Yellow->red card, the lexicon's: "second yellow" alone tells it better than with the red words)."""
    short = _remarks(segments, "Red card", "follows")
    second_yellow = _remarks(segments, "Yellow->red card", "said")
    spots = []
    for episode in _episodes(_remarks(segments, "Red card", "said")):
        first, last = episode[0].seconds, episode[-1].seconds
        after = next((r for r in short if first - SAME_REMARK_S <= r.seconds <= first + MAN_SHORT_WITHIN_S), None)
        if any(first - EPISODE_GAP_S <= r.seconds <= last for r in second_yellow):
            continue
        evidence = f"{episode[0].text} … {after.text}" if after else episode[0].text
        spots.append(_spot("Red card", half, first - LAG_S, _confidence(len(episode), after is not None), evidence))
    return spots


def episode_spots(match: Match, halves: Sequence[int] = (1, 2)) -> list[Spot]:
    """The spots of ``CLASSES`` in ``match``'s commentary (none for a half without any)."""
    spots = []
    for half in halves:
        segments = one_transcription(match.half_segments(half))
        spots += _penalty(segments, half) + _red_card(segments, half)
    return sorted(spots, key=lambda s: (s.half, s.position_ms, s.label))
