"""The offline planner's reading of a question: which tool, which match, which filters.

``make_plan`` is pure given the corpus and the conversation so far, so the question set in
``tests/data`` checks each reading exactly. Follow-ups start from the last plan: "only the second
half" keeps its match and classes; "and corners?" keeps its match and filters; "the second one"
picks from its list.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace

from index.teams import canonical_team
from index.types import Match
from index.words import words_of
from tools.actions import HIGHLIGHTS, ActionMention, find_action_mentions, ordered
from tools.matches import TeamMention, matches_for, parse_match_query, team_names

from . import language

MAX_QUESTION_CHARS = 1000
PENDING = ("ambiguous_match", "no_match")  # replies that ask "which match?" and wait for the answer

# Words before a club that make it "whose actions" rather than "which match".
_TEAM_FILTER_BEFORE = {"by", "for", "from", "did", "does", "has", "had", "were", "was", "of"}
_TEAM_FILTER_AFTER = {"score", "scored", "scoring", "get", "got", "have", "had", "make", "made", "commit", "committed"}
_MATCH_WORDS = {"game", "match", "vs", "v", "versus", "against"}
_UNKNOWN_MATCH = re.compile(r"\b(?:vs\.?|v\.?|versus|against)\b", re.IGNORECASE)
_STOP_WORDS = set(
    "a an the all any every of in on at for from by to me us show give find list get were was are is there please "
    "what which when where who how many did do does have has had and or with about some moments moment times time "
    "i you can could would like want see tell this that match game it its their his her them those these only just "
    "happen happened occur occurred also now then more than most".split()
)


@dataclass(frozen=True, slots=True)
class Plan:
    """What to do for one question.

    intent: ``spots`` (list intervals), ``count``, ``reel`` (cut the intervals into one video), ``select``
    (pick an item of the last list), ``summary``, ``matches`` (list matches), ``search`` (commentary), or a
    reply without a tool: ``help``, ``too_long``,
    ``unknown_action``, ``unknown_match``, ``ambiguous_match``, ``no_match``, ``nothing_to_select``.
    """

    intent: str
    match_id: str | None = None
    classes: tuple[str, ...] = ()
    half: int | None = None
    from_minute: float | None = None
    to_minute: float | None = None
    stoppage_time: bool = False
    team: str | None = None
    reference: str | None = None  # "last" when the question builds on the previous answer
    ordinal: int | None = None  # 1-based item (-1: the last) of a list, for select or "the first goal"
    query: str = ""  # search words, or the unknown word/match the reply is about
    candidates: tuple[str, ...] = ()  # match ids for matches/ambiguous_match

    @property
    def lists_spots(self) -> bool:
        return self.intent in ("spots", "count", "reel", "summary")

    @property
    def remembered(self) -> bool:
        """Whether the next question may build on this plan: a list, or a question still waiting for its match."""
        return self.lists_spots or self.intent in PENDING


@dataclass(frozen=True, slots=True)
class Context:
    """What a question is read against: the matches there are, and where the conversation stands."""

    matches: Sequence[Match]
    match_id: str | None = None  # the match selected (UI, --match) or talked about last
    last: Plan | None = None


def make_plan(question: str, context: Context) -> Plan:
    """Read ``question`` in ``context`` into a ``Plan`` (no tool runs here)."""
    text = question.strip()
    if not text:
        return Plan("help")
    if len(text) > MAX_QUESTION_CHARS:
        return Plan("too_long", query=str(len(text)))
    flat = _flatten(text)
    words = [w.lower() for w in words_of(text)]
    query = parse_match_query(text, team_names(context.matches))
    actions = _specific(find_action_mentions(words, skip=_claimed(query.teams)))
    classes = ordered(c for m in actions for c in m.classes)
    time = language.time_filter(flat)
    filter_teams, match_teams = _split_team_mentions(query.teams, words, context)
    said_intent = language.intent_words(flat)
    last = context.last

    selected = language.selection(flat)
    if selected is not None and not classes:
        if last is None:
            return Plan("nothing_to_select", ordinal=selected)
        return Plan("select", match_id=last.match_id, classes=last.classes, reference="last", ordinal=selected)

    match_query = replace(query, teams=match_teams)
    if said_intent == "matches" or (said_intent is None and not classes and {"matches", "games"} & set(words)):
        return Plan("matches", candidates=tuple(m.id for m in matches_for(query, context.matches)))
    named = match_query.constrains or (not context.match_id and bool(filter_teams))
    if named:
        pool = query if not match_query.constrains else match_query
        found = matches_for(pool, context.matches)
        if not found:
            return Plan("unknown_match", query=_match_words(text, query))
        if len(found) > 1 and context.match_id not in {m.id for m in found}:
            team = filter_teams[0].team if filter_teams else None
            return Plan("ambiguous_match", candidates=tuple(m.id for m in found), classes=classes, team=team)
        match_id = context.match_id if len(found) > 1 else found[0].id
    elif _UNKNOWN_MATCH.search(text) and not classes and not time.said:
        return Plan("unknown_match", query=text)
    else:
        match_id = context.match_id
    team = filter_teams[0].team if filter_teams else None
    if last is not None and last.intent in PENDING and not classes and named and match_id:
        classes, team = last.classes, team or last.team  # "which one?" answered: finish that question

    if said_intent == "search":
        return Plan("search", match_id=match_id, half=_half(time.half), from_minute=time.from_minute,
                    to_minute=time.to_minute, query=language.search_query(text))  # fmt: skip
    if said_intent == "summary" and not classes:
        return _needs_match(Plan("summary", match_id=match_id), context)

    follow_up = last is not None and last.intent in ("spots", "count", "reel")
    continuing = language.continues(flat) or language.refers_back(flat)
    reel = said_intent == "reel"
    if reel and not classes and not follow_up:
        classes = ordered(HIGHLIGHTS)  # "make me a highlight video" with nothing to refer to: the highlights
    if classes:
        base = last if follow_up and continuing and not named else None
        plan = _merge(base, time, team, classes, match_id)
        counting = language.counts(flat) or (base is not None and base.intent == "count")
        intent = "reel" if reel else "count" if counting else "spots"
        plan = replace(plan, intent=intent, ordinal=_ordinal(words, actions))
        return _needs_match(plan, context)
    if follow_up and (time.said or team or named or continuing or reel or language.counts(flat)):
        switched = named and match_id != last.match_id
        base = replace(last, team=None) if switched else last  # another match: its own teams
        plan = _merge(base, time, team, last.classes, match_id if named else last.match_id)
        intent = "reel" if reel else "count" if language.counts(flat) else last.intent
        return replace(plan, intent=intent, ordinal=None)
    if language.asks_for_things(flat) and (unknown := _unknown_word(words, query.teams)):
        return Plan("unknown_action", match_id=match_id, query=unknown)
    if named and match_id:
        return Plan("summary", match_id=match_id)
    return Plan("help", match_id=match_id)


def _flatten(text: str) -> str:
    """Lower case, word hyphens to spaces, punctuation other than ' # + - to spaces, single spaces."""
    lowered = re.sub(r"(?<=[^\W\d])-(?=[^\W\d])", " ", text.lower())
    return " ".join(re.sub(r"[^\w'#+\-. ]", " ", lowered).split())


def _claimed(teams: list[TeamMention]) -> set[int]:
    return {i for m in teams for i in range(m.start, m.stop)}


def _split_team_mentions(
    teams: list[TeamMention], words: list[str], context: Context
) -> tuple[list[TeamMention], list[TeamMention]]:
    """Clubs named as "whose" (Chelsea's goals, goals by Chelsea) versus as "which match"."""
    current = next((m for m in context.matches if m.id == context.match_id), None)
    playing = {canonical_team(current.home), canonical_team(current.away)} if current else set()
    as_filter, as_match = [], []
    for mention in teams:
        before = words[mention.start - 1] if mention.start > 0 else ""
        after = words[mention.stop] if mention.stop < len(words) else ""
        whose = mention.possessive or before in _TEAM_FILTER_BEFORE or after in _TEAM_FILTER_AFTER
        if after in _MATCH_WORDS or before in _MATCH_WORDS:
            whose = False
        elif len(teams) == 1 and mention.team in playing and after not in _MATCH_WORDS:
            whose = True  # the one club of the match we are on: "what about Chelsea?"
        (as_filter if whose else as_match).append(mention)
        if whose and current and mention.team not in playing:
            as_match.append(mention)  # "Watford's goals" while on another match: Watford's match too
    if len(as_filter) > 1:  # two clubs "by" each other: that names a match, not one side
        return [], teams
    return as_filter, as_match


def _merge(base: Plan | None, time: language.TimeFilter, team: str | None, classes, match_id) -> Plan:
    """A plan for ``classes`` whose filters are ``base``'s overridden by what this question says."""
    plan = Plan("spots", match_id=match_id, classes=tuple(classes))
    if base is not None:
        plan = replace(
            plan,
            half=base.half,
            from_minute=base.from_minute,
            to_minute=base.to_minute,
            stoppage_time=base.stoppage_time,
            team=base.team,
            reference="last",
        )
    if time.half is not None:
        plan = replace(plan, half=_half(time.half))
        if time.from_minute is None and time.to_minute is None:
            plan = replace(plan, from_minute=None, to_minute=None)
    if time.from_minute is not None or time.to_minute is not None:
        plan = replace(plan, from_minute=time.from_minute, to_minute=time.to_minute)
    if time.stoppage_time:
        plan = replace(plan, stoppage_time=True)
    if team:
        plan = replace(plan, team=team)
    return plan


def _half(value: int | None) -> int | None:
    return value or None  # 0 ("both halves") lifts the filter


def _specific(actions: list[ActionMention]) -> list[ActionMention]:
    """Drop a general word next to a more specific one: "shots ... off target" means off target."""
    return [
        general
        for general in actions
        if not any(set(other.classes) < set(general.classes) and _gap(other, general) <= 3 for other in actions)
    ]


def _gap(one: ActionMention, other: ActionMention) -> int:
    return max(one.start - other.stop, other.start - one.stop, 0)


def _ordinal(words: list[str], actions: list[ActionMention]) -> int | None:
    """ "the first goal", "who scored the second goal?": the one ordinal right before an action word."""
    found = {language.ordinal_before(words, m.start) for m in actions} - {None}
    return found.pop() if len(found) == 1 else None


def _needs_match(plan: Plan, context: Context) -> Plan:
    """A plan with no match: the only match there is, or a question back."""
    if plan.match_id:
        return plan
    if len(context.matches) == 1:
        return replace(plan, match_id=context.matches[0].id)
    everything = sorted(context.matches, key=lambda m: (m.date, m.id))
    return Plan("no_match", classes=plan.classes, team=plan.team, candidates=tuple(m.id for m in everything))


def _unknown_word(words: list[str], teams: list[TeamMention]) -> str:
    """The content words of a request nothing else understood ("dribbles", "nutmegs")."""
    claimed = _claimed(teams)
    left = [w for i, w in enumerate(words) if i not in claimed and w not in _STOP_WORDS and not w.isdigit()]
    return " ".join(left[-2:])


def _match_words(text: str, query) -> str:
    names = [m.team for m in query.teams]
    return " vs ".join(names) if names else text
