"""The tools as an LLM sees them: LangChain tools whose text result the model reads and whose
artifact (the spots, the match) the assistant keeps for the answer's intervals.

A user-caused error (unknown match, unknown action) comes back as the tool's text, so the model can
tell the user or try again; it never ends the turn.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from langchain_core.tools import BaseTool, StructuredTool

from index.errors import HighlightsError
from spotting.types import Spot
from tools.commentary import hits_text
from tools.formatting import spots_block
from tools.summary import summary_text
from tools.toolbox import Toolbox


@dataclass(frozen=True)
class ToolResult:
    """What a call found, for the answer: its spots and the match they belong to."""

    match_id: str | None = None
    spots: tuple[Spot, ...] = field(default=())
    video: Path | None = None  # the reel a make_highlight_reel call wrote


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
        return "\n".join(f"{m.match_id} | {m.describe()}" for m in found), ToolResult()

    def spot_actions(
        match: str,
        actions: list[str] | None = None,
        half: int | None = None,
        from_minute: float | None = None,
        to_minute: float | None = None,
        stoppage_time: bool = False,
        team: str | None = None,
    ) -> tuple[str, ToolResult]:
        found_match = toolbox.resolve_match(match)
        spots = toolbox.spot_actions(found_match.id, actions, half, from_minute, to_minute, stoppage_time, team)
        result = ToolResult(found_match.id, tuple(spots))
        if not spots:
            return f"none found in {found_match.title}", result
        return f"{len(spots)} found in {found_match.title}:\n{spots_block(spots, found_match)}", result

    def match_summary(match: str) -> tuple[str, ToolResult]:
        found_match = toolbox.resolve_match(match)
        summary = toolbox.match_summary(found_match.id)
        return summary_text(summary, found_match), ToolResult(found_match.id, tuple(summary.spots))

    def search_commentary(
        query: str,
        match: str | None = None,
        half: int | None = None,
        from_minute: float | None = None,
        to_minute: float | None = None,
    ) -> tuple[str, ToolResult]:
        hits = toolbox.search_commentary(query, match, half, from_minute, to_minute)
        titles = {m.id: m.title for m in toolbox.corpus.matches if m.id in {h.match_id for h in hits}}
        if not hits:
            return "nothing found", ToolResult()
        match_id = toolbox.resolve_match(match).id if match else None
        return hits_text(hits, titles), ToolResult(match_id)

    def make_highlight_reel(
        match: str,
        actions: list[str] | None = None,
        half: int | None = None,
        from_minute: float | None = None,
        to_minute: float | None = None,
        team: str | None = None,
    ) -> tuple[str, ToolResult]:
        found_match = toolbox.resolve_match(match)
        spots = toolbox.spot_actions(found_match.id, actions, half, from_minute, to_minute, team=team)
        reel = toolbox.reel_of(found_match, spots)
        return f"highlight reel written: {reel.describe()}", ToolResult(found_match.id, tuple(spots), reel.path)

    functions = {
        "find_matches": (find_matches, toolbox.find_matches),
        "spot_actions": (spot_actions, toolbox.spot_actions),
        "match_summary": (match_summary, toolbox.match_summary),
        "search_commentary": (search_commentary, toolbox.search_commentary),
        "make_highlight_reel": (make_highlight_reel, toolbox.make_reel),
    }
    return [
        StructuredTool.from_function(
            func=_guarded(function),
            name=name,
            description=" ".join((method.__doc__ or name).split()),
            response_format="content_and_artifact",
        )
        for name, (function, method) in functions.items()
    ]
