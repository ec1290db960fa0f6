"""The baseline to beat: a hand-written keyword lexicon over the commentary.

Each commentary segment is searched for the words commentators use for each of the 17 classes;
a hit becomes a Spot anchored a little before the segment starts (commentary follows the action),
with the keyword's weight as confidence. Hits of one class closer than ``merge_s`` are merged,
keeping the strongest. English is the main lexicon (load matches with ``TextChoice.ENGLISH`` or
``BOTH`` so non-English halves come with their translation); a few words in Spanish, French,
German, Italian and Portuguese cover halves whose commentary was never translated. The weights
and the lag are priors written by hand, not fitted to any split.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from index.echoes import one_transcription
from index.settings import DEFAULT_HALF_WIDTH_S
from index.types import Match, Segment

from .episodes import CLASSES as EPISODE_CLASSES
from .episodes import episode_spots, said_of_else
from .types import Spot

# label -> [(pattern, weight)]; patterns are case-insensitive regular expressions.
Lexicon = dict[str, list[tuple[str, float]]]

ENGLISH: Lexicon = {
    "Penalty": [(r"\bpenalty\b(?! (area|box))", 0.6), (r"\bspot[- ]kick", 0.7), (r"from the spot", 0.6)],
    "Kick-off": [(r"\bkick(ed|s)?[- ]?off\b", 0.6), (r"\bunder ?way\b", 0.6), (r"\bwe'?re off\b", 0.5),
                 (r"\brestart", 0.3)],
    "Goal": [(r"\bgoa+l\b(?![- ]?(kick|keeper|line|side|post))", 0.5), (r"\bscores?\b", 0.5),
             (r"back of the net", 0.8), (r"\bin the net\b", 0.6), (r"\bequali[sz]", 0.6), (r"\bwhat a finish", 0.6)],
    "Substitution": [(r"\bsubstitut", 0.7), (r"\bcom(es|ing) on\b", 0.6), (r"\bcom(es|ing) off\b", 0.6),
                     (r"\breplac(es|ed|ing)\b", 0.6), (r"\bmakes? way\b", 0.6), (r"\bchange\b", 0.3),
                     (r"\bon for\b", 0.5)],
    "Offside": [(r"\boff ?side\b", 0.7), (r"\bflag (is )?up\b", 0.6), (r"\blinesman\b", 0.3)],
    "Shots on target": [(r"\bsaved?\b", 0.5), (r"\bsaves\b", 0.5), (r"\bparr(y|ied)\b", 0.6),
                        (r"\bgood stop\b", 0.6), (r"\bkeeper\b", 0.2), (r"\bon target\b", 0.6), (r"\bshot\b", 0.3)],
    "Shots off target": [(r"\bwide\b", 0.4), (r"\bover the bar\b", 0.7), (r"\bmiss(es|ed)?\b", 0.3),
                         (r"\boff target\b", 0.6), (r"\bpast the post\b", 0.6), (r"\bblazes?\b", 0.5),
                         (r"\bshoots?\b", 0.3), (r"\bhigh\b", 0.2)],
    "Clearance": [(r"\bclear(s|ed|ance)?\b", 0.5), (r"\bhead(s|ed)? (it )?away\b", 0.5), (r"\bhacks?\b", 0.4)],
    "Ball out of play": [(r"\bout of play\b", 0.6), (r"\bgoal ?kick\b", 0.5), (r"\bout for\b", 0.5),
                         (r"\bthrow\b", 0.3), (r"\bcorner\b", 0.3), (r"\bover the line\b", 0.4)],
    "Throw-in": [(r"\bthrow(-| )?ins?\b", 0.6), (r"\bthrow\b", 0.5), (r"\blong throw\b", 0.6)],
    "Foul": [(r"\bfoul(ed|s)?\b", 0.6), (r"\bfree[- ]?kick\b", 0.4), (r"\bbrought down\b", 0.6),
             (r"\btripped\b", 0.5), (r"\bwhistle\b", 0.3), (r"\bchallenge\b", 0.3), (r"\breferee\b", 0.2)],
    "Indirect free-kick": [(r"\bfree[- ]?kick\b", 0.5), (r"\bfoul(ed)?\b", 0.3), (r"\boff ?side\b", 0.4)],
    "Direct free-kick": [(r"\bfree[- ]?kick\b", 0.4), (r"\bwall\b", 0.5), (r"\bdirect\b", 0.4),
                         (r"\bcurl(s|ed)?\b", 0.3)],
    "Corner": [(r"\bcorners?\b", 0.7), (r"\bcorner[- ]kick\b", 0.8)],
    "Yellow card": [(r"\byellow\b", 0.7), (r"\bbook(ed|ing)\b", 0.7), (r"\bcaution", 0.6),
                    (r"\bin the book\b", 0.6), (r"\bcard\b", 0.4)],
    "Red card": [(r"\bred card\b", 0.8), (r"\bsent off\b", 0.8), (r"\bsending off\b", 0.7), (r"\bdismiss", 0.5),
                 (r"\bstraight red\b", 0.8)],
    "Yellow->red card": [(r"\bsecond yellow\b", 0.8), (r"\btwo yellows?\b", 0.6)],
}  # fmt: skip

# Halves without a translation: the main words of the commonest commentary languages.
OTHER_LANGUAGES: dict[str, Lexicon] = {
    "es": {
        "Goal": [(r"\bgo+l\b", 0.6), (r"\bgolazo\b", 0.7)],
        "Penalty": [(r"\bpenal(ti|ty)\b", 0.6)],
        "Offside": [(r"\bfuera de juego\b", 0.7), (r"\boffside\b", 0.7)],
        "Corner": [(r"\bc[óo]rner\b", 0.7), (r"\bsaque de esquina\b", 0.7)],
        "Yellow card": [(r"\bamarilla\b", 0.7), (r"\bamonesta", 0.6)],
        "Red card": [(r"\btarjeta roja\b", 0.8), (r"\bexpulsa", 0.7)],
        "Foul": [(r"\bfalta\b", 0.5)],
        "Substitution": [(r"\bcambio\b", 0.6), (r"\bsustitu", 0.7)],
        "Throw-in": [(r"\bsaque de banda\b", 0.6)],
    },
    "fr": {
        "Goal": [(r"\bbut\b", 0.5)],
        "Penalty": [(r"\bpenalty\b", 0.6)],
        "Offside": [(r"\bhors[- ]jeu\b", 0.7)],
        "Corner": [(r"\bcorner\b", 0.7)],
        "Yellow card": [(r"\bcarton jaune\b", 0.8), (r"\baverti", 0.6)],
        "Red card": [(r"\bcarton rouge\b", 0.8), (r"\bexclu", 0.6)],
        "Foul": [(r"\bfaute\b", 0.5)],
        "Direct free-kick": [(r"\bcoup[- ]franc\b", 0.5)],
        "Substitution": [(r"\bremplac", 0.6), (r"\bchangement\b", 0.6)],
        "Throw-in": [(r"\btouche\b", 0.5)],
    },
    "de": {
        "Goal": [(r"\btor\b", 0.5), (r"\btreffer\b", 0.5)],
        "Penalty": [(r"\belfmeter\b", 0.7), (r"\bstrafsto", 0.7)],
        "Offside": [(r"\babseits\b", 0.7)],
        "Corner": [(r"\becke\b", 0.7), (r"\beckball\b", 0.7)],
        "Yellow card": [(r"\bgelbe?\b", 0.7), (r"\bverwarn", 0.6)],
        "Red card": [(r"\brote karte\b", 0.8), (r"\bplatzverweis\b", 0.8)],
        "Foul": [(r"\bfoul\b", 0.6)],
        "Direct free-kick": [(r"\bfreisto", 0.5)],
        "Substitution": [(r"\bwechsel\b", 0.6), (r"\bausgewechselt\b", 0.7), (r"\beingewechselt\b", 0.7)],
        "Throw-in": [(r"\beinwurf\b", 0.6)],
    },
    "it": {
        "Goal": [(r"\bgo+l\b", 0.6), (r"\brete\b", 0.5)],
        "Penalty": [(r"\brigore\b", 0.7)],
        "Offside": [(r"\bfuorigioco\b", 0.7)],
        "Corner": [(r"\bcalcio d'angolo\b", 0.7), (r"\bcorner\b", 0.7)],
        "Yellow card": [(r"\bammoni", 0.7), (r"\bgiallo\b", 0.6)],
        "Red card": [(r"\bespuls", 0.8), (r"\brosso\b", 0.6)],
        "Foul": [(r"\bfallo\b", 0.5)],
        "Direct free-kick": [(r"\bpunizione\b", 0.5)],
        "Substitution": [(r"\bsostitu", 0.7), (r"\bcambio\b", 0.6)],
        "Throw-in": [(r"\brimessa laterale\b", 0.6)],
    },
    "pt": {
        "Goal": [(r"\bgo+l\b", 0.6)],
        "Penalty": [(r"\bp[êe]nalti\b", 0.7)],
        "Offside": [(r"\bimpedimento\b", 0.7)],
        "Corner": [(r"\bescanteio\b", 0.7)],
        "Yellow card": [(r"\bamarelo\b", 0.7)],
        "Red card": [(r"\bvermelho\b", 0.7), (r"\bexpuls", 0.7)],
        "Foul": [(r"\bfalta\b", 0.5)],
        "Substitution": [(r"\bsubstitu", 0.7)],
    },
}

DEFAULT_LAG_S = 2.5  # commentary follows the action; the README's goal-to-"goal" median gap is 2.6 s
DEFAULT_MERGE_S = 8.0


@dataclass(frozen=True)
class _Compiled:
    label: str
    pattern: re.Pattern[str]
    weight: float


def _compile(lexicon: Lexicon) -> list[_Compiled]:
    return [
        _Compiled(label, re.compile(pattern, re.IGNORECASE), weight)
        for label, entries in lexicon.items()
        for pattern, weight in entries
    ]


_LEXICONS: dict[str, list[_Compiled]] = {"en": _compile(ENGLISH)} | {
    language: _compile(lexicon) for language, lexicon in OTHER_LANGUAGES.items()
}


def _merge(spots: list[Spot], merge_s: float) -> list[Spot]:
    """Per half and class, keep the strongest of hits closer than ``merge_s`` to a kept one."""
    groups: dict[tuple[int, str], list[Spot]] = defaultdict(list)
    for spot in sorted(spots, key=lambda s: (-s.confidence, s.position_ms)):
        kept = groups[spot.half, spot.label]
        if all(abs(k.position_ms - spot.position_ms) > merge_s * 1000 for k in kept):
            kept.append(spot)
    return sorted((s for kept in groups.values() for s in kept), key=lambda s: (s.half, s.position_ms, s.label))


class KeywordSpotter:
    """Keyword lexicon over commentary segments: fast, offline, and the floor every back end must beat."""

    name = "keywords"

    def __init__(
        self, lag_s: float = DEFAULT_LAG_S, merge_s: float = DEFAULT_MERGE_S, half_width: float = DEFAULT_HALF_WIDTH_S
    ) -> None:
        self.lag_s = lag_s
        self.merge_s = merge_s
        self.half_width = half_width

    def _hits(self, segment: Segment) -> list[Spot]:
        best: dict[str, float] = {}
        for entry in _LEXICONS.get(segment.language or "en", ()):
            if entry.pattern.search(segment.text) and not said_of_else(entry.label, segment):
                # Several words for one class make it more certain, never above 1.
                previous = best.get(entry.label, 0.0)
                best[entry.label] = 1 - (1 - previous) * (1 - entry.weight)
        anchor = max(0.0, segment.start - self.lag_s)
        return [
            Spot(
                label=label,
                half=segment.half,
                start=max(0.0, anchor - self.half_width),
                end=anchor + self.half_width,
                position_ms=round(anchor * 1000),
                confidence=round(confidence, 6),
                evidence=segment.text,
                backend=self.name,
            )
            for label, confidence in best.items()
        ]

    def spot(self, match: Match, halves: Sequence[int] = (1, 2)) -> list[Spot]:
        """Every hit of the lexicon; the rare classes told by their episodes instead (``spotting.episodes``:
        a bare "penalty" or "red" is said far more often than one is given)."""
        spots = [
            hit
            for half in halves
            for segment in one_transcription(match.half_segments(half))  # one hit per remark, not per hearing
            for hit in self._hits(segment)
            if hit.label not in EPISODE_CLASSES
        ]
        return _merge(spots + episode_spots(match, halves), self.merge_s)
