"""A question read once into everything the planner's rules look at: a ``Reading``.

The readers are the tools' (clubs and matches in ``tools.match_text``, actions in ``tools.actions``)
and the planner's own (``agent.language``: time, ordinals, intents). Here they run in one pass, and
the clubs a question names are sorted into "whose moments" (a team filter: "Chelsea's goals",
"goals by Chelsea") and "which match" ("Chelsea vs Burnley", "Liverpool's 4-3 loss at Bournemouth").
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace

from index.teams import GROUNDS, canonical_team
from index.types import Match
from index.words import fold, word_spans, words_of
from tools.actions import GROUPS, HIGHLIGHTS, ActionMention, find_action_mentions, ordered, singular
from tools.club_text import TeamMention, names_pair
from tools.match_dates import VERSUS, masked
from tools.match_text import MATCH_NOUNS, OPPONENT, PASSIVE, RESULT_AGENTS, RESULTS, MatchQuery, read_match_text
from tools.query import Intent

from . import language

# Words before a club that make it "whose moments" rather than "which match": always ("goals by Chelsea",
# "did Chelsea", "teve o Real Madrid"), or right after an action word ("the goals of Barça", "Tore von Bayern",
# but "Zusammenfassung von Hertha gegen Bayern" is the match).
WHOSE_BEFORE = frozenset(
    "by for from did does has had have were was pour para por fur per teve tuvo tem tiene hatte hat ha "
    "fatto segnato hizo hecho marco marcado fez marcou fait marque erzielt "  # "ha fatto il Milan", "stand Dortmund"
    "avuto battuto tirato commesso saco sacaron tuvieron cometio cobrou bateu obtenu stand".split()
)
BY_WORDS = frozenset("by for did does pour para por fur per".split())  # whose even in a title
# ... but these before a title with its score, or two clubs side by side, name the match: "a highlights reel for PSG
# 3-0 Basel", "the full event log for ajax barcelona"; "offsides for man city vs villa" are still City's
FOR_WORDS = frozenset("for pour para por fur per".split())
WHOSE_AFTER_ACTION = frozenset("of de del des du von vom der di della dello dell degli dei d do da dos".split())
IN_WORDS = frozenset("in from during".split())  # "shakhtar fouls in the bayern 7-0": the match the moments are of
AT_WORDS = frozenset("at bei chez".split())  # "at Juventus": where a match was played, not whose moments
ARTICLES = frozenset("the a an o os el la los las le les l il lo gli der die das den dem".split())
# Words that open a question and are no club's name ("Show goals", "Any cards?").
REQUEST_WORDS = frozenset(
    "show give list find get any all every the what which how where when who did were was are is me us my "
    "les la el los las der die das le il gli i os as o a un une uno una ein eine todos todas alle tous tutti".split()
)
STRICT_NON_NAMES = frozenset("zeig muestrame dame montre donne mostra mostrami mostre quero".split())
OTHER_TEAM = re.compile(r"\bthe other team\b")
NEGATIONS = frozenset("no not without sin kein keine keinen pas nessun nessuna sem nenhum".split())
# Words before a club's possessive that leave its moments out ("drop celta's, keep barca's": Barcelona's).
LEFT_OUT = NEGATIONS | frozenset("drop except excluding minus remove skip lose".split())
SCORING = frozenset("score scored scores scoring".split())
ASKING = ("did", "does")  # before a result word: the result is asked, not told
WHOSE_AFTER = frozenset(
    "score scored scores scoring get got have had make made commit committed take took receive received "
    "marco marcaron anoto traf erzielte schoss marque segno segnato marcou fez teve tuvo hatte ebbe picked put "
    "player players".split()
)

WINNING = frozenset("won earned".split())  # "the corners napoli won", but "the game napoli won 3-0" names the match


@dataclass(frozen=True)
class Reading:
    """What one question says. ``english``: the question rewritten for the language rules."""

    text: str
    english: str
    words: tuple[str, ...]  # folded words of the question as typed
    typed: tuple[str, ...]  # the same words as typed (case and accents), for replies that quote them
    match: MatchQuery  # the match it names (clubs named as "whose" left out unless they name it too)
    whose: tuple[TeamMention, ...]  # clubs named as whose moments
    actions: tuple[ActionMention, ...]
    classes: tuple[str, ...]
    time: language.TimeFilter
    intent: Intent | None  # stated outright
    selection: int | None  # "the second one"
    ordinal: int | None  # "the first goal"
    step: int | None = None  # "and the next one?" (+1), "the previous one" (-1)
    other_team: bool = False  # "what about the other team?"
    side: str | None = None  # "the home side's fouls": "home" or "away", the club of the match in question
    side_one: str | None = None  # "the home one": a reply that picks the match its club played at home / away

    @property
    def team(self) -> str | None:
        """The one club whose moments are asked for, if one is."""
        clubs = {m.team for m in self.whose}
        return clubs.pop() if len(clubs) == 1 else None


def read(
    question: str,
    names: tuple[str, ...] = (),
    in_view: Match | None = None,
    days: bool = True,
    named: Match | None = None,
    clubs: frozenset[str] = frozenset(),
) -> Reading:
    """Read ``question`` once, against the club names of the corpus and the match in view (if any); ``days=False``
    reads a number before a month as no day of it (the other reading of "burnley 0 arsenal 1 april 2015"); the
    everyday names of the clubs of ``named`` (the match the rest of the question names) and of ``clubs`` count as
    those clubs."""
    question = _corrected(language.emoji_as_words(question), names)
    playing = clubs | {canonical_team(club) for m in (in_view, named) if m for club in (m.home, m.away)}
    said = read_match_text(question, names, playing, days)
    original = words_of(question)
    words = tuple(fold(w) for w in original)
    claimed = {i for m in said.teams for i in range(m.start, m.stop)} | span_words(question, said)
    actions = tuple(_counted_from(_specific(find_action_mentions(list(words), skip=claimed)), list(words)))
    whose, match_teams = _sort_clubs(said.teams, list(words), in_view, actions, said.ground)
    if said.unknown_club and _is_action(said.unknown_club, actions):  # "Goals vs Bayern": no club called Goals
        said = replace(said, unknown_club=None)
    if not said.teams and not said.unknown_club and in_view is None:  # with a match in view, "Ronaldo goals"
        unknown = _unknown_before_action(original, actions) or _unknown_after_action(original, list(words), actions)
        said = replace(said, unknown_club=unknown)  # (with a match in view, a name there is a player's)
    if said.result and (_result_asked(list(words), said.teams[0].start, bool(actions)) or _won_actions(words, actions)):
        # "how many corners did Gladbach win", "corners won by lazio": won corners, not the match; "did arsenal beat
        # boro": asked, not said
        said = replace(said, result=None)
    unscored = masked(question, said.spans)
    english = language.rewrite(unscored)
    asked_part = language.asked_part(unscored)  # a long request: what it asks, not the story before
    asked = english if asked_part == unscored else language.rewrite(asked_part)
    intent = Intent.SEARCH if language.quoted_search(question) else language.intent_words(asked)
    ordinal_of_who = _ordinal(list(words), actions) or language.selection(english) or language.who_of(english)
    return Reading(
        text=question,
        english=english,
        words=words,
        typed=tuple(original),
        match=replace(said, teams=tuple(match_teams)),
        whose=tuple(whose),
        actions=actions,
        classes=_classes(actions, list(words)) or _scored(whose, list(words)),
        time=language.time_filter(english),
        intent=intent,
        selection=language.selection(english),
        ordinal=_ordinal(list(words), actions) if intent is not Intent.WHO else ordinal_of_who,
        step=language.step(english),
        other_team=bool(OTHER_TEAM.search(english)),
        side=language.side(english),
        side_one=language.side_one(english),
    )


def _corrected(question: str, names: tuple[str, ...]) -> str:
    """ "bookings in the madrid derby with athletic? no sorry, atleti athletic 0-0": when the words after a
    correction name a match, the match named before it is blanked out (the rest of the question stands)."""
    found = next(iter(reversed(list(language.CORRECTION.finditer(question)))), None)  # the last correction
    if found is None or not read_match_text(question[found.end() :], names).names_match:
        return question
    head = question[: found.start()]
    said = read_match_text(head, names)
    offsets = word_spans(head)
    named = [offsets[i] for m in said.teams for i in range(m.start, min(m.stop + m.possessive, len(offsets)))]
    return masked(head, (*named, *said.spans)) + question[found.start() :]


def _unknown_before_action(original: list[str], actions: Sequence[ActionMention]) -> str | None:
    """A capitalised name that opens the question right before an action word and is no club the corpus
    knows ("Leeds highlights", "Boca Juniors goals"); None when the words are the question's own."""
    first = next((m for m in actions if m.start > 0), None)
    if first is None or any(m.start < first.start for m in actions):
        return None
    name = original[: first.start]
    known = {fold(w) for w in name} & (REQUEST_WORDS | STRICT_NON_NAMES)
    if not name or len(name) > 3 or known or not all(w[0].isupper() for w in name):
        return None
    return " ".join(name)


def _unknown_after_action(original: list[str], words: list[str], actions: Sequence[ActionMention]) -> str | None:
    """A capitalised name right after an action word and "of"/"de"/"von" that is no club the corpus knows
    ("goles del Boca Juniors", "Tore von Union Berlin"), up to the end of the question."""
    for mention in actions:
        at = mention.stop
        if at < len(words) and words[at] in WHOSE_AFTER_ACTION:
            name = original[at + 1 :]
            while name and fold(name[0]) in ARTICLES:
                name = name[1:]
            if name and len(name) <= 3 and all(w[0].isupper() for w in name):
                return " ".join(name)
    return None


def _is_action(name: str, actions: Sequence[ActionMention]) -> bool:
    return any(fold(w) in {p for m in actions for p in m.phrase.split()} for w in words_of(name))


def span_words(question: str, said: MatchQuery) -> set[int]:
    """Word indices inside a date or score: no action reader may take them ("the 18:00 one"), and a
    search leaves them out."""
    offsets = word_spans(question)
    return {i for i, (a, b) in enumerate(offsets) for start, stop in said.spans if a < stop and b > start}


def _classes(actions: Sequence[ActionMention], words: list[str]) -> tuple[str, ...]:
    """The classes named; "the highlights of free-kicks" means the free-kicks, not the highlights too, and
    "no goals right? show the chances" the chances."""
    said = [m for m in actions if not (m.start > 0 and words[m.start - 1] in NEGATIONS)] or list(actions)
    kinds = [m for m in said if m.classes not in (HIGHLIGHTS, GROUPS["everything"])]
    chosen = kinds if kinds else said
    return ordered(c for m in chosen for c in m.classes)


def _scored(whose: Sequence[TeamMention], words: list[str]) -> tuple[str, ...]:
    """ "did Chelsea score?": a club whose scoring is asked means its goals."""
    after = {words[m.stop + m.possessive] for m in whose if m.stop + m.possessive < len(words)}
    return ("Goal",) if after & SCORING else ()


def _specific(actions: list[ActionMention]) -> list[ActionMention]:
    """Drop a general word next to a more specific one: "shots ... off target" means off target."""
    return [
        general
        for general in actions
        if not any(set(other.classes) < set(general.classes) and _gap(other, general) <= 3 for other in actions)
    ]


def _gap(one: ActionMention, other: ActionMention) -> int:
    return max(one.start - other.stop, other.start - one.stop, 0)


def _ordinal(words: list[str], actions: Sequence[ActionMention]) -> int | None:
    """ "the first goal", "who scored the second goal?", "who scored first?": the one ordinal right
    before an action word, or "first"/"last" right after one (not "goals first half")."""
    found = {language.ORDINAL_ACTIONS.get(m.phrase) for m in actions}  # "the opener"
    found |= {language.ordinal_before(words, m.start) for m in actions}
    found |= {language.ordinal_after(words, m.stop) for m in actions}
    found -= {None}
    return found.pop() if len(found) == 1 else None


def _counted_from(actions: list[ActionMention], words: list[str]) -> list[ActionMention]:
    """ "the second yellow card in roma lazio": a class whose name opens with an ordinal ("second yellow card"), said
    in the singular after an article, is that one of the rest ("yellow card", ordinal 2); "second yellows" and "any
    second yellow cards?" stay the class."""
    out = []
    for mention in actions:
        opening, last = words[mention.start], words[mention.stop - 1]
        after_article = mention.start > 0 and words[mention.start - 1] in ARTICLES
        rest = find_action_mentions(words[mention.start + 1 : mention.stop]) if after_article else []
        if opening in language.ORDINAL_WORDS and singular(last) == last and len(rest) == 1:
            mention = ActionMention(mention.start + 1, mention.stop, rest[0].phrase, rest[0].classes)
        out.append(mention)
    return out


def _won_actions(words: Sequence[str], actions: Sequence[ActionMention]) -> bool:
    """Whether a result word follows an action word and comes before the club that won them ("corners won by lazio",
    "free kicks won by Neymar"): the club's moments, not how the match ended."""
    return any(
        m.stop + 1 < len(words) and words[m.stop] in RESULTS and words[m.stop + 1] in RESULT_AGENTS for m in actions
    )


def _result_asked(words: list[str], club_at: int, asks_actions: bool) -> bool:
    """Whether a result word is asked, not told: "did arsenal beat boro?", "how many corners did Gladbach win" (won
    corners, not the match)."""
    return words[0] in ASKING or (asks_actions and _word_before(words, club_at)[0] in ASKING)


def _sort_clubs(
    teams: tuple[TeamMention, ...],
    words: list[str],
    in_view: Match | None,
    actions: Sequence[ActionMention],
    ground: frozenset[str] | None,
) -> tuple[list[TeamMention], list[TeamMention]]:
    """Clubs named as whose moments, and clubs that name the match; a club can be both ("Watford's
    goals" while another match is in view; "Bayern's goals against Arsenal": Bayern's, in Bayern–Arsenal);
    ``ground``: the clubs at home where the question says it was played."""
    playing = {canonical_team(in_view.home), canonical_team(in_view.away)} if in_view else set()
    action_ends, action_starts = {m.stop for m in actions}, {m.start for m in actions}
    paired, facing = _paired(teams, words)
    whose, of_match = [], []
    for index, mention in enumerate(teams):
        mine = _names_whose(mention, words, action_ends)
        if index in paired:
            of_match.append(mention)
            if mine and index in facing:
                whose.append(mention)
            continue
        after = mention.stop + mention.possessive
        followed_by = words[after] if after < len(words) else ""
        at_ground = _word_before(words, mention.start)[0] in AT_WORDS  # "and in the 2-1 at Juventus?": where
        at_ground = at_ground or _in_its_city(mention, words)  # "what about the 1-5 in marseille": where too
        of_match_in_view = len(teams) == 1 and mention.team in playing and followed_by not in MATCH_NOUNS
        of_match_in_view = of_match_in_view and not at_ground
        facing_later = any(_word_before(words, m.start)[0] in OPPONENT | IN_WORDS for m in teams[index + 1 :])
        again = any(m.team == mention.team for m in teams if m is not mention)  # "leicester 2 arsenal 5 arsenal goals"
        # "bvb goals at the allianz": the visitors' own; "the game at the san paolo against juve, fouls": the opponent
        opposed = _word_before(words, mention.start)[0] in OPPONENT
        away = ground is not None and mention.team not in ground and not opposed
        # "Liverpool goals at Swansea", "only the watford goals from chelsea 2-2 watford",
        # "shakhtar fouls in the bayern 7-0"
        mine = mine or of_match_in_view or (after in action_starts and (facing_later or again or away))
        (whose if mine else of_match).append(mention)
        if mine and in_view is not None and mention.team not in playing:
            of_match.append(mention)
    kept = [m for m in whose if _word_before(words, m.start)[0] not in LEFT_OUT]
    whose = kept if kept and len(kept) < len(whose) else whose
    if len({m.team for m in whose}) > 1:  # two clubs "by" each other name a match, not one side
        return [], list(teams)
    return whose, of_match


def _in_its_city(mention: TeamMention, words: list[str]) -> bool:
    """Whether a club named after "in" by its city's name, in a question that names a match by its score ("the 1-5 in
    marseille", "the 4-2 in napoli"), says where that match was played, not whose moments."""
    city = " ".join(words[mention.start : mention.stop])
    named_by_score = any(w.isdigit() for w in words)
    return (
        named_by_score
        and mention.start > 0
        and words[mention.start - 1] == "in"
        and mention.team in GROUNDS.get(city, ())
    )


def _paired(teams: tuple[TeamMention, ...], words: list[str]) -> tuple[set[int], set[int]]:
    """Indices of mentions that name a match together ("Napoli 4 - 2 Benfica", "Bayern gegen Schachtar"),
    and of those whose moments are asked in that match: the partner comes after an opponent word, or the
    club after "by" ("Napoli 4 - 2 Benfica", "Juventus-Napoli" are titles, no one's side)."""
    paired, facing = set(), set()
    plain = _without_numbers(words)
    for index in range(len(teams) - 1):
        first, second = teams[index], teams[index + 1]
        if first.team != second.team and names_pair(first, second, plain):  # "arsenal 5 arsenal goals": one club
            paired |= {index, index + 1}
            between = set(plain[first.stop + first.possessive : second.start])
            before = _word_before(words, first.start)[0]
            scored = any(w.isdigit() for w in words[first.stop + first.possessive : second.start])
            scored = scored or _score_at(words, second.stop + second.possessive)  # "for man city v newcastle 6-1"
            titled = before in FOR_WORDS and (scored or not between & VERSUS)  # "for ajax barcelona": the match
            if between & OPPONENT or (before in BY_WORDS and not titled):
                facing.add(index)  # "the goals of Barça against Real", "subs made by Juventus vs Man City"
            elif before in OPPONENT:
                facing.add(index + 1)  # "the 7-0 against shakhtar, bayern's goals only": Bayern's, against them
    return paired, facing


def _score_at(words: list[str], at: int) -> bool:
    """Whether a score ("6-1", "6 1") starts at word ``at``, not a year."""
    pair = words[at : at + 2]
    return len(pair) == 2 and all(w.isdigit() and int(w) < SCORE_MAX for w in pair)


def _without_numbers(words: list[str]) -> list[str]:
    """The words, a score's numbers read as joining ones ("Napoli 4 - 2 Benfica" pairs its clubs) and the "x" of
    "4 x 0" as no word."""
    return ["vs" if w.isdigit() else "" if w == "x" and 0 < i < len(words) - 1 and words[i - 1].isdigit() else w
            for i, w in enumerate(words)]  # fmt: skip


SCORE_MAX = 20  # a number of goals; a year or a minute is larger
MATCH_NOUN_REACH = 5  # "barca's valentine's day 2017 game": a date of a few words between a possessive and its match


def _match_noun_follows(words: list[str], at: int, action_ends: set[int]) -> bool:
    """Whether a match noun comes within reach of word ``at``, before any action word: the possessive names the
    match ("Chelsea's game", "barca's valentine's day 2017 game"), not whose moments ("Chelsea's goals in the game")."""
    for index in range(at, min(at + MATCH_NOUN_REACH, len(words))):
        if words[index] in MATCH_NOUNS:
            return True
        if index + 1 in action_ends:
            return False
    return False


def _word_before(words: list[str], index: int) -> tuple[str, int]:
    """The word before ``index`` past any article, and where it is (-1: none)."""
    at = index - 1
    while at >= 0 and words[at] in ARTICLES:
        at -= 1
    return (words[at], at) if at >= 0 else ("", -1)


def _names_whose(mention: TeamMention, words: list[str], action_ends: set[int]) -> bool:
    """Whether the words around one club make it "whose moments": a possessive ("Chelsea's", "the magpies'"), a word
    such as "by" or "did" before it, "scored" after it, or "of"/"de"/"von" right after an action word ("los goles
    del")."""
    after_at = mention.stop + mention.possessive
    after = words[after_at] if after_at < len(words) else ""
    # "Chelsea's goals", but not "Liverpool's 4-3 loss" / "Chelsea's game"
    if mention.possessive or mention.closed:
        return not (after.isdigit() or after in RESULTS or _match_noun_follows(words, after_at, action_ends))
    before, at = _word_before(words, mention.start)
    if after in MATCH_NOUNS:  # "goals from paris saint-germain matches": the club names its matches, not a side
        return False
    if after in PASSIVE and after_at + 1 < len(words) and words[after_at + 1] in RESULTS:
        return False  # "getafe got battered 7-3": how the match ended, not Getafe's moments
    if before in WHOSE_BEFORE or after in WHOSE_AFTER:
        return True
    if after in WINNING:  # "the corners napoli won", but "the one lazio won" names the match
        asked_before = any(end <= mention.start for end in action_ends)
        return asked_before and (after_at + 1 >= len(words) or not words[after_at + 1].isdigit())
    if mention.start > 0 and words[mention.start - 1] in WHOSE_AFTER_ACTION and mention.start - 1 in action_ends:
        return True  # "Torschüsse der Leverkusener": the German genitive's article is the "of"
    return before in WHOSE_AFTER_ACTION and _word_before(words, at)[1] + 1 in action_ends
