"""The OpenAI-compatible spotter through real HTTP: the official client against a scripted server
on 127.0.0.1 (tests/fake_openai.py) that answers like OpenAI or vLLM would."""

from __future__ import annotations

import json
import logging
import re
import socket
import time
from pathlib import Path

import pytest
from fake_openai import FakeOpenAI, Reply, Request, ToolCall

from index.clock import clock
from index.corpus import load_match
from index.errors import HighlightsError
from spotting.llm.accounting import price_of
from spotting.llm.openai_spotter import OpenAISpotter
from spotting.llm.prompting import RESPONSE_SCHEMA
from spotting.registry import make_spotter

GAME = "england_epl/2014-2015/2015-04-11 - 19-30 Burnley 0 - 1 Arsenal"
KEY = "sk-test-0123456789-secret"
CHUNK_RE = re.compile(r"Commentary from (\d+):(\d\d) to")


@pytest.fixture(scope="module")
def match(sample_root):
    return load_match(sample_root, GAME)


@pytest.fixture
def server():
    with FakeOpenAI(responder=corner_reply) as fake:
        yield fake


def chunk_start(request: Request) -> float:
    minutes, seconds = CHUNK_RE.search(request.body["messages"][-1]["content"]).groups()
    return int(minutes) * 60 + int(seconds)


def corner_text(request: Request) -> str:
    start = chunk_start(request)
    return json.dumps({"actions": [{"label": "Corner", "start": clock(start + 10), "end": clock(start + 25)}]})


def corner_reply(request: Request) -> Reply:
    """A corner 10-25 s into every chunk asked about."""
    return Reply(content=corner_text(request), usage=(1000, 200))


def spotter(server: FakeOpenAI, tmp_path: Path, **options) -> OpenAISpotter:
    options = {"cache_dir": tmp_path / "cache", "backoff_s": 0.01, "progress": False, **options}
    return OpenAISpotter(options.pop("model", "fake-model"), base_url=server.base_url, api_key=KEY, **options)


def first_chunks(spot: OpenAISpotter, match, count: int = 1):
    return spot.questions(match, (1,))[:count]


def test_vllm_back_end_spots_a_match_with_greedy_guided_requests(server, match, tmp_path, monkeypatch):
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    monkeypatch.delenv("OPENAI_BASE_URL", raising=False)
    spot = make_spotter("vllm", base_url=server.base_url, cache_dir=tmp_path, progress=False)
    spots = spot.spot(match, halves=(1,))
    asked = server.chat_requests()
    chunks = [c for c, _ in spot.questions(match, (1,))]
    assert len(asked) == len(chunks) > 30
    assert [(s.label, s.half) for s in spots] == [("Corner", 1)] * len(chunks)
    assert sorted(s.start for s in spots) == [c.start + 10 for c in chunks]
    assert all(s.backend == "vllm" and s.evidence for s in spots)
    body = asked[0].body
    assert body["model"] == "mistralai/Mistral-7B-v0.3"
    assert body["temperature"] == 0.0 and body["max_tokens"] > 0 and "max_completion_tokens" not in body
    assert body["response_format"]["type"] == "json_schema"
    assert body["response_format"]["json_schema"]["schema"] == RESPONSE_SCHEMA
    assert asked[0].headers["authorization"] == "Bearer EMPTY"  # vLLM without --api-key


def test_o4_mini_gets_reasoning_parameters_and_its_cost_is_counted(server, match, tmp_path, monkeypatch):
    monkeypatch.setenv("MY_KEY", KEY)
    server.responder = lambda request: Reply(content=corner_text(request), usage=(1000, 200), reasoning_tokens=150)
    spot = make_spotter(
        "openai",
        model="o4-mini",
        base_url=server.base_url,
        api_key_env="MY_KEY",
        reasoning_effort="low",
        cache_dir=tmp_path,
        progress=False,
    )
    spot.ask(first_chunks(spot, match, 3), "test")
    body = server.chat_requests()[0].body
    assert body["model"] == "o4-mini" and body["reasoning_effort"] == "low"
    assert body["max_completion_tokens"] > 0
    assert "temperature" not in body and "max_tokens" not in body
    assert server.chat_requests()[0].headers["authorization"] == f"Bearer {KEY}"
    usage = spot.usage
    assert (usage.requests, usage.prompt_tokens, usage.completion_tokens, usage.reasoning_tokens) == (3, 3000, 600, 450)
    input_price, _, output_price = price_of("o4-mini")
    assert usage.cost("o4-mini") == pytest.approx((3000 * input_price + 600 * output_price) / 1e6)
    assert "$0.0" in spot.report() and "450 reasoning" in spot.report()


def test_retries_with_backoff_on_429_500_and_timeouts(server, match, tmp_path):
    server.script(
        Reply(status=429, headers={"retry-after-ms": "20"}),
        Reply(status=500),
        Reply(status=503),
        Reply(content="late", delay=1.0),  # past the client's timeout
    )
    spot = spotter(server, tmp_path, concurrency=1, timeout_s=0.3)
    (reply,) = spot.ask(first_chunks(spot, match), "test")
    assert json.loads(reply)["actions"][0]["label"] == "Corner"
    assert len(server.chat_requests()) == 5
    assert spot.usage.retried == 4 and spot.usage.failed == 0 and spot.usage.requests == 1


def test_a_chunk_that_keeps_failing_is_counted_and_the_rest_go_on_then_a_rerun_asks_only_it(
    server, match, tmp_path, caplog
):
    questions = None

    def broken_second_chunk(request: Request) -> Reply:
        return Reply(status=500) if chunk_start(request) == questions[1][0].start else corner_reply(request)

    server.responder = broken_second_chunk
    spot = spotter(server, tmp_path, max_retries=2)
    questions = first_chunks(spot, match, 5)
    with caplog.at_level(logging.WARNING):
        replies = spot.ask(questions, "test")
    assert replies[1] is None and all(replies[i] for i in (0, 2, 3, 4))
    assert spot.usage.failed == 1 and spot.usage.retried == 2
    assert "no reply after 2 retries" in caplog.text
    # the server is fixed; a rerun asks only for the chunk that has no reply yet
    server.responder = corner_reply
    before = len(server.chat_requests())
    again = spotter(server, tmp_path)
    assert all(again.ask(questions, "test"))
    assert len(server.chat_requests()) - before == 1
    assert again.usage.cached == 4 and again.usage.requests == 1


def test_the_cache_makes_a_rerun_free_and_a_new_prompt_asks_again(server, match, tmp_path):
    first = spotter(server, tmp_path).spot(match, halves=(2,))
    asked = len(server.chat_requests())
    rerun = spotter(server, tmp_path)
    assert rerun.spot(match, halves=(2,)) == first
    assert len(server.chat_requests()) == asked and rerun.usage.cached == asked and rerun.usage.requests == 0
    assert "0 requests" in rerun.report()
    few_shot = spotter(server, tmp_path, variant="few-shot")
    few_shot.ask(first_chunks(few_shot, match), "test")
    assert len(server.chat_requests()) == asked + 1
    assert len(server.chat_requests()[-1].body["messages"]) == 8
    no_cache = spotter(server, tmp_path, use_cache=False)
    no_cache.ask(first_chunks(no_cache, match), "test")
    assert no_cache.usage.cached == 0 and no_cache.usage.requests == 1


def test_an_interrupted_run_resumes_where_it_stopped(server, match, tmp_path):
    answered = 0

    def key_revoked_after_six(request: Request) -> Reply:
        nonlocal answered
        answered += 1
        return corner_reply(request) if answered <= 6 else Reply(status=401, error="Incorrect API key provided")

    server.responder = key_revoked_after_six
    spot = spotter(server, tmp_path, concurrency=1)
    with pytest.raises(HighlightsError, match="API key was refused"):
        spot.spot(match, halves=(1,))
    server.responder = corner_reply
    before = len(server.chat_requests())
    resumed = spotter(server, tmp_path, concurrency=4)
    spots = resumed.spot(match, halves=(1,))
    total = len(resumed.questions(match, (1,)))
    assert len(spots) == total and resumed.usage.cached == 6
    assert len(server.chat_requests()) - before == total - 6


def test_concurrency_is_bounded_by_the_pool(server, match, tmp_path):
    server.responder = lambda request: Reply(content=corner_text(request), delay=0.15)
    spot = spotter(server, tmp_path, concurrency=3)
    replies = spot.ask(first_chunks(spot, match, 9), "test")
    assert all(replies)
    assert server.max_in_flight == 3


@pytest.mark.parametrize("stream", [False, True])
def test_tool_call_replies_are_read_streaming_or_not(server, match, tmp_path, stream):
    def as_tool_call(request: Request) -> Reply:
        return Reply(content=None, tool_calls=[ToolCall("report_actions", json.loads(corner_text(request)))])

    server.responder = as_tool_call
    spot = spotter(server, tmp_path, stream=stream)
    spots = spot.spot(match, halves=(1,))
    assert spots and {s.label for s in spots} == {"Corner"}
    assert spot.usage.parse_failures == 0


def test_streamed_content_and_usage(server, match, tmp_path):
    spot = spotter(server, tmp_path, stream=True)
    spots = spot.spot(match, halves=(1,))
    assert len(spots) == len(server.chat_requests()) > 0
    body = server.chat_requests()[0].body
    assert body["stream"] is True and body["stream_options"] == {"include_usage": True}
    assert spot.usage.prompt_tokens == 1000 * len(spots)


def test_an_endpoint_without_structured_output_gets_free_text(server, match, tmp_path, caplog):
    def no_schema(request: Request) -> Reply:
        if "response_format" in request.body:
            return Reply(status=400, error="response_format is not supported")
        start = chunk_start(request)
        return Reply(content=f"A corner occurs at ({clock(start + 10)}, {clock(start + 25)}).")

    server.responder = no_schema
    spot = spotter(server, tmp_path, concurrency=4)
    with caplog.at_level(logging.WARNING):
        spots = spot.spot(match, halves=(1,))
    assert spots and {s.label for s in spots} == {"Corner"} and not spot.structured
    assert caplog.text.count("refused structured output") == 1


def test_garbage_replies_are_counted_not_raised(server, match, tmp_path):
    server.responder = lambda request: Reply(content="I think maybe something happened?! ]]{{")
    spot = spotter(server, tmp_path)
    assert spot.spot(match, halves=(1,)) == []
    assert spot.usage.parse_failures == len(server.chat_requests()) > 0
    assert "reply parts not understood" in spot.report()


def test_an_unreachable_endpoint_is_a_clear_error(match, tmp_path):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    spot = OpenAISpotter(
        "m", base_url=f"http://127.0.0.1:{port}/v1", api_key=KEY, cache_dir=tmp_path, max_retries=1, backoff_s=0.01
    )
    with pytest.raises(HighlightsError, match="cannot reach the endpoint"):
        spot.ask(first_chunks(spot, match), "test")


def test_an_unknown_model_is_a_clear_error(server, match, tmp_path):
    server.responder = lambda request: Reply(status=404, error="The model `nope` does not exist")
    spot = spotter(server, tmp_path, model="nope")
    with pytest.raises(HighlightsError, match=r"model 'nope'.*does not exist"):
        spot.ask(first_chunks(spot, match), "test")


def test_the_key_is_never_logged_printed_cached_or_shown(server, match, tmp_path, caplog, capsys, monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", KEY)
    server.script(Reply(status=429, headers={"retry-after-ms": "5"}))
    with caplog.at_level(logging.DEBUG):
        spot = make_spotter("openai", model="o4-mini", base_url=server.base_url, cache_dir=tmp_path, backoff_s=0.01)
        spot.spot(match, halves=(1,))
        spot.report()
        server.responder = lambda request: Reply(status=401, error="Incorrect API key provided")
        with pytest.raises(HighlightsError) as error:
            make_spotter("openai", model="o4-mini", base_url=server.base_url, use_cache=False).spot(match, (1,))
    captured = capsys.readouterr()
    shown = [caplog.text, captured.out, captured.err, repr(spot), str(error.value)]
    shown += [p.read_text() for p in tmp_path.rglob("*.json")]
    assert server.chat_requests()[0].headers["authorization"] == f"Bearer {KEY}"  # it was sent...
    assert caplog.text and len(shown) > 10
    assert not [text for text in shown if KEY in text]  # ...and shown nowhere


def test_back_end_options_are_checked(monkeypatch, tmp_path):
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    with pytest.raises(HighlightsError, match="set the environment variable OPENAI_API_KEY"):
        make_spotter("openai", model="o4-mini")
    with pytest.raises(HighlightsError, match="--lora-modules"):
        make_spotter("vllm", adapter="adapters/spotter")
    with pytest.raises(HighlightsError, match="unknown prompt variant"):
        make_spotter("vllm", variant="three-shot")
    with pytest.raises(HighlightsError, match="concurrency"):
        make_spotter("vllm", concurrency=0)
    with pytest.raises(HighlightsError, match="max_tokens must be a number"):
        make_spotter("vllm", max_tokens="lots")
    with pytest.raises(HighlightsError, match="stream must be true or false"):
        make_spotter("vllm", stream="maybe")


def test_text_options_are_typed(monkeypatch, tmp_path):
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    spot = make_spotter("vllm", max_tokens="300", stream="true", timeout_s="2.5", use_cache="no", concurrency="3")
    assert (spot.max_tokens, spot.stream, spot.concurrency, spot.cache.folder) == (300, True, 3, None)
    assert spot.request([])["max_tokens"] == 300


@pytest.mark.parametrize("stream", [False, True])
@pytest.mark.parametrize(
    "bad",
    [
        Reply(raw=b"<html><body>502 Bad Gateway</body></html>", content_type="text/html"),
        Reply(raw=b'{"choices": [{"message": ', content_type="application/json"),
        Reply(raw=b"[1, 2, 3]", content_type="application/json"),
        Reply(raw=b'{"choices": [{"message": 5}]}', content_type="application/json"),
        Reply(raw=b'{"id": "x"}', content_type="application/json"),
        Reply(content="x" * 3_000_000),
    ],
    ids=["html", "truncated-json", "not-a-completion", "wrong-shape", "no-choices", "3-MB"],
)
def test_a_malformed_200_reply_fails_its_chunk_and_the_rest_go_on(server, match, tmp_path, stream, bad, caplog):
    server.script(bad)
    spot = spotter(server, tmp_path, concurrency=1, stream=stream, max_reply_bytes=2**20)
    with caplog.at_level(logging.WARNING):
        replies = spot.ask(first_chunks(spot, match, 3), "test")
    assert replies[0] is None and all(replies[1:])
    assert (spot.usage.failed, spot.usage.malformed, spot.usage.retried) == (1, 1, 0)
    assert "rerun to try it again" in caplog.text and "1 of them malformed" in spot.report()


@pytest.mark.parametrize("stream", [False, True])
def test_timeout_s_bounds_a_dripping_stream(server, match, tmp_path, stream):
    server.responder = lambda request: Reply(content=corner_text(request), drip=0.05)
    spot = spotter(server, tmp_path, concurrency=1, stream=stream, timeout_s=0.3, max_retries=1)
    started = time.monotonic()
    (reply,) = spot.ask(first_chunks(spot, match), "test")
    assert reply is None and spot.usage.retried == 1 and spot.usage.failed == 1
    assert time.monotonic() - started < 2 * 0.3 + 0.5  # two attempts of 0.3 s, backoff 0.01 s


def test_an_endpoint_failing_every_request_stops_the_run_with_a_clear_error(server, match, tmp_path):
    server.responder = lambda request: Reply(status=429, error="Rate limit reached")
    spot = spotter(server, tmp_path, concurrency=2, max_retries=1, max_failures_in_a_row=6)
    with pytest.raises(HighlightsError, match=r"6 chunks in a row got no reply .*HTTP 429.*Rerun"):
        spot.spot_game(match)
    assert 6 <= spot.usage.failed <= 6 + 2 and len(server.chat_requests()) <= 2 * (6 + 2)  # not ~90 chunks x 2
