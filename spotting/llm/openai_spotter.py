"""Spotting with any OpenAI-compatible endpoint through the official ``openai`` client.

- OpenAI itself, e.g. ``o4-mini``: reasoning models take ``max_completion_tokens`` and
  ``reasoning_effort`` and refuse ``temperature``.
- ``vllm serve mistralai/Mistral-7B-v0.3`` (``--enable-lora --lora-modules spotter=ADAPTER`` for the
  fine-tuned model, then asked for as model ``spotter``): greedy decoding, JSON-schema guided output.

Throughput for a whole split: a bounded pool of concurrent requests, retries (tenacity: exponential
backoff with jitter, honouring ``retry-after``) on 429, 5xx, timeouts and dropped connections, and an
on-disk cache of replies so a rerun costs nothing and an interrupted run resumes.

Nothing the endpoint does can hang or crash a run: every request has a total deadline
(``timeout_s``, connect + the whole stream) and a cap on its bytes (``max_reply_bytes``,
``bounded_http``); a reply that is not a chat completion (a 200 with an HTML page) is a counted
failure of its chunk; after ``max_failures_in_a_row`` chunks fail one after the other, the run
stops with a clear error instead of asking a dead endpoint for every chunk of a split. The API key
is read from an environment variable and never logged, printed, cached or put in an error message.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from pathlib import Path
from typing import Any, NoReturn

import httpx
import openai
import tenacity
from openai.types.chat import ChatCompletion
from tqdm import tqdm

from index.chunks import DEFAULT_CHUNK_S
from index.errors import HighlightsError
from index.settings import API_KEY_ENV, BASE_URL_ENV, env
from index.types import Chunk

from .base import LLMSpotter, Question, typed_options
from .bounded_http import DEFAULT_MAX_REPLY_BYTES, ReplyTooLarge, RequestLimits, bounded_client
from .cache import ReplyCache, default_cache_dir
from .prompting import RESPONSE_SCHEMA

log = logging.getLogger(__name__)

VLLM_DEFAULT_URL = "http://localhost:8000/v1"
VLLM_DEFAULT_MODEL = "mistralai/Mistral-7B-v0.3"
OPENAI_DEFAULT_MODEL = "o4-mini"
REASONING_MODEL = re.compile(r"^(o\d|gpt-5)")
RETRY_STATUSES = {408, 409, 429}
MAX_BACKOFF_S = 60.0
# Chunks failing one after another before a run stops: more than a burst of rate limits across a
# full pool of requests, far fewer than the ~90 chunks of one game.
MAX_FAILURES_IN_A_ROW = 24
RESPONSE_FORMAT = {
    "type": "json_schema",
    "json_schema": {"name": "spotted_actions", "schema": RESPONSE_SCHEMA, "strict": True},
}


def is_reasoning_model(model: str) -> bool:
    """OpenAI's o-series and gpt-5 models: no temperature, ``max_completion_tokens``."""
    return bool(REASONING_MODEL.match(model.split("/")[-1]))


class _Transient(Exception):
    """A request that may succeed if tried again (429, 5xx, timeout, dropped connection)."""


class _Malformed(Exception):
    """A reply that is not a chat completion, or longer than the cap: the chunk fails (asking again
    would pay for the same reply); a rerun asks again."""


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
        max_reply_bytes: int = DEFAULT_MAX_REPLY_BYTES,
        max_failures_in_a_row: int = MAX_FAILURES_IN_A_ROW,
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
        self.max_failures_in_a_row = max_failures_in_a_row
        self.cache = ReplyCache((Path(cache_dir) if cache_dir else default_cache_dir()) if use_cache else None)
        # The client keeps the key; retries are tenacity's (counted and logged), not the client's.
        limits = RequestLimits(total_s=timeout_s, max_reply_bytes=max_reply_bytes)
        self._client = openai.OpenAI(
            base_url=base_url, api_key=api_key, max_retries=0, timeout=timeout_s, http_client=bounded_client(limits)
        )
        self._lock = threading.Lock()
        self._failures_in_a_row = 0
        self._stopping = threading.Event()

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
            return _read_completion(self._client.chat.completions.create(model=self.model, **request))
        except openai.APIStatusError as error:
            if error.status_code in RETRY_STATUSES or error.status_code >= 500:
                raise _Transient(f"HTTP {error.status_code}") from error
            raise
        except (openai.APITimeoutError, openai.APIConnectionError, httpx.TransportError) as error:
            _raise_transport(error)
        # A 200 that is not a chat completion: a body that is not JSON (JSONDecodeError), or JSON of
        # another shape (the client builds its objects without validating them, so reading fails).
        except (ValueError, TypeError, AttributeError, IndexError) as error:
            raise _Malformed(f"the reply is not a chat completion ({type(error).__name__}: {error})") from error

    def _call_streaming(self, request: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        parts: list[str] = []
        calls: dict[int, list[str]] = {}
        usage: dict[str, Any] = {}
        events = 0
        stream = self._client.chat.completions.create(
            model=self.model, stream=True, stream_options={"include_usage": True}, **request
        )
        for chunk in stream:  # httpx errors (the deadline, the byte cap) arrive raw from here
            events += 1
            if chunk.usage:
                usage = chunk.usage.model_dump()
            for choice in chunk.choices:
                parts.append(choice.delta.content or "")
                for call in choice.delta.tool_calls or ():
                    calls.setdefault(call.index, []).append((call.function and call.function.arguments) or "")
        if not events:  # a 200 whose body held no server-sent event at all
            raise ValueError("no server-sent events in the stream")
        text = "".join(parts)
        return text or "\n".join("".join(calls[i]) for i in sorted(calls)), usage

    def _call_with_retries(self, request: dict[str, Any], where: str) -> tuple[str, dict[str, Any]]:
        backoff = tenacity.wait_random_exponential(multiplier=self.backoff_s, max=MAX_BACKOFF_S)

        def wait(state: tenacity.RetryCallState) -> float:
            asked = _retry_after(state.outcome.exception().__cause__) if state.outcome else None
            return asked if asked is not None else backoff(state)

        def counted(state: tenacity.RetryCallState) -> None:  # the accounting hook
            self.usage.count("retried")
            error = state.outcome.exception() if state.outcome else None
            log.info("%s: %s, retry %d/%d in %.2f s", where, error, state.attempt_number, self.max_retries,
                     state.upcoming_sleep)  # fmt: skip

        retrying = tenacity.Retrying(
            retry=tenacity.retry_if_exception_type(_Transient),
            stop=tenacity.stop_after_attempt(self.max_retries + 1),
            wait=wait,
            before_sleep=counted,
            reraise=True,
        )
        return retrying(self._call, request)

    # --- one chunk, many chunks ---

    def _answer(self, chunk: Chunk, messages: list[dict]) -> str | None:
        """The reply for one chunk: from the cache, else from the endpoint (then cached)."""
        if self._stopping.is_set():  # the run is stopping (too many failures): ask nothing more
            return None
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
            if _unreachable(error) and not self.usage.requests:
                raise HighlightsError(
                    f"cannot reach the endpoint ({error})", self.base_url or "api.openai.com"
                ) from None
            log.warning("%s: no reply after %d retries (%s); rerun to try it again", where, self.max_retries, error)
            return self._failed(error)
        except _Malformed as error:
            log.warning("%s: %s; rerun to try it again", where, error)
            self.usage.count("malformed")
            return self._failed(error)
        except openai.BadRequestError as error:
            if "response_format" not in request:
                raise HighlightsError(f"the endpoint refused the request: {_message(error)}", self.model) from None
            self._drop_structured(error)
            return self._answer(chunk, messages)
        except openai.APIStatusError as error:
            raise HighlightsError(_status_problem(error, self.model), self.base_url or "api.openai.com") from None
        self.usage.add_reply(usage)
        with self._lock:
            self._failures_in_a_row = 0
        self.cache.put(self.model, key, chunk, reply, usage)
        return reply

    def _failed(self, error: Exception) -> None:
        """Count a chunk without a reply; stop the run when too many fail one after the other."""
        self.usage.count("failed")
        with self._lock:
            self._failures_in_a_row += 1
            give_up = self._failures_in_a_row >= self.max_failures_in_a_row
        if give_up:
            self._stopping.set()
            raise HighlightsError(
                f"{self.max_failures_in_a_row} chunks in a row got no reply (the last: {error}); stopping. "
                "Rerun the same command to resume once the endpoint answers",
                self.base_url or "api.openai.com",
            )

    def _drop_structured(self, error: openai.BadRequestError) -> None:
        """The endpoint refused a JSON schema: ask for free text from now on (the parser reads it)."""
        with self._lock:
            was, self.structured = self.structured, False
        if was:
            log.warning("%s refused structured output (%s); asking for free text", self.model, _message(error))

    def ask(self, questions: list[Question], desc: str) -> list[str | None]:
        replies: list[str | None] = [None] * len(questions)
        self._stopping.clear()
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


def _read_completion(completion: Any) -> tuple[str, dict[str, Any]]:
    """The reply text (content, else tool-call arguments) and the usage of a completion."""
    if not isinstance(completion, ChatCompletion) or not isinstance(completion.choices, list):
        raise TypeError(f"not a chat completion: {str(completion)[:80]!r}")
    usage = completion.usage.model_dump() if completion.usage else {}
    if not completion.choices:
        return "", usage
    message = completion.choices[0].message
    calls = [c.function.arguments for c in message.tool_calls or () if getattr(c, "function", None)]
    text = message.content or "\n".join(calls)
    if not isinstance(text, str):
        raise TypeError(f"the reply's content is not text: {text!r:.80}")
    return text, usage


def _raise_transport(error: Exception) -> NoReturn:
    """A failed transfer as a retry (timeouts, dropped connections) or a failed reply (too long).
    The openai client wraps httpx's errors in its own; a stream's reads raise httpx's as they are."""
    cause = error if isinstance(error, httpx.TransportError) else error.__cause__
    if isinstance(cause, ReplyTooLarge):
        raise _Malformed(str(cause)) from error
    raise _Transient(str(cause or error) or type(error).__name__) from error


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
    key = env(variable)
    if not key and key_required:
        raise HighlightsError(f"no API key: set the environment variable {variable}", "--api-key-env")
    url = base_url or env(BASE_URL_ENV) or default_url
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
