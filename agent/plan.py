"""The offline planner's reading of a question into a ``Plan``: an intent and its moment query.

``make_plan`` is pure given the corpus and the conversation so far, so the question sets in
``tests/data`` check each reading exactly. It is a list of small rules tried in order (``RULES``);
the first that recognises the question makes the plan. Follow-ups start from the last plan: "only
the second half" replaces one field of its query; a reply to "which one?" finishes the question
that was waiting for its match.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace

from index.settings import MAX_QUESTION_CHARS
from index.teams import COMMON_WORDS, LOCAL_RIVALS, canonical_team
from index.types import Match
from tools.actions import is_unsupported
from tools.club_text import TeamMention
from tools.match_text import MATCH_NOUNS, MatchQuery
from tools.matches import MatchIndex, as_written
from tools.query import Intent, MomentQuery

from . import language
from .asked_query import WHOLE_MATCH, for_intent, wanted_classes, with_filters
from .reading import Reading, read
from .replies import narrowed, search_words, unknown_word

PLAIN_LIST_WORDS = 5
KEPT_INTENTS = (Intent.COUNT, Intent.REEL, Intent.WHO, Intent.SCORE)  # a follow-up goes on counting, cutting...
BUILT_ON = (Intent.SELECT, Intent.UNKNOWN_MATCH)  # besides lists: one moment picked, moments of no match there is


@dataclass(frozen=True, slots=True)
class Plan:
    """What to do for one question: an intent and the moments it is about.

    ``text``: the words to search the commentary for, or the unknown word or match a reply is about;
    ``candidates``: match ids, for ``matches`` and for the question back of ``ambiguous_match``/``no_match``;
    ``then``: for a question back, the intent to carry out once the match is known.
    """

    intent: Intent
    query: MomentQuery = field(default_factory=MomentQuery)
    text: str = ""
    candidates: tuple[str, ...] = ()
    then: Intent | None = None
    page: int = 0  # which page of the candidates a question back shows ("more" turns it)
    # the clubs a question back was asked about, in the order named, so "the home one" knows whose home it means
    named: tuple[str, ...] = field(default=(), compare=False)

    @property
    def remembered(self) -> bool:
        """Whether the next question may build on this plan: a list, one moment of it, a question waiting
        for its match, or moments asked of a match there is not (the next names the right one)."""
        return self.intent.lists_moments or self.intent.asks_back or self.intent in BUILT_ON


@dataclass(frozen=True, slots=True)
class Context:
    """What a question is read against: the matches there are, and where the conversation stands."""

    index: MatchIndex
    match_id: str | None = None  # the match in view (the UI's picker, --match) or talked about last
    last: Plan | None = None
    listed_matches: tuple[str, ...] = ()  # the last list of matches shown, which "the arsenal one" picks from

    @property
    def in_view(self) -> Match | None:
        return self.index.get(self.match_id) if self.match_id else None

    @property
    def follows(self) -> Plan | None:
        """The last plan when it listed moments (or picked one, or asked them of no match) that a follow-up can use."""
        listed = self.last is not None and (self.last.intent.lists_moments or self.last.intent in BUILT_ON)
        return self.last if listed else None


Rule = Callable[[Reading, Context], "Plan | None"]


def make_plan(question: str, context: Context) -> Plan:
    """Read ``question`` in ``context`` into a ``Plan`` (no tool runs here)."""
    text = question.strip() if isinstance(question, str) else ""
    if not text:
        return Plan(Intent.HELP)
    if len(text) > MAX_QUESTION_CHARS:
        return Plan(Intent.TOO_LONG)
    reading = _resolving(read(text, context.index.names, context.in_view), text, context)
    reading = _with_club_of_match_noun(_with_named_clubs(_with_local_derby(reading), context), context)
    for rule in RULES:
        plan = rule(reading, context)
        if plan is not None:
            return plan
    raise AssertionError("the last rule always answers")  # pragma: no cover


def _resolving(reading: Reading, text: str, context: Context) -> Reading:
    """Of the two readings of a day number after a spaced score ("burnley 0 arsenal 1 april 2015": the 1st of April,
    or the score 0-1 in April), the one that names a match there is; the day's when both or neither do."""
    if reading.match.dates is None or reading.match.score or context.index.find(reading.match):
        return reading
    other = read(text, context.index.names, context.in_view, days=False)
    return other if other.match.score and context.index.find(other.match) else reading


def _with_named_clubs(reading: Reading, context: Context) -> Reading:
    """ "fouls by celta in the 4-3 v barca", "the magpies' shots at the etihad": a club's everyday name in lower case
    ("celta", "magpies") is that club when the rest of the question names matches of which it played exactly one, or
    when it played exactly one of the matches just listed ("goals in the one against inter" after Crotone's games);
    read again so, kept when it names that match alone."""
    said = _everyday_names(reading)
    asked = _with_whose(reading, context)
    if not said:
        return reading
    found = context.index.find(asked) if asked.names_match else [context.index.get(i) for i in context.listed_matches]
    fits = [m for m in found if m is not None and {canonical_team(m.home), canonical_team(m.away)} & said]
    if len(fits) != 1 or (context.in_view is not None and context.in_view.id == fits[0].id):
        return reading
    other = _with_local_derby(read(reading.text, context.index.names, context.in_view, named=fits[0]))
    if len(other.match.teams) + len(other.whose) <= len(reading.match.teams) + len(reading.whose):
        return reading
    other = replace(other, match=replace(other.match, teams=tuple(_all_clubs(other))))  # "the magpies' shots": there
    return other if [m.id for m in _listed(context.index.find(other.match), context)] == [fits[0].id] else reading


def _with_whose(reading: Reading, context: Context) -> MatchQuery:
    """The match the question names, the clubs named as whose moments among its clubs; they name it alone when no
    match is in view ("liverpool's goals away at palace" names a Liverpool match)."""
    query = reading.match
    if not query.names_match and context.match_id:
        return query
    clubs = {m.team for m in query.teams}
    return replace(query, teams=query.teams + tuple(m for m in reading.whose if m.team not in clubs))


DERBY_NOUNS = frozenset("derby derbi derbies derbys".split())


def _with_club_of_match_noun(reading: Reading, context: Context) -> Reading:
    """ "which hull games", "set pieces in the rayo game": with no other club named, an everyday name right before
    "game(s)"/"match" is that club."""
    if reading.match.teams or reading.whose or len(clubs := _everyday_names(reading, before=MATCH_NOUNS)) != 1:
        return reading
    return read(reading.text, context.index.names, context.in_view, clubs=frozenset(clubs))


def _with_local_derby(reading: Reading) -> Reading:
    """ "lazio's fouls in the april 2017 derby", "the derby at the etihad": a bare "derby" beside one club (or its
    ground) names that club's city derby, when it has one rival there (``index.teams.LOCAL_RIVALS``)."""
    at = next((i for i, w in enumerate(reading.words) if w in DERBY_NOUNS), None)
    if at is None or len(reading.match.teams) > 1:
        return reading
    named = _all_clubs(reading)
    clubs = {canonical_team(m.team) for m in named} or set(reading.match.ground or ())
    rivals = LOCAL_RIVALS.get(next(iter(clubs)), frozenset()) if len(clubs) == 1 else frozenset()
    if len(rivals) != 1:
        return reading
    teams = sorted((*named, TeamMention(at, at + 1, next(iter(rivals)))), key=_start)
    return replace(reading, match=replace(reading.match, teams=tuple(teams)))


def _all_clubs(reading: Reading) -> list[TeamMention]:
    """The clubs a reading names, of the match or as whose moments, in the order said."""
    return sorted({*reading.match.teams, *reading.whose}, key=_start)


def _everyday_names(reading: Reading, before: frozenset[str] | None = None) -> set[str]:
    """The clubs of the everyday words ("villa", "red devils") left unclaimed by the clubs the reading found (only
    those right before one of ``before``, when given: "hull games")."""
    named = {i for m in (*reading.match.teams, *reading.whose) for i in range(m.start, m.stop)}
    words = reading.words
    return {
        canonical_team(phrase)
        for size in (1, 2, 3)
        for i in range(len(words) - size + 1)
        if not named & set(range(i, i + size))
        and (before is None or (i + size < len(words) and words[i + size] in before))
        and (phrase := " ".join(words[i : i + size])) in COMMON_WORDS
    }


# -- the rules, in order -------------------------------------------------------------------------------
def reply_to_question_back(reading: Reading, context: Context) -> Plan | None:
    """After "which one?": a reply that picks among the candidates finishes the waiting question; one
    that fits none of them says so and asks again. A question of its own goes on to the other rules."""
    last = context.last
    if last is None or not last.intent.asks_back:
        return None
    if language.more(reading.english):  # "more": the next page of the candidates (or of the whole corpus's list)
        return replace(last, page=last.page + 1, text="")
    candidates = [context.index.get(i) for i in last.candidates]
    chosen = _by_side(reading, candidates, last.named) or narrowed(reading, candidates)
    if chosen is None and _asks_of_the_same(reading, candidates):  # "and the cards?": still waiting for the match
        query = with_filters(replace(last.query, classes=reading.classes or last.query.classes), reading)
        return replace(last, query=query, text="")
    if chosen is None:
        return None
    if len(chosen) != 1:
        kept = chosen or candidates
        return replace(last, intent=Intent.AMBIGUOUS_MATCH, candidates=tuple(m.id for m in kept),
                       text="" if chosen else reading.text)  # fmt: skip
    query = with_filters(replace(last.query, match=chosen[0].id), reading)
    then = last.then or Intent.SPOTS
    said_when = reading.time.said or reading.time.end_of  # else the waiting question's own time stands
    return Plan(then, for_intent(query, then, reading) if said_when else query)


def _by_side(reading: Reading, candidates: Sequence[Match], named: tuple[str, ...]) -> list[Match] | None:
    """ "the home one", "quello in trasferta": the candidates where the club named first played at home / away."""
    if reading.side_one is None or not named:
        return None
    return [m for m in candidates if canonical_team(m.home if reading.side_one == "home" else m.away) == named[0]]


def _asks_of_the_same(reading: Reading, candidates: Sequence[Match]) -> bool:
    """A follow-up that changes what is asked but names no match ("and the cards?", "only the 2nd half",
    "only Dortmund's" when Dortmund plays in every candidate)."""
    playing_in_all = set.intersection(*({canonical_team(m.home), canonical_team(m.away)} for m in candidates))
    other_clubs = {m.team for m in reading.whose} - playing_in_all
    if reading.match.names_match or other_clubs:
        return False
    return bool(reading.classes or reading.time.said or reading.team or _continues(reading))


def pick_from_last_list(reading: Reading, context: Context) -> Plan | None:
    """ "the second one", "number 3", "and the next one?": one moment of the last list, in detail."""
    last = context.follows
    picked = reading.selection
    if picked is None and reading.step and last is not None and last.query.ordinal:
        picked = last.query.ordinal + reading.step
    if picked is None or reading.classes or reading.intent is Intent.WHO:  # "who got the last one": who, of it
        return None
    if last is None:
        return Plan(Intent.NOTHING_TO_SELECT, MomentQuery(ordinal=picked))
    # "who scored it?", then "and the last one?": who again, of that one ("and the next one?" shows the moment)
    if last.intent is Intent.WHO and last.query.ordinal is not None and reading.selection is not None:
        return Plan(Intent.WHO, replace(last.query, ordinal=picked))
    return Plan(Intent.SELECT, replace(last.query, ordinal=picked))


def list_matches(reading: Reading, context: Context) -> Plan | None:
    """ "which matches do you have?", "Chelsea games": the matches that fit."""
    short = len(reading.words) <= PLAIN_LIST_WORDS  # "Chelsea games", not a long sentence that says "matches"
    plain_list = reading.intent is None and not reading.classes and short and {"matches", "games"} & set(reading.words)
    if reading.intent is not Intent.MATCHES and not plain_list:
        return None
    query = replace(reading.match, teams=reading.match.teams + reading.whose)
    found = context.index.find(query)
    if not found and query.names_match:  # "matches on 2016-12-25": say what was asked and that none fits
        return Plan(Intent.UNKNOWN_MATCH, text=_match_words(reading))
    return Plan(Intent.MATCHES, candidates=tuple(m.id for m in found))


def name_the_match(reading: Reading, context: Context) -> Plan | None:
    """A match named that is not in the corpus, or that several matches fit: say so / ask which."""
    found = _named_matches(reading, context)
    if found is None:
        return None
    if not found or reading.match.unknown_club:  # the classes asked stay, so a reply can say what was looked for
        return Plan(Intent.UNKNOWN_MATCH, MomentQuery(classes=reading.classes), text=_match_words(reading))
    if len(found) > 1 and context.match_id not in {m.id for m in found}:
        then = Intent.SUMMARY if _names_only(reading, context) else _intent(reading, context.follows)
        base = _base_query(reading, context, None)  # a new question about that match: the classes asked before
        query = with_filters(MomentQuery(classes=wanted_classes(reading, then, base), team=reading.team), reading)
        query = for_intent(query, then, reading)  # "the score at half-time in juve monaco": the first half's
        named = tuple(dict.fromkeys(m.team for m in sorted((*reading.match.teams, *reading.whose), key=_start)))
        return Plan(Intent.AMBIGUOUS_MATCH, query, candidates=tuple(m.id for m in found),
                    then=then, named=named)  # fmt: skip
    return None


def _names_only(reading: Reading, context: Context) -> bool:
    """A match named and nothing asked of it, outside a conversation ("barca v las palmas"): its summary."""
    asked = reading.classes or reading.intent or reading.time.said or language.counts(reading.english)
    return not asked and context.follows is None


def search(reading: Reading, context: Context) -> Plan | None:
    """ "what did the commentator say about Messi?": passages of the commentary, in the match named (or in
    view); a name several matches fit is searched in all of them."""
    if reading.intent is not Intent.SEARCH:
        return None
    time = reading.time
    found = _named_matches(reading, context)
    match_id = context.match_id if found is None else found[0].id if len(found) == 1 else None
    query = MomentQuery(match=match_id, half=time.half or None, from_minute=time.from_minute,
                        to_minute=time.to_minute)  # fmt: skip
    return Plan(Intent.SEARCH, query, text=search_words(reading))


def moments(reading: Reading, context: Context) -> Plan | None:
    """Moments asked for: by their classes, or by who/score/summary/reel words; on a follow-up, the last
    query with what this question changes."""
    follow_up = context.follows
    said_something = reading.classes or reading.intent in (Intent.WHO, Intent.SCORE, Intent.SUMMARY, Intent.REEL)
    changes = (reading.time.said or reading.team or language.counts(reading.english) or _continues(reading)
               or language.resets(reading.english) or reading.other_team or reading.side)  # fmt: skip
    if not said_something and not (follow_up and (changes or reading.match.names_match)):
        return None
    intent = _intent(reading, follow_up)
    match_id = _match_id(reading, context)
    base = _base_query(reading, context, match_id)
    if follow_up is not None and follow_up.intent is Intent.SCORE and intent in (Intent.SPOTS, Intent.COUNT):
        base = replace(base, **WHOLE_MATCH)  # a score was asked *at* a time: "and the goals?" are the match's
    if intent is Intent.SUMMARY and not (reading.classes or reading.time.said):  # "summary please": the match's
        base = replace(base, classes=(), team=None, ordinal=None, **WHOLE_MATCH)
    if language.in_total(reading.english) and not reading.team:  # "how many in total?": both clubs'
        base = replace(base, team=None)
    classes = wanted_classes(reading, intent, base)
    ordinal = reading.ordinal if reading.ordinal is not None else base.ordinal
    query = with_filters(replace(base, match=match_id, classes=classes, ordinal=ordinal), reading)
    query = _other_team(query, context) if reading.other_team else query
    query = _side_team(query, reading, context) if reading.side and not reading.team else query
    return _needs_match(Plan(intent, for_intent(query, intent, reading)), context)


def unknown_action(reading: Reading, context: Context) -> Plan | None:
    """ "show me the tackles", "nutmegs in Barcelona 6-1 PSG": a request for something no class covers."""
    word = unknown_word(reading)
    if not (language.asks_for_things(reading.english) or is_unsupported(word)):
        return None
    return Plan(Intent.UNKNOWN_ACTION, MomentQuery(match=_match_id(reading, context)), text=word) if word else None


def match_alone(reading: Reading, context: Context) -> Plan | None:
    """A match named and nothing asked of it: its summary; a window of it ("Porto 2-1 Chelsea first half", "the
    last 5 minutes of the first half" of the match in view): every moment in that window."""
    named = reading.match.names_match or (reading.whose and not context.match_id)
    if not named and not (reading.time.said and context.match_id):
        return None
    match_id = _match_id(reading, context)
    if not match_id:
        return None
    if reading.time.said:
        return Plan(Intent.SPOTS, with_filters(MomentQuery(match=match_id), reading))
    return Plan(Intent.SUMMARY, MomentQuery(match=match_id))


def asks_help(reading: Reading, context: Context) -> Plan | None:
    """ "what can you do?" in any of the six languages: the help, before any word of it is read as a request."""
    return Plan(Intent.HELP) if language.asks_help(reading.english) else None


def help_text(reading: Reading, context: Context) -> Plan:
    """Nothing understood: the help; a question in a script the planner does not read is named in it."""
    return Plan(Intent.HELP, text="" if language.readable(reading.text) else reading.text)


RULES: tuple[Rule, ...] = (
    asks_help,
    reply_to_question_back,
    pick_from_last_list,
    list_matches,
    search,
    name_the_match,
    moments,
    unknown_action,
    match_alone,
    help_text,
)


# -- pieces the rules share ----------------------------------------------------------------------------
def _named_matches(reading: Reading, context: Context) -> list[Match] | None:
    """The matches the question names (None when it names none); clubs named only as whose moments
    count as naming the match when no match is in view."""
    if not reading.match.names_match and not (reading.whose and not context.match_id):
        return None
    query = _with_whose(reading, context)
    return _listed(_same_clubs(as_written(query, context.index.find(query)), query, reading, context), context)


def _listed(found: list[Match], context: Context) -> list[Match]:
    """ "corners in the arsenal one" after the Middlesbrough games were listed: of several fits, those in the list."""
    if len(found) < 2 or not context.listed_matches:
        return found
    return [m for m in found if m.id in context.listed_matches] or found


def _same_clubs(found: list[Match], query: MatchQuery, reading: Reading, context: Context) -> list[Match]:
    """ "and in the 2-1 at Juventus?" after Napoli–Juventus, "what about the 2015 meeting?", "the one on gran canaria",
    "what about the 6-2?": of several fits, those between the same two clubs as the match talked about, when the
    follow-up names one of them or only a time, a ground or a score."""
    in_view = context.in_view
    if len(found) < 2 or in_view is None or len(query.team_names) > 1 or not _continues(reading):
        return found
    clubs = {canonical_team(in_view.home), canonical_team(in_view.away)}
    if not (query.team_names or query.dates or query.season or query.ground or query.score):  # "the 2015 meeting?"
        return found
    if query.team_names and canonical_team(query.team_names[0]) not in clubs:
        return found
    return [m for m in found if {canonical_team(m.home), canonical_team(m.away)} == clubs] or found


def _start(mention: TeamMention) -> int:
    return mention.start


def _match_id(reading: Reading, context: Context) -> str | None:
    found = _named_matches(reading, context)
    if not found:
        return context.match_id
    return context.match_id if context.match_id in {m.id for m in found} else found[0].id


def _intent(reading: Reading, last: Plan | None) -> Intent:
    """What the question asks: said outright, else what the follow-up goes on with, else the moments."""
    if reading.intent in (Intent.REEL, Intent.WHO, Intent.SCORE, Intent.SUMMARY):
        if reading.intent is Intent.SUMMARY and (reading.classes or reading.time.said):
            return Intent.COUNT if language.counts(reading.english) else Intent.SPOTS  # "what happened at 70'"
        return reading.intent
    if language.counts(reading.english):
        return Intent.COUNT
    if last is not None and last.intent in KEPT_INTENTS and (not reading.classes or _continues(reading)):
        return Intent.SPOTS if _lists_instead(reading, last.intent) else last.intent
    return Intent.SPOTS


def _lists_instead(reading: Reading, last: Intent) -> bool:
    """A follow-up that goes back to the moments: "and the goals?" after the score, "only palace's" after
    "which team?" (a team alone asks for that team's moments, not who they were; "and for metz?" asks who again)."""
    if language.lists(reading.english):
        return True
    if last is Intent.SCORE:
        return bool(reading.classes)
    team_alone = bool(reading.team) and not reading.time.said and not reading.classes
    return last is Intent.WHO and team_alone and not language.same_for(reading.english)


def _base_query(reading: Reading, context: Context, match_id: str | None) -> MomentQuery:
    """What a follow-up keeps of the last query: everything; on another match (a new question about it) or for
    "all the cards"/"both teams", its classes, not the team, window or ordinal; after one moment, its ordinal
    ("who scored it?")."""
    last = context.follows
    if last is None:
        return MomentQuery()
    if match_id != last.query.match or language.resets(reading.english):
        return replace(last.query, team=None, ordinal=None, **WHOLE_MATCH)
    same_classes = set(reading.classes) <= set(last.query.classes)
    about_it = language.refers_to_one(reading.english) or not (reading.classes or reading.time.said)
    keeps_one = last.intent is Intent.SELECT and about_it and same_classes  # "which team?" after "the third one"
    return last.query if keeps_one else replace(last.query, ordinal=None)


def _other_team(query: MomentQuery, context: Context) -> MomentQuery:
    """ "what about the other team?": the club of the match that the query was not about."""
    match = context.index.get(query.match) if query.match else None
    if match is None or not query.team:
        return query
    clubs = [canonical_team(match.home), canonical_team(match.away)]
    return replace(query, team=next((c for c in clubs if c != query.team), query.team))


def _side_team(query: MomentQuery, reading: Reading, context: Context) -> MomentQuery:
    """ "the home side's subs", "the visitors' fouls": the club that played at home / away in the match asked about."""
    match = context.index.get(query.match) if query.match else None
    if match is None:
        return query
    return replace(query, team=canonical_team(match.home if reading.side == "home" else match.away))


def _continues(reading: Reading) -> bool:
    return language.continues(reading.english) or language.refers_back(reading.english)


def _needs_match(plan: Plan, context: Context) -> Plan:
    """A plan with no match: the only match there is, or a question back."""
    if plan.query.match:
        return plan
    if len(context.index) == 1:
        return replace(plan, query=replace(plan.query, match=context.index.matches[0].id))
    everything = tuple(m.id for m in context.index.matches)
    return Plan(Intent.NO_MATCH, plan.query, candidates=everything, then=plan.intent)


def _match_words(reading: Reading) -> str:
    """What the question said of the match it names, in words, for a reply that found none."""
    clubs = {m.team for m in reading.match.teams}  # "goles del Levante contra el Betis": both clubs, as named
    teams = sorted((*reading.match.teams, *(m for m in reading.whose if m.team not in clubs)), key=_start)
    return replace(reading.match, teams=tuple(teams)).describe() or reading.text
