"""The local transformers back end on a tiny random-weight Mistral (tests/tiny_models.py): it
renders the prompts through the chat template, generates in batches, reads whatever comes out."""

from __future__ import annotations

import dataclasses
import shutil

import pytest
import torch
from peft import LoraConfig, get_peft_model
from tiny_models import tiny_mistral
from transformers import AutoModelForCausalLM

from index.classes import LABELS
from index.corpus import load_match
from index.errors import HighlightsError
from spotting.llm.base import LLMSpotter
from spotting.llm.transformers_spotter import MISTRAL_TEMPLATE_FILE, TransformersSpotter, fold_system
from spotting.registry import make_spotter

GAME = "england_epl/2014-2015/2015-04-11 - 19-30 Burnley 0 - 1 Arsenal"
NEW_TOKENS = 8


@pytest.fixture(scope="module")
def short_match(sample_root):
    """The first three minutes of the first half: three chunks."""
    match = load_match(sample_root, GAME)
    segments = tuple(s for s in match.half_segments(1) if s.start < 180)
    return dataclasses.replace(match, segments={1: segments, 2: ()})


@pytest.fixture(scope="module")
def model_dir(tmp_path_factory, short_match):
    # a tokenizer trained on the prompts themselves keeps them short (and the test fast)
    texts = [m["content"] for _, messages in LLMSpotter().questions(short_match, (1,)) for m in messages]
    return tiny_mistral(tmp_path_factory.mktemp("tiny") / "mistral", texts=texts)


@pytest.fixture(scope="module")
def spotter(model_dir):
    return TransformersSpotter(str(model_dir), batch_size=3, max_new_tokens=NEW_TOKENS, progress=False)


def test_it_generates_for_every_chunk_and_counts_what_it_cannot_read(spotter, short_match):
    questions = spotter.questions(short_match, (1, 2))
    assert len(questions) == 3
    spots = spotter.spot(short_match)
    for spot in spots:  # random weights write garbage; whatever is read is a valid spot
        assert spot.label in LABELS and 0 <= spot.start <= spot.end and spot.backend == "transformers"
    usage = spotter.usage
    assert usage.requests == 3 and 0 < usage.completion_tokens <= 3 * NEW_TOKENS
    assert usage.prompt_tokens > 3 * 100 and usage.seconds > 0
    assert usage.parse_failures + len(spots) > 0
    assert "tokens/s" in spotter.report()


def test_the_prompt_goes_through_the_models_chat_template(spotter, short_match):
    messages = spotter.questions(short_match, (1,))[0][1]
    prompt = spotter.render(messages)
    assert prompt.startswith("<s>[INST] You are a soccer match analyst")
    assert prompt.endswith("[/INST]") and messages[-1]["content"] in prompt


def test_batched_generation_equals_one_prompt_at_a_time(model_dir, spotter, short_match):
    questions = spotter.questions(short_match, (1,))
    single = TransformersSpotter(str(model_dir), batch_size=1, max_new_tokens=NEW_TOKENS, progress=False)
    assert single.ask(questions, "one") == spotter.ask(questions, "batched")


def test_a_tokenizer_without_chat_template_gets_the_mistral_one(model_dir, tmp_path, short_match):
    bare = tmp_path / "bare"
    shutil.copytree(model_dir, bare)
    (bare / "chat_template.jinja").unlink()
    spot = TransformersSpotter(str(bare), max_new_tokens=2, progress=False)
    assert spot.tokenizer.chat_template == MISTRAL_TEMPLATE_FILE.read_text(encoding="utf-8")
    prompt = spot.render(spot.questions(short_match, (1,))[0][1])
    assert prompt.startswith("<s>[INST] You are a soccer match analyst") and prompt.endswith(" [/INST]")


def test_a_template_that_refuses_the_system_role_gets_it_folded_in(spotter, short_match):
    messages = spotter.questions(short_match, (1,))[0][1]
    strict = (
        "{% for m in messages %}{% if m['role'] == 'system' %}{{ raise_exception('no system role') }}{% endif %}"
        "[{{ m['role'] }}] {{ m['content'] }}\n{% endfor %}"
    )
    original, spotter.tokenizer.chat_template = spotter.tokenizer.chat_template, strict
    try:
        prompt = spotter.render(messages)
    finally:
        spotter.tokenizer.chat_template = original
    assert prompt.startswith("[user] You are a soccer match analyst")
    assert fold_system(messages)[0]["content"].endswith(messages[1]["content"])


def test_a_lora_adapter_is_applied(model_dir, tmp_path, spotter, short_match):
    base = AutoModelForCausalLM.from_pretrained(model_dir)
    torch.manual_seed(1)
    config = LoraConfig(r=4, lora_alpha=64, target_modules=["q_proj", "v_proj"], init_lora_weights=False)
    get_peft_model(base, config).save_pretrained(tmp_path / "adapter")
    tuned = make_spotter(
        "transformers",
        model=str(model_dir),
        adapter=str(tmp_path / "adapter"),
        max_new_tokens=NEW_TOKENS,
        progress=False,
    )
    assert tuned.model.endswith("+adapter")
    questions = spotter.questions(short_match, (1,))
    assert tuned.ask(questions, "tuned") != spotter.ask(questions, "base")


def test_bad_model_or_adapter_is_a_clear_error(model_dir, tmp_path):
    with pytest.raises(HighlightsError, match="cannot load the model"):
        TransformersSpotter(str(tmp_path / "nowhere"))
    with pytest.raises(HighlightsError, match="not a peft adapter folder"):
        TransformersSpotter(str(model_dir), adapter=tmp_path)
    with pytest.raises(HighlightsError, match="needs --model"):
        make_spotter("transformers")
