"""How sure a Goal peak is once the rest of the match is read: the commentary announcing a goal beside it
("He scores!", "¡Gol!", "Tor!", "and it's been bundled in": the phrases of ``prompts/goal_words.yaml``) and
a kick-off after it (play restarts from the centre after every goal).

The spotter's clearest Goal peaks are wrong about half the time (out of fold, valid split); its own
confidence ranks its peaks with ROC AUC 0.76, the announcements beside them 0.75, the clearest kick-off
spotted 20-180 s later 0.77, the three together (a logistic model, ``goal_evidence``) 0.85. The answer
policy fits the model on the games it is fitted on (``evaluation.answers.fit_policy``) and the answer
counts the clearest goals by its confidence (``AnswerPolicy.rescored``).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache

from index.types import HALVES, Match, Segment
from index.yamlfile import read_yaml

from .clubs import LEXICON_DIR, fold
from .peak_evidence import PeakEvidence, logit
from .score_timeline import final_score
from .scoreline import MentionKind, ScoreMention, language_phrases, phrase_alternatives, score_mentions
from .types import Spot

GOAL_WORDS_FILE = LEXICON_DIR / "goal_words.yaml"
BEFORE_S = 10.0  # an announcement this long before a peak's anchor is about it (the peak lags the words)...
AFTER_S = 20.0  # ... and this long after it (commentary follows the action)
KICK_OFF_AFTER_S = (20.0, 180.0)  # play restarts this long after a goal (celebration, replays)
SCORE_SAID_S = (-10.0, 120.0)  # the new score is said this long after a goal (often at the replay)
AFTERMATH_S = (20.0, 150.0)  # the scorer named, the celebration, the finish praised: this long after
FEATURES = ("confidence", "announcements", "kick-off after", "new score said", "aftermath")


@dataclass(frozen=True, slots=True)
class Announcement:
    """A segment that says a goal is being scored: where, and the words."""

    half: int
    seconds: float
    text: str


@cache
def _table() -> dict:
    return read_yaml(GOAL_WORDS_FILE)


@cache
def _pattern(language: str) -> re.Pattern[str]:
    """The announcements of ``language`` (of every language when it has none of its own), whole words, not
    followed by "kick"/"keeper" (a goal kick)."""
    table = _table()
    phrases = phrase_alternatives(language_phrases(table["announce"], language))
    after = phrase_alternatives(table["not_after"])
    return re.compile(rf"(?<!\w)(?:{phrases})(?!\w)(?![\W_]+(?:{after})(?!\w))")


@cache
def _aftermath(language: str) -> re.Pattern[str]:
    return re.compile(rf"(?<!\w)(?:{phrase_alternatives(language_phrases(_table()['aftermath'], language))})(?!\w)")


def aftermath(match: Match) -> list[Announcement]:
    """The segments that talk of a goal just scored (its scorer, the celebration), in time order."""
    return _saying(match, lambda s: bool(_aftermath(s.language).search(fold(s.text))))


@cache
def _not_before() -> re.Pattern[str]:
    """Words just before the phrase that make it no goal ("no goal", "a shot at goal")."""
    return re.compile(rf"(?<!\w)(?:{phrase_alternatives(_table()['not_before'])})[\W_]+$")


def announces(segment: Segment) -> bool:
    """Whether ``segment`` says a goal is being scored."""
    text = fold(segment.text)
    return any(not _not_before().search(text[: hit.start()]) for hit in _pattern(segment.language).finditer(text))


def announcements(match: Match) -> list[Announcement]:
    """The match's goal announcements in time order (every transcription; a half without commentary has none)."""
    return _saying(match, announces)


def _saying(match: Match, says: Callable[[Segment], bool]) -> list[Announcement]:
    """The match's segments that ``says`` holds for, in time order."""
    found = [Announcement(s.half, s.start, s.text) for half in HALVES for s in match.half_segments(half) if says(s)]
    return sorted(found, key=lambda a: (a.half, a.seconds))


def announcing(spot: Spot, said: Sequence[Announcement], window: tuple[float, float] = (-BEFORE_S, AFTER_S)) -> int:
    """How many segments (of every transcription) of ``said`` lie ``window`` around ``spot``."""
    at, (low, high) = spot.position_ms / 1000.0, window
    return sum(1 for a in said if a.half == spot.half and low <= a.seconds - at <= high)


def _on_the_way(goals: tuple[int, int], final: tuple[int, int] | None) -> bool:
    """Whether a score (larger number first) can be one this match passed through on its way to ``final``:
    a "4-2" or "9-1" said in a 1-0 is another match's, or a misheard number."""
    return final is None or (goals[0] <= final[0] and goals[1] <= final[1])


def new_scores(match: Match) -> list[ScoreMention]:
    """The mentions of this match's score that say a total of goals for the first time ("1-0", then "2-0"),
    or that a club leads or has equalised: what the commentary says right after a goal."""
    mentions = score_mentions((s for half in HALVES for s in match.half_segments(half)), match.home, match.away)
    named = final_score(match)
    final = tuple(sorted(named, reverse=True)) if named else None
    said_before, found = 0, []
    for mention in mentions:
        if not _on_the_way(mention.goals, final):
            continue
        total = sum(mention.goals)
        if mention.kind is not MentionKind.SCORE or total > said_before:
            found.append(mention)
        said_before = max(said_before, total)
    return found


def score_said(spot: Spot, said: Sequence[ScoreMention]) -> int:
    """How many new scores (``new_scores``) are said ``SCORE_SAID_S`` around ``spot``."""
    at, (low, high) = spot.position_ms / 1000.0, SCORE_SAID_S
    return sum(1 for m in said if m.half == spot.half and low <= m.seconds - at <= high)


def features(match: Match, spots: Sequence[Spot]) -> list[tuple[float, ...]]:
    """``FEATURES`` of each Goal spot of ``spots`` (in their order): its confidence, log(1 + the segments
    announcing it), the clearest Kick-off spot ``KICK_OFF_AFTER_S`` after it (0 when none), log(1 + the new
    scores said after it), log(1 + the segments of its aftermath)."""
    said, talk = announcements(match), aftermath(match)
    scores = new_scores(match)
    kick_offs = [s for s in spots if s.label == "Kick-off"]
    low, high = KICK_OFF_AFTER_S
    rows = []
    for goal in (s for s in spots if s.label == "Goal"):
        after = [
            k.confidence
            for k in kick_offs
            if k.half == goal.half and low <= (k.position_ms - goal.position_ms) / 1000 <= high
        ]
        said_near, scores_after = announcing(goal, said), score_said(goal, scores)
        talk_after = announcing(goal, talk, AFTERMATH_S)
        kick_off = max(after, default=0.0)
        rows.append((logit(goal.confidence), math.log1p(said_near), kick_off, math.log1p(scores_after),
                     math.log1p(talk_after)))  # fmt: skip
    return rows


def goal_evidence(weights: Sequence[float], bias: float) -> PeakEvidence:
    """The logistic model over ``FEATURES`` of a Goal peak being a goal."""
    return PeakEvidence("Goal", FEATURES, features, tuple(map(float, weights)), float(bias))


def goal_evidence_from_dict(data: Mapping) -> PeakEvidence:
    """The model ``PeakEvidence.as_dict`` wrote; ValueError when it is not one."""
    return PeakEvidence.from_dict(data, "Goal", FEATURES, features)
