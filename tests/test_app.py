"""The Gradio app launched on 127.0.0.1 and called with gradio_client: ask, follow up, JSON intervals,
and every kind of bad input a user can send (empty, huge, unknown match, endpoint down)."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import pytest
from fake_openai import FakeOpenAI, Reply, ToolCall
from gradio_client import Client
from gradio_client.exceptions import AppError

from agent import Assistant
from index.corpus import SAMPLE_ROOT, load_corpus
from ui.app import build_app, launch
from ui.chat import MAX_QUESTION_CHARS

WATFORD = "england_epl/2015-2016/2015-12-26 - 18-00 Chelsea 2 - 2 Watford"
SECRET = "sk-never-shown-0123456789"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def app_url() -> Iterator[str]:
    corpus = load_corpus(SAMPLE_ROOT)
    demo = build_app(corpus, Assistant(corpus)).queue(default_concurrency_limit=4)
    port = free_port()
    launch(demo, "127.0.0.1", port, prevent_thread_lock=True, quiet=True)
    try:
        yield f"http://127.0.0.1:{port}/"
    finally:
        demo.close()


@pytest.fixture
def client(app_url: str) -> Client:
    """A fresh client: a new session on the server, so a new conversation."""
    return Client(app_url, verbose=False)


def test_api_lists_ask_with_question_and_optional_match(client: Client) -> None:
    info = client.view_api(print_info=False, return_format="dict")
    parameters = {p["parameter_name"]: p for p in info["named_endpoints"]["/ask"]["parameters"]}
    assert not parameters["question"]["parameter_has_default"]
    assert parameters["match_id"]["parameter_has_default"]
    assert "session" not in parameters  # per-client state stays on the server


def test_ask_returns_intervals_as_json(client: Client) -> None:
    result = client.predict("all the goals", WATFORD, api_name="/ask")
    assert result["match"]["id"] == WATFORD
    assert result["intervals"], result["answer"]
    for interval in result["intervals"]:
        assert interval["class"] == "Goal"
        assert interval["half"] in (1, 2)
        assert 0 <= interval["start_s"] < interval["end_s"]
        assert interval["start"].count(":") == 1  # MM:SS of the half
        assert 0 <= interval["confidence"] <= 1
    first = result["intervals"][0]
    assert f"({first['start']}, {first['end']})" in result["answer"]


def test_follow_up_refines_the_same_clients_last_answer(client: Client) -> None:
    first = client.predict("all the goals in Chelsea Watford", api_name="/ask")
    follow_up = client.predict("only the second half", api_name="/ask")
    assert follow_up["match"]["id"] == first["match"]["id"] == WATFORD
    assert follow_up["intervals"]
    assert {i["half"] for i in follow_up["intervals"]} == {2}
    assert {i["class"] for i in follow_up["intervals"]} == {"Goal"}
    assert len(follow_up["intervals"]) < len(first["intervals"])


def test_each_client_is_its_own_conversation(app_url: str) -> None:
    first, second = Client(app_url, verbose=False), Client(app_url, verbose=False)
    first.predict("all the goals in Chelsea Watford", api_name="/ask")
    stranger = second.predict("only the second half", api_name="/ask")
    assert stranger["match"] is None and stranger["intervals"] == []  # nothing to follow up on
    assert first.predict("only the second half", api_name="/ask")["match"]["id"] == WATFORD


def test_threshold_and_padding_shape_the_intervals(client: Client) -> None:
    plain = client.predict("all the goals", WATFORD, api_name="/ask")
    padded = client.predict("all the goals", WATFORD, threshold=0.0, padding=5, api_name="/ask")
    assert padded["intervals"][0]["end_s"] == pytest.approx(plain["intervals"][0]["end_s"] + 5)
    strict = client.predict("all the goals", WATFORD, threshold=1.0, api_name="/ask")
    assert all(i["confidence"] >= 1.0 for i in strict["intervals"])
    assert len(strict["intervals"]) < len(plain["intervals"])


@pytest.mark.parametrize(
    ("question", "message"),
    [("", "type a question first"), ("   ", "type a question first"), ("goal " * 1000, f"under {MAX_QUESTION_CHARS}")],
)
def test_bad_questions_get_a_clear_message(client: Client, question: str, message: str) -> None:
    with pytest.raises(AppError, match=message):
        client.predict(question, WATFORD, api_name="/ask")


def test_unknown_match_is_named_in_the_message(client: Client) -> None:
    with pytest.raises(AppError, match="no such match in the corpus") as error:
        client.predict("all the goals", "england_epl/2099-2100/nothing", api_name="/ask")
    assert "2099-2100" in str(error.value)
    assert "Traceback" not in str(error.value)


def test_endpoint_down_is_said_and_the_answer_still_comes_offline(client: Client) -> None:
    down = f"http://127.0.0.1:{free_port()}/v1"
    with pytest.raises(AppError, match="cannot connect") as error:
        client.predict("vllm", down, "some-model", SECRET, api_name="/test_connection")
    assert SECRET not in str(error.value)
    result = client.predict(
        "all the goals", WATFORD, backend="vllm", base_url=down, model="m", api_key=SECRET, api_name="/ask"
    )
    assert result["intervals"]
    assert "offline" in result["notice"]
    assert SECRET not in repr(result)


def test_bad_endpoint_settings_are_user_errors(client: Client) -> None:
    with pytest.raises(AppError, match="http://host:port/v1"):
        client.predict("vllm", "localhost:8000", "m", "", api_name="/test_connection")
    with pytest.raises(AppError, match="not in the list of choices"):
        client.predict("telepathy", "", "", "", api_name="/test_connection")


def test_connection_to_a_live_endpoint_names_its_models(client: Client) -> None:
    with FakeOpenAI() as server:
        reply = client.predict("vllm", server.base_url, "fake-model", SECRET, api_name="/test_connection")
        assert "fake-model is served" in reply
        with pytest.raises(AppError, match=r"does not serve 'other-model'.*fake-model"):
            client.predict("vllm", server.base_url, "other-model", SECRET, api_name="/test_connection")
        assert all(r.headers.get("authorization") == f"Bearer {SECRET}" for r in server.requests)


def test_ask_through_an_openai_compatible_endpoint(client: Client) -> None:
    with FakeOpenAI() as server:
        server.script(
            Reply(content="", tool_calls=[ToolCall("spot_actions", {"match": WATFORD, "classes": ["goals"]})]),
            Reply(content="Here are the goals of Chelsea 2 - 2 Watford."),
        )
        result = client.predict(
            "all the goals", WATFORD, backend="vllm", base_url=server.base_url, model="fake-model", api_key=SECRET,
            api_name="/ask",
        )  # fmt: skip
        assert server.chat_requests(), "the question went to the endpoint"
        assert all(r.headers.get("authorization") == f"Bearer {SECRET}" for r in server.chat_requests())
    assert result["backend"] == "fake-model"
    assert result["notice"] == ""
    assert result["intervals"] and {i["class"] for i in result["intervals"]} == {"Goal"}
    assert SECRET not in repr(result)


def test_a_reply_to_which_one_finishes_the_question_through_the_api(client: Client) -> None:
    asked = client.predict("all the goals in a Chelsea game", api_name="/ask")
    assert "which one?" in asked["answer"] and asked["match"] is None and not asked["intervals"]
    assert "2015-12-26" in asked["answer"] and "2015-02-21" in asked["answer"]
    answered = client.predict("the Watford one", api_name="/ask")
    assert answered["match"]["id"] == WATFORD
    assert answered["query"] == {"match": WATFORD, "classes": ["Goal"]}
    assert {i["class"] for i in answered["intervals"]} == {"Goal"}
    later = client.predict("what was the score at half-time?", api_name="/ask")
    assert later["query"] == {"match": WATFORD, "classes": ["Goal"], "half": 1}
    assert later["answer"].startswith("At half-time it was Chelsea")
