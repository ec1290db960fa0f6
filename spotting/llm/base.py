"""What every LLM spotter shares: cut the halves into chunks, ask the model about each chunk with
the same prompts, read the replies with the same parser. A back end only says how it asks."""

from __future__ import annotations

import logging
import sys
import time
from collections.abc import Sequence
from typing import Any

from index.chunks import DEFAULT_CHUNK_S, chunk_half
from index.errors import HighlightsError
from index.types import HALVES, Chunk, Match
from spotting.types import GameSpots, Spot

from .accounting import Usage
from .parsing import parse_reply
from .prompting import build_messages, check_variant

log = logging.getLogger(__name__)

# Option types, for values that arrive as text (``highlights spot --option max_tokens=4000``).
INT_OPTIONS = {
    "concurrency", "max_retries", "max_tokens", "batch_size", "max_new_tokens", "max_reply_bytes",
    "max_failures_in_a_row",
}  # fmt: skip
FLOAT_OPTIONS = {"backoff_s", "timeout_s", "chunk_s"}
BOOL_OPTIONS = {"structured", "stream", "use_cache", "progress"}


def typed_options(options: dict[str, Any]) -> dict[str, Any]:
    """``options`` with the text values of numeric and yes/no options converted."""
    typed = dict(options)
    for key, value in options.items():
        if not isinstance(value, str):
            continue
        try:
            if key in INT_OPTIONS:
                typed[key] = int(value)
            elif key in FLOAT_OPTIONS:
                typed[key] = float(value)
        except ValueError:
            raise HighlightsError(f"{key} must be a number, not {value!r}", "--option") from None
        if key in BOOL_OPTIONS:
            if value.lower() not in {"true", "false", "yes", "no", "1", "0"}:
                raise HighlightsError(f"{key} must be true or false, not {value!r}", "--option")
            typed[key] = value.lower() in {"true", "yes", "1"}
    return typed


# A chunk with its chat messages; ``ask`` answers a list of them with one reply each (None: no reply).
Question = tuple[Chunk, list[dict]]


class LLMSpotter:
    """Base of the LLM back ends; subclasses set ``name``, ``model`` and implement ``ask``."""

    name = "llm"
    model = ""

    def __init__(self, variant: str = "zero-shot", examples: Sequence[Chunk] = (), chunk_s: float = DEFAULT_CHUNK_S):
        check_variant(variant)
        self.variant = variant
        self.examples = tuple(examples)
        self.chunk_s = chunk_s
        self.usage = Usage()

    def ask(self, questions: list[Question], desc: str) -> list[str | None]:
        raise NotImplementedError

    def questions(self, match: Match, halves: Sequence[int]) -> list[Question]:
        """One question per chunk with commentary (a silent chunk has nothing to read)."""
        for half in halves:
            if half not in HALVES:
                raise HighlightsError(f"no half {half!r}; a match has halves {HALVES}", match.id)
        chunks = [c for half in halves for c in chunk_half(match, half, self.chunk_s) if c.segments]
        examples = [e for e in self.examples if e.match_id != match.id]
        return [(c, build_messages(c, match, self.variant, examples)) for c in chunks]

    def spot_game(self, match: Match, halves: Sequence[int] = HALVES) -> GameSpots:
        """The spots of every chunk that got a reply, and the chunks that did not."""
        questions = self.questions(match, halves)
        started = time.perf_counter()
        replies = self.ask(questions, desc=match.title)
        self.usage.count("seconds", time.perf_counter() - started)
        spots: list[Spot] = []
        failed: list[str] = []
        for (chunk, _), reply in zip(questions, replies, strict=True):
            if reply is None:
                failed.append(f"half {chunk.half} at {chunk.start:g}-{chunk.end:g} s")
                continue
            result = parse_reply(reply, chunk, self.name)
            self.usage.count("parse_failures", len(result.failures))
            spots.extend(result.spots)
        return GameSpots(sorted(spots, key=lambda s: (s.half, s.position_ms, s.label)), tuple(failed))

    def spot(self, match: Match, halves: Sequence[int] = HALVES) -> list[Spot]:
        """The spots of the chunks that got a reply (``spot_game`` also says which did not)."""
        result = self.spot_game(match, halves)
        if result.failed:
            log.warning("%s: %d chunks got no reply; their spots are missing", match.id, len(result.failed))
        return result.spots

    def report(self, stream=None) -> str:
        """The run's requests, tokens and cost, printed (to stderr by default) and returned."""
        text = self.usage.summary(self.model)
        print(text, file=stream or sys.stderr)
        return text
