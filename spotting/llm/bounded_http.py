"""HTTP for LLM requests with limits an endpoint cannot stretch: one deadline for the whole request
(connecting, sending, waiting for the headers and reading the whole body or stream) and a cap on
the bytes of a reply.

httpx's own timeouts are per operation: a server that sends one byte every 5 s never trips a 30-s
read timeout and holds the request as long as it likes, and a 20-MB body is read whole. Here every
request gets a deadline; a watchdog timer shuts the request's socket down when it passes (a blocked
read then returns at once), and the body is counted as it arrives. Both the ``openai`` client and
langchain's ``ChatOpenAI`` take the client::

    client = bounded_client(RequestLimits(total_s=30, max_reply_bytes=2 * 2**20))
    openai.OpenAI(base_url=..., api_key=..., http_client=client, max_retries=0)
    ChatOpenAI(model=..., base_url=..., api_key=..., http_client=client)

A passed deadline raises ``DeadlineExceeded`` (an ``httpx.ReadTimeout``: the openai client reports it
as ``APITimeoutError``); too many bytes raise ``ReplyTooLarge`` (an ``httpx.ReadError``: reported as
``APIConnectionError``). Bytes are counted on the wire, so replies are asked for uncompressed and a
compressed one (which could inflate past any cap) is refused.
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import httpx

# A reasoning model's longest streamed reply (16,000 completion tokens at ~250 bytes of
# server-sent-event framing each) fits in 4 MB; twice that leaves room and still bounds memory.
DEFAULT_MAX_REPLY_BYTES = 8 * 2**20
DEFAULT_CONNECT_S = 10.0  # a TCP (+ TLS) handshake that takes longer is a host that is not there
WATCHDOG_GRACE_S = 1.0  # httpx's per-read timeout waits this much longer than the watchdog


@dataclass(frozen=True)
class RequestLimits:
    """What one request may take: ``total_s`` from the moment it starts until its last byte is read,
    ``connect_s`` of that for opening a connection, and ``max_reply_bytes`` of body."""

    total_s: float
    connect_s: float = DEFAULT_CONNECT_S
    max_reply_bytes: int = DEFAULT_MAX_REPLY_BYTES

    def __post_init__(self) -> None:
        if not self.total_s > 0 or not self.connect_s > 0 or self.max_reply_bytes < 1:
            raise ValueError(f"request limits must be positive: {self}")


class DeadlineExceeded(httpx.ReadTimeout):
    """The request ran past its total deadline."""


class ReplyTooLarge(httpx.ReadError):
    """The reply is longer than the cap (or compressed, so its length cannot be bounded)."""


class _Watchdog:
    """Shuts a request's socket down when its deadline passes; the socket is learnt when the
    connection opens (httpcore's trace) or, for a pooled connection, when the headers arrive."""

    def __init__(self, seconds: float) -> None:
        self._lock = threading.Lock()
        self._socket: socket.socket | None = None
        self.fired = False
        self._timer = threading.Timer(seconds, self._fire)
        self._timer.daemon = True
        self._timer.start()

    def watch(self, sock: Any) -> None:
        if not isinstance(sock, socket.socket):
            return
        with self._lock:
            self._socket = sock
            if self.fired:
                _shut(sock)

    def _fire(self) -> None:
        with self._lock:
            self.fired = True
            if self._socket is not None:
                _shut(self._socket)

    def cancel(self) -> None:
        self._timer.cancel()


def _shut(sock: socket.socket) -> None:
    # socket.socket's own shutdown, not SSLSocket's (which would unwrap TLS under a reading thread);
    # an OSError: the socket is closed already
    with contextlib.suppress(OSError):
        socket.socket.shutdown(sock, socket.SHUT_RDWR)


class _BoundedStream(httpx.SyncByteStream):
    """The body, counted and cut at the deadline."""

    def __init__(self, inner: httpx.SyncByteStream, watchdog: _Watchdog, limits: RequestLimits, deadline: float):
        self._inner, self._watchdog, self._limits, self._deadline = inner, watchdog, limits, deadline

    def __iter__(self) -> Iterator[bytes]:
        received = 0
        try:
            for chunk in self._inner:
                received += len(chunk)
                if received > self._limits.max_reply_bytes:
                    raise ReplyTooLarge(f"the reply is longer than {self._limits.max_reply_bytes} bytes")
                if self._watchdog.fired or time.monotonic() > self._deadline:
                    raise _deadline_error(self._limits)
                yield chunk
        except httpx.TransportError as error:
            if self._watchdog.fired and not isinstance(error, DeadlineExceeded):
                raise _deadline_error(self._limits) from error  # the watchdog cut the read short
            raise
        finally:
            self._watchdog.cancel()

    def close(self) -> None:
        self._watchdog.cancel()
        self._inner.close()


def _deadline_error(limits: RequestLimits) -> DeadlineExceeded:
    return DeadlineExceeded(f"no complete reply within the request's deadline of {limits.total_s:g} s")


class BoundedTransport(httpx.BaseTransport):
    """An ``httpx`` transport that holds every request to ``limits`` (see the module docstring)."""

    def __init__(self, limits: RequestLimits, inner: httpx.BaseTransport | None = None) -> None:
        self.limits = limits
        self._inner = inner or httpx.HTTPTransport()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        limits = self.limits
        deadline = time.monotonic() + limits.total_s
        watchdog = _Watchdog(limits.total_s)
        asked = request.extensions.get("timeout") or {}
        # httpx's own per-operation timeouts sit a little past the deadline, so the watchdog always speaks
        # first and a passed deadline is always a DeadlineExceeded, never a bare ReadTimeout of a race
        request.extensions["timeout"] = {
            key: min(limits.connect_s if key == "connect" else limits.total_s + WATCHDOG_GRACE_S,
                     asked.get(key) or float("inf"))
            for key in ("connect", "read", "write", "pool")
        }  # fmt: skip
        request.extensions["trace"] = _tracing(request.extensions.get("trace"), watchdog)
        request.headers["accept-encoding"] = "identity"
        try:
            response = self._inner.handle_request(request)
        except httpx.TransportError as error:
            watchdog.cancel()
            if watchdog.fired and not isinstance(error, DeadlineExceeded):
                raise _deadline_error(limits) from error
            raise
        except BaseException:
            watchdog.cancel()
            raise
        stream = response.extensions.get("network_stream")
        watchdog.watch(stream.get_extra_info("socket") if stream is not None else None)
        problem = _refusal(response, limits)
        if problem is not None or watchdog.fired:
            watchdog.cancel()
            response.close()
            raise problem or _deadline_error(limits)
        assert isinstance(response.stream, httpx.SyncByteStream)
        response.stream = _BoundedStream(response.stream, watchdog, limits, deadline)
        return response

    def close(self) -> None:
        self._inner.close()


def _tracing(chained: Callable | None, watchdog: _Watchdog) -> Callable[[str, dict], None]:
    """httpcore's trace hook: hand a newly opened connection's socket to the watchdog."""

    def trace(event: str, info: dict) -> None:
        if event in ("connection.connect_tcp.complete", "connection.connect_unix_socket.complete"):
            stream = info.get("return_value")
            if stream is not None:
                watchdog.watch(stream.get_extra_info("socket"))
        if chained is not None:
            chained(event, info)

    return trace


def _refusal(response: httpx.Response, limits: RequestLimits) -> ReplyTooLarge | None:
    """Why a reply is refused from its headers alone, or None."""
    encoding = response.headers.get("content-encoding", "identity").strip().lower()
    if encoding not in ("", "identity"):
        return ReplyTooLarge(f"the reply is compressed ({encoding}) although it was asked for uncompressed")
    try:
        length = int(response.headers.get("content-length", "0"))
    except ValueError:
        return None
    if length > limits.max_reply_bytes:
        return ReplyTooLarge(f"the reply announces {length} bytes, more than the cap of {limits.max_reply_bytes}")
    return None


def bounded_client(limits: RequestLimits, **options: Any) -> httpx.Client:
    """An ``httpx.Client`` whose every request keeps to ``limits``; ``options`` go to ``httpx.Client``."""
    return httpx.Client(transport=BoundedTransport(limits), timeout=limits.total_s, **options)
