"""Everything the app keeps is bounded (issue 15, item 5) and nothing slow runs in a request (item 9):
conversations by number and idle time, requests per session, the LLM's memory per conversation,
one user's endpoint settings never costing another user's conversation, the commentary index built
before the first search."""

from __future__ import annotations

import asyncio
import threading
from dataclasses import replace

import gradio as gr
import pytest
from fake_openai import FakeOpenAI, Reply
from test_app import WATFORD

from agent import Assistant
from index.corpus import SAMPLE_ROOT, load_corpus
from index.errors import HighlightsError
from spotting.registry import make_spotter
from tools.toolbox import Toolbox
from ui.access import EMBEDDED, VLLM, EndpointPolicy
from ui.assistants import MAX_ENDPOINTS, Assistants
from ui.chat import Chat
from ui.conversations import Conversations
from ui.files import ServedFiles
from ui.limits import PRIVATE, PUBLIC, SessionGate


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture(scope="module")
def corpus():
    return load_corpus(SAMPLE_ROOT)


def test_conversations_are_bounded_by_number_and_idle_time() -> None:
    clock = Clock()
    store = Conversations(replace(PUBLIC, conversations=3, idle_s=60), timer=clock)
    first = store.get("a")
    assert store.get("a") is first  # the same tab, the same conversation
    store.get("b"), store.get("c")
    clock.now = 30
    store.get("a")  # used again: its idle clock restarts
    store.get("d")  # a fourth: the least recently used ("b") goes
    assert len(store) == 3 and store.get("a") is first
    clock.now = 200  # everyone idle for more than a minute
    assert len(store) == 0 and store.get("a") is not first
    store.drop("a")
    assert len(store) == 0


def test_each_session_has_its_places_and_a_rate() -> None:
    gate = SessionGate(replace(PUBLIC, requests_at_once=1, requests_per_minute=3))
    with gate.admit("a"):  # the first of "a"'s three a minute
        with pytest.raises(HighlightsError, match="one question at a time"), gate.admit("a"):
            pass
        with gate.admit("b"):  # another session is not held by "a"
            assert gate.running() == 2
        gate.release("a")  # the stop button: "a" may ask again at once (its second)
        with gate.admit("a"):
            pass
    with gate.admit("a"):  # the third
        pass
    with pytest.raises(HighlightsError, match="more than 3 questions a minute"), gate.admit("a"):
        pass
    assert gate.running() == 0
    free = SessionGate(PRIVATE)
    with free.admit("a"), free.admit("a"), free.admit("a"), free.admit("a"):
        assert free.running() == 4  # a private run keeps its one user's freedom


def test_the_commentary_index_is_built_before_the_first_search(corpus) -> None:
    go = threading.Event()
    built = object()
    toolbox = Toolbox(corpus, make_spotter("keywords"), commentary_index=lambda: (go.wait(30), built)[1])
    toolbox.start_commentary_index()
    assert toolbox.index_building()
    with pytest.raises(HighlightsError, match="getting ready"):  # said at once, not waited for
        toolbox.search_commentary("penalty")
    go.set()
    toolbox._building.join(30)
    assert toolbox.commentary_index() is built and not toolbox.index_building()
    assert toolbox.index_status() == "the commentary search is ready"


def test_a_failed_background_build_is_said_to_every_search(corpus) -> None:
    def broken():
        raise HighlightsError("no commentary to index")

    toolbox = Toolbox(corpus, make_spotter("keywords"), commentary_index=broken)
    toolbox.start_commentary_index()
    toolbox._building.join(30)
    assert toolbox.index_failed()
    with pytest.raises(HighlightsError, match="commentary search is unavailable: no commentary to index"):
        toolbox.search_commentary("penalty")


def test_the_stop_button_frees_the_visitors_place_as_part_of_the_cancel(corpus, tmp_path) -> None:
    """Gradio cancels the answer's task, then closes it, before the page shows the box ready again: the
    place is free by then, though the thread reading the hung endpoint still runs."""
    with FakeOpenAI(responder=lambda request: Reply(hang=True)) as hung:
        policy = EndpointPolicy(public=True, endpoints=(hung.base_url,))
        limits = replace(PUBLIC, requests_per_minute=None)
        chat = Chat(corpus, Assistants(Assistant(corpus)), policy, limits,
                    ServedFiles(limits.files_age_s, limits.files_total_mb, tmp_path), concurrency=2)  # fmt: skip
        request = gr.Request(session_hash="visitor")

        async def stopped_then_asked_again() -> list:
            replies = chat.respond("all the goals", [], WATFORD, VLLM, hung.base_url, "m", "", request)
            answering = asyncio.ensure_future(replies.__anext__())
            while not hung.chat_requests():
                await asyncio.sleep(0.05)
            assert chat.gate.running() == 1
            answering.cancel()
            await asyncio.gather(answering, return_exceptions=True)
            await replies.aclose()
            assert chat.gate.running() == 0
            return [reply async for reply in chat.respond("all the goals", [], WATFORD, EMBEDDED, "", "", "", request)]

        *_, (reply, answer, _picker) = asyncio.run(asyncio.wait_for(stopped_then_asked_again(), 20))
        assert answer.spots and "occurs at" in reply


def test_one_users_settings_never_cost_another_users_conversation(corpus, tmp_path) -> None:
    """A visitor cycling through more endpoint settings than the cache holds: the first user's LLM memory
    (in their session) and the shared toolbox are untouched."""
    with FakeOpenAI(responder=lambda request: Reply(content="Hello.")) as server:
        embedded = Assistant(corpus)
        assistants = Assistants(embedded)
        rules = EndpointPolicy(public=False)
        files = ServedFiles(PRIVATE.files_age_s, PRIVATE.files_total_mb, tmp_path)
        chat = Chat(corpus, assistants, rules, PRIVATE, files, concurrency=2)

        first = gr.Request(session_hash="first")
        assert chat.ask("hi, I am the first user", WATFORD, VLLM, server.base_url, "fake-model", "k", request=first)
        remembered = list(chat.conversations.get("first").llm_memory)
        assert remembered and "first user" in remembered[0].content
        for n in range(MAX_ENDPOINTS + 4):  # another user cycles through more settings than are kept
            other = gr.Request(session_hash="other")
            chat.ask("hello", None, VLLM, server.base_url, f"model-{n}", "k", request=other)
        assert chat.conversations.get("first").llm_memory == remembered
        again = assistants.for_settings(rules.settings(VLLM, server.base_url, "fake-model", "k"))
        assert again.toolbox is embedded.toolbox  # one spot cache and one commentary index for all


def test_answers_in_place_of_a_dead_endpoint_queue_for_the_cpu_with_the_others(corpus, tmp_path) -> None:
    """Once an endpoint is marked down its sessions are answered here: they wait for one of the CPU places
    like every embedded answer, instead of computing beside them in the network-bound places."""
    from test_app import free_port

    chat = Chat(corpus, Assistants(Assistant(corpus)), EndpointPolicy(public=False), PRIVATE,
                ServedFiles(PRIVATE.files_age_s, PRIVATE.files_total_mb, tmp_path), concurrency=1)  # fmt: skip
    down = (VLLM, f"http://127.0.0.1:{free_port()}/v1", "m", "k")
    first = chat.ask("all the goals", WATFORD, *down, request=gr.Request(session_hash="a"))  # marks it down
    assert "offline" in first["notice"]
    assert chat.assistants.for_settings(chat.policy.settings(*down)).answers_here
    finished = threading.Event()

    def ask_again() -> None:
        chat.ask("all the goals", WATFORD, *down, request=gr.Request(session_hash="b"))
        finished.set()

    with chat._local:  # an embedded answer holds the one CPU place
        worker = threading.Thread(target=ask_again)
        worker.start()
        assert not finished.wait(1.0)  # the offline answer waits for it
    assert finished.wait(30)
    worker.join()
