"""The settings panel's back ends: the embedded default, or an OpenAI-compatible endpoint (OpenAI, vLLM).

A key comes from the password field, else from ``$OPENAI_API_KEY``; it is only ever passed to the
endpoint. Messages shown to a user never contain it (``LLMSettings.redact``); nothing logs or writes it.
"""

from __future__ import annotations

import os
from urllib.parse import urlparse

import openai

from agent import LLMSettings
from agent.settings import DEFAULT_MODEL
from index.errors import HighlightsError

EMBEDDED, OPENAI, VLLM = "embedded", "openai", "vllm"
BACKEND_CHOICES: list[tuple[str, str]] = [
    ("Embedded (offline, no key)", EMBEDDED),
    ("OpenAI-compatible endpoint", OPENAI),
    ("vLLM server", VLLM),
]
DEFAULT_URLS = {OPENAI: "https://api.openai.com/v1", VLLM: "http://127.0.0.1:8000/v1"}
DEFAULT_MODELS = {OPENAI: DEFAULT_MODEL, VLLM: "mistralai/Mistral-7B-Instruct-v0.3"}
KEY_ENV = "OPENAI_API_KEY"
CONNECT_TIMEOUT_S = 5.0
WHERE = "settings"


def llm_settings(backend: str, base_url: str, model: str, api_key: str) -> LLMSettings | None:
    """The agent's LLM settings for the panel's choice; ``None`` for the embedded back end."""
    if backend == EMBEDDED:
        return None
    if backend not in DEFAULT_URLS:
        raise HighlightsError(
            f"unknown back end {backend!r}; choose one of {', '.join(DEFAULT_URLS)} or {EMBEDDED}", WHERE
        )
    url = (base_url or DEFAULT_URLS[backend]).strip()
    parsed = urlparse(url)
    if parsed.scheme not in ("http", "https") or not parsed.netloc:
        raise HighlightsError(f"the endpoint URL must look like http://host:port/v1, not {url!r}", WHERE)
    key = api_key.strip() or os.environ.get(KEY_ENV, "")
    if backend == OPENAI and not key:
        raise HighlightsError(f"an OpenAI endpoint needs an API key: type it in the key field or set ${KEY_ENV}", WHERE)
    return LLMSettings(base_url=url, api_key=key or "EMPTY", model=(model or DEFAULT_MODELS[backend]).strip())


def test_connection(settings: LLMSettings | None) -> str:
    """Ask the endpoint for its models; a sentence on success, a ``HighlightsError`` that says why not."""
    if settings is None:
        return "The embedded back end runs in this process: nothing to connect to."
    client = openai.OpenAI(
        base_url=settings.base_url, api_key=settings.api_key, timeout=CONNECT_TIMEOUT_S, max_retries=0
    )
    try:
        models = [m.id for m in client.models.list()]
    except openai.AuthenticationError:
        raise HighlightsError("the endpoint refused the API key (401)", settings.base_url) from None
    except openai.APITimeoutError:
        raise HighlightsError(f"no answer within {CONNECT_TIMEOUT_S:g} s", settings.base_url) from None
    except openai.APIConnectionError:
        raise HighlightsError("cannot connect: is the server running at this URL?", settings.base_url) from None
    except openai.APIStatusError as error:
        reason = settings.redact(str(error.message))[:200]
        raise HighlightsError(f"the endpoint answered {error.status_code}: {reason}", settings.base_url) from None
    if settings.model not in models:
        listed = ", ".join(models[:8]) or "none"
        raise HighlightsError(
            f"connected, but it does not serve {settings.model!r} (it serves: {listed})", settings.base_url
        )
    return f"Connected to {settings.base_url}: {settings.model} is served ({len(models)} model(s))."
