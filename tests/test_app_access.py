"""Who may make the app call which URL, with whose key (issue 15, items 1-3), proved on the wire: fake
OpenAI-compatible endpoints on 127.0.0.1 record the headers of every request they get.

The operator's key must never reach a URL (or, in a public run, a model) a visitor chose; a public run
calls only the configured endpoints, never a loopback, private or link-local address, and names no
server path; each session is held to its share of requests.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

import httpx
import pytest
from fake_openai import FakeOpenAI, Reply, ToolCall
from gradio_client import Client
from gradio_client.exceptions import AppError
from test_app import WATFORD, free_port

from agent import Assistant, LLMSettings
from agent.endpoint import PrivateAddress, endpoint_client, is_public_address
from index.corpus import SAMPLE_ROOT, load_corpus
from index.errors import HighlightsError
from ui.access import EMBEDDED, OPENAI, OPENAI_URL, VLLM, EndpointPolicy, is_space, same_endpoint
from ui.app import build_app, launch
from ui.limits import MB, PRIVATE, PUBLIC

SECRET = "sk-operator-key-0123456789abcdef"
VISITOR_KEY = "sk-visitor-key-9876543210"
LOCAL_URLS = [
    "http://127.0.0.1:8000/v1",
    "http://localhost:8000/v1",
    "http://10.0.0.5/v1",
    "http://192.168.1.1/v1",
    "http://169.254.169.254/latest/meta-data",  # a cloud's metadata service
    "http://[::1]:8000/v1",
    "http://[::ffff:127.0.0.1]/v1",
    "http://0.0.0.0:8000/v1",
]


def policy(public: bool, operator: str = "http://10.1.2.3:8000/v1", **changes) -> EndpointPolicy:
    """The operator's endpoint (``operator``) with its key and model."""
    return EndpointPolicy(public, operator_url=operator, operator_key=SECRET, operator_model="fake-model", **changes)


def keys_sent(server: FakeOpenAI) -> set[str]:
    return {r.headers.get("authorization", "") for r in server.requests}


# -- the rules -----------------------------------------------------------------------------------
@pytest.mark.parametrize("public", [False, True])
def test_the_operator_key_goes_to_the_operator_url_only(public: bool) -> None:
    rules = policy(public, endpoints=("https://visitor.example.org/v1",))
    own = rules.settings(OPENAI, "", "", "")
    assert own.api_key == SECRET and own.model == "fake-model" and own.base_url == rules.default_url(OPENAI)
    elsewhere = rules.settings(VLLM, "https://visitor.example.org/v1", "any-model", "")
    assert elsewhere.api_key == "EMPTY"  # an empty key field never stands for the operator's key elsewhere
    with pytest.raises(HighlightsError, match="needs an API key: type yours"):
        rules.settings(OPENAI, "https://visitor.example.org/v1", "", "")
    assert rules.settings(OPENAI, "https://visitor.example.org/v1", "", VISITOR_KEY).api_key == VISITOR_KEY
    assert SECRET not in repr(rules) + repr(own)


def test_a_private_run_takes_any_url_with_the_users_own_key() -> None:
    rules = policy(public=False)
    for url in LOCAL_URLS:
        chosen = rules.settings(VLLM, url, "m", VISITOR_KEY)
        assert chosen.base_url == url and chosen.api_key == VISITOR_KEY and not chosen.public_only
    assert rules.settings(VLLM, "http://127.0.0.1:8000/v1", "other-model", "").api_key == "EMPTY"
    assert rules.settings(VLLM, rules.operator_url, "other-model", "").api_key == SECRET  # its one user's choice


def test_a_public_run_calls_the_configured_endpoints_only() -> None:
    rules = policy(public=True, endpoints=("http://127.0.0.1:8000/v1",))
    assert rules.settings(VLLM, "http://127.0.0.1:8000/v1/", "m", "").base_url == "http://127.0.0.1:8000/v1/"
    for url in ["https://api.example.org/v1", *LOCAL_URLS[1:]]:
        with pytest.raises(HighlightsError, match="calls only the endpoint"):
            rules.settings(VLLM, url, "m", VISITOR_KEY)


@pytest.mark.parametrize("url", LOCAL_URLS)
def test_any_public_host_still_refuses_local_and_private_addresses(url: str) -> None:
    rules = policy(public=True, any_public_host=True)
    with pytest.raises(HighlightsError, match="local or private address"):
        rules.settings(VLLM, url, "m", VISITOR_KEY)


@pytest.mark.parametrize(
    "url",
    ["file:///etc/passwd", "ftp://example.org/v1", "gopher://127.0.0.1:6379/_", "localhost:8000", "http:///v1",
     "http://operator:pw@example.org/v1", "http://example.org:99999/v1"],
)  # fmt: skip
def test_other_schemes_and_credentials_in_urls_are_refused(url: str) -> None:
    for rules in (policy(public=False), policy(public=True, any_public_host=True)):
        with pytest.raises(HighlightsError, match="endpoint URL must"):
            rules.settings(VLLM, url, "m", VISITOR_KEY)


def test_look_alike_urls_are_not_the_operators_endpoint() -> None:
    assert same_endpoint(OPENAI_URL, "HTTPS://API.OPENAI.COM:443/v1/")
    for other in (
        "https://api.openai.com.evil.example/v1",
        "https://api.openai.com/v1@evil.example",
        "https://api.openai.com@evil.example/v1",
        "http://api.openai.com/v1",
        "https://api.openai.com:8443/v1",
        "https://api.openai.com/v2",
    ):
        assert not same_endpoint(other, OPENAI_URL), other
    rules = EndpointPolicy(public=False, operator_key=SECRET)
    assert rules.settings(OPENAI, "https://api.openai.com.evil.example/v1", "", VISITOR_KEY).api_key == VISITOR_KEY


def test_in_a_public_run_the_operator_key_is_for_the_operator_model_only() -> None:
    rules = policy(public=True)
    with pytest.raises(HighlightsError, match="key is for fake-model only"):
        rules.settings(OPENAI, "", "the-most-expensive-model", "")
    assert rules.settings(OPENAI, "", "the-most-expensive-model", VISITOR_KEY).api_key == VISITOR_KEY
    assert rules.settings(OPENAI, "", "fake-model", "").api_key == SECRET


def test_the_operator_configures_the_policy_from_the_environment() -> None:
    env = {"OPENAI_BASE_URL": "http://10.1.2.3:8000/v1", "OPENAI_API_KEY": SECRET, "HIGHLIGHTS_LLM_MODEL": "m7",
           "HIGHLIGHTS_ENDPOINTS": "https://a.example.org/v1, *"}  # fmt: skip
    rules = EndpointPolicy.from_env(True, env)
    assert rules.operator_url == env["OPENAI_BASE_URL"] and rules.operator_key == SECRET
    assert rules.operator_model == "m7" and rules.endpoints == ("https://a.example.org/v1",) and rules.any_public_host
    assert EndpointPolicy.from_env(True, {}).operator_key == ""
    with pytest.raises(HighlightsError, match="endpoint URL must"):
        EndpointPolicy.from_env(True, {"HIGHLIGHTS_ENDPOINTS": "file:///etc"})
    assert rules.settings(EMBEDDED, "", "", "") is None


def test_a_space_is_told_by_the_variables_spaces_sets() -> None:
    assert is_space({"SYSTEM": "spaces", "SPACE_ID": "owner/app"}) and is_space({"SPACE_ID": "owner/app"})
    assert not is_space({}) and not is_space({"SYSTEM": "linux"})


def test_addresses_that_are_not_public() -> None:
    assert [is_public_address(a) for a in ("8.8.8.8", "2606:4700::1111")] == [True, True]
    for address in ("127.0.0.1", "10.0.0.1", "172.16.0.1", "192.168.0.1", "169.254.169.254", "100.64.0.1",
                    "0.0.0.0", "224.0.0.1", "::1", "fe80::1%eth0", "fc00::1", "::ffff:10.0.0.1"):  # fmt: skip
        assert not is_public_address(address), address


def test_a_visitor_endpoint_that_resolves_to_a_local_address_is_cut_at_connect() -> None:
    """DNS rebinding: the name checked public, the connection lands on 127.0.0.1; nothing is sent."""
    with FakeOpenAI() as server:
        settings = LLMSettings(server.base_url, VISITOR_KEY, "m", timeout_s=5, public_only=True)
        with endpoint_client(settings) as client, pytest.raises(PrivateAddress):
            client.get(f"{server.base_url}/models")
        assert server.requests == []
        with endpoint_client(replace(settings, public_only=False)) as client:  # an operator's endpoint: fine
            assert client.get(f"{server.base_url}/models").status_code == 200


# -- on the wire, through the app ----------------------------------------------------------------
@pytest.fixture(scope="module")
def endpoints() -> Iterator[tuple[FakeOpenAI, FakeOpenAI]]:
    """The operator's endpoint and one a visitor names."""
    with FakeOpenAI() as operator, FakeOpenAI() as visitor:
        yield operator, visitor


def launched(corpus, limits, rules) -> tuple[object, str]:
    demo = build_app(corpus, Assistant(corpus), limits, rules).queue(default_concurrency_limit=4)
    port = free_port()
    launch(demo, "127.0.0.1", port, limits, prevent_thread_lock=True, quiet=True)
    return demo, f"http://127.0.0.1:{port}/"


@pytest.fixture(scope="module")
def apps(endpoints) -> Iterator[dict[str, str]]:
    operator, _ = endpoints
    corpus = load_corpus(SAMPLE_ROOT)
    quick = replace(PUBLIC, requests_per_minute=6, add=replace(PUBLIC.add, max_upload_mb=1))
    private, private_url = launched(corpus, PRIVATE, policy(False, operator.base_url))
    public, public_url = launched(corpus, quick, policy(True, operator.base_url))
    try:
        yield {"private": private_url, "public": public_url}
    finally:
        private.close()
        public.close()


def goal_script(server: FakeOpenAI) -> None:
    server.script(
        Reply(content="", tool_calls=[ToolCall("spot_actions", {"match": WATFORD, "classes": ["goals"]})]),
        Reply(content="Here are the goals."),
    )


def test_a_private_app_never_sends_the_operators_key_to_a_visitors_url(apps, endpoints) -> None:
    operator, visitor = endpoints
    client = Client(apps["private"], verbose=False)
    goal_script(visitor)
    result = client.predict("all the goals", WATFORD, backend=VLLM, base_url=visitor.base_url, model="fake-model",
                            api_name="/ask")  # fmt: skip
    assert result["backend"] == "fake-model" and visitor.chat_requests()  # it did talk to the visitor's URL
    client.predict(VLLM, visitor.base_url, "fake-model", "", api_name="/test_connection")
    assert visitor.requests and keys_sent(visitor) == {"Bearer EMPTY"}  # never "Bearer " + SECRET
    client.predict(VLLM, operator.base_url, "fake-model", "", api_name="/test_connection")
    assert keys_sent(operator) == {f"Bearer {SECRET}"}  # the key is set, and goes where it belongs


def test_a_public_app_calls_no_url_a_visitor_names(apps, endpoints) -> None:
    operator, visitor = endpoints
    before = len(visitor.requests)
    client = Client(apps["public"], verbose=False)
    for url in (visitor.base_url, "http://169.254.169.254/latest", "file:///etc/passwd"):
        with pytest.raises(AppError, match=r"calls only the endpoint|endpoint URL must") as refused:
            client.predict("all the goals", WATFORD, backend=VLLM, base_url=url, api_key=VISITOR_KEY, api_name="/ask")
        assert SECRET not in str(refused.value)
        with pytest.raises(AppError, match=r"calls only the endpoint|endpoint URL must"):
            client.predict(VLLM, url, "fake-model", VISITOR_KEY, api_name="/test_connection")
    assert len(visitor.requests) == before  # nothing was sent, not even a connection test
    with pytest.raises(AppError, match="key is for fake-model only"):
        client.predict(VLLM, operator.base_url, "gpt-5-pro", "", api_name="/test_connection")


def test_a_public_app_names_no_server_path(apps) -> None:
    client = Client(apps["public"], verbose=False)
    for path in ("/etc/shadow", "/nonexistent/file.mkv"):
        with pytest.raises(AppError, match="this server takes uploads only") as refused:
            client.predict([], path, "A - B", "2020-01-01", "1-0", "", "", api_name="/add_match")
        assert "no such" not in str(refused.value) and "readable" not in str(refused.value)


def test_a_public_app_holds_each_session_to_its_share(apps) -> None:
    greedy, other = Client(apps["public"], verbose=False), Client(apps["public"], verbose=False)
    for _ in range(6):
        greedy.predict("all the goals", WATFORD, api_name="/ask")
    with pytest.raises(AppError, match="more than 6 questions a minute"):
        greedy.predict("all the goals", WATFORD, api_name="/ask")
    assert other.predict("all the goals", WATFORD, api_name="/ask")["intervals"]  # another session is not held


def test_a_public_app_refuses_an_upload_over_its_cap(apps) -> None:
    """``launch(max_file_size=...)``: Gradio refuses the upload before storing it (this app's cap: 1 MB)."""
    too_big = httpx.post(f"{apps['public']}gradio_api/upload", files={"files": ("a.mkv", b"0" * (MB + 1))}, timeout=60)
    assert too_big.status_code == 413, too_big.text[:200]
    fits = httpx.post(f"{apps['public']}gradio_api/upload", files={"files": ("a.mkv", b"0" * 1000)}, timeout=60)
    assert fits.status_code == 200
