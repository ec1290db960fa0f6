"""The bounded HTTP client against a misbehaving OpenAI-compatible server on 127.0.0.1: a total
deadline per request however the server stalls, and a cap on the bytes of a reply. Times are
fractions of a second (a byte every 50 ms against a 0.3-s deadline stands for a byte every 5 s
against 30 s)."""

from __future__ import annotations

import time

import httpx
import openai
import pytest
from fake_openai import FakeOpenAI, Reply

from spotting.llm.bounded_http import DeadlineExceeded, ReplyTooLarge, RequestLimits, bounded_client

DEADLINE_S = 0.3
SLACK_S = 0.5  # thread scheduling on a busy machine; the whole dripped body would take 15 s
MESSAGES = [{"role": "user", "content": "hello"}]
SMALL_COMPLETION = (
    b'{"id":"c","object":"chat.completion","created":0,"model":"fake-model","choices":'
    b'[{"index":0,"message":{"role":"assistant","content":"ok"},"finish_reason":"stop"}]}'
)


@pytest.fixture
def server():
    with FakeOpenAI() as fake:
        yield fake


def client(server: FakeOpenAI, total_s: float = DEADLINE_S, **limits) -> openai.OpenAI:
    bounded = bounded_client(RequestLimits(total_s=total_s, **limits))
    return openai.OpenAI(base_url=server.base_url, api_key="sk-test", max_retries=0, timeout=60, http_client=bounded)


def ask(llm: openai.OpenAI, stream: bool) -> str:
    if not stream:
        return llm.chat.completions.create(model="fake-model", messages=MESSAGES).choices[0].message.content
    chunks = llm.chat.completions.create(model="fake-model", messages=MESSAGES, stream=True)
    return "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)


@pytest.mark.parametrize("stream", [False, True])
@pytest.mark.parametrize("misbehaviour", [Reply(content="a slow answer", drip=0.05), Reply(hang=True)])
def test_a_slow_or_silent_server_is_cut_at_the_total_deadline(server, stream, misbehaviour):
    server.script(misbehaviour)
    started = time.monotonic()
    with pytest.raises((openai.APITimeoutError, DeadlineExceeded)) as raised:
        ask(client(server), stream)
    elapsed = time.monotonic() - started
    assert DEADLINE_S - 0.05 < elapsed < DEADLINE_S + SLACK_S
    cause = raised.value if isinstance(raised.value, DeadlineExceeded) else raised.value.__cause__
    assert isinstance(cause, DeadlineExceeded) and "deadline of 0.3 s" in str(cause)


def test_a_per_read_timeout_alone_would_not_stop_the_drip(server):
    """The reason for the deadline: httpx's read timeout is per read, and every read here is quick."""
    server.script(Reply(raw=SMALL_COMPLETION, drip=0.006))
    plain = openai.OpenAI(base_url=server.base_url, api_key="sk-test", max_retries=0, timeout=DEADLINE_S)
    started = time.monotonic()
    assert ask(plain, stream=False) == "ok"
    assert time.monotonic() - started > 2 * DEADLINE_S


@pytest.mark.parametrize("stream", [False, True])
def test_a_20_mb_reply_is_refused_at_the_cap(server, stream):
    server.script(Reply(content="x" * 20_000_000))
    started = time.monotonic()
    with pytest.raises((openai.APIConnectionError, ReplyTooLarge)) as raised:  # streamed: ~5,000 events to 1 MB
        ask(client(server, total_s=30, max_reply_bytes=2**20), stream)
    cause = raised.value if isinstance(raised.value, ReplyTooLarge) else raised.value.__cause__
    assert isinstance(cause, ReplyTooLarge) and str(2**20) in str(cause)
    assert time.monotonic() - started < 10  # refused at the cap, not read to the end (2.8 million events)


def test_a_compressed_reply_cannot_slip_past_the_cap(server):
    server.script(Reply(raw=b"\x1f\x8b not really gzip", headers={"content-encoding": "gzip"}))
    with pytest.raises(openai.APIConnectionError) as raised:
        ask(client(server), stream=False)
    assert isinstance(raised.value.__cause__, ReplyTooLarge) and "compressed" in str(raised.value.__cause__)
    assert server.requests[-1].headers["accept-encoding"] == "identity"


@pytest.mark.parametrize("stream", [False, True])
def test_a_well_behaved_server_is_answered_and_the_connection_reused(server, stream):
    llm = client(server)
    for _ in range(3):
        server.script(Reply(content="fine, thanks"))
        assert ask(llm, stream) == "fine, thanks"
    time.sleep(DEADLINE_S + 0.1)  # the watchdogs of finished requests must not cut the pooled connection
    server.script(Reply(content="still fine"))
    assert ask(llm, stream) == "still fine"


def test_langchain_chat_openai_takes_the_same_client(server):
    from langchain_openai import ChatOpenAI

    bounded = bounded_client(RequestLimits(total_s=DEADLINE_S))
    chat = ChatOpenAI(model="fake-model", base_url=server.base_url, api_key="sk-test", max_retries=0,
                      http_client=bounded, streaming=True)  # fmt: skip
    server.script(Reply(content="hi there"))
    assert "".join(chunk.content for chunk in chat.stream("hello")) == "hi there"
    server.script(Reply(content="a slow answer", drip=0.05))
    started = time.monotonic()
    with pytest.raises((openai.APITimeoutError, httpx.TimeoutException)):
        "".join(chunk.content for chunk in chat.stream("hello"))
    assert time.monotonic() - started < DEADLINE_S + SLACK_S


def test_limits_are_checked():
    with pytest.raises(ValueError, match="positive"):
        RequestLimits(total_s=0)
    with pytest.raises(ValueError, match="positive"):
        RequestLimits(total_s=1, max_reply_bytes=0)


def test_the_chat_agent_gives_up_on_a_dripping_endpoint_within_its_deadline(server, sample_root):
    """The agent's ChatOpenAI is bounded too: a byte every 50 ms cannot hold a chat turn past its deadline,
    and the question is still answered, offline."""
    from agent import Assistant, LLMSettings
    from index.corpus import load_corpus
    from spotting.registry import make_spotter

    corpus = load_corpus(sample_root)
    settings = LLMSettings(base_url=server.base_url, api_key="sk-test", model="fake-model", timeout_s=DEADLINE_S,
                           max_retries=0)  # fmt: skip
    assistant = Assistant(corpus, make_spotter("keywords"), settings)
    server.script(Reply(content="a slow answer", drip=0.05))
    started = time.monotonic()
    answer = assistant.ask("all the goals in Chelsea 2 - 2 Watford", assistant.new_session())
    assert time.monotonic() - started < DEADLINE_S + SLACK_S + 2  # + the offline answer
    assert answer.backend == "planner" and answer.notice == "the endpoint did not answer in time; answered offline"
    assert answer.spots and all(s.label == "Goal" for s in answer.spots)
