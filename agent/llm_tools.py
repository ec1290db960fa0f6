"""The tools as an LLM sees them: LangChain tools whose text result the model reads and whose
artifact (the spots, the match) the assistant keeps for the answer's intervals.

The arguments of every moment tool are the fields of ``tools.query.MomentQuery``, with their
descriptions: the schema is generated from that one type, so the planner, the tools and the LLM
cannot drift apart. A user-caused error (unknown match, unknown action, several matches fit) comes
back as the tool's text, so the model can tell the user or ask; it never ends the turn.
"""

from __future__ import annotations

import functools
import typing
from collections.abc import Callable
from dataclasses import dataclass, field, fields
from pathlib import Path

from langchain_core.tools import BaseTool, StructuredTool
from pydantic import Field, create_model

from index.errors import HighlightsError
from spotting.types import Spot
from tools.commentary import hits_text
from tools.formatting import spots_block
from tools.query import MomentQuery
from tools.score import score_at
from tools.summary import summary_text
from tools.toolbox import Toolbox

from .answer_text import honest_notes


@dataclass(frozen=True)
class ToolResult:
    """What a call found, for the answer: its spots, the match they belong to, and the query behind them."""

    match_id: str | None = None
    spots: tuple[Spot, ...] = field(default=())
    video: Path | None = None  # the reel a make_highlight_reel call wrote
    query: MomentQuery | None = None


def query_schema(name: str, extra: dict[str, tuple[type, str]] | None = None, match_required: bool = True):
    """A pydantic model of ``MomentQuery``'s fields, each with its description, after ``extra`` ones."""
    hints = typing.get_type_hints(MomentQuery)
    extra = extra or {}
    columns: dict[str, typing.Any] = {key: (kind, Field(description=text)) for key, (kind, text) in extra.items()}
    for column in fields(MomentQuery):
        required = column.name == "match" and match_required
        kind = str if required else hints[column.name]
        columns[column.name] = (kind, Field(default=... if required else column.default,
                                            description=column.metadata["description"]))  # fmt: skip
    return create_model(name, **columns)


def _guarded(run: Callable[..., tuple[str, ToolResult]]) -> Callable[..., tuple[str, ToolResult]]:
    @functools.wraps(run)
    def call(*args, **kwargs) -> tuple[str, ToolResult]:
        try:
            return run(*args, **kwargs)
        except HighlightsError as error:
            return f"error: {error}", ToolResult()

    return call


def make_tools(toolbox: Toolbox) -> list[BaseTool]:
    """LangChain tools over ``toolbox``, with its methods' docstrings as descriptions."""

    def find_matches(query: str) -> tuple[str, ToolResult]:
        found = toolbox.find_matches(query)
        if not found:
            return f"no match fits {query!r}; {toolbox.suggest_matches(query)}", ToolResult()
        return "\n".join(f"{m.match_id} | {m.describe(with_kickoff=True)}" for m in found), ToolResult()

    def spot_actions(**arguments) -> tuple[str, ToolResult]:
        match, query = toolbox.resolve(MomentQuery(**arguments))
        spots = toolbox.spot_actions(query)
        notes = "".join(f"\nnote: {n}" for n in honest_notes(match, query, spots))
        result = ToolResult(match.id, tuple(spots), query=query)
        if not spots:
            return f"none found in {match.title}{notes}", result
        return f"{len(spots)} found in {match.title}:\n{spots_block(spots, match)}{notes}", result

    def score_at_moment(**arguments) -> tuple[str, ToolResult]:
        match, query = toolbox.resolve(MomentQuery(**{**arguments, "classes": ("Goal",)}))
        score = score_at(match, toolbox.cache.moments(match), query)
        text = f"{score.line} (final score {match.title})"
        if not score.score.certain:
            text += "; not sure: a goal nobody found may lie before it, or a goal's team is a guess"
        goals = list(score.goals)
        return f"{text}\n{spots_block(goals, match)}", ToolResult(match.id, tuple(goals), query=query)

    def match_summary(match: str) -> tuple[str, ToolResult]:
        found_match = toolbox.resolve_match(match)
        summary = toolbox.match_summary(found_match.id)
        return summary_text(summary, found_match), ToolResult(found_match.id, tuple(summary.spots))

    def search_commentary(text: str, **arguments) -> tuple[str, ToolResult]:
        query = MomentQuery(**arguments)
        hits = toolbox.search_commentary(text, query)
        titles = {m.id: m.title for m in toolbox.corpus.matches if m.id in {h.match_id for h in hits}}
        if not hits:
            return "nothing found", ToolResult()
        match_id = toolbox.resolve_match(query.match).id if query.match else None
        return hits_text(hits, titles), ToolResult(match_id)

    def make_highlight_reel(**arguments) -> tuple[str, ToolResult]:
        match, query = toolbox.resolve(MomentQuery(**arguments))
        spots = toolbox.spot_actions(query)
        reel = toolbox.reel_of(match, spots)
        return f"highlight reel written: {reel.describe()}", ToolResult(match.id, tuple(spots), reel.path, query)

    search_fields = {"text": (str, "What to look for in the commentary, in any language.")}
    tools = [
        (find_matches, "find_matches", toolbox.find_matches.__doc__, None),
        (spot_actions, "spot_actions", toolbox.spot_actions.__doc__, query_schema("spot_actions")),
        (score_at_moment, "score_at", SCORE_DOC, query_schema("score_at")),
        (match_summary, "match_summary", toolbox.match_summary.__doc__, None),
        (search_commentary, "search_commentary", toolbox.search_commentary.__doc__,
         query_schema("search_commentary", search_fields, match_required=False)),
        (make_highlight_reel, "make_highlight_reel", toolbox.make_reel.__doc__, query_schema("make_highlight_reel")),
    ]  # fmt: skip
    return [
        StructuredTool.from_function(
            func=_guarded(function),
            name=name,
            description=" ".join((doc or name).split()),
            args_schema=schema,
            response_format="content_and_artifact",
        )
        for function, name, doc, schema in tools
    ]


SCORE_DOC = """The score of a match at a moment, from the goals found in its commentary: at half-time
(half=1), before a match minute (to_minute=60), or at the end (neither). Returns the score line, the
goals behind it with their teams, and the final score."""
