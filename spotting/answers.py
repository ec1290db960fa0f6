"""What an answer keeps of a match's spots, and what it says it could not find.

A spotter returns every peak it sees with a raw confidence (average-mAP ranks them all). A user
asking for "all the goals" needs a decision instead: this module makes it, per class, with a
policy chosen by cross-validation (``evaluation.answers.fit_policy``):

1. *Calibration*: each class's raw confidence is mapped to the share of such spots that were
   right (a labelled event of the class within 30 s) in the held-out folds, so 0.8 means the
   same for a goal and a card.
2. *Counted classes*: the final score in the match's folder name says how many goals there were
   (and so how many kick-offs: one per half and one after each goal). The answer keeps that many,
   the clearest first, if they clear the class's (low) floor; beyond that only spots that clear
   the class's (high) cut-off, for a folder name that undercounts.
3. *Other classes*: the spots that clear the class's cut-off.

When a counted class finds fewer than the score implies, the answer carries a ``Shortfall`` so the
conversation can say it plainly ("the commentary shows 2 of the 4 goals").
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np

from index.atomic import atomic_write_text
from index.classes import LABELS
from index.errors import HighlightsError
from index.types import Match

from .goal_words import goal_evidence_from_dict
from .peak_evidence import PeakEvidence
from .score_timeline import final_score
from .substitutions import evidence_from_dict
from .types import Spot

ANSWERS_FILE = "answers.json"
FORMAT = 1
DISTINCT_S = 45.0  # two spots of a counted class closer than this are one event said twice (goal + replay)


def goals_in_name(match: Match) -> int:
    """Goals in the final score of the match's folder name: what every user's match has (never labels); 0 for
    a match added without its score (its name's placeholder 0 - 0)."""
    return sum(final_score(match) or (0, 0))


# label -> how many events of it the final score implies (rules in order of the classes they count)
COUNTED: dict[str, Callable[[int], int]] = {
    "Goal": lambda goals: goals,
    "Kick-off": lambda goals: 2 + goals,  # one to open each half, one after each goal
}


@dataclass(frozen=True)
class Calibration:
    """A monotone map from raw confidence to the share of right spots: straight lines between knots."""

    raw: tuple[float, ...] = (0.0, 1.0)
    calibrated: tuple[float, ...] = (0.0, 1.0)

    def __call__(self, confidence: float) -> float:
        return float(np.interp(confidence, self.raw, self.calibrated))


@dataclass(frozen=True)
class ClassRule:
    """One class's rule: calibration, the cut-off on calibrated confidence, and for counted
    classes the floor the expected number of spots must clear."""

    cut_off: float
    floor: float | None = None  # only for COUNTED classes
    calibration: Calibration = field(default_factory=Calibration)


@dataclass(frozen=True)
class Shortfall:
    """Fewer spots of a class than the final score implies."""

    label: str
    expected: int
    found: int


@dataclass(frozen=True)
class MatchAnswer:
    """The spots an answer keeps (calibrated confidences) and the classes it found too few of."""

    spots: list[Spot]
    shortfalls: tuple[Shortfall, ...] = ()

    def shortfall(self, label: str) -> Shortfall | None:
        return next((s for s in self.shortfalls if s.label == label), None)


@dataclass(frozen=True)
class AnswerPolicy:
    """Per-class rules; a class without one keeps spots at or above ``default_cut_off`` (raw)."""

    rules: Mapping[str, ClassRule] = field(default_factory=dict)
    default_cut_off: float = 0.0
    source: str = ""  # how the rules were chosen
    # class -> the back end whose answers for it were better in cross-validation (its spots replace this
    # spotter's for that class, and its rule is the one above): the keyword lexicon names cards and offsides
    # better than the network does
    borrowed: Mapping[str, str] = field(default_factory=dict)
    # how sure each Goal peak is once the commentary around it and the kick-off after it are read (fitted with
    # the rules): the goals the answer counts are the clearest by it
    goal_evidence: PeakEvidence | None = None
    # how sure each Substitution peak is once the announcements of a change around it are read
    # (``spotting.substitutions``, fitted with the rules)
    substitution_evidence: PeakEvidence | None = None

    def rescored(self, match: Match, spots: Sequence[Spot]) -> list[Spot]:
        """``spots`` with their Goal and Substitution confidences the evidence's (the spotter's own without one)."""
        spots = self.goal_evidence.rescored(match, spots) if self.goal_evidence else list(spots)
        return self.substitution_evidence.rescored(match, spots) if self.substitution_evidence else spots

    def calibrated(self, label: str, spots: Iterable[Spot], floor: float) -> list[Spot]:
        """The spots of ``label`` whose calibrated confidence is at least ``floor`` (calibrated as answers are)."""
        rule = self.rules.get(label)
        found = [s for s in spots if s.label == label]
        if rule is not None:
            found = [replace(s, confidence=rule.calibration(s.confidence)) for s in found]
        return [s for s in found if s.confidence >= floor]

    def never_kept(self) -> frozenset[str]:
        """The classes this policy keeps nothing of (no cut-off was right one time in five in the held-out
        folds): an answer must say it cannot find them, not that there were none."""
        return frozenset(label for label, rule in self.rules.items() if rule.cut_off > 1 and rule.floor is None)

    @classmethod
    def single(cls, cut_off: float) -> AnswerPolicy:
        """One raw cut-off for every class, no calibration, no counting: a spotter without a policy."""
        return cls({}, float(cut_off), "one cut-off for all classes")

    def answer(self, match: Match, spots: Iterable[Spot]) -> MatchAnswer:
        by_label: dict[str, list[Spot]] = {}
        for spot in spots:
            by_label.setdefault(spot.label, []).append(spot)
        kept: list[Spot] = []
        shortfalls = []
        goals = goals_in_name(match)
        for label, found in by_label.items():
            rule = self.rules.get(label)
            if rule is None:
                kept += [s for s in found if s.confidence >= self.default_cut_off]
                continue
            calibrated = [replace(s, confidence=rule.calibration(s.confidence)) for s in found]
            if label in COUNTED and rule.floor is not None:
                chosen, shortfall = _counted(label, calibrated, rule, COUNTED[label](goals))
                kept += chosen
                shortfalls += [shortfall] if shortfall else []
            else:
                kept += [s for s in calibrated if s.confidence >= rule.cut_off]
        for label, count in COUNTED.items():  # a counted class with no spot at all
            rule = self.rules.get(label)
            if label not in by_label and rule is not None and rule.floor is not None and count(goals):
                shortfalls.append(Shortfall(label, count(goals), 0))
        order = sorted(kept, key=lambda s: (s.half, s.position_ms, LABELS.index(s.label)))
        return MatchAnswer(order, tuple(sorted(shortfalls, key=lambda s: LABELS.index(s.label))))

    # ---------- as data ----------
    def as_dict(self) -> dict:
        return {
            "format": FORMAT,
            "source": self.source,
            "default_cut_off": self.default_cut_off,
            "borrowed": dict(self.borrowed),
            **({"goal_evidence": self.goal_evidence.as_dict()} if self.goal_evidence else {}),
            **({"substitution_evidence": self.substitution_evidence.as_dict()} if self.substitution_evidence else {}),
            "rules": {
                label: {
                    "cut_off": rule.cut_off,
                    "floor": rule.floor,
                    "raw": list(rule.calibration.raw),
                    "calibrated": list(rule.calibration.calibrated),
                }
                for label, rule in self.rules.items()
            },
        }

    @classmethod
    def from_dict(cls, data: Mapping) -> AnswerPolicy:
        """The policy ``as_dict`` wrote; ValueError (or KeyError/TypeError) when it is not one."""
        if data.get("format") != FORMAT:
            raise ValueError(f"format {data.get('format')!r}, expected {FORMAT}")
        rules = {label: _rule(label, value) for label, value in data["rules"].items()}
        borrowed = {str(label): str(backend) for label, backend in data.get("borrowed", {}).items()}
        if set(borrowed) - set(LABELS):
            raise ValueError(f"borrowed classes that are not classes: {sorted(set(borrowed) - set(LABELS))}")
        evidence = goal_evidence_from_dict(data["goal_evidence"]) if data.get("goal_evidence") else None
        changes = data.get("substitution_evidence")
        substitutions = evidence_from_dict(changes) if changes else None
        source = str(data.get("source", ""))
        return cls(rules, float(data["default_cut_off"]), source, borrowed, evidence, substitutions)

    def save(self, path: Path) -> None:
        atomic_write_text(Path(path), json.dumps(self.as_dict(), indent=1) + "\n")

    @classmethod
    def load(cls, path: Path) -> AnswerPolicy:
        try:
            return cls.from_dict(json.loads(Path(path).read_text(encoding="utf-8")))
        except (OSError, ValueError, KeyError, TypeError, AttributeError) as error:
            raise HighlightsError(f"cannot read the answer policy: {error}", path) from None


def _rule(label: str, value: Mapping) -> ClassRule:
    if label not in LABELS:
        raise ValueError(f"unknown class {label!r}")
    raw, calibrated = tuple(map(float, value["raw"])), tuple(map(float, value["calibrated"]))
    if len(raw) != len(calibrated) or len(raw) < 2 or any(b < a for a, b in itertools.pairwise(raw)):
        raise ValueError(f"{label}: the calibration needs two or more increasing knots")
    floor = value.get("floor")
    return ClassRule(float(value["cut_off"]), None if floor is None else float(floor), Calibration(raw, calibrated))


def _counted(label: str, spots: Sequence[Spot], rule: ClassRule, expected: int) -> tuple[list[Spot], Shortfall | None]:
    """The ``expected`` clearest distinct spots that clear the floor, and any more that clear the cut-off."""
    chosen: list[Spot] = []
    for spot in sorted(spots, key=lambda s: -s.confidence):
        if any(s.half == spot.half and abs(s.position_ms - spot.position_ms) < DISTINCT_S * 1000 for s in chosen):
            continue
        wanted = rule.floor if len(chosen) < expected else rule.cut_off
        if spot.confidence >= wanted:
            chosen.append(spot)
    found = min(len(chosen), expected)
    return chosen, Shortfall(label, expected, found) if found < expected else None
