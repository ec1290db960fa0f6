"""Spotting with any OpenAI-compatible endpoint through the official ``openai`` client.

- OpenAI itself, e.g. ``o4-mini``: reasoning models take ``max_completion_tokens`` and
  ``reasoning_effort`` and refuse ``temperature``.
- ``vllm serve mistralai/Mistral-7B-v0.3`` (``--enable-lora --lora-modules spotter=ADAPTER`` for the
  fine-tuned model, then asked for as model ``spotter``): greedy decoding, JSON-schema guided output.

Throughput for a whole split: a bounded pool of concurrent requests, retries with exponential
backoff (honouring ``retry-after``) on 429, 5xx, timeouts and dropped connections, and an on-disk
cache of replies so a rerun costs nothing and an interrupted run resumes. The API key is read
from an environment variable and never logged, printed, cached or put in an error message.
"""

from __future__ import annotations

import logging
import os
import random
import re
import threading
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from pathlib import Path
from typing import Any

import openai
from tqdm import tqdm

from index.chunks import DEFAULT_CHUNK_S
from index.errors import HighlightsError
from index.types import Chunk

from .base import LLMSpotter, Question, typed_options
from .cache import ReplyCache, default_cache_dir
from .prompting import RESPONSE_SCHEMA

log = logging.getLogger(__name__)

BASE_URL_ENV = "OPENAI_BASE_URL"
API_KEY_ENV = "OPENAI_API_KEY"
VLLM_DEFAULT_URL = "http://localhost:8000/v1"
VLLM_DEFAULT_MODEL = "mistralai/Mistral-7B-v0.3"
OPENAI_DEFAULT_MODEL = "o4-mini"
REASONING_MODEL = re.compile(r"^(o\d|gpt-5)")
RETRY_STATUSES = {408, 409, 429}
MAX_BACKOFF_S = 60.0
RESPONSE_FORMAT = {
    "type": "json_schema",
    "json_schema": {"name": "spotted_actions", "schema": RESPONSE_SCHEMA, "strict": True},
}


def is_reasoning_model(model: str) -> bool:
    """OpenAI's o-series and gpt-5 models: no temperature, ``max_completion_tokens``."""
    return bool(REASONING_MODEL.match(model.split("/")[-1]))


class _Transient(Exception):
    """A request that may succeed if tried again (429, 5xx, timeout, dropped connection)."""


class OpenAISpotter(LLMSpotter):
    """An LLM spotter over an OpenAI-compatible chat-completions endpoint."""

    def __init__(
        self,
        model: str,
        *,
        name: str = "openai",
        base_url: str | None = None,
        api_key: str | None = None,
        variant: str = "zero-shot",
        examples: Sequence[Chunk] = (),
        concurrency: int = 8,
        cache_dir: str | Path | None = None,
        use_cache: bool = True,
        max_retries: int = 5,
        backoff_s: float = 1.0,
        timeout_s: float = 300.0,
        structured: bool = True,
        stream: bool = False,
        reasoning_effort: str | None = None,
        max_tokens: int | None = None,
        chunk_s: float = DEFAULT_CHUNK_S,
        progress: bool = True,
    ) -> None:
        super().__init__(variant, examples, chunk_s)
        if concurrency < 1:
            raise HighlightsError(f"concurrency must be at least 1, not {concurrency}", "--concurrency")
        self.name = name
        self.model = model
        self.base_url = base_url
        self.concurrency = concurrency
        self.max_retries = max_retries
        self.backoff_s = backoff_s
        self.structured = structured
        self.stream = stream
        self.reasoning_effort = reasoning_effort
        self.max_tokens = max_tokens
        self.progress = progress
        self.cache = ReplyCache((Path(cache_dir) if cache_dir else default_cache_dir()) if use_cache else None)
        # The client keeps the key; retries are ours (counted and logged), not the client's.
        self._client = openai.OpenAI(base_url=base_url, api_key=api_key, max_retries=0, timeout=timeout_s)
        self._lock = threading.Lock()

    def __repr__(self) -> str:  # never the key
        return f"OpenAISpotter(name={self.name!r}, model={self.model!r}, base_url={self.base_url!r})"

    # --- the request ---

    def request(self, messages: list[dict]) -> dict[str, Any]:
        """The parameters of one chat-completions call (what the cache key also covers)."""
        request: dict[str, Any] = {"messages": messages}
        if is_reasoning_model(self.model):
            request["max_completion_tokens"] = self.max_tokens or 16000
            if self.reasoning_effort:
                request["reasoning_effort"] = self.reasoning_effort
        else:
            request["temperature"] = 0.0
            request["max_tokens"] = self.max_tokens or 1024
        if self.structured:
            request["response_format"] = RESPONSE_FORMAT
        return request

    def _call(self, request: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        """One call: the reply text (content, else tool-call arguments) and its usage."""
        try:
            if self.stream:
                return self._call_streaming(request)
            completion = self._client.chat.completions.create(model=self.model, **request)
        except (openai.APITimeoutError, openai.APIConnectionError) as error:
            raise _Transient(type(error).__name__) from error
        except openai.APIStatusError as error:
            if error.status_code in RETRY_STATUSES or error.status_code >= 500:
                raise _Transient(f"HTTP {error.status_code}") from error
            raise
        usage = completion.usage.model_dump() if completion.usage else {}
        if not completion.choices:
            return "", usage
        message = completion.choices[0].message
        calls = [c.function.arguments for c in message.tool_calls or () if getattr(c, "function", None)]
        return message.content or "\n".join(calls), usage

    def _call_streaming(self, request: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        parts: list[str] = []
        calls: dict[int, list[str]] = {}
        usage: dict[str, Any] = {}
        stream = self._client.chat.completions.create(
            model=self.model, stream=True, stream_options={"include_usage": True}, **request
        )
        for chunk in stream:
            if chunk.usage:
                usage = chunk.usage.model_dump()
            for choice in chunk.choices:
                parts.append(choice.delta.content or "")
                for call in choice.delta.tool_calls or ():
                    calls.setdefault(call.index, []).append((call.function and call.function.arguments) or "")
        text = "".join(parts)
        return text or "\n".join("".join(calls[i]) for i in sorted(calls)), usage

    def _call_with_retries(self, request: dict[str, Any], where: str) -> tuple[str, dict[str, Any]]:
        for attempt in range(self.max_retries + 1):
            try:
                return self._call(request)
            except _Transient as error:
                if attempt == self.max_retries:
                    raise
                delay = _retry_after(error.__cause__) or min(MAX_BACKOFF_S, self.backoff_s * 2**attempt)
                delay *= random.uniform(0.8, 1.2)
                self.usage.count("retried")
                log.info("%s: %s, retry %d/%d in %.2f s", where, error, attempt + 1, self.max_retries, delay)
                time.sleep(delay)
        raise AssertionError("unreachable")

    # --- one chunk, many chunks ---

    def _answer(self, chunk: Chunk, messages: list[dict]) -> str | None:
        """The reply for one chunk: from the cache, else from the endpoint (then cached)."""
        request = self.request(messages)
        key = self.cache.key(self.model, request, chunk)
        cached = self.cache.get(self.model, key)
        if cached is not None:
            self.usage.count("cached")
            return cached["reply"]
        where = f"{chunk.match_id} half {chunk.half} at {chunk.start:g} s"
        try:
            reply, usage = self._call_with_retries(request, where)
        except _Transient as error:
            if isinstance(error.__cause__, openai.APIConnectionError) and not self.usage.requests:
                raise HighlightsError(
                    f"cannot reach the endpoint ({error})", self.base_url or "api.openai.com"
                ) from None
            self.usage.count("failed")
            log.warning("%s: no reply after %d retries (%s); rerun to try it again", where, self.max_retries, error)
            return None
        except openai.BadRequestError as error:
            if "response_format" not in request:
                raise HighlightsError(f"the endpoint refused the request: {_message(error)}", self.model) from None
            self._drop_structured(error)
            return self._answer(chunk, messages)
        except openai.APIStatusError as error:
            raise HighlightsError(_status_problem(error, self.model), self.base_url or "api.openai.com") from None
        self.usage.add_reply(usage)
        self.cache.put(self.model, key, chunk, reply, usage)
        return reply

    def _drop_structured(self, error: openai.BadRequestError) -> None:
        """The endpoint refused a JSON schema: ask for free text from now on (the parser reads it)."""
        with self._lock:
            was, self.structured = self.structured, False
        if was:
            log.warning("%s refused structured output (%s); asking for free text", self.model, _message(error))

    def ask(self, questions: list[Question], desc: str) -> list[str | None]:
        replies: list[str | None] = [None] * len(questions)
        bar = tqdm(total=len(questions), desc=desc, unit="chunk", disable=not self.progress, leave=False)
        with ThreadPoolExecutor(max_workers=self.concurrency, thread_name_prefix="llm") as pool:
            futures = {pool.submit(self._answer, chunk, messages): i for i, (chunk, messages) in enumerate(questions)}
            try:
                for future in as_completed(futures):
                    replies[futures[future]] = future.result()
                    bar.update()
            except BaseException:
                pool.shutdown(wait=True, cancel_futures=True)  # replies already cached stay cached
                raise
            finally:
                bar.close()
        return replies


def _unreachable(error: _Transient) -> bool:
    """A refused or dropped connection (not a timeout: a slow server is there)."""
    cause = error.__cause__
    return isinstance(cause, openai.APIConnectionError) and not isinstance(cause, openai.APITimeoutError)


def _message(error: openai.APIStatusError) -> str:
    """The server's own words (the ``message`` of its error body), else the status."""
    body = error.body if isinstance(error.body, dict) else {}
    return str(body.get("message") or f"HTTP {error.status_code}")


def _status_problem(error: openai.APIStatusError, model: str) -> str:
    if error.status_code == 401:
        return "the API key was refused (HTTP 401); check the key's environment variable"
    if error.status_code == 404:
        return f"model {model!r} or this endpoint was not found (HTTP 404): {_message(error)}"
    return f"the endpoint answered HTTP {error.status_code}: {_message(error)}"


def _retry_after(error: BaseException | None) -> float | None:
    """Seconds the server asked to wait (``retry-after-ms`` or ``retry-after``), if it did."""
    response = getattr(error, "response", None)
    if response is None:
        return None
    for header, scale in (("retry-after-ms", 1e-3), ("retry-after", 1.0)):
        try:
            return max(0.0, min(MAX_BACKOFF_S, float(response.headers[header]) * scale))
        except (KeyError, ValueError):
            continue
    return None


# --- registry factories ----------------------------------------------------------------------


def _make(
    name: str,
    model: str | None,
    base_url: str | None,
    api_key_env: str | None,
    adapter: str | None,
    defaults: tuple[str, str | None, bool],
    options: dict[str, Any],
) -> OpenAISpotter:
    """A spotter over an OpenAI-compatible endpoint; ``defaults``: model, URL, whether a key is required."""
    default_model, default_url, key_required = defaults
    if adapter:
        raise HighlightsError(
            f"the {name} back end selects a LoRA adapter by model name: serve it with "
            "`vllm serve mistralai/Mistral-7B-v0.3 --enable-lora --lora-modules spotter=ADAPTER_DIR` "
            "and pass --model spotter",
            "--adapter",
        )
    variable = api_key_env or API_KEY_ENV
    key = os.environ.get(variable, "")
    if not key and key_required:
        raise HighlightsError(f"no API key: set the environment variable {variable}", "--api-key-env")
    url = base_url or os.environ.get(BASE_URL_ENV) or default_url
    # vLLM started without --api-key accepts any key
    return OpenAISpotter(
        model or default_model, name=name, base_url=url, api_key=key or "EMPTY", **typed_options(options)
    )


def make_openai_spotter(
    model: str | None = None,
    base_url: str | None = None,
    api_key_env: str | None = None,
    adapter: str | None = None,
    **options: Any,
) -> OpenAISpotter:
    """OpenAI (o4-mini by default) or any endpoint in ``--base-url``/``$OPENAI_BASE_URL``; a key is required."""
    return _make("openai", model, base_url, api_key_env, adapter, (OPENAI_DEFAULT_MODEL, None, True), options)


def make_vllm_spotter(
    model: str | None = None,
    base_url: str | None = None,
    api_key_env: str | None = None,
    adapter: str | None = None,
    **options: Any,
) -> OpenAISpotter:
    """A ``vllm serve`` endpoint (``http://localhost:8000/v1`` unless told), Mistral-7B-v0.3 by default."""
    return _make("vllm", model, base_url, api_key_env, adapter, (VLLM_DEFAULT_MODEL, VLLM_DEFAULT_URL, False), options)
