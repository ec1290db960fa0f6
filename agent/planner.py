"""The offline planner: answers a question by reading it (``agent.plan``) and calling the tools, no LLM.

It is the default when no endpoint is configured and the fallback when the endpoint fails, so every
reply it gives is complete on its own: the intervals, "none found" said plainly, or a question back.
Every ``Intent`` has exactly one handler (``Planner.handlers``, checked when a planner is made).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from index.errors import HighlightsError
from index.types import Match
from spotting.types import Spot
from tools.actions import suggest_actions
from tools.commentary import hits_text
from tools.formatting import HALF_NAMES, plural_of, quote, spot_line
from tools.match_text import MatchQuery, read_match_text
from tools.matches import choice_lines, describe_all, match_info
from tools.query import Intent, MomentQuery, nth
from tools.score import score_at
from tools.spots import spot_team
from tools.summary import SUMMARY_CLASSES, summary_text
from tools.toolbox import Toolbox

from . import answer_text
from .plan import MAX_QUESTION_CHARS, Context, Plan, make_plan
from .session import Answer, Session

BACKEND = "planner"
EXAMPLES = (
    '"Give me all the goals", "free-kicks in the second half", "cards after the 60th minute", '
    '"what was the score at half-time?", "who scored?", "summary of Chelsea vs Watford", '
    '"which matches do you have?", "make me a reel of the goals", then follow-ups such as "only the second '
    'half", "which of those were Chelsea\'s?", "the second one", "and corners?"'
)
LANGUAGES = "I read questions in English, Spanish, German, French, Italian and Portuguese"
Handler = Callable[[Plan, Session], Answer]


class Planner:
    """Reads questions into plans and runs them with the tools of one ``Toolbox``."""

    def __init__(self, toolbox: Toolbox) -> None:
        self.toolbox = toolbox
        self.handlers: dict[Intent, Handler] = {
            Intent.SPOTS: self._spots,
            Intent.COUNT: self._spots,
            Intent.REEL: self._reel,
            Intent.SELECT: self._select,
            Intent.WHO: self._who,
            Intent.SCORE: self._score,
            Intent.SUMMARY: self._summary,
            Intent.MATCHES: self._matches,
            Intent.SEARCH: self._search,
            Intent.HELP: self._help,
            Intent.TOO_LONG: self._too_long,
            Intent.UNKNOWN_ACTION: self._unknown_action,
            Intent.UNKNOWN_MATCH: self._unknown_match,
            Intent.AMBIGUOUS_MATCH: self._ask_which,
            Intent.NO_MATCH: self._ask_which,
            Intent.NOTHING_TO_SELECT: self._nothing_to_select,
        }
        missing = set(Intent) - set(self.handlers)
        if missing:
            raise TypeError(f"no handler for {sorted(missing)}")

    def context(self, session: Session, match_id: str | None = None) -> Context:
        index = self.toolbox.match_index
        return Context(index, match_id or session.match_id, session.last_plan, session.listed_matches)

    def plan(self, question: str, session: Session, match_id: str | None = None) -> Plan:
        return make_plan(question, self.context(session, match_id))

    def ask(self, question: str, session: Session, match_id: str | None = None) -> Answer:
        """Answer ``question`` and remember what a follow-up may refer to."""
        if match_id is not None and match_id not in {m.id for m in self.toolbox.corpus.matches}:
            text = f"I don't know the match {match_id!r}; {self.toolbox.suggest_matches(match_id)}."
            answer = Answer(text, [], None, BACKEND)
            session.remember(None, answer)
            return answer
        plan = self.plan(question, session, match_id)
        answer = self.run(plan, session)
        session.remember(plan, answer)
        return answer

    def run(self, plan: Plan, session: Session) -> Answer:
        """Carry out ``plan``; a user-caused tool error becomes the answer's text."""
        try:
            return self.handlers[plan.intent](plan, session)
        except HighlightsError as error:
            return Answer(f"Sorry — {error}.", [], plan.query.match, BACKEND, _calls(plan), query=plan.query)

    # -- tool-backed replies ---------------------------------------------------------------------
    def _found(self, plan: Plan) -> tuple[Match, MomentQuery, list[Spot]]:
        match, query = self.toolbox.resolve(plan.query)
        return match, query, self.toolbox.spot_actions(query)

    def _spots(self, plan: Plan, session: Session) -> Answer:
        match, query, found = self._found(plan)
        text = answer_text.list_text(match, query, found, self._source(), self._unseen())
        if query.team:
            text += self._unknown_team_note(query)
        return self._answer(text, found, plan, query)

    def _reel(self, plan: Plan, session: Session) -> Answer:
        """The moments a spots question would list, cut from the match's video into one MP4."""
        match, query, found = self._found(plan)
        listed = answer_text.list_text(match, query, found, self._source())
        if not found:
            return self._answer(listed, [], plan, query)
        try:
            reel = self.toolbox.reel_of(match, found)
        except HighlightsError as error:  # no (usable) video: say so, and still give the intervals
            return self._answer(f"Sorry — {error}.\n{listed}", found, plan, query)
        text = f"A highlight reel of the {plural_of(query.classes)} in {answer_text.where(match, query)}: " + (
            reel.describe()
        )
        return replace(self._answer(text, found, plan, query), video=reel.path)

    def _who(self, plan: Plan, session: Session) -> Answer:
        match, query, found = self._found(plan)
        text = answer_text.who_text(match, query, found, self._source(), self._unseen())
        return self._answer(text, found, plan, query)

    def _score(self, plan: Plan, session: Session) -> Answer:
        match, query, found = self._found(plan)
        score = score_at(match, self.toolbox.cache.moments(match), query)
        return self._answer(answer_text.score_text(match, query, score, self._source()), found, plan, query)

    def _select(self, plan: Plan, session: Session) -> Answer:
        ordinal = plan.query.ordinal or 1
        chosen = nth(session.last_spots, ordinal)
        if not chosen:
            count = len(session.last_spots)
            text = (f"The last answer listed {count} moment{'s' * (count != 1)}, so there is no "
                    f"{answer_text.ordinal_word(ordinal)} one.")  # fmt: skip
            return Answer(text, [], plan.query.match, BACKEND, query=plan.query)
        spot = chosen[0]
        match = self.toolbox.corpus.get(plan.query.match)
        lines = [
            f"The {answer_text.ordinal_word(ordinal)} one, in the {HALF_NAMES[spot.half].lower()} of {match.title}:",
            spot_line(session.last_spots.index(spot) + 1, spot, match),
        ]
        if spot.evidence:
            lines.append(f"Commentary: {quote(spot.evidence, 400)}")
        return Answer("\n".join(lines), [spot], match.id, BACKEND, [], query=plan.query)

    def _summary(self, plan: Plan, session: Session) -> Answer:
        summary = self.toolbox.match_summary(plan.query.match)
        match = self.toolbox.corpus.get(summary.match.match_id)
        query = MomentQuery(match=match.id, classes=SUMMARY_CLASSES)
        return self._answer(summary_text(summary, match), summary.spots, plan, query)

    def _matches(self, plan: Plan, session: Session) -> Answer:
        matches = [self.toolbox.corpus.get(i) for i in plan.candidates]
        if not matches:
            return Answer("No match in the corpus fits that.", [], None, BACKEND, _calls(plan))
        lines = [f"{len(matches)} match{'es' * (len(matches) != 1)}:"]
        lines += [f"- {line}" for line in describe_all(matches)]
        return Answer("\n".join(lines), [], session.match_id, BACKEND, _calls(plan))

    def _search(self, plan: Plan, session: Session) -> Answer:
        hits = self.toolbox.search_commentary(plan.text, plan.query)
        titles = {m.id: m.title for m in self.toolbox.corpus.matches if m.id in {h.match_id for h in hits}}
        if not hits:
            text = f"Nothing in the commentary matches {plan.text!r}."
            return Answer(text, [], plan.query.match, BACKEND, _calls(plan), query=plan.query)
        text = f"Commentary closest to {plan.text!r}:\n{hits_text(hits, titles)}"
        return Answer(text, [], plan.query.match, BACKEND, _calls(plan), query=plan.query)

    def _answer(self, text: str, found: list[Spot], plan: Plan, query: MomentQuery) -> Answer:
        canonical = replace(plan, query=query)
        return Answer(text, found, query.match, BACKEND, _calls(canonical), query=query)

    def _unknown_team_note(self, query: MomentQuery) -> str:
        everyone = self.toolbox.spot_actions(replace(query, team=None, ordinal=None))
        match = self.toolbox.corpus.get(query.match)
        unknown = sum(1 for s in everyone if spot_team(s, match) is None)
        if not unknown:
            return ""
        return f"\n({unknown} more with no known team: the spotter does not say, nor does the commentary name one.)"

    def _unseen(self) -> frozenset[str]:
        return self.toolbox.cache.policy.never_kept()

    def _source(self) -> str:
        return (
            f"(Found by the {self.toolbox.spotter.name} spotter in the commentary; "
            "times are from the start of each half's video.)"
        )

    # -- replies without a tool ------------------------------------------------------------------
    def _help(self, plan: Plan, session: Session) -> Answer:
        text = f"I find the moments of a match from its commentary. Ask, for example: {EXAMPLES}."
        if plan.text:
            text = f"I did not understand {quote(plan.text, 80)} ({LANGUAGES}). " + text
        if not session.match_id:
            text += f"\n{self._match_list()}"
        return Answer(text, [], session.match_id, BACKEND)

    def _too_long(self, plan: Plan, session: Session) -> Answer:
        text = f"That question is too long to be a question; please ask in under {MAX_QUESTION_CHARS} characters."
        return Answer(text, [], session.match_id, BACKEND)

    def _unknown_action(self, plan: Plan, session: Session) -> Answer:
        text = f"I don't know the action {plan.text!r}; {suggest_actions(plan.text)}."
        return Answer(text, [], plan.query.match, BACKEND)

    def _unknown_match(self, plan: Plan, session: Session) -> Answer:
        """None fits: say what was understood; the clubs' other matches if they have some, else the closest."""
        named = read_match_text(plan.text, self.toolbox.match_index.names)
        clubs = self.toolbox.match_index.find(MatchQuery(teams=named.teams)) if named.teams else []
        if clubs:
            lines = choice_lines(clubs)[: answer_text.MAX_CHOICES]
            text = f"I have no match for {plan.text!r}. The matches I have of the club(s) named:\n" + "\n".join(lines)
            return Answer(text, [], session.match_id, BACKEND)
        hint = self.toolbox.suggest_matches(plan.text)
        return Answer(f"I have no match for {plan.text!r}; {hint}.", [], session.match_id, BACKEND)

    def _ask_which(self, plan: Plan, session: Session) -> Answer:
        """ "Which one?" with what tells the candidates apart; the reply finishes the question."""
        candidates = [self.toolbox.corpus.get(i) for i in plan.candidates]
        if plan.intent is Intent.NO_MATCH:
            return Answer(f"Which match? {self._match_list(plan.page)}", [], None, BACKEND, query=plan.query)
        text = answer_text.choices_text(candidates, plan.text, plan.page)
        return Answer(text, [], None, BACKEND, query=plan.query)

    def _nothing_to_select(self, plan: Plan, session: Session) -> Answer:
        return Answer("There is no earlier list to pick from yet; ask for some moments first.", [], None, BACKEND)

    def _match_list(self, page: int = 0) -> str:
        """Ten of the corpus's matches at a time ("more" turns the page)."""
        matches = self.toolbox.corpus.matches
        first = page * 10 % max(1, len(matches))
        shown = "\n".join(f"- {match_info(m).describe()}" for m in matches[first : first + 10])
        left = len(matches) - first - 10
        more = f"\n(and {left} more: say 'more', or name the teams, a date or a competition)" if left > 0 else ""
        return f"The corpus has {len(matches)} matches:\n{shown}{more}"


# The tool a plan's intent calls, named as the LLM agent's tools are, so both paths log the same calls.
TOOLS = {
    Intent.SPOTS: "spot_actions",
    Intent.COUNT: "spot_actions",
    Intent.WHO: "spot_actions",
    Intent.SCORE: "score_at",
    Intent.SUMMARY: "match_summary",
    Intent.MATCHES: "find_matches",
    Intent.SEARCH: "search_commentary",
    Intent.REEL: "make_highlight_reel",
}


def _calls(plan: Plan) -> list[dict]:
    """The tool call a plan makes, with the query's fields that are set (defaults left out)."""
    if plan.intent not in TOOLS:
        return []
    args = plan.query.given()
    if plan.intent is Intent.SEARCH:
        args = {"text": plan.text, **args}
    if plan.intent is Intent.MATCHES:
        args = {"candidates": len(plan.candidates)}
    return [{"name": TOOLS[plan.intent], "args": args}]
