"""The planner's answers as a reader sees them: headings, honest notes, who scored, the score.

Pure functions of the match, the query and what the tools found, so the wording of every reply is
in one place and the planner only decides which one to give.
"""

from __future__ import annotations

from collections.abc import Sequence

from index.teams import canonical_team
from index.types import HALVES, Match
from spotting.types import Spot
from tools.formatting import HALF_NAMES, NOUNS, count_phrase, minute_label, plural_of, spots_block
from tools.matches import MAX_CHOICES, choice_lines
from tools.query import MomentQuery
from tools.score import ScoreAt
from tools.spots import spot_team

ORDINAL_NAMES = {1: "first", 2: "second", 3: "third", 4: "fourth", 5: "fifth", -1: "last", -2: "second-to-last"}


def ordinal_word(ordinal: int) -> str:
    return ORDINAL_NAMES.get(ordinal, f"#{ordinal}")


def where(match: Match, query: MomentQuery) -> str:
    scope = query.scope()
    return f"{match.title} ({match.date.isoformat()}){', ' + scope if scope else ''}"


def list_text(
    match: Match, query: MomentQuery, found: Sequence[Spot], source: str, unseen: frozenset[str] = frozenset()
) -> str:
    """The intervals found, with the notes that keep the answer honest; ``unseen``: classes the spotter
    cannot find reliably, so "none found" of them would be a false "there were none"."""
    what = plural_of(query.classes)
    blind = [c for c in query.classes if c in unseen]
    if not found and blind and len(blind) == len(query.classes):
        head = f"I cannot find {what} reliably from the commentary, so I do not list them for {where(match, query)}."
    elif not found:
        head = f"No {what} found in {where(match, query)}."
    elif query.ordinal is not None:
        head = f"The {ordinal_word(query.ordinal)} of the {what} in {where(match, query)}:"
    else:
        head = f"{count_phrase(len(found), query.classes)} found in {where(match, query)}:"
    body = f"\n{spots_block(found, match)}\n{source}" if found else ""
    notes = honest_notes(match, query, found)
    if blind and len(blind) < len(query.classes):
        notes.append(f"(I cannot find {plural_of(blind)} reliably from the commentary, so they are not listed.)")
    elif blind:
        notes.append(f"Try: search the commentary for '{NOUNS[blind[0]][0]}' to read what was said.")
    return head + body + "".join(f"\n{note}" for note in notes)


def honest_notes(match: Match, query: MomentQuery, found: Sequence[Spot]) -> list[str]:
    """What the answer cannot see: a half with no commentary, and goals the final score says there
    were but the commentary does not show."""
    notes = []
    silent = [h for h in HALVES if query.half in (None, h) and not match.half_segments(h)]
    if silent and len(silent) == len([h for h in HALVES if query.half in (None, h)]):
        halves = "this match" if len(silent) == 2 else f"the {HALF_NAMES[silent[0]].lower()}"
        notes.append(f"There is no commentary for {halves}, so I cannot see its moments.")
    elif silent:
        notes.append(f"There is no commentary for the {HALF_NAMES[silent[0]].lower()}, so I cannot see its moments.")
    short = _goals_short(match, query, found)
    if short:
        notes.append(short)
    return notes


def _goals_short(match: Match, query: MomentQuery, found: Sequence[Spot]) -> str:
    """ "The final score says 7 goals; the commentary shows 5 of them." — where the query asks for all
    of a match's (or one team's) goals, so the final score tells how many there should be."""
    if "Goal" not in query.classes or query.windowed or query.ordinal is not None:
        return ""
    goals = [s for s in found if s.label == "Goal"]
    if query.team:
        total = match.home_score if canonical_team(match.home) == query.team else match.away_score
        whose = f"{query.team} scored {total}"
    else:
        total = match.home_score + match.away_score
        whose = f"the final score ({match.home_score}-{match.away_score}) says {total}"
    missing = max(0, total - len(goals))
    if not missing:
        return ""
    shown = f"the commentary shows {len(goals)} of them" if goals else "I found none of them in the commentary"
    return f"Not all goals are here: {whose}; {shown}."


def who_text(
    match: Match, query: MomentQuery, found: Sequence[Spot], source: str, unseen: frozenset[str] = frozenset()
) -> str:
    """The moments by team ("Chelsea 2: 32', 65'; Watford 2: 42', 56'"), then the list itself."""
    if not found:
        return list_text(match, query, found, source, unseen)
    by_team: dict[str, list[str]] = {}
    for spot in found:
        team = spot_team(spot, match) or "team not told by the commentary"
        who = f" {spot.player}" if spot.player else ""
        by_team.setdefault(team, []).append(f"{minute_label(spot.half, spot.start)}{who}")
    order = [canonical_team(match.home), canonical_team(match.away), "team not told by the commentary"]
    lines = [f"- {team}: {len(by_team[team])} ({', '.join(by_team[team])})" for team in order if team in by_team]
    head = f"The {plural_of(query.classes)} of {where(match, query)} by team:"
    return "\n".join([head, *lines, list_text(match, query, found, source, unseen)])


def score_text(match: Match, query: MomentQuery, score: ScoreAt, source: str) -> str:
    """The score at half-time, at a minute or at the end, and how sure the commentary makes it."""
    final = f"{match.home} {match.home_score} - {match.away_score} {match.away}"
    if query.half is None and query.to_minute is None:
        return f"The final score: {final}.\n{_goal_list(match, score.goals, source)}".rstrip()
    moment = "half-time" if query.half == 1 else f"minute {query.to_minute:g}"
    lines = [f"At {moment} it was {score.line} (final score {final})."]
    unsure = score.score.unsure_home + score.score.unsure_away
    if unsure:
        lines.append(f"{unsure} goal{'s' * (unsure != 1)} of the final score that I cannot place may have come "
                     "before then, so it may have been more.")  # fmt: skip
    if score.score.guessed:
        lines.append(f"The commentary does not settle which team scored {score.score.guessed} of these goals.")
    if score.note:
        lines.append(f"({score.note})")
    lines.append(_goal_list(match, score.goals, source))
    return "\n".join(line for line in lines if line)


def _goal_list(match: Match, goals: Sequence[Spot], source: str) -> str:
    return f"Goals:\n{spots_block(goals, match)}\n{source}" if goals else ""


def choices_text(candidates: Sequence[Match], said: str = "", page: int = 0) -> str:
    """The question back when several matches fit: what tells them apart, ``MAX_CHOICES`` at a time,
    numbered across pages (so "the 10th one" after "more" is the tenth of them all)."""
    first = (page * MAX_CHOICES) % max(1, len(candidates))
    lines = choice_lines(candidates)[first : first + MAX_CHOICES]
    more = len(candidates) - first - len(lines)
    head = f"None of those fits {said!r}; which one?" if said else f"{len(candidates)} matches fit; which one?"
    tail = (
        f"(and {more} more: say 'more', or a date, a season, the competition or the score to narrow it down)"
        if more > 0
        else "(reply with its number, its score, its date or its competition)"
    )
    return "\n".join([head, *lines, tail])
