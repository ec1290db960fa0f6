"""Token and cost accounting of an LLM run, printed at its end."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any

# USD per million (input, cached input, output) tokens, from OpenAI's price list (o4-mini, 2025).
# Reasoning tokens are billed as output. Models not listed (a vLLM server) show no cost.
PRICES_PER_MILLION: dict[str, tuple[float, float, float]] = {
    "o4-mini": (1.10, 0.275, 4.40),
}


def price_of(model: str) -> tuple[float, float, float] | None:
    """The price of ``model`` or of its dated snapshot (``o4-mini-2025-04-16``)."""
    name = model.split("/")[-1]
    return next((p for key, p in PRICES_PER_MILLION.items() if name == key or name.startswith(key + "-")), None)


@dataclass
class Usage:
    """Requests and tokens of one spotter, across threads; cached replies cost nothing."""

    requests: int = 0
    cached: int = 0
    failed: int = 0
    malformed: int = 0  # of the failed: replies that were not a chat completion, or too long
    retried: int = 0
    prompt_tokens: int = 0
    cached_prompt_tokens: int = 0
    completion_tokens: int = 0
    reasoning_tokens: int = 0
    parse_failures: int = 0
    seconds: float = 0.0  # wall time spent asking (cache hits included)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    def add_reply(self, usage: dict[str, Any] | None, requests: int = 1) -> None:
        """Count answered requests from their ``usage`` (OpenAI's field names)."""
        usage = usage or {}
        with self._lock:
            self.requests += requests
            self.prompt_tokens += int(usage.get("prompt_tokens") or 0)
            self.completion_tokens += int(usage.get("completion_tokens") or 0)
            self.cached_prompt_tokens += int((usage.get("prompt_tokens_details") or {}).get("cached_tokens") or 0)
            self.reasoning_tokens += int((usage.get("completion_tokens_details") or {}).get("reasoning_tokens") or 0)

    def count(self, what: str, n: float = 1) -> None:
        """Add ``n`` to one of the counters (cached, failed, malformed, retried, parse_failures, seconds)."""
        with self._lock:
            setattr(self, what, getattr(self, what) + n)

    def cost(self, model: str) -> float | None:
        """USD spent by the requests this run made, or None when the model's price is not known."""
        price = price_of(model)
        if price is None:
            return None
        fresh = self.prompt_tokens - self.cached_prompt_tokens
        return (fresh * price[0] + self.cached_prompt_tokens * price[1] + self.completion_tokens * price[2]) / 1e6

    def summary(self, model: str) -> str:
        cost = self.cost(model)
        speed = f", {self.completion_tokens / self.seconds:.1f} completion tokens/s" if self.seconds else ""
        return (
            f"{model}: {self.requests} requests ({self.retried} retried, {self.failed} failed"
            f"{f', {self.malformed} of them malformed' if self.malformed else ''}), "
            f"{self.cached} answers from the cache; tokens: {self.prompt_tokens} prompt, "
            f"{self.completion_tokens} completion ({self.reasoning_tokens} reasoning){speed}; "
            f"cost: {'n/a (no price for this model)' if cost is None else f'${cost:.4f}'}; "
            f"{self.parse_failures} reply parts not understood"
        )
