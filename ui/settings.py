"""The settings panel's back ends (the embedded default, or an OpenAI-compatible endpoint: OpenAI, vLLM)
and its *Test connection* button. Which endpoint and key a choice may use is ``ui.access``'s rule.

A key is only ever passed to the endpoint. Messages shown to a user never contain it
(``LLMSettings.redact``); nothing logs or writes it.
"""

from __future__ import annotations

from dataclasses import replace

import openai

from agent import LLMSettings
from agent.endpoint import PrivateAddress, endpoint_client
from index.errors import HighlightsError

from .access import EMBEDDED, OPENAI, VLLM

BACKEND_CHOICES: list[tuple[str, str]] = [
    ("Embedded (offline, no key)", EMBEDDED),
    ("OpenAI-compatible endpoint", OPENAI),
    ("vLLM server", VLLM),
]
CONNECT_TIMEOUT_S = 5.0  # a connection test is a glance: an endpoint slower than this is reported as such


def test_connection(settings: LLMSettings | None) -> str:
    """Ask the endpoint for its models; a sentence on success, a ``HighlightsError`` that says why not."""
    if settings is None:
        return "The embedded back end runs in this process: nothing to connect to."
    quick = replace(settings, timeout_s=CONNECT_TIMEOUT_S, max_retries=0)
    client = openai.OpenAI(
        base_url=quick.base_url, api_key=quick.api_key, http_client=endpoint_client(quick), max_retries=0
    )
    try:
        models = [m.id for m in client.models.list()]
    except openai.AuthenticationError:
        raise HighlightsError("the endpoint refused the API key (401)", settings.base_url) from None
    except openai.APITimeoutError:
        raise HighlightsError(f"no answer within {CONNECT_TIMEOUT_S:g} s", settings.base_url) from None
    except openai.APIConnectionError as error:
        if isinstance(error.__cause__, PrivateAddress):
            raise HighlightsError("cannot connect: the host is a local or private address", settings.base_url) from None
        raise HighlightsError("cannot connect: is the server running at this URL?", settings.base_url) from None
    except openai.APIStatusError as error:
        reason = settings.redact(str(error.message))[:200]
        raise HighlightsError(f"the endpoint answered {error.status_code}: {reason}", settings.base_url) from None
    finally:
        client.close()
    if settings.model not in models:
        listed = ", ".join(models[:8]) or "none"
        raise HighlightsError(
            f"connected, but it does not serve {settings.model!r} (it serves: {listed})", settings.base_url
        )
    return f"Connected to {settings.base_url}: {settings.model} is served ({len(models)} model(s))."
