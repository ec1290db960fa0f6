"""Which club each name of a match plays for, learned from that match's commentary alone.

There are no rosters. Two things a commentator does give them away: a name is said near its club's
name ("Barcelona are going to take it; there to receive, Sergi Roberto"), and names follow each other
along a passing move ("Modric for James, James for Carvajal"), so names said one after the other are
mostly team-mates. Each name's lean (-1 away … +1 home) is the clubs said around it, spread along
those chains by a few rounds of averaging (label propagation), plus what the rest of the match
teaches: a name said at a goal whose team the score settled (``seeds``).
"""

from __future__ import annotations

import itertools
import re
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache

from index.types import HALVES
from index.yamlfile import read_yaml

from .clubs import WORDS_FILE, fold
from .commentary_text import Line, MatchText, NameHit

CLUB_NEAR_S = 6.0  # a club said this close to a name (either side) speaks for it
NEAR_WEIGHT = 0.5  # ... at half the weight of a club said in the same line
CHAIN_S = 4.0  # names in lines this close are linked as likely team-mates (a passing move)
CHAIN_WEIGHT = 0.3  # ... weakly: a move also crosses to the other side
RELATION_WEIGHT = 1.0  # "Modric for James" (+), "Kroos on Messi" (-)
LINK_WEIGHT = 0.5  # how much the links count against a club said beside the name
MAX_BETWEEN_CHARS = 25
PRIOR = 2.0  # pseudo-count that keeps a name said once near a club from leaning all the way
ROUNDS = 10


def _sign(side: str) -> float:
    return 1.0 if side == "home" else -1.0


@dataclass(frozen=True)
class Roster:
    """Each name's lean: +1 surely home, -1 surely away, 0 unknown; and how the commentary writes it."""

    lean: Mapping[str, float]
    display: Mapping[str, str]

    def of(self, key: str) -> float:
        return self.lean.get(key, 0.0)

    def side(self, key: str, margin: float = 0.2) -> str:
        value = self.of(key)
        return "home" if value > margin else "away" if value < -margin else ""


def _club_field(lines: list[Line]) -> dict[str, float]:
    """Signed weight of the clubs said in and around the lines where each name is said."""
    field: dict[str, float] = defaultdict(float)
    starts = [x.start for x in lines]
    lo = 0
    for i, line in enumerate(lines):
        if not line.names:
            continue
        while starts[lo] < line.start - CLUB_NEAR_S:
            lo += 1
        hi = i
        while hi + 1 < len(lines) and starts[hi + 1] <= line.start + CLUB_NEAR_S:
            hi += 1
        vote = sum(_sign(c.side) for c in line.clubs)
        vote += NEAR_WEIGHT * sum(_sign(c.side) for j in range(lo, hi + 1) if j != i for c in lines[j].clubs)
        for key in {n.key for n in line.names}:
            field[key] += vote
    return field


@cache
def _relations() -> tuple[frozenset[str], frozenset[str]]:
    data = read_yaml(WORDS_FILE)
    return frozenset(map(_bare, data["team_mates"])), frozenset(map(_bare, data["opponents"]))


def _bare(text: str) -> str:
    return " ".join(re.findall(r"\w+", fold(text)))


def _relation(line: Line, a: NameHit, b: NameHit) -> float:
    """+1 for team-mates, -1 for opponents, 0 when the words between two names of a line do not say."""
    between = line.segment.text[a.end : b.start]
    if len(between) > MAX_BETWEEN_CHARS:
        return 0.0
    words = _bare(between)
    mates, opponents = _relations()
    if not words:
        return 1.0 if between.strip() in (",", "-", ";") else 0.0  # "Ramos, Varane, Marcelo"; "" is one name
    return 1.0 if words in mates else -1.0 if words in opponents else 0.0


def _links(lines: list[Line]) -> dict[tuple[str, str], float]:
    """Signed links between names: the words between two names of a line, and names said one after
    the other in lines at most ``CHAIN_S`` apart."""
    links: dict[tuple[str, str], float] = defaultdict(float)

    def link(a: str, b: str, weight: float) -> None:
        if a != b and weight:
            links[(a, b)] += weight
            links[(b, a)] += weight

    previous: Line | None = None
    for line in lines:
        for a, b in itertools.pairwise(line.names):
            link(a.key, b.key, RELATION_WEIGHT * _relation(line, a, b))
        if line.names and previous is not None and line.start - previous.start <= CHAIN_S:
            link(previous.names[-1].key, line.names[0].key, CHAIN_WEIGHT)
        previous = line if line.names else previous
    return links


def learn_roster(text: MatchText, seeds: Mapping[str, float] | None = None) -> Roster:
    """Every name's lean from the clubs around it, the chains it is in, and ``seeds`` (name -> signed
    weight, e.g. +3 for a name said at a home goal)."""
    field: dict[str, float] = defaultdict(float)
    links: dict[tuple[str, str], float] = defaultdict(float)
    for half in HALVES:
        lines = text.lines.get(half, [])
        for key, value in _club_field(lines).items():
            field[key] += value
        for pair, weight in _links(lines).items():
            links[pair] += weight
    for key, value in (seeds or {}).items():
        field[key] += value
    neighbours: dict[str, list[tuple[str, float]]] = defaultdict(list)
    for (a, b), weight in links.items():
        neighbours[a].append((b, weight))
    keys = set(text.names)
    lean = {k: field.get(k, 0.0) / (abs(field.get(k, 0.0)) + PRIOR) for k in keys}
    for _ in range(ROUNDS):
        lean = {k: _averaged(k, field, neighbours, lean) for k in keys}
    return Roster(lean, dict(text.display))


def _averaged(key: str, field: Mapping[str, float], neighbours: Mapping, lean: Mapping[str, float]) -> float:
    near = neighbours.get(key, ())
    pull = LINK_WEIGHT * sum(w * lean.get(other, 0.0) for other, w in near)
    mass = LINK_WEIGHT * sum(abs(w) for _, w in near)
    own = field.get(key, 0.0)
    return (own + pull) / (abs(own) + mass + PRIOR)
