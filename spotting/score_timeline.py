"""The score of a match at any moment: which team scored each goal found, consistent with the final score.

The goals found (spots, each with the commentary's lean towards home or away), the final score (the
folder name's) and the running score the commentary says (``spotting.scoreline``) are decoded
together, as a path through score states 0-0 … final (dynamic programming, Viterbi-style): each goal
found is home's, away's or not a goal at all (a duplicate, a disallowed one); a goal the spotter missed
may be inserted where the commentary's score requires it ("2-0" said when only one goal was found),
else it is left unplaced; each mention the path agrees with earns its weight. The best path gives every
goal its team and the score after it. What cannot be known is said, not guessed: ``missing`` counts the
goals the score has and the commentary did not show, and ``score_at`` reports how many of them may
already have been scored at a moment. When the commentary's running score clearly ends elsewhere
than the final score (a wrong folder name), ``note`` says so.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

from index.corpus import SAME_GOAL_S
from index.errors import HighlightsError
from index.names import parse_game_id
from index.types import HALVES, Match

from .scoreline import MentionKind, ScoreMention
from .types import Spot

HALF_MINUTES = 45
GOAL_SLACK_S = 10.0  # a mention up to this long before a goal's anchor may already be about it
SKIP_COST = 3.0  # dropping a goal the spotter is sure of (a labelled one: confidence 1)
UNSEEN_COST = 2.5  # a goal nobody found, put where the commentary's score needs it
UNSEEN_LATER = 1e-3  # ... as late as the commentary allows (the tie-break)
# A score said ("2-1") is the running score; "lead" and "level" words are said loosely too ("they lead the
# table", "level on points", "that would have put them ahead"), so they weigh less. Out of fold on the valid
# games (lead, level): (1.0, 0.6) found 221 of 371 goals, 12 games without one; (0.25, 0.3) 229 and 10, no fold
# worse; 0 to 0.5 for lead and 0 to 0.3 for level are within 4 goals of it.
MENTION_WEIGHT = {MentionKind.SCORE: 1.0, MentionKind.LEAD: 0.25, MentionKind.LEVEL: 0.3}
TEAM_SAID_BONUS = 0.5  # a score said with its leader ("1-0 for PSG") weighs more
DISAGREE_MARGIN = 6.0  # how much better the commentary's own ending must fit to be reported
MAX_EXTRA_GOALS = 8  # goals beyond those found an unconstrained reading may add
MAX_GOALS = 25  # per match and per team: more is not a football score (the record is 149-0, an outlier)
# A goal found this surely counts against the final score in the note ("12 goals were found, but 1-0 has 1"):
# the labelled goals of a wrong folder name, not the weak goal-like peaks every match has (out of fold, valid:
# counting every peak the timeline weighs put that note on 59 of the 100 games' timelines).
SURE_FOUND = 0.9
SURE_MARGIN = 0.5  # a goal's team is a guess when the best path giving it away costs less more than this


@dataclass(frozen=True, slots=True)
class GoalEvidence:
    """A goal found: where, how sure the spotter is, and the commentary's lean (log-odds home vs away)."""

    half: int
    seconds: float
    confidence: float = 1.0
    lean: float = 0.0  # > 0 home, < 0 away
    spots: tuple[Spot, ...] = ()  # the spot(s) it stands for: one goal found twice is one goal


@dataclass(frozen=True, slots=True)
class TimelineGoal:
    """A goal on the timeline: its team and the score after it. ``found`` is False for a goal the score
    and the commentary say happened but no spot shows: it lies between ``earliest`` and (half, seconds)."""

    half: int
    seconds: float
    team: str  # "home" or "away"
    home: int
    away: int
    found: bool = True
    spots: tuple[Spot, ...] = ()
    earliest: tuple[int, float] = (1, 0.0)
    sure: bool = True  # False: the other team's goal would fit the evidence almost as well


@dataclass(frozen=True, slots=True)
class Score:
    """The score at a moment; ``unsure_*`` goals of the final score may or may not have been scored yet."""

    home: int
    away: int
    unsure_home: int = 0
    unsure_away: int = 0
    guessed: int = 0  # goals so far whose team the commentary does not settle

    @property
    def certain(self) -> bool:
        return not (self.unsure_home or self.unsure_away or self.guessed)

    def __str__(self) -> str:
        return f"{self.home}-{self.away}"


@dataclass(frozen=True)
class ScoreTimeline:
    final: tuple[int, int]
    goals: tuple[TimelineGoal, ...] = ()
    discarded: tuple[GoalEvidence, ...] = ()  # goals found that the score says were not goals
    mentions: tuple[ScoreMention, ...] = ()
    note: str = ""
    commentary_final: tuple[int, int] | None = None  # where the commentary's own running score ends
    unplaced: tuple[int, int] = field(default=(0, 0))  # goals of the final score with no place at all

    @property
    def missing(self) -> tuple[int, int]:
        """Goals (home, away) of the final score that no spot shows."""
        unseen = [g for g in self.goals if not g.found]
        return (
            sum(g.team == "home" for g in unseen) + self.unplaced[0],
            sum(g.team == "away" for g in unseen) + self.unplaced[1],
        )

    def score_at(self, half: int, seconds: float) -> Score:
        """The score at ``seconds`` into ``half`` (a goal at that very moment counts; half 3 is after the
        final whistle). Goals nobody found count as ``unsure`` wherever they may lie."""
        if half > 2:
            return Score(*self.final)
        now = (half, seconds)
        sure = {"home": 0, "away": 0}
        unsure = {"home": self.unplaced[0], "away": self.unplaced[1]}
        guessed = 0
        for goal in self.goals:
            if (goal.half, goal.seconds) <= now:
                sure[goal.team] += 1
                guessed += not goal.sure
            elif self.discarded and not goal.sure:
                guessed += 1  # one of the goals left off, earlier, may be the one that counts
            elif not goal.found and goal.earliest < now:
                unsure[goal.team] += 1
        return Score(sure["home"], sure["away"], unsure["home"], unsure["away"], guessed)

    def score_at_minute(self, minute: float) -> Score:
        """The score at match minute ``minute`` (46 and later are the second half)."""
        if minute <= HALF_MINUTES:
            return self.score_at(1, max(0.0, minute) * 60.0)
        return self.score_at(2, (minute - HALF_MINUTES) * 60.0)

    @property
    def half_time(self) -> Score:
        return self.score_at(1, math.inf)

    @property
    def full_time(self) -> Score:
        return self.score_at(3, 0.0)


@dataclass(frozen=True, slots=True)
class _Step:
    """How a state was reached at one level of the decoding: from which state, by what."""

    previous: tuple[int, int]
    what: str  # "home"/"away" (a goal found), "skip", "unseen-home"/"unseen-away" (a goal nobody found)
    event: int  # the event it is at, or just before


_Level = dict[tuple[int, int], _Step]
CHOICES = frozenset({"home", "away", "skip"})


def _events(goals: Sequence[GoalEvidence], mentions: Sequence[ScoreMention]) -> list[tuple[tuple, object]]:
    """Goals and mentions in time order; a goal counts from ``GOAL_SLACK_S`` before its anchor."""
    timed = [((g.half, g.seconds - GOAL_SLACK_S, 0), g) for g in goals]
    timed += [((m.half, m.seconds, 1), m) for m in mentions]
    return sorted(timed, key=lambda e: e[0])


def _mention_weight(mention: ScoreMention) -> float:
    bonus = TEAM_SAID_BONUS if mention.kind is MentionKind.SCORE and mention.team else 0.0
    return MENTION_WEIGHT[mention.kind] + bonus


def _skip_cost(confidence: float) -> float:
    return SKIP_COST * min(1.0, max(0.0, confidence))


def _unseen(cost: dict[tuple[int, int], float], cap: tuple[int, int], event: int, later: float) -> _Level:
    """Add goals nobody found before ``event`` wherever that is cheaper (in place); their steps."""
    level: _Level = {}
    for h in range(cap[0] + 1):
        for a in range(cap[1] + 1):
            for previous, what in (((h - 1, a), "unseen-home"), ((h, a - 1), "unseen-away")):
                total = cost.get(previous, math.inf) + UNSEEN_COST + later
                if total < cost.get((h, a), math.inf):
                    cost[(h, a)], level[(h, a)] = total, _Step(previous, what, event)
    return level


def _goal(cost: dict[tuple[int, int], float], goal: GoalEvidence, cap: tuple[int, int], event: int, only=CHOICES):
    """Each state after a goal found: scored by home, by away, or not a goal (``only`` these choices)."""
    moved: dict[tuple[int, int], float] = {}
    level: _Level = {}
    for (h, a), c in cost.items():
        options = [((h, a), c + _skip_cost(goal.confidence), "skip")]
        if h < cap[0]:
            options.append(((h + 1, a), c - goal.lean / 2, "home"))
        if a < cap[1]:
            options.append(((h, a + 1), c + goal.lean / 2, "away"))
        for state, total, what in options:
            if what in only and total < moved.get(state, math.inf):
                moved[state], level[state] = total, _Step((h, a), what, event)
    return moved, level


def _decode(
    events: list[tuple[tuple, object]], cap: tuple[int, int], forced: tuple[int, frozenset[str]] = (-1, CHOICES)
) -> tuple[dict, list[tuple[str, _Level]]]:
    """Cost of every end state, and the levels to trace the best path back through; ``forced`` (event,
    choices) limits one goal's choices, to see what the best path costs when it is not what it was."""
    cost: dict[tuple[int, int], float] = {(0, 0): 0.0}
    levels: list[tuple[str, _Level]] = []
    for index in range(len(events) + 1):
        later = UNSEEN_LATER * (len(events) - index)
        levels.append(("unseen", _unseen(cost, cap, index, later)))
        if index == len(events):
            break
        item = events[index][1]
        if isinstance(item, GoalEvidence):
            cost, level = _goal(cost, item, cap, index, forced[1] if forced[0] == index else CHOICES)
            levels.append(("goal", level))
        else:
            weight = _mention_weight(item)
            cost = {state: c - weight if item.agrees(*state) else c for state, c in cost.items()}
    return cost, levels


def _path(levels: list[tuple[str, _Level]], end: tuple[int, int]) -> list[_Step]:
    steps, state = [], end
    for kind, level in reversed(levels):
        if kind == "goal":
            steps.append(level[state])
            state = level[state].previous
            continue
        while state in level:
            steps.append(level[state])
            state = level[state].previous
    return list(reversed(steps))


def _timeline_goals(
    events, steps: list[_Step], unsure: set[int]
) -> tuple[list[TimelineGoal], list[GoalEvidence], tuple[int, int]]:
    goals, discarded = [], []
    score = {"home": 0, "away": 0}
    unplaced = {"home": 0, "away": 0}
    earliest = (1, 0.0)
    for step in steps:
        team = step.what.removeprefix("unseen-")
        if step.what == "skip":
            discarded.append(events[step.event][1])
            continue
        if step.what.startswith("unseen") and step.event == len(events):
            unplaced[team] += 1  # nothing in the commentary places it
            continue
        score[team] += 1
        after = (score["home"], score["away"])
        item = events[step.event][1]
        if step.what.startswith("unseen"):  # just before the mention (or goal) that needs it
            goals.append(TimelineGoal(item.half, item.seconds, team, *after, found=False, earliest=earliest))
            continue
        sure = step.event not in unsure
        goals.append(TimelineGoal(item.half, item.seconds, team, *after, spots=item.spots, sure=sure))
        earliest = (item.half, item.seconds)
    return goals, discarded, (unplaced["home"], unplaced["away"])


def build_timeline(
    goals: Sequence[GoalEvidence], final: tuple[int, int] | None, mentions: Sequence[ScoreMention] = ()
) -> ScoreTimeline:
    """Decode the score path that best fits ``goals``, ``mentions`` and the ``final`` score (None: no
    final score known, the commentary alone decides). One goal found twice (closer than ``SAME_GOAL_S``)
    is decoded as one; absurd inputs (times that are not finite, halves other than 1 and 2, more than
    ``MAX_GOALS`` goals or a score above it) are cut down to what can be decoded."""
    goals = merge_twins(goals)
    if final is not None:
        final = (min(MAX_GOALS, max(0, int(final[0]))), min(MAX_GOALS, max(0, int(final[1]))))
    events = _events(goals, [m for m in mentions if m.half in HALVES and math.isfinite(m.seconds)])
    free_cap = (len(goals) + MAX_EXTRA_GOALS,) * 2
    free_cost, free_levels = _decode(events, free_cap)
    free_end = min(free_cost, key=lambda s: (free_cost[s], s))
    if final is None:
        cap, end, cost, levels = free_cap, free_end, free_cost, free_levels
    else:
        cap = end = final
        cost, levels = _decode(events, cap)

    def without(step: _Step) -> float:
        other = _decode(events, cap, (step.event, CHOICES - {step.what}))[0]
        return min(other.values()) if final is None else other.get(end, math.inf)

    path = _path(levels, end)
    unsure = {s.event for s in path if s.what in ("home", "away") and without(s) < cost[end] + SURE_MARGIN}
    found, discarded, unplaced = _timeline_goals(events, path, unsure)
    note = ""
    if final is not None and free_end != end and free_cost[free_end] + DISAGREE_MARGIN < cost[end]:
        note = _disagreement(free_end, end, sum(g.confidence >= SURE_FOUND for g in goals), mentions)
    return ScoreTimeline(
        final=end,
        goals=tuple(found),
        discarded=tuple(discarded),
        mentions=tuple(mentions),
        note=note,
        commentary_final=free_end,
        unplaced=unplaced,
    )


def merge_twins(goals: Sequence[GoalEvidence]) -> list[GoalEvidence]:
    """The goals in time order, each goal found (or labelled) twice merged into one, at most ``MAX_GOALS``
    (the surest); goals at impossible times are dropped."""
    usable = [g for g in goals if g.half in HALVES and math.isfinite(g.seconds) and math.isfinite(g.lean)]
    usable = sorted(usable, key=lambda g: -g.confidence)[:MAX_GOALS]
    merged: list[GoalEvidence] = []
    for goal in sorted(usable, key=lambda g: (g.half, g.seconds)):
        last = merged[-1] if merged else None
        if last is not None and last.half == goal.half and goal.seconds - last.seconds <= SAME_GOAL_S:
            first = last if last.confidence >= goal.confidence else goal
            twins = len(last.spots) or 1
            lean = (last.lean * twins + goal.lean) / (twins + 1)
            spots = (*last.spots, *goal.spots)
            merged[-1] = GoalEvidence(first.half, first.seconds, max(last.confidence, goal.confidence), lean, spots)
        else:
            merged.append(goal)
    return merged


def _disagreement(commentary: tuple[int, int], final: tuple[int, int], found: int, mentions) -> str:
    """Why the best reading of the match ends elsewhere than its final score: the commentary says so, or
    more goals were found for sure (``found``) than the score has; "" when neither."""
    if any(m.kind is MentionKind.SCORE and m.agrees(*commentary) for m in mentions):
        return (
            f"the commentary's running score ends {commentary[0]}-{commentary[1]}, "
            f"not {final[0]}-{final[1]} as the match's name says"
        )
    if found > sum(final):
        return f"{found} goals were found, but the final score {final[0]}-{final[1]} has {sum(final)}"
    return ""  # more goal-like moments than goals is what every spotter finds: nothing to tell a user


def final_score(match: Match) -> tuple[int, int] | None:
    """The final score a timeline is held to: the folder name's; None for a match added without its
    score (its name's 0 - 0 is a placeholder, so the commentary alone decides)."""
    if not match.score_known:
        return None
    try:
        name = parse_game_id(match.id)
    except HighlightsError:
        return (match.home_score, match.away_score)
    return (name.home_score, name.away_score)
