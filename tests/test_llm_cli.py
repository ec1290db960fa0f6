"""``highlights spot --backend openai|vllm`` then ``highlights evaluate``, through real HTTP."""

from __future__ import annotations

import json

import pytest
from fake_openai import FakeOpenAI, Reply
from test_llm_openai import KEY, corner_reply

from ui.cli import main

GAME = "Burnley 0 - 1 Arsenal"


@pytest.fixture
def server():
    with FakeOpenAI(responder=corner_reply) as fake:
        yield fake


def test_spot_with_o4_mini_then_evaluate(server, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("MY_OPENAI_KEY", KEY)
    out = tmp_path / "o4-mini"
    argv = ["spot", "--backend", "openai", "--model", "o4-mini", "--base-url", server.base_url]
    argv += ["--api-key-env", "MY_OPENAI_KEY", "--cache-dir", str(tmp_path / "cache"), "--concurrency", "4"]
    assert main([*argv, "--split", "valid", "--match", GAME, str(out)]) == 0
    asked = server.chat_requests()
    assert asked and all(r.body["model"] == "o4-mini" and "max_completion_tokens" in r.body for r in asked)
    (results,) = out.rglob("results_spotting.json")
    predictions = json.loads(results.read_text())["predictions"]
    assert len(predictions) == len(asked) and {p["label"] for p in predictions} == {"Corner"}
    err = capsys.readouterr().err
    assert f"o4-mini: {len(asked)} requests" in err and "cost: $" in err and KEY not in err
    # a rerun is free: the game is done; spotted again (--restart), every reply comes from the cache
    assert main([*argv, "--split", "valid", "--match", GAME, str(out)]) == 0
    assert "1 already done by this run" in capsys.readouterr().err
    assert main([*argv, "--split", "valid", "--match", GAME, "--restart", str(out)]) == 0
    assert len(server.chat_requests()) == len(asked)
    assert f"{len(asked)} answers from the cache" in capsys.readouterr().err
    assert main(["evaluate", str(out), "--split", "valid"]) == 0
    assert "Corner" in capsys.readouterr().out


def test_spot_with_vllm_few_shot(server, tmp_path, monkeypatch):
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    monkeypatch.setenv("OPENAI_BASE_URL", server.base_url)  # configured by the environment alone
    argv = ["spot", "--backend", "vllm", "--variant", "few-shot", "--cache-dir", str(tmp_path / "cache")]
    assert main([*argv, "--match", GAME, str(tmp_path / "out")]) == 0
    body = server.chat_requests()[0].body
    assert body["model"] == "mistralai/Mistral-7B-v0.3" and len(body["messages"]) == 8


def test_user_errors_are_one_line_messages(server, tmp_path, monkeypatch, capsys):
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    assert main(["spot", "--backend", "openai", "--match", GAME, str(tmp_path / "out")]) == 2
    assert "set the environment variable OPENAI_API_KEY" in capsys.readouterr().err
    server.responder = lambda request: Reply(status=401, error="Incorrect API key provided")
    monkeypatch.setenv("OPENAI_API_KEY", KEY)
    argv = ["spot", "--backend", "openai", "--base-url", server.base_url, "--cache-dir", str(tmp_path)]
    assert main([*argv, "--match", GAME, str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert "API key was refused" in err and KEY not in err and "Traceback" not in err
