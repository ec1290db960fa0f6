"""Which endpoints a user of the app may make the server call, and with whose key.

The operator configures the server: ``$OPENAI_BASE_URL`` (where ``$OPENAI_API_KEY`` belongs; OpenAI's
own URL when unset), ``$HIGHLIGHTS_LLM_MODEL`` and ``$HIGHLIGHTS_ENDPOINTS`` (more base URLs, comma
separated, or ``*`` for any public host). Whoever types in the settings panel is a *user*:

- the operator's key goes to the operator's URL only, never to a URL a user typed; in a public
  run, only for the operator's model too (a visitor must not spend it on any model they like);
- a public run calls the configured endpoints only; with ``*``, any host that resolves to public
  addresses (never loopback, private or link-local), and with the visitor's own key;
- a private run (one's own laptop) calls any http(s) URL its one user types, with their key.

Public is the default when the app runs as a Hugging Face Space (``$SYSTEM`` = ``spaces`` or
``$SPACE_ID`` set, the variables Spaces sets and Gradio reads) and with ``highlights serve --public``.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import urlparse

from agent import LLMSettings
from agent.endpoint import DEFAULT_PORTS, check_public_host, check_url
from agent.settings import DEFAULT_MODEL, DEFAULT_TIMEOUT_S
from index.errors import HighlightsError
from index.settings import ENDPOINTS_ENV

EMBEDDED, OPENAI, VLLM = "embedded", "openai", "vllm"
OPENAI_URL = "https://api.openai.com/v1"  # where the openai client sends a key when no base URL is set
DEFAULT_URLS = {OPENAI: OPENAI_URL, VLLM: "http://127.0.0.1:8000/v1"}
DEFAULT_MODELS = {OPENAI: DEFAULT_MODEL, VLLM: "mistralai/Mistral-7B-Instruct-v0.3"}
ANY_PUBLIC_HOST = "*"
WHERE = "settings"


def is_space(env: Mapping[str, str] | None = None) -> bool:
    """Whether the app runs on Hugging Face Spaces."""
    env = os.environ if env is None else env
    return env.get("SYSTEM") == "spaces" or bool(env.get("SPACE_ID"))


def same_endpoint(url: str, other: str) -> bool:
    """Whether two base URLs name one endpoint (case of scheme and host, default port and a final
    slash aside): the test that decides where the operator's key may go."""
    a, b = urlparse(url.strip()), urlparse(other.strip())

    def key(parsed) -> tuple:
        scheme = parsed.scheme.lower()
        port = parsed.port or DEFAULT_PORTS.get(scheme)
        return scheme, (parsed.hostname or "").lower(), port, parsed.path.rstrip("/")

    return not (a.username or a.password) and key(a) == key(b)


@dataclass(frozen=True)
class EndpointPolicy:
    """The operator's configuration and the mode; ``settings`` turns a user's panel into ``LLMSettings``."""

    public: bool
    operator_url: str = OPENAI_URL
    operator_key: str = field(default="", repr=False)
    operator_model: str = DEFAULT_MODEL
    endpoints: tuple[str, ...] = ()  # more base URLs the operator allows
    any_public_host: bool = False

    timeout_s: float = DEFAULT_TIMEOUT_S

    @classmethod
    def from_env(cls, public: bool, env: Mapping[str, str] | None = None) -> EndpointPolicy:
        """The operator's endpoint as ``LLMSettings.from_env`` reads it, and ``$HIGHLIGHTS_ENDPOINTS``."""
        env = os.environ if env is None else env
        listed = [u.strip() for u in env.get(ENDPOINTS_ENV, "").split(",") if u.strip()]
        for url in listed:
            if url != ANY_PUBLIC_HOST:
                check_url(url)
        operator = LLMSettings.from_env(env) or LLMSettings(base_url=None, api_key="")
        return cls(
            public=public,
            operator_url=operator.base_url or OPENAI_URL,
            operator_key="" if operator.api_key == "EMPTY" else operator.api_key,
            operator_model=operator.model,
            endpoints=tuple(u for u in listed if u != ANY_PUBLIC_HOST),
            any_public_host=ANY_PUBLIC_HOST in listed,
            timeout_s=operator.timeout_s,
        )

    @property
    def allowed(self) -> tuple[str, ...]:
        """The endpoints a public run calls (besides any public host, with ``*``)."""
        return (self.operator_url, *self.endpoints)

    def default_url(self, backend: str) -> str:
        return self.operator_url if backend == OPENAI else DEFAULT_URLS[backend]

    def key_hint(self) -> str:
        """The key field's placeholder: whether the operator's key stands in for an empty field, and where."""
        return f"empty: the server's key (for {self.operator_url})" if self.operator_key else "sk-…"

    def settings(self, backend: str, base_url: str, model: str, api_key: str) -> LLMSettings | None:
        """The agent's settings for a user's choice; ``None`` for the embedded back end; a
        ``HighlightsError`` that says why when the choice is not allowed."""
        if backend == EMBEDDED:
            return None
        if backend not in DEFAULT_URLS:
            raise HighlightsError(
                f"unknown back end {backend!r}; choose one of {', '.join(DEFAULT_URLS)} or {EMBEDDED}", WHERE
            )
        url = (base_url or "").strip() or self.default_url(backend)
        check_url(url)
        configured = any(same_endpoint(url, allowed) for allowed in self.allowed)
        public_only = self.public and not configured
        if public_only and not self.any_public_host:
            raise HighlightsError(
                f"this server calls only the endpoint(s) its operator set up: {', '.join(self.allowed)}", WHERE
            )
        if public_only:
            check_public_host(url)
        key = (api_key or "").strip()
        model = (model or "").strip()
        if not key and self.operator_key and same_endpoint(url, self.operator_url):
            if self.public and model not in ("", self.operator_model):
                raise HighlightsError(
                    f"this server's key is for {self.operator_model} only; type your own key to ask {model}", WHERE
                )
            key, model = self.operator_key, model or self.operator_model
        if backend == OPENAI and not key:
            raise HighlightsError("an OpenAI endpoint needs an API key: type yours in the key field", WHERE)
        model = model or DEFAULT_MODELS[backend]
        return LLMSettings(url, key or "EMPTY", model, timeout_s=self.timeout_s, public_only=public_only)
