"""LoRA fine-tuning end to end on tiny random-weight models (CPU): label masking, a few steps on
a chat seen repeatedly (the loss goes down), held-out metrics, checkpoints resumed, the adapter
saved as vLLM loads it, reloaded by the spotters, generating, and its replies parsed."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest
import torch
from safetensors import safe_open
from tiny_models import tiny_mistral, tiny_qwen2_vl, write_video
from transformers import AutoImageProcessor, AutoModelForCausalLM, AutoTokenizer

from index.chunks import chunk_half
from index.corpus import SAMPLE_ROOT, load_corpus
from index.errors import HighlightsError
from spotting.finetune.data import DataSettings, build_sft_data, text_messages, write_sft_data
from spotting.finetune.defaults import DEFAULT_TARGET_MODULES
from spotting.finetune.encoding import IGNORE_INDEX, ChatEncoder, ClipFrames, Collator
from spotting.finetune.model import choose_precision, quantization_config
from spotting.finetune.settings import TrainSettings
from spotting.finetune.train import spread, train
from spotting.llm.parsing import parse_reply
from spotting.llm.transformers_spotter import MISTRAL_TEMPLATE_FILE, TransformersSpotter
from spotting.video.frames import HalfVideo
from spotting.video.spotter import LocalQwen2VLSpotter
from ui.cli import main

BURNLEY_ARSENAL = "england_epl/2014-2015/2015-04-11 - 19-30 Burnley 0 - 1 Arsenal"
SOURCE = {"data": str(SAMPLE_ROOT), "echoes_version": "whisper_v2", "text": "original"}
TEMPLATE = MISTRAL_TEMPLATE_FILE.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def corpus():
    return load_corpus(SAMPLE_ROOT)


@pytest.fixture(scope="module")
def text_data(corpus):
    return build_sft_data(corpus.matches, DataSettings(keep_empty=0.0))


@pytest.fixture(scope="module")
def known_record(text_data):
    records = text_data.records["train"] + text_data.records["valid"]
    return next(r for r in records if r["match"] == BURNLEY_ARSENAL and r["start"] == 240.0)


def chat_texts(records):
    return [part for r in records for m in r["messages"] for part in _texts(m["content"])]


def _texts(content):
    return [content] if isinstance(content, str) else [p["text"] for p in content if p["type"] == "text"]


@pytest.fixture(scope="module")
def mistral(tmp_path_factory, text_data):
    """A tiny Mistral whose tokenizer, like Mistral-7B-v0.3's, has no chat template."""
    return tiny_mistral(
        tmp_path_factory.mktemp("mistral"), chat_texts(text_data.records["train"][:20]), chat_template=None
    )


@pytest.fixture(scope="module")
def tokenizer(mistral):
    return AutoTokenizer.from_pretrained(mistral)


def test_labels_cover_the_answer_only_and_the_prompt_is_the_spotters(tokenizer, known_record):
    encoder = ChatEncoder(tokenizer, chat_template=TEMPLATE)
    encoded = encoder.encode(known_record)
    prompt = tokenizer.apply_chat_template(
        known_record["messages"][:-1], tokenize=False, add_generation_prompt=True, chat_template=TEMPLATE
    )
    prompt_ids = tokenizer(prompt, add_special_tokens=False)["input_ids"]
    assert encoded["input_ids"][: len(prompt_ids)] == prompt_ids
    assert encoded["labels"][: len(prompt_ids)] == [IGNORE_INDEX] * len(prompt_ids)
    answer = encoded["labels"][len(prompt_ids) :]
    assert IGNORE_INDEX not in answer and answer == encoded["input_ids"][len(prompt_ids) :]
    assert tokenizer.decode(answer) == " " + known_record["messages"][-1]["content"] + "</s>"
    assert answer[-1] == tokenizer.eos_token_id  # the model learns to stop


def test_the_loss_is_the_cross_entropy_of_the_answers_tokens(mistral, tokenizer, text_data, known_record):
    other = next(r for r in text_data.records["train"] + text_data.records["valid"] if r != known_record)
    encoder = ChatEncoder(tokenizer, chat_template=TEMPLATE)
    batch = Collator(encoder, tokenizer.pad_token_id)([known_record, other])
    lengths = [len(encoder.encode(r)["input_ids"]) for r in (known_record, other)]
    assert batch["attention_mask"].sum(1).tolist() == lengths
    short = min(range(2), key=lengths.__getitem__)
    assert (batch["labels"][short, lengths[short] :] == IGNORE_INDEX).all()
    assert (batch["input_ids"][short, lengths[short] :] == tokenizer.pad_token_id).all()
    model = AutoModelForCausalLM.from_pretrained(mistral)
    with torch.no_grad():
        output = model(**batch)
    logits, labels = output.logits[:, :-1], batch["labels"][:, 1:]
    scored = labels != IGNORE_INDEX
    expected = torch.nn.functional.cross_entropy(logits[scored], labels[scored])
    assert torch.isclose(output.loss, expected, atol=1e-5)
    assert scored.sum() < batch["attention_mask"].sum() / 4  # the prompts are most of the tokens


def test_a_template_that_rewrites_the_prompt_is_refused(tokenizer, known_record):
    template = "{{ messages | length }}{% for m in messages %}{{ m['content'] }}{% endfor %}"
    with pytest.raises(HighlightsError, match="start of the whole chat"):
        ChatEncoder(tokenizer, chat_template=template).encode(known_record)


def test_qlora_and_fp16_need_cuda():
    if torch.cuda.is_available():
        pytest.skip("this machine has CUDA")
    with pytest.raises(HighlightsError, match=r"QLoRA .* needs a CUDA GPU"):
        quantization_config("4bit", choose_precision("auto"))
    with pytest.raises(HighlightsError, match="fp16 training needs a CUDA GPU"):
        choose_precision("fp16")
    assert choose_precision("auto").dtype == torch.float32 and quantization_config("none", choose_precision()) is None


def test_the_settings_dataclass_is_the_command_line(tmp_path, capsys):
    """Every TrainSettings field is a flag (HfArgumentParser), the old spellings still work, the
    kind's defaults show in --help, and what is parsed is exactly what the dataclass gets."""
    from ui.cli import build_parser

    argv = ["finetune", "video", "--sft", "s", "--out", "o", "--lr", "1e-3", "--lora-r", "8", "--target-modules",
            "q_proj", "v_proj", "--no-gradient-checkpointing", "--resume", "--extra", '{"optim": "sgd"}']  # fmt: skip
    args = build_parser().parse_args(argv)
    settings = TrainSettings(**{f.name: getattr(args, f.name) for f in dataclasses.fields(TrainSettings)})
    assert (settings.kind, settings.sft, settings.learning_rate, settings.lora_r) == ("video", Path("s"), 1e-3, 8)
    assert settings.target_modules == ["q_proj", "v_proj"] and settings.extra == {"optim": "sgd"}
    assert not settings.gradient_checkpointing and settings.resume
    assert settings.base == "Qwen/Qwen2-VL-2B-Instruct" and settings.max_length == 8192
    defaults = build_parser().parse_args(["finetune", "text", "--sft", "s", "--out", "o"])
    assert TrainSettings(**{f.name: getattr(defaults, f.name) for f in dataclasses.fields(TrainSettings)}) == (
        TrainSettings(sft=Path("s"), out=Path("o"), kind="text")
    )
    with pytest.raises(SystemExit):
        build_parser().parse_args(["finetune", "text", "--sft", "s", "--out", "o", "--extra", "[1]"])
    assert "not a JSON object" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        build_parser().parse_args(["finetune", "text", "--help"])
    shown = capsys.readouterr().out
    assert "--grad-accum" in shown and "(default: mistralai/Mistral-7B-v0.3)" in shown and "(default: 0.0002)" in shown
    with pytest.raises(HighlightsError, match="no module names"):
        TrainSettings(sft=Path("s"), out=Path("o"), target_modules=[" , "])
    with pytest.raises(HighlightsError, match="chat template file not found"):
        TrainSettings(sft=Path("s"), out=Path("o"), chat_template=tmp_path / "missing.jinja")


def test_held_out_chunks_are_spread_over_the_records():
    assert spread(list(range(10)), 3) == [0, 3, 6]
    assert spread(list(range(3)), 5) == spread(list(range(3)), 0) == [0, 1, 2]


def test_bad_run_settings_are_refused(tmp_path, text_data):
    with pytest.raises(HighlightsError, match="unknown kind"):
        TrainSettings(kind="audio", sft=tmp_path, out=tmp_path)
    with pytest.raises(HighlightsError, match="must be positive"):
        TrainSettings(kind="text", sft=tmp_path, out=tmp_path, lora_r=0)
    with pytest.raises(HighlightsError, match="not an SFT data folder"):
        train(TrainSettings(kind="text", sft=tmp_path, out=tmp_path / "run"))
    write_sft_data(text_data, tmp_path / "sft", SOURCE)
    with pytest.raises(HighlightsError, match="this SFT data is for text, not video"):
        train(TrainSettings(kind="video", sft=tmp_path / "sft", out=tmp_path / "run"))
    with pytest.raises(HighlightsError, match="cannot load the tokenizer"):
        train(TrainSettings(kind="text", sft=tmp_path / "sft", out=tmp_path / "run", base=str(tmp_path / "no-model")))


def losses(run):
    state = json.loads(max((run / "checkpoints").glob("checkpoint-*/trainer_state.json"), key=_step).read_text())
    return state["global_step"], [h["loss"] for h in state["log_history"] if "loss" in h]


def _step(path):
    return int(path.parent.name.split("-")[1])


def test_text_pipeline_trains_resumes_saves_and_the_spotter_uses_the_adapter(
    tmp_path, corpus, mistral, text_data, known_record
):
    repeated = dataclasses.replace(
        text_data, records={"train": [known_record] * 6, "valid": text_data.records["valid"][:1]}
    )
    write_sft_data(repeated, tmp_path / "sft", SOURCE)
    command = [
        "finetune",
        "text",
        "--sft",
        str(tmp_path / "sft"),
        "--out",
        str(tmp_path / "run"),
        "--base",
        str(mistral),
    ]
    quick = ["--lr", "1e-2", "--grad-accum", "1", "--warmup", "0", "--logging-steps", "1", "--save-steps", "2"]
    quick += ["--eval-chunks", "1", "--max-new-tokens", "8"]
    assert main([*command, *quick, "--max-steps", "4"]) == 0
    step, first = losses(tmp_path / "run")
    assert step == 4 and first[-1] < first[0] - 0.05, first  # one chat, seen again and again

    assert main([*command, *quick, "--max-steps", "6", "--resume"]) == 0
    step, resumed = losses(tmp_path / "run")
    assert step == 6 and resumed[:4] == first and resumed[-1] < first[-1]
    heldout = [json.loads(line) for line in (tmp_path / "run" / "heldout_metrics.jsonl").read_text().splitlines()]
    assert [h["step"] for h in heldout] == [4, 6]  # the resumed run kept the first run's line
    assert {"interval_f1", "average_map_loose", "average_map_tight", "parse_failures"} <= set(heldout[0])

    adapter = tmp_path / "run" / "adapter"
    config = json.loads((adapter / "adapter_config.json").read_text())
    assert (
        config["peft_type"] == "LORA"
        and config["r"] == 16
        and set(config["target_modules"]) == set(DEFAULT_TARGET_MODULES)
    )
    with safe_open(adapter / "adapter_model.safetensors", "pt") as weights:
        names = list(weights.keys())
        assert any(weights.get_tensor(n).abs().sum() > 0 for n in names if "lora_B" in n)  # trained, not the zero init
    assert len(names) == 2 * 7 * 2 and all(".layers." in n and ("lora_A" in n or "lora_B" in n) for n in names)

    spotter = TransformersSpotter(str(mistral), adapter=adapter, max_new_tokens=8, progress=False)
    match = corpus.get(BURNLEY_ARSENAL)
    chunk = next(c for c in chunk_half(match, 1) if c.start == 240.0)
    messages = next(m for c, m in spotter.questions(match, (1,)) if c == chunk)
    assert messages == text_messages(chunk, match)[:-1]  # asked exactly as trained
    prompt = spotter.tokenizer(spotter.render(messages), return_tensors="pt", add_special_tokens=False)
    base = AutoModelForCausalLM.from_pretrained(mistral)
    with torch.no_grad():
        assert not torch.allclose(spotter.network(**prompt).logits, base(**prompt).logits)  # the adapter is on
    (reply,) = spotter.ask([(chunk, messages)], "test")
    parsed = parse_reply(reply, chunk, spotter.name)
    assert parsed.spots or parsed.failures or not reply.strip(), reply


def test_video_pipeline_trains_saves_and_the_video_spotter_uses_the_adapter(tmp_path, corpus):
    video = write_video(tmp_path / "half.mkv", seconds=60, fps=2)
    with_video = [dataclasses.replace(m, videos={1: video, 2: video}) for m in corpus.matches]
    settings = DataSettings(kind="video", fps=0.25, size=(96, 64), keep_empty=1.0)
    data = build_sft_data(with_video, settings)
    first = next(r for r in data.records["train"] if r["start"] == 0.0 and r["labels"])
    repeated = dataclasses.replace(data, records={"train": [first] * 3, "valid": data.records["valid"][:1]})
    write_sft_data(repeated, tmp_path / "sft", SOURCE)
    base = tiny_qwen2_vl(tmp_path / "qwen", chat_texts([first]))

    tokenizer, processor = AutoTokenizer.from_pretrained(base), AutoImageProcessor.from_pretrained(base)
    encoder = ChatEncoder(tokenizer, image_processor=processor, load_frames=ClipFrames(processor, 0.25, (96, 64)))
    encoded = encoder.encode(first)
    video_tokens = sum(t == tokenizer.convert_tokens_to_ids("<|video_pad|>") for t in encoded["input_ids"])
    assert encoded["video_grid_thw"].tolist() == [[8, 4, 6]]  # 15 frames padded to 16, 84x56 pixels
    assert video_tokens == 8 * 4 * 6 // 4 == sum(t == 2 for t in encoded["mm_token_type_ids"])
    answer = [t for t in encoded["labels"] if t != IGNORE_INDEX]
    assert tokenizer.decode(answer) == first["messages"][-1]["content"][0]["text"] + "<|im_end|>\n"

    result = train(
        TrainSettings(
            kind="video",
            sft=tmp_path / "sft",
            out=tmp_path / "run",
            base=str(base),
            max_steps=3,
            grad_accum=1,
            learning_rate=1e-2,
            warmup=0,
            logging_steps=1,
            eval_chunks=1,
            max_new_tokens=6,
        )
    )
    steps = [h["loss"] for h in result.log_history if "loss" in h]
    assert len(steps) == 3 and steps[-1] < steps[0], steps
    assert result.heldout and result.heldout[-1]["chunks"] == 1
    assert result.serve_command.startswith(f"vllm serve {base} --enable-lora --lora-modules spotter=")
    with safe_open(result.adapter / "adapter_model.safetensors", "pt") as weights:
        names = list(weights.keys())
    assert names and all(".language_model." in n for n in names)  # the vision tower is left as it is

    spotter = LocalQwen2VLSpotter(
        str(base),
        adapter=result.adapter,
        videos={1: HalfVideo(video), 2: HalfVideo(video)},
        fps=0.25,
        size=(96, 64),
        max_new_tokens=6,
        progress=False,
    )
    match = corpus.get(first["match"])
    chunk, messages = next((c, m) for c, m in spotter.questions(match, (first["half"],)) if c.start == 0.0)
    asked = spotter.inputs(messages)
    trained = encoder.encode_prompt(first["messages"])
    assert asked["input_ids"].tolist() == trained["input_ids"].tolist()  # the same prompt, token for token
    assert torch.equal(asked["pixel_values_videos"], trained["pixel_values_videos"])  # and the same frames
    (reply,) = spotter.ask([(chunk, messages)], "test")
    parsed = parse_reply(reply, chunk, spotter.name)
    assert parsed.spots or parsed.failures or not reply.strip(), reply
