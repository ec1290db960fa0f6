"""What the commentary around one moment says about its team: the numbers a per-class model weighs.

Each feature leans home (> 0) or away (< 0), squashed into (-1, 1) so one chatty line cannot shout
down the rest, and is 0 when the commentary says nothing of the kind. What a lean means depends on
the class ("free-kick for Barcelona" names the team fouled, not the one that fouled), which is why a
model learns one weight per class and feature (``spotting.attribution``) rather than a rule.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

from index.yamlfile import read_yaml

from .clubs import WORDS_FILE, fold
from .commentary_text import Line, MatchText, NameHit
from .keywords import ENGLISH, OTHER_LANGUAGES
from .roster import Roster
from .score_timeline import ScoreTimeline
from .scoreline import ScoreMention

FEATURES: tuple[str, ...] = (
    "club_for",  # a club after "for"/"para"/"pour"/"für": "corner for Arsenal"
    "club_of",  # a club after "of"/"de"/"del"/"du" or before "'s": "the goal of PSG", "Barça's corner"
    "club",  # any other naming of a club
    "one_club",  # +1/-1 when only one of the two clubs is named around the moment
    "names",  # the leans of every name said
    "first_name",  # the lean of the first name said from the moment on
    "key_name",  # the lean of the name closest to the class's own word ("yellow card for Ramos")
    "player",  # the lean of the name most likely its player (said most, or in "goal from Ramsey")
    "score_said",  # the club the running score says went ahead or levelled ("Real Madrid is ahead")
    "after_goal",  # minus the team that scored just before (the other team kicks off)
)
WINDOW_S = (-5.0, 15.0)  # lines starting this long before/after a moment speak about it
EVIDENCE_WINDOW_S = (-5.0, 20.0)  # the span a spotter quotes as a spot's evidence
KEY_WINDOW_S = (-5.0, 25.0)  # the class's own word and its player may come a little later
SCORE_WINDOW_S = (-10.0, 60.0)  # "1-0 for PSG" can follow a goal by a minute
AFTER_GOAL_S = 150.0  # a kick-off this soon after a goal restarts play after it
SQUASH = 2.0  # tanh(sum / SQUASH): two names agreeing are worth most of what ten are
# How many players the commentary names for a class: a scorer, a booked player, who comes on and goes off.
PLAYER_CLASSES = {"Goal": 1, "Yellow card": 1, "Red card": 1, "Yellow->red card": 1, "Substitution": 2}
FIRST_FROM_S = -2.0  # "the first name said from the moment on" starts this close before it
PLAYER_WINDOW_S = (-10.0, 25.0)  # a scorer is named in the build-up and again and again after
KEY_BONUS = 3.0  # a name beside the class's word ("goal from Ramsey") counts as three sayings
PHRASE_BONUS = 6.0  # ... and a name a phrase gives as the player ("Messi scores") as seven
OTHER_TEAM_SHARE = 0.25  # a name the roster puts in the other team: the keeper beaten, the defender passed
_POSSESSIVE = re.compile(r"^['’]s\b")


@dataclass(frozen=True, slots=True)
class MomentEvidence:
    """The features of one moment (in ``FEATURES`` order) and the player the commentary names for it."""

    values: tuple[float, ...]
    named: tuple[tuple[str, float], ...] = ()  # names said around it and how likely each is its player

    @property
    def empty(self) -> bool:
        return not any(self.values)


def _squash(total: float) -> float:
    return math.tanh(total / SQUASH)


def _sign(side: str) -> float:
    return 1.0 if side == "home" else -1.0 if side == "away" else 0.0


@cache
def _class_words(label: str) -> tuple[re.Pattern[str], ...]:
    """The keyword lexicon's words for ``label`` in every language it has."""
    lexicons = [ENGLISH, *OTHER_LANGUAGES.values()]
    return tuple(re.compile(pattern, re.IGNORECASE) for lex in lexicons for pattern, _ in lex.get(label, ()))


def _one_club(lines: Sequence[Line]) -> float:
    sides = {club.side for line in lines for club in line.clubs}
    return _sign(next(iter(sides))) if len(sides) == 1 else 0.0


@cache
def _club_roles() -> tuple[re.Pattern[str], re.Pattern[str]]:
    """The words before a club that give it the moment ("for") or the thing said ("of")."""
    data = read_yaml(WORDS_FILE)

    def ending(words: list[str]) -> re.Pattern[str]:
        alternatives = "|".join(w.replace(" ", r"\W+") for w in sorted(words, key=len, reverse=True))
        return re.compile(rf"(?<!\w)(?:{alternatives})\W+(?:\w{{1,3}}\W+)?$")

    return ending(data["club_for"]), ending(data["club_of"])


def _club_features(lines: Sequence[Line]) -> tuple[float, float, float]:
    totals = [0.0, 0.0, 0.0]
    for_words, of_words = _club_roles()
    for line in lines:
        folded = fold(line.segment.text)
        for club in line.clubs:
            before, after = folded[max(0, club.start - 25) : club.start], folded[club.end : club.end + 3]
            kind = 0 if for_words.search(before) else 1 if of_words.search(before) or _POSSESSIVE.match(after) else 2
            totals[kind] += _sign(club.side)
    return (_squash(totals[0]), _squash(totals[1]), _squash(totals[2]))


def _key_names(lines: Sequence[Line], label: str) -> list[str]:
    """The names said closest to one of the class's words (in a line that has both), closest first."""
    distance: dict[str, tuple[int, float]] = {}
    for line in lines:
        if not line.names:
            continue
        for pattern in _class_words(label):
            for hit in pattern.finditer(line.segment.text):
                for name in line.names:
                    far = (min(abs(name.start - hit.end()), abs(hit.start() - name.end)), line.start)
                    distance[name.key] = min(distance.get(name.key, far), far)
    return sorted(distance, key=distance.__getitem__)


def _score_said(mentions: Sequence[ScoreMention], half: int, seconds: float) -> float:
    lo, hi = seconds + SCORE_WINDOW_S[0], seconds + SCORE_WINDOW_S[1]
    return _squash(sum(_sign(m.team) for m in mentions if m.half == half and lo <= m.seconds <= hi))


def _after_goal(timeline: ScoreTimeline | None, half: int, seconds: float) -> float:
    if timeline is None:
        return 0.0
    before = [g for g in timeline.goals if g.found and g.half == half and 0 <= seconds - g.seconds <= AFTER_GOAL_S]
    before = [g for g in before if g.sure]
    return -_sign(before[-1].team) if before else 0.0


def moment_evidence(
    text: MatchText,
    roster: Roster,
    label: str,
    half: int,
    seconds: float,
    mentions: Sequence[ScoreMention] = (),
    timeline: ScoreTimeline | None = None,
) -> MomentEvidence:
    """The features of a moment of class ``label`` at ``seconds`` into ``half``, and its player."""
    lines = text.window(half, seconds + WINDOW_S[0], seconds + WINDOW_S[1])
    names = [hit.key for line in lines for hit in line.names]
    later = [hit.key for line in lines if line.start >= seconds + FIRST_FROM_S for hit in line.names]
    keys = _key_names(text.window(half, seconds + KEY_WINDOW_S[0], seconds + KEY_WINDOW_S[1]), label)
    key = keys[0] if keys else ""
    named = _named(text, label, half, seconds, keys)
    values = (
        *_club_features(lines),
        _one_club(text.window(half, seconds + EVIDENCE_WINDOW_S[0], seconds + EVIDENCE_WINDOW_S[1])),
        _squash(sum(roster.of(n) for n in names)),
        roster.of(later[0]) if later else 0.0,
        roster.of(key) if key else 0.0,
        roster.of(named[0][0]) if named else 0.0,
        _score_said(mentions, half, seconds),
        _after_goal(timeline, half, seconds),
    )
    return MomentEvidence(tuple(float(v) for v in values), named)


@cache
def _player_phrases(label: str) -> tuple[re.Pattern[str], re.Pattern[str]] | None:
    """Where ``label``'s player is named: right after the first pattern's match, right before the second's."""
    data = read_yaml(WORDS_FILE)["player_phrases"].get(label)
    if not data:
        return None

    def words(key: str) -> str:
        return "|".join(p.replace(" ", r"[\W_]+") for p in sorted(data[key], key=len, reverse=True))

    return re.compile(rf"(?<!\w)(?:{words('after')})[\W_]+$"), re.compile(rf"^[\W_]+(?:{words('before')})(?!\w)")


def _in_phrase(line: Line, hit: NameHit, phrases: tuple[re.Pattern[str], re.Pattern[str]] | None) -> bool:
    if phrases is None:
        return False
    folded = fold(line.segment.text)
    return bool(phrases[0].search(folded, 0, hit.start) or phrases[1].match(folded[hit.end : hit.end + 40]))


def _named(
    text: MatchText, label: str, half: int, seconds: float, keys: Sequence[str]
) -> tuple[tuple[str, float], ...]:
    """Each name said around the moment, scored: once per time it is said (after a goal, commentators say
    the scorer's name again and again), more beside the class's word, most where a phrase names the
    player ("goal from Ramsey", "tarjeta amarilla para Ramos")."""
    said: dict[str, float] = {}
    phrases = _player_phrases(label)
    for line in text.window(half, seconds + PLAYER_WINDOW_S[0], seconds + PLAYER_WINDOW_S[1]):
        for hit in line.names:
            bonus = PHRASE_BONUS if _in_phrase(line, hit, phrases) else 0.0
            said[hit.key] = said.get(hit.key, 0.0) + 1.0 + bonus
    for rank, key in enumerate(keys[:3]):
        said[key] = said.get(key, 0.0) + KEY_BONUS / (rank + 1)
    return tuple(sorted(said.items(), key=lambda item: (-item[1], item[0])))


def players_of(evidence: MomentEvidence, roster: Roster, label: str, team: str = "") -> tuple[str, tuple[str, ...]]:
    """The player(s) the commentary names for a moment ("Leo Messi"; a substitution's two, most said
    first): a name the roster puts in the other team counts for less; and the name words behind them."""
    wanted = PLAYER_CLASSES.get(label, 0)
    scored = sorted(
        (
            (n * (OTHER_TEAM_SHARE if team and roster.side(key) not in ("", team) else 1.0), key)
            for key, n in evidence.named
        ),
        key=lambda item: (-item[0], item[1]),
    )
    shown: list[str] = []
    keys: list[str] = []
    for _, key in scored:
        display = roster.display.get(key, key)
        if display not in shown and len(shown) >= wanted:
            continue
        if display not in shown:
            shown.append(display)
        keys.append(key)
    return ", ".join(shown), tuple(keys)
