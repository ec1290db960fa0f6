"""Where the LLM agent's model is: any OpenAI-compatible endpoint (OpenAI, vLLM serving Mistral-7B).

The key is held here and handed to the client only; it is left out of ``repr`` and of every message.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from index.errors import HighlightsError
from index.settings import API_KEY_ENV, BASE_URL_ENV, LLM_MODEL_ENV, LLM_TIMEOUT_ENV, env

DEFAULT_MODEL = "gpt-4o-mini"  # OpenAI's small model with tool calls, for an OpenAI key and no model named
DEFAULT_TIMEOUT_S = 30.0  # an endpoint slower than this is answered offline instead: a chat must not hang


@dataclass(frozen=True)
class LLMSettings:
    """An endpoint, its key and the model to ask. Hashable, so a UI can cache one agent per setting."""

    base_url: str | None
    api_key: str = field(repr=False)
    model: str = DEFAULT_MODEL
    timeout_s: float = DEFAULT_TIMEOUT_S
    max_retries: int = 1
    public_only: bool = False  # a visitor of a public server named the endpoint: connect to public addresses only

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> LLMSettings | None:
        """``OPENAI_BASE_URL``, ``OPENAI_API_KEY`` and ``HIGHLIGHTS_LLM_MODEL``; ``None`` when neither the
        URL nor the key is set (then the offline planner answers)."""
        base_url = env(BASE_URL_ENV, environ) or None
        api_key = env(API_KEY_ENV, environ)
        if not base_url and not api_key:
            return None
        timeout = env(LLM_TIMEOUT_ENV, environ)
        try:
            timeout_s = float(timeout) if timeout else DEFAULT_TIMEOUT_S
        except ValueError:
            raise HighlightsError(f"not a number of seconds: {timeout!r}", LLM_TIMEOUT_ENV) from None
        model = env(LLM_MODEL_ENV, environ) or DEFAULT_MODEL
        return cls(base_url=base_url, api_key=api_key or "EMPTY", model=model, timeout_s=timeout_s)

    def redact(self, text: str) -> str:
        """``text`` with the key blanked out, for anything that might repeat what the endpoint was sent."""
        if self.api_key and self.api_key != "EMPTY":
            return text.replace(self.api_key, "***")
        return text
