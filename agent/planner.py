"""The offline planner: answers a question by reading it (``agent.plan``) and calling the tools, no LLM.

It is the default when no endpoint is configured and the fallback when the endpoint fails, so every
reply it gives is complete on its own: the intervals, "none found" said plainly, or a suggestion.
"""

from __future__ import annotations

from index.errors import HighlightsError
from index.types import Match
from spotting.types import Spot
from tools.actions import suggest_actions
from tools.commentary import hits_text
from tools.formatting import HALF_NAMES, count_phrase, plural_of, quote, spot_line, spots_block
from tools.matches import match_info
from tools.spots import spot_team
from tools.summary import summary_text
from tools.toolbox import Toolbox

from .plan import MAX_QUESTION_CHARS, Context, Plan, make_plan
from .session import Answer, Session

BACKEND = "planner"
EXAMPLES = (
    '"Give me all the goals", "free-kicks in the second half", "cards after the 60th minute", '
    '"summary of Chelsea vs Watford", "which matches do you have?", "make me a reel of the goals", then '
    'follow-ups such as "only the second half", "which of those were Chelsea\'s?", "the second one", "and corners?"'
)


class Planner:
    """Reads questions into plans and runs them with the tools of one ``Toolbox``."""

    def __init__(self, toolbox: Toolbox) -> None:
        self.toolbox = toolbox

    def context(self, session: Session, match_id: str | None = None) -> Context:
        return Context(self.toolbox.corpus.matches, match_id or session.match_id, session.last_plan)

    def plan(self, question: str, session: Session, match_id: str | None = None) -> Plan:
        return make_plan(question, self.context(session, match_id))

    def ask(self, question: str, session: Session, match_id: str | None = None) -> Answer:
        """Answer ``question`` and remember what a follow-up may refer to."""
        if match_id is not None and match_id not in {m.id for m in self.toolbox.corpus.matches}:
            answer = Answer(f"I don't know the match {match_id!r}; {self.toolbox.suggest_matches(match_id)}.", [],
                            None, BACKEND)  # fmt: skip
            session.remember(None, answer)
            return answer
        plan = self.plan(question, session, match_id)
        answer = self.run(plan, session)
        session.remember(plan, answer)
        return answer

    def run(self, plan: Plan, session: Session) -> Answer:
        """Carry out ``plan``; a user-caused tool error becomes the answer's text."""
        handler = getattr(self, f"_{plan.intent}", None) or self._help
        try:
            return handler(plan, session)
        except HighlightsError as error:
            return Answer(f"Sorry — {error}.", [], plan.match_id, BACKEND, _calls(plan))

    # -- tool-backed replies ---------------------------------------------------------------------
    def _spots(self, plan: Plan, session: Session) -> Answer:
        match = self.toolbox.corpus.get(plan.match_id)
        found = self._found(plan, match)
        text = self._list_text(plan, match, found)
        if plan.team:
            text += self._unknown_team_note(plan, match, found)
        return Answer(text, found, match.id, BACKEND, _calls(plan))

    _count = _spots

    def _found(self, plan: Plan, match: Match) -> list[Spot]:
        """The spots a plan's filters (and ordinal) pick."""
        found = self.toolbox.spot_actions(
            match.id, list(plan.classes), plan.half, plan.from_minute, plan.to_minute, plan.stoppage_time, plan.team
        )
        return _nth(found, plan.ordinal) if plan.ordinal is not None else found

    def _reel(self, plan: Plan, session: Session) -> Answer:
        """The moments a spots question would list, cut from the match's video into one MP4."""
        match = self.toolbox.corpus.get(plan.match_id)
        found = self._found(plan, match)
        if not found:
            return Answer(self._list_text(plan, match, found), [], match.id, BACKEND, _calls(plan))
        try:
            reel = self.toolbox.reel_of(match, found)
        except HighlightsError as error:  # no (usable) video: say so, and still give the intervals
            return Answer(f"Sorry — {error}.\n{self._list_text(plan, match, found)}", found, match.id, BACKEND,
                          _calls(plan))  # fmt: skip
        text = f"A highlight reel of the {plural_of(plan.classes)} in {match.title}{_scope(plan)}: {reel.describe()}"
        return Answer(text, found, match.id, BACKEND, _calls(plan), video=reel.path)

    def _list_text(self, plan: Plan, match: Match, found: list[Spot]) -> str:
        what = plural_of(plan.classes)
        where = f"{match.title} ({match.date.isoformat()}){_scope(plan)}"
        if not found:
            return f"No {what} found in {where}."
        if plan.ordinal is not None:
            head = f"The {_ordinal_word(plan.ordinal)} of the {what} in {where}:"
        else:
            head = f"{count_phrase(len(found), plan.classes)} found in {where}:"
        return f"{head}\n{spots_block(found, match)}\n{self._source()}"

    def _unknown_team_note(self, plan: Plan, match: Match, found: list[Spot]) -> str:
        everyone = self.toolbox.spot_actions(
            match.id, list(plan.classes), plan.half, plan.from_minute, plan.to_minute, plan.stoppage_time
        )
        unknown = sum(1 for s in everyone if spot_team(s, match) is None)
        if not unknown:
            return ""
        return f"\n({unknown} more with no known team: the spotter does not say, nor does the commentary name one.)"

    def _source(self) -> str:
        return (
            f"(Found by the {self.toolbox.spotter.name} spotter in the commentary; "
            "times are from the start of each half's video.)"
        )

    def _select(self, plan: Plan, session: Session) -> Answer:
        chosen = _nth(session.last_spots, plan.ordinal or 1)
        if not chosen:
            count = len(session.last_spots)
            return Answer(f"The last answer listed {count} moment{'s' * (count != 1)}, so there is no "
                          f"{_ordinal_word(plan.ordinal or 1)} one.", [], plan.match_id, BACKEND)  # fmt: skip
        spot = chosen[0]
        match = self.toolbox.corpus.get(plan.match_id)
        lines = [
            f"The {_ordinal_word(plan.ordinal or 1)} one, in the {HALF_NAMES[spot.half].lower()} of {match.title}:",
            spot_line(session.last_spots.index(spot) + 1, spot, match),
        ]
        if spot.evidence:
            lines.append(f"Commentary: {quote(spot.evidence, 400)}")
        return Answer("\n".join(lines), [spot], match.id, BACKEND, [])

    def _summary(self, plan: Plan, session: Session) -> Answer:
        summary = self.toolbox.match_summary(plan.match_id)
        match = self.toolbox.corpus.get(plan.match_id)
        return Answer(summary_text(summary, match), summary.spots, match.id, BACKEND, _calls(plan))

    def _matches(self, plan: Plan, session: Session) -> Answer:
        matches = [self.toolbox.corpus.get(i) for i in plan.candidates]
        if not matches:
            return Answer("No match in the corpus fits that.", [], None, BACKEND, _calls(plan))
        lines = [f"{len(matches)} match{'es' * (len(matches) != 1)}:"]
        lines += [f"- {match_info(m).describe()}" for m in matches]
        return Answer("\n".join(lines), [], session.match_id, BACKEND, _calls(plan))

    def _search(self, plan: Plan, session: Session) -> Answer:
        hits = self.toolbox.search_commentary(plan.query, plan.match_id, plan.half, plan.from_minute, plan.to_minute)
        titles = {m.id: m.title for m in self.toolbox.corpus.matches if m.id in {h.match_id for h in hits}}
        if not hits:
            return Answer(f"Nothing in the commentary matches {plan.query!r}.", [], plan.match_id, BACKEND,
                          _calls(plan))  # fmt: skip
        text = f"Commentary closest to {plan.query!r}:\n{hits_text(hits, titles)}"
        return Answer(text, [], plan.match_id, BACKEND, _calls(plan))

    # -- replies without a tool ------------------------------------------------------------------
    def _help(self, plan: Plan, session: Session) -> Answer:
        text = f"I find the moments of a match from its commentary. Ask, for example: {EXAMPLES}."
        if not session.match_id:
            text += f"\n{self._match_list()}"
        return Answer(text, [], plan.match_id, BACKEND)

    def _too_long(self, plan: Plan, session: Session) -> Answer:
        return Answer(f"That question is {plan.query} characters long; please ask in under "
                      f"{MAX_QUESTION_CHARS}.", [], session.match_id, BACKEND)  # fmt: skip

    def _unknown_action(self, plan: Plan, session: Session) -> Answer:
        return Answer(f"I don't know the action {plan.query!r}; {suggest_actions(plan.query)}.", [], plan.match_id,
                      BACKEND)  # fmt: skip

    def _unknown_match(self, plan: Plan, session: Session) -> Answer:
        hint = self.toolbox.suggest_matches(plan.query)
        return Answer(f"I have no match for {plan.query!r}; {hint}.", [], session.match_id, BACKEND)

    def _ambiguous_match(self, plan: Plan, session: Session) -> Answer:
        names = "\n".join(f"- {match_info(self.toolbox.corpus.get(i)).describe()}" for i in plan.candidates)
        return Answer(f"Several matches fit; which one?\n{names}", [], None, BACKEND)

    def _no_match(self, plan: Plan, session: Session) -> Answer:
        return Answer(f"Which match? {self._match_list()}", [], None, BACKEND)

    def _nothing_to_select(self, plan: Plan, session: Session) -> Answer:
        return Answer("There is no earlier list to pick from yet; ask for some moments first.", [], None, BACKEND)

    def _match_list(self) -> str:
        matches = self.toolbox.corpus.matches
        shown = "\n".join(f"- {match_info(m).describe()}" for m in matches[:10])
        more = f"\n(and {len(matches) - 10} more)" if len(matches) > 10 else ""
        return f"The corpus has {len(matches)} matches:\n{shown}{more}"


def _nth(spots: list[Spot], ordinal: int) -> list[Spot]:
    index = ordinal - 1 if ordinal > 0 else len(spots) + ordinal
    return [spots[index]] if 0 <= index < len(spots) else []


def _ordinal_word(ordinal: int) -> str:
    words = {1: "first", 2: "second", 3: "third", 4: "fourth", 5: "fifth", -1: "last"}
    return words.get(ordinal, f"#{ordinal}")


def _scope(plan: Plan) -> str:
    parts = []
    if plan.half:
        parts.append(HALF_NAMES[plan.half].lower())
    if plan.from_minute is not None and plan.to_minute is not None:
        parts.append(f"minutes {plan.from_minute:g}-{plan.to_minute:g}")
    elif plan.from_minute is not None:
        parts.append(f"from minute {plan.from_minute:g}")
    elif plan.to_minute is not None:
        parts.append(f"before minute {plan.to_minute:g}")
    if plan.stoppage_time:
        parts.append("stoppage time")
    if plan.team:
        parts.append(f"{plan.team} only")
    return f", {', '.join(parts)}" if parts else ""


def _calls(plan: Plan) -> list[dict]:
    """The tool call a plan makes, named and shaped as the LLM agent's calls are (defaults left out)."""
    filters = {"half": plan.half, "from_minute": plan.from_minute, "to_minute": plan.to_minute}
    args = {
        "spots": {"match": plan.match_id, "actions": list(plan.classes), **filters,
                  "stoppage_time": plan.stoppage_time, "team": plan.team},
        "summary": {"match": plan.match_id},
        "matches": {"query": plan.query},
        "search": {"query": plan.query, "match": plan.match_id, **filters},
        "reel": {"match": plan.match_id, "actions": list(plan.classes), **filters, "team": plan.team},
    }  # fmt: skip
    args["count"] = args["spots"]
    tools = {"spots": "spot_actions", "count": "spot_actions", "summary": "match_summary",
             "matches": "find_matches", "search": "search_commentary", "reel": "make_highlight_reel"}  # fmt: skip
    if plan.intent not in tools:
        return []
    given = {key: value for key, value in args[plan.intent].items() if value not in (None, False)}
    return [{"name": tools[plan.intent], "args": given}]
