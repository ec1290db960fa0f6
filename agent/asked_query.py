"""What a question's words do to a moment query, whichever rule of ``agent.plan`` builds it: the classes it wants,
the half, minutes, added time and team it says (said ones win over those a follow-up carries), and a score's
moments, which are the goals up to the time it is asked at. The rules decide which query a question starts from
(a fresh one, the last one, the one waiting for its match); these steps are the same for all of them."""

from __future__ import annotations

from dataclasses import replace

from tools.actions import GROUPS, HIGHLIGHTS
from tools.query import Intent, MomentQuery

from . import language
from .reading import Reading

GOALS = ("Goal",)
WHOLE_MATCH = {"half": None, "from_minute": None, "to_minute": None, "stoppage_time": False}


def wanted_classes(reading: Reading, intent: Intent, base: MomentQuery | None = None) -> tuple[str, ...]:
    """The classes a question wants: those it names; for a score or "who scored", the goals; for "what happened"
    at a time, the play; else those ``base`` (the query a follow-up carries) asked; a reel or "who" of nothing
    named, the highlights."""
    if reading.classes:
        return reading.classes
    if intent is Intent.SCORE or (intent is Intent.WHO and "scored" in reading.english):
        return GOALS
    if reading.time.said and reading.intent is Intent.SUMMARY:  # "what happened around minute 70?"
        return GROUPS["play"]
    if base is not None and base.classes:
        return base.classes
    if intent is Intent.SUMMARY:
        return ()
    return HIGHLIGHTS if intent in (Intent.REEL, Intent.WHO) else ()


def with_filters(query: MomentQuery, reading: Reading) -> MomentQuery:
    """``query`` with the half, minutes, added time and team this question says (said ones win)."""
    time = reading.time
    if time.half is not None:
        query = replace(query, half=time.half or None)
        if time.from_minute is None and time.to_minute is None and not _within(query, time.half):
            query = replace(query, from_minute=None, to_minute=None)
    if time.from_minute is not None or time.to_minute is not None:
        query = replace(query, from_minute=time.from_minute, to_minute=time.to_minute)
    elif language.after_that(reading.english) and query.to_minute is not None:  # the score at 75, then "after that"
        query = replace(query, from_minute=query.to_minute, to_minute=None)
    if time.stoppage_time:
        query = replace(query, stoppage_time=True)
    if reading.team:
        query = replace(query, team=reading.team)
    return query


def _within(query: MomentQuery, half: int) -> bool:
    """Whether the query's minutes fall in ``half`` (after "from minute 60", "only the second half" keeps them)."""
    if not half or (query.from_minute is None and query.to_minute is None):
        return False
    start, end = (0, 45) if half == 1 else (45, 90)
    low = query.from_minute if query.from_minute is not None else start
    high = query.to_minute if query.to_minute is not None else end + 1
    return low < end and high > start


def for_intent(query: MomentQuery, intent: Intent, reading: Reading) -> MomentQuery:
    """A score is asked *at* a time: the goals up to then ("at half-time": the first half's), both clubs' ("how did
    bournemouth v liverpool finish?" names no side)."""
    if intent is not Intent.SCORE:
        return query
    query = replace(query, team=None)
    time = reading.time
    if time.end_of == 2 or not (time.said or time.end_of):  # "at the end", "who won?": the final score
        return replace(query, half=None, from_minute=None, to_minute=None, stoppage_time=False, classes=GOALS)
    minutes = time.from_minute is not None or time.to_minute is not None
    if time.end_of == 1 or (not minutes and query.half == 1 and query.to_minute is None):
        return replace(query, half=1, from_minute=None, to_minute=None, classes=GOALS)
    until = query.to_minute if query.to_minute is not None else query.from_minute
    return replace(query, half=None, from_minute=None, to_minute=until, classes=GOALS)
