"""A real HTTP server on 127.0.0.1 speaking OpenAI's chat-completions schema, scripted per test.

It stands in for the one thing a test cannot reach (a hosted API) and speaks the real wire
protocol, so the official ``openai`` client (or langchain-openai) runs unchanged against it:
non-streaming and streaming (server-sent events, usage in the last chunk when asked), tool calls,
error answers (429, 500, ...) with OpenAI's error body, slow answers, and the misbehaviours of a
broken or hostile endpoint: a body that is not JSON, a body dripped a byte at a time, a reply of
any size, no answer at all.

    from fake_openai import FakeOpenAI, Reply, ToolCall  # tests/ is on sys.path under pytest

    with FakeOpenAI() as server:
        server.script(Reply(status=429), Reply(content='{"actions": []}'))  # answered in order
        server.responder = lambda request: Reply(content=...)  # after the script runs out
        client = openai.OpenAI(base_url=server.base_url, api_key="sk-test")
        ...
    server.requests  # every request: path, headers, JSON body; server.max_in_flight: peak concurrency

Replies: ``Reply(content=..., tool_calls=[ToolCall("name", {"arg": 1})], status=200, delay=0.0,
headers={"retry-after-ms": "10"}, usage=(prompt, completion), reasoning_tokens=0)``; misbehaving:
``Reply(raw=b"<html>...", content_type="text/html")`` (that body as it is), ``Reply(drip=5.0)`` (one
byte of the body every 5 s), ``Reply(content="x" * 20_000_000)`` (20 MB), ``Reply(hang=True)``
(headers never come; the request is held until the server stops).
"""

from __future__ import annotations

import itertools
import json
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

MODELS = ("fake-model",)


@dataclass(frozen=True)
class ToolCall:
    name: str
    arguments: dict | str
    id: str = ""

    def arguments_text(self) -> str:
        return self.arguments if isinstance(self.arguments, str) else json.dumps(self.arguments)


@dataclass(frozen=True)
class Reply:
    """One scripted answer. ``status`` other than 200 answers with OpenAI's error body."""

    content: str | None = ""
    tool_calls: tuple[ToolCall, ...] | list[ToolCall] = ()
    status: int = 200
    delay: float = 0.0  # seconds before anything is sent (for timeouts and concurrency)
    headers: dict[str, str] = field(default_factory=dict)
    usage: tuple[int, int] | None = None  # (prompt, completion) tokens; default: counted words
    reasoning_tokens: int = 0
    error: str = "scripted error"
    finish_reason: str = ""
    raw: bytes | None = None  # sent as the body instead of a completion (with ``content_type``)
    content_type: str = "application/json"
    drip: float = 0.0  # seconds between the body's bytes, sent one at a time
    hang: bool = False  # never answer


@dataclass(frozen=True)
class Request:
    path: str
    headers: dict[str, str]
    body: dict[str, Any]


def _words(text: str) -> int:
    return len(text.split())


class FakeOpenAI:
    """Start with ``with FakeOpenAI() as server`` (or ``start()``/``stop()``)."""

    def __init__(self, responder: Callable[[Request], Reply] | None = None) -> None:
        self.responder: Callable[[Request], Reply] = responder or (lambda request: Reply(content="{}"))
        self.requests: list[Request] = []
        self.in_flight = 0
        self.max_in_flight = 0
        self._script: deque[Reply] = deque()
        self.stopping = threading.Event()  # ends held (hanging, dripping) answers when the server stops
        self._lock = threading.Lock()
        self._ids = itertools.count(1)
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.daemon_threads = True
        self._server.fake = self  # type: ignore[attr-defined]
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, name="fake-openai", daemon=True
        )

    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}/v1"

    def script(self, *replies: Reply) -> None:
        """Answer the next requests with these replies, in order, then fall back to ``responder``."""
        with self._lock:
            self._script.extend(replies)

    def chat_requests(self) -> list[Request]:
        return [r for r in self.requests if r.path.endswith("/chat/completions")]

    def start(self) -> FakeOpenAI:
        self._thread.start()
        return self

    def stop(self) -> None:
        self.stopping.set()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def __enter__(self) -> FakeOpenAI:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # --- used by the handler ---

    def _next_reply(self, request: Request) -> Reply:
        with self._lock:
            self.requests.append(request)
            scripted = self._script.popleft() if self._script else None
        return scripted or self.responder(request)

    def _enter(self) -> None:
        with self._lock:
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)

    def _leave(self) -> None:
        with self._lock:
            self.in_flight -= 1

    def _new_id(self) -> str:
        return f"chatcmpl-{next(self._ids)}"


class _Server(ThreadingHTTPServer):
    def handle_error(self, request: Any, client_address: Any) -> None:
        """Quiet: a client that gives up (a deadline, a refused reply) resets its connection."""


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:  # quiet: tests read server.requests
        pass

    @property
    def fake(self) -> FakeOpenAI:
        return self.server.fake  # type: ignore[attr-defined]

    def do_GET(self) -> None:
        with self.fake._lock:  # recorded too: a test of where a key goes must see every request
            self.fake.requests.append(Request(self.path, {k.lower(): v for k, v in self.headers.items()}, {}))
        if self.path.rstrip("/").endswith("/models"):
            data = [{"id": m, "object": "model", "created": 0, "owned_by": "fake"} for m in MODELS]
            self._send_json(200, {"object": "list", "data": data})
        else:
            self._send_error(404, f"no route {self.path}", "not_found")

    def do_POST(self) -> None:
        length = int(self.headers.get("content-length") or 0)
        raw = self.rfile.read(length) if length else b""
        try:
            body = json.loads(raw or b"{}")
        except ValueError:
            self._send_error(400, "request body is not JSON", "invalid_request_error")
            return
        request = Request(self.path, {k.lower(): v for k, v in self.headers.items()}, body)
        if not self.path.rstrip("/").endswith("/chat/completions"):
            self.fake._next_reply(request)
            self._send_error(404, f"no route {self.path}", "not_found")
            return
        self.fake._enter()
        try:
            reply = self.fake._next_reply(request)
            self.drip = reply.drip
            if reply.hang:
                self.fake.stopping.wait()
                return
            if reply.delay:
                time.sleep(reply.delay)
            if reply.status != 200:
                self._send_error(reply.status, reply.error, _error_type(reply.status), reply.headers)
            elif reply.raw is not None:
                self._send_body(200, reply.raw, reply.content_type, reply.headers)
            elif body.get("stream"):
                self._send_stream(reply, body)
            else:
                self._send_json(200, _completion(self.fake._new_id(), reply, body), reply.headers)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (a timeout): nothing to answer
        finally:
            self.fake._leave()

    # --- wire format ---

    drip = 0.0

    def _send_json(self, status: int, payload: dict, headers: dict[str, str] | None = None) -> None:
        self._send_body(status, json.dumps(payload).encode(), "application/json", headers)

    def _send_body(self, status: int, data: bytes, content_type: str, headers: dict[str, str] | None) -> None:
        self.send_response(status)
        self.send_header("content-type", content_type)
        self.send_header("content-length", str(len(data)))
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        self._write(data)

    def _write(self, data: bytes) -> None:
        """The bytes at once, or one at a time ``drip`` seconds apart (until the server stops)."""
        if not self.drip:
            self.wfile.write(data)
            return
        for i in range(len(data)):
            self.wfile.write(data[i : i + 1])
            self.wfile.flush()
            if self.fake.stopping.wait(self.drip):
                return

    def _send_error(self, status: int, message: str, kind: str, headers: dict[str, str] | None = None) -> None:
        self._send_json(status, {"error": {"message": message, "type": kind, "param": None, "code": kind}}, headers)

    def _send_stream(self, reply: Reply, body: dict) -> None:
        self.send_response(200)
        self.send_header("content-type", "text/event-stream")
        self.send_header("transfer-encoding", "chunked")
        for key, value in reply.headers.items():
            self.send_header(key, value)
        self.end_headers()
        for event in _stream_events(self.fake._new_id(), reply, body):
            self._write_chunk(f"data: {json.dumps(event)}\n\n".encode())
        self._write_chunk(b"data: [DONE]\n\n")
        self._write_chunk(b"")

    def _write_chunk(self, data: bytes) -> None:
        self._write(f"{len(data):x}\r\n".encode() + data + b"\r\n")
        self.wfile.flush()


ERROR_TYPES = {400: "invalid_request_error", 401: "authentication_error", 404: "not_found", 429: "rate_limit_exceeded"}


def _error_type(status: int) -> str:
    return ERROR_TYPES.get(status, "server_error")


def _usage(reply: Reply, body: dict) -> dict:
    if reply.usage:
        prompt, completion = reply.usage
    else:
        prompt = sum(_words(str(m.get("content") or "")) for m in body.get("messages", []))
        completion = _words(reply.content or "") + sum(_words(c.arguments_text()) for c in reply.tool_calls)
    usage = {"prompt_tokens": prompt, "completion_tokens": completion, "total_tokens": prompt + completion}
    if reply.reasoning_tokens:
        usage["completion_tokens_details"] = {"reasoning_tokens": reply.reasoning_tokens}
    return usage


def _tool_calls(reply: Reply) -> list[dict]:
    return [
        {
            "id": call.id or f"call_{i}",
            "type": "function",
            "function": {"name": call.name, "arguments": call.arguments_text()},
        }
        for i, call in enumerate(reply.tool_calls)
    ]


def _finish_reason(reply: Reply) -> str:
    return reply.finish_reason or ("tool_calls" if reply.tool_calls else "stop")


def _completion(completion_id: str, reply: Reply, body: dict) -> dict:
    message: dict[str, Any] = {"role": "assistant", "content": reply.content}
    if reply.tool_calls:
        message["tool_calls"] = _tool_calls(reply)
    return {
        "id": completion_id,
        "object": "chat.completion",
        "created": int(time.time()),
        "model": body.get("model", MODELS[0]),
        "choices": [{"index": 0, "message": message, "finish_reason": _finish_reason(reply), "logprobs": None}],
        "usage": _usage(reply, body),
    }


def _stream_events(completion_id: str, reply: Reply, body: dict) -> Iterator[dict]:
    """The chunks OpenAI streams: role, content pieces, tool-call pieces, finish, then usage if asked."""

    def chunk(delta: dict, finish: str | None = None) -> dict:
        return {
            "id": completion_id,
            "object": "chat.completion.chunk",
            "created": int(time.time()),
            "model": body.get("model", MODELS[0]),
            "choices": [{"index": 0, "delta": delta, "finish_reason": finish, "logprobs": None}],
        }

    yield chunk({"role": "assistant", "content": ""})
    text = reply.content or ""
    for start in range(0, len(text), 7):
        yield chunk({"content": text[start : start + 7]})
    for index, call in enumerate(_tool_calls(reply)):
        head = {"index": index, "id": call["id"], "type": "function", "function": {"name": call["function"]["name"]}}
        yield chunk({"tool_calls": [{**head, "function": {**head["function"], "arguments": ""}}]})
        arguments = call["function"]["arguments"]
        for start in range(0, len(arguments), 9):
            yield chunk({"tool_calls": [{"index": index, "function": {"arguments": arguments[start : start + 9]}}]})
    yield chunk({}, _finish_reason(reply))
    if (body.get("stream_options") or {}).get("include_usage"):
        last = chunk({})
        last["choices"] = []
        last["usage"] = _usage(reply, body)
        yield last
