"""The assistant the UI and the CLI talk to: the LLM agent when an endpoint is set, else (and whenever
the endpoint fails) the offline planner, both over the same tools and the same session state."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from pathlib import Path

from index.corpus import Corpus
from spotting.types import Spotter
from tools.formatting import interval_sentence, spots_block
from tools.toolbox import Toolbox, default_spotter

from .plan import MAX_QUESTION_CHARS
from .planner import BACKEND, Planner
from .session import Answer, Session
from .settings import LLMSettings

log = logging.getLogger(__name__)

RETRY_AFTER_S = 60.0  # after the endpoint was unreachable or timed out, answer offline this long


class Assistant:
    """Questions in, timestamped intervals out; follow-ups read against the session."""

    def __init__(
        self,
        corpus: Corpus,
        spotter: Spotter | None = None,
        llm: LLMSettings | None = None,
        cache_dir: Path | None = None,
        toolbox: Toolbox | None = None,
    ) -> None:
        """``toolbox``: share another assistant's tools (its spot cache and commentary index) instead
        of building new ones, as an app does for every endpoint a user picks."""
        self.corpus = corpus
        self.spotter = toolbox.spotter if toolbox else spotter or default_spotter()
        self.toolbox = toolbox or Toolbox(corpus, self.spotter, cache_dir=cache_dir)
        self.planner = Planner(self.toolbox)
        self.llm = llm
        self._down_until = 0.0  # monotonic time until which a dead endpoint is not asked again
        self._agent = None
        if llm:  # langchain is imported only when an endpoint is set: the offline path stays light
            from .llm import LLMAgent

            self._agent = LLMAgent(self.toolbox, llm)

    @property
    def backend(self) -> str:
        return self.llm.model if self.llm else BACKEND

    @property
    def answers_here(self) -> bool:
        """Whether the next answer is computed on this machine: no endpoint, or one marked down (the app then
        gives it a CPU place, so answers in place of a dead endpoint queue with the others, not beside them)."""
        return self._agent is None or time.monotonic() < self._down_until

    def new_session(self) -> Session:
        return Session()

    def ask(self, question: str, session: Session, match_id: str | None = None) -> Answer:
        """The whole answer at once."""
        *_, answer = self.stream(question, session, match_id)  # the stream always ends with the Answer
        return answer

    def stream(self, question: str, session: Session, match_id: str | None = None) -> Iterator[str | Answer]:
        """Text pieces as they come, then the final ``Answer``."""
        question = question if isinstance(question, str) else ""
        if time.monotonic() < self._down_until:
            yield from self._fallback(question, session, match_id, "the endpoint failed a moment ago")
            return
        if self._agent is None or not question.strip() or len(question.strip()) > MAX_QUESTION_CHARS:
            # no endpoint, or nothing worth sending to one: the planner's reply is the answer
            answer = self.planner.ask(question, session, match_id)
            yield from _lines(answer.text)
            yield answer
            return
        from .llm import LLMFailure, Turn, remember

        try:
            turn = None
            for piece in self._agent.stream(question, session.llm_memory, self._context(session, match_id)):
                if isinstance(piece, Turn):
                    turn = piece
                else:
                    yield piece
        except LLMFailure as failure:
            if failure.down:  # do not make every question wait for a dead endpoint
                self._down_until = time.monotonic() + RETRY_AFTER_S
            yield from self._fallback(question, session, match_id, failure.reason)
            return
        missing = self._missing_intervals(turn)
        if missing:
            yield missing
        plan = turn.plan()
        answer = Answer(
            turn.text + missing,
            turn.spots,
            turn.match_id or match_id,
            self.llm.model,
            turn.calls,
            video=turn.video,
            query=plan.query if plan else None,
        )
        session.remember(plan, answer)
        session.llm_memory = remember(session.llm_memory, turn)
        session.llm_match_id = answer.match_id or session.llm_match_id
        yield answer

    def _missing_intervals(self, turn) -> str:
        """The tools' intervals in the research's form, when the model's text left some out (a small
        model may paraphrase or garble times; the intervals themselves always come from the tools)."""
        blocks: dict[tuple, str] = {}
        for result in turn.results:
            if not result.match_id or not result.spots:
                continue
            if all(interval_sentence(s.label, s.start, s.end) in turn.text for s in result.spots):
                continue
            match = self.corpus.get(result.match_id)
            blocks.setdefault((match.id, result.spots), f"{match.title}:\n{spots_block(list(result.spots), match)}")
        return "\n\nThe intervals the tools found:\n" + "\n".join(blocks.values()) if blocks else ""

    def _fallback(self, question: str, session: Session, match_id: str | None, reason: str) -> Iterator[str | Answer]:
        """Answer offline after an LLM failure; the LLM starts afresh next time."""
        log.warning("LLM agent failed (%s); answering with the offline planner", reason)
        session.forget_llm_memory()
        answer = self.planner.ask(question, session, match_id)
        answer.notice = f"{self.llm.redact(reason)}; answered offline"
        yield f"\n[{answer.notice}]\n"
        yield from _lines(answer.text)
        yield answer

    def _context(self, session: Session, match_id: str | None) -> str:
        """The match in view, told to the model when it is not the one its thread already knows
        (the UI's picker can change it between questions)."""
        chosen = match_id or session.match_id
        if not chosen or chosen == session.llm_match_id:
            return ""
        for match in self.corpus.matches:
            if match.id == chosen:
                session.llm_match_id = chosen
                return f"(The match in view: {match.title}, {match.date.isoformat()}; id {match.id!r}.)"
        return ""


def _lines(text: str) -> Iterator[str]:
    """A finished text as stream pieces, a line at a time."""
    yield from text.splitlines(keepends=True)
