"""The assistants the app answers with: the embedded one, and one per LLM endpoint setting a user picks.

They all share one toolbox (one spot cache, one commentary index) and hold no conversation (a
session carries its own, LLM memory included), so keeping only the last few endpoint settings costs
nothing but rebuilding a client: one user's settings never evict another user's conversation.
"""

from __future__ import annotations

import functools

from agent import Assistant, LLMSettings

MAX_ENDPOINTS = 8  # LLM clients kept ready; one more is built in a few milliseconds


class Assistants:
    """``for_settings(None)`` is the embedded assistant; any ``LLMSettings`` gets its own, cached."""

    def __init__(self, embedded: Assistant) -> None:
        self.embedded = embedded
        self._llm = functools.lru_cache(maxsize=MAX_ENDPOINTS)(self._make)

    def _make(self, settings: LLMSettings) -> Assistant:
        return Assistant(self.embedded.corpus, llm=settings, toolbox=self.embedded.toolbox)

    def for_settings(self, settings: LLMSettings | None) -> Assistant:
        return self.embedded if settings is None else self._llm(settings)
