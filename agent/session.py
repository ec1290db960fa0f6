"""A conversation: what the last answer was, so follow-ups ("only the second half", "the second one",
"which of those were Chelsea's?") can refer back to it; and what an answer is."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from spotting.types import Spot
from tools.query import Intent, MomentQuery

from .plan import Plan


@dataclass
class Answer:
    """One reply: its text, the intervals it names, the match it is about, who answered and how."""

    text: str
    spots: list[Spot]
    match_id: str | None
    backend: str  # "planner" or the LLM's model name
    tool_calls: list[dict] = field(default_factory=list)  # {"name": ..., "args": {...}} in call order
    notice: str = ""  # e.g. "endpoint unreachable, answered offline"
    video: Path | None = None  # the highlight reel the answer made, for the UI to play
    query: MomentQuery | None = None  # the moments it is about, canonical (match id, class names)


@dataclass
class Session:
    """The state of one conversation: the LLM's memory (its last messages, bounded by ``agent.llm``)
    and what the offline planner needs for follow-ups. Nothing of it is kept anywhere else, so a
    conversation is forgotten by dropping its session."""

    id: str = field(default_factory=lambda: uuid.uuid4().hex)
    llm_memory: list[Any] = field(default_factory=list, repr=False)  # langchain messages, oldest first
    match_id: str | None = None
    last_plan: Plan | None = None
    last_spots: list[Spot] = field(default_factory=list)
    listed_matches: tuple[str, ...] = ()  # the last list of matches shown ("which Hertha games?"), by id
    llm_match_id: str | None = None  # the match the LLM's thread last heard about (told or found itself)

    def remember(self, plan: Plan | None, answer: Answer) -> None:
        """Keep what a follow-up may refer to: the last list of intervals and the query behind it (in
        its canonical form, so "only the second half" replaces one field of exactly what was shown).
        Answers that list nothing (a search, a help text, picking one item) keep the previous list."""
        if answer.match_id:
            self.match_id = answer.match_id
        if plan is not None and plan.intent is Intent.MATCHES:
            self.listed_matches = plan.candidates
        if plan is not None and plan.intent.asks_back:
            self.match_id = None  # "which one?": no match is in view until the reply says
        if plan is None or not plan.remembered:
            return
        listed = plan.intent.lists_moments
        self.last_plan = replace(plan, query=answer.query) if listed and answer.query is not None else plan
        if listed:
            self.last_spots = list(answer.spots)

    def forget_llm_memory(self) -> None:
        """Start the LLM afresh (after a failed turn): nothing of the old conversation is left behind."""
        self.llm_memory = []
        self.llm_match_id = None
