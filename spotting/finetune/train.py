"""LoRA/QLoRA supervised fine-tuning of a spotter on an SFT data folder.

transformers' ``Trainer`` with this package's collator (loss on the answer's tokens only), peft
for the adapter, the held-out games scored with the project's metrics after every epoch,
checkpoints to resume from, and the adapter written the way ``vllm serve --enable-lora`` loads it
(``adapter_config.json`` + ``adapter_model.safetensors``).

Why not TRL's ``SFTTrainer``: its answer-only loss (``assistant_only_loss``) needs a chat template
with ``{% generation %}`` markers, which neither Mistral's nor Qwen2-VL's has, and it does not
support that option for vision-language models; its prompt/completion path would be a second code
path beside the video one. The collator here gives the same masking for both from any template.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import torch

from index.atomic import atomic_write_text
from index.corpus import load_corpus
from index.echoes import TextChoice
from index.errors import HighlightsError
from spotting.llm.transformers_spotter import MISTRAL_TEMPLATE_FILE

from .data import read_manifest, read_records
from .encoding import ChatEncoder, ClipFrames, Collator
from .evaluate import EvaluationCallback, HeldOutEvaluation, Scorer
from .model import Precision, add_lora, choose_precision, load_base, load_image_processor, load_tokenizer
from .settings import TrainSettings

log = logging.getLogger(__name__)

ADAPTER_DIR = "adapter"
CHECKPOINT_DIR = "checkpoints"
HELDOUT_FILE = "heldout_metrics.jsonl"
VLLM_DEFAULT_MAX_LORA_RANK = 16
SETTINGS_FILE = "finetune.json"


@dataclass
class TrainResult:
    adapter: Path
    log_history: list[dict[str, Any]]
    heldout: list[dict[str, Any]]
    serve_command: str


def serve_command(settings: TrainSettings, adapter: Path, template: Path | None) -> str:
    """The ``vllm serve`` line that serves this adapter as the model ``spotter``."""
    words = ["vllm serve", settings.base, "--enable-lora", f"--lora-modules spotter={adapter}"]
    if settings.lora_r > VLLM_DEFAULT_MAX_LORA_RANK:
        words.append(f"--max-lora-rank {settings.lora_r}")
    if template is not None:
        words.append(f"--chat-template {template}")
    return " ".join(words)


def spread(records: list[dict], count: int) -> list[dict]:
    """``count`` records taken at an even stride (every game has its share), or all for 0."""
    if count <= 0 or count >= len(records):
        return records
    return [records[i * len(records) // count] for i in range(count)]


def _held_out_matches(manifest: dict[str, Any], records: list[dict]) -> dict:
    source = manifest["source"]
    games = sorted({r["match"] for r in records})
    corpus = load_corpus(Path(source["data"]), games, source["echoes_version"], TextChoice(source["text"]))
    missing = set(games) - {m.id for m in corpus.matches}
    if missing:
        raise HighlightsError(f"held-out games no longer load: {', '.join(sorted(missing))}", source["data"])
    return {m.id: m for m in corpus.matches}


def _last_checkpoint(folder: Path) -> str | None:
    from transformers.trainer_utils import get_last_checkpoint

    return get_last_checkpoint(str(folder)) if folder.is_dir() else None


def save_adapter(model, folder: Path, record: dict[str, Any]) -> None:
    """peft's adapter files and the run's settings, written beside and then moved into place, so a
    crash never leaves a half-written adapter where a server would load it."""
    partial = folder.with_name(folder.name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
    model.save_pretrained(str(partial))
    atomic_write_text(partial / SETTINGS_FILE, json.dumps(record, indent=2, default=str) + "\n")
    shutil.rmtree(folder, ignore_errors=True)
    partial.rename(folder)


def _encoder(settings: TrainSettings, tokenizer, template_file: Path | None, data_settings: dict) -> ChatEncoder:
    """The encoder for this run: the chat template in use and, for video, frames as the spotter takes them."""
    template = template_file.read_text(encoding="utf-8") if template_file else None
    encoder = ChatEncoder(tokenizer, settings.max_length, chat_template=template)
    if settings.kind == "video":
        encoder.image_processor = load_image_processor(settings.base)
        encoder.load_frames = ClipFrames(encoder.image_processor, data_settings["fps"], tuple(data_settings["size"]))
    return encoder


def _training_arguments(settings: TrainSettings, precision: Precision, evaluate: bool) -> dict[str, Any]:
    """``TrainingArguments`` of a run; ``settings.extra`` overrides any of them."""
    options: dict[str, Any] = dict(
        output_dir=str(settings.out / CHECKPOINT_DIR),
        per_device_train_batch_size=settings.batch_size,
        per_device_eval_batch_size=settings.batch_size,
        gradient_accumulation_steps=settings.grad_accum,
        learning_rate=settings.learning_rate,
        num_train_epochs=settings.epochs,
        max_steps=settings.max_steps,
        lr_scheduler_type="cosine",
        warmup_steps=settings.warmup,
        logging_steps=settings.logging_steps,
        save_strategy="steps" if settings.save_steps else "epoch",
        save_steps=settings.save_steps or 500,
        save_total_limit=2,
        eval_strategy="epoch" if evaluate else "no",
        bf16=precision.bf16,
        fp16=precision.fp16,
        activation_checkpointing=settings.gradient_checkpointing,
        activation_checkpointing_kwargs={"use_reentrant": False},
        remove_unused_columns=False,
        report_to="none",
        seed=settings.seed,
        use_cpu=not torch.cuda.is_available(),
        dataloader_num_workers=settings.workers,
        disable_tqdm=not os.isatty(2),
    )
    return options | settings.extra


def train(settings: TrainSettings, score: Scorer | None = None) -> TrainResult:
    """Fine-tune, scoring the held-out games each epoch with ``score``, and save the adapter."""
    from transformers import Trainer, TrainingArguments, set_seed

    manifest = read_manifest(settings.sft)
    made_for = manifest["settings"]["kind"]
    if made_for != settings.kind:
        raise HighlightsError(f"this SFT data is for {made_for}, not {settings.kind}", settings.sft)
    train_records, valid_records = read_records(settings.sft, "train"), read_records(settings.sft, "valid")
    if not train_records:
        raise HighlightsError("no training records", settings.sft)
    set_seed(settings.seed)
    precision = choose_precision(settings.precision)
    tokenizer = load_tokenizer(settings.base)
    model = load_base(settings.kind, settings.base, precision, settings.quantize)
    template_file = settings.chat_template or (None if tokenizer.chat_template else MISTRAL_TEMPLATE_FILE)
    encoder = _encoder(settings, tokenizer, template_file, manifest["settings"])
    model = add_lora(
        model,
        settings.lora_r,
        settings.lora_alpha,
        settings.lora_dropout,
        settings.target_modules,
        settings.gradient_checkpointing,
    )
    checkpoints = settings.out / CHECKPOINT_DIR
    resume_from = _last_checkpoint(checkpoints) if settings.resume else None
    if settings.resume and resume_from is None:
        log.warning("nothing to resume in %s: starting from the base model", checkpoints)
    heldout_file = settings.out / HELDOUT_FILE
    if resume_from is None:
        heldout_file.unlink(missing_ok=True)
    held_out = spread(valid_records, settings.eval_chunks)
    evaluation = HeldOutEvaluation(
        held_out,
        _held_out_matches(manifest, held_out) if held_out else {},
        encoder,
        float(manifest["settings"]["chunk_length"]),
        settings.max_new_tokens,
        backend=f"finetune-{settings.kind}",
        score=score,
    )
    callback = EvaluationCallback(evaluation, heldout_file)
    args = TrainingArguments(**_training_arguments(settings, precision, bool(valid_records)))
    trainer = Trainer(
        model=model,
        args=args,
        train_dataset=train_records,
        eval_dataset=valid_records or None,
        data_collator=Collator(encoder, tokenizer.pad_token_id),
        callbacks=[callback] if held_out else [],
    )
    trainer.train(resume_from_checkpoint=resume_from)
    adapter = settings.out / ADAPTER_DIR
    record = asdict(settings) | {"data_manifest": manifest["source"], "precision_used": str(precision.dtype)}
    if trainer.is_world_process_zero():
        save_adapter(model, adapter, record)
    return TrainResult(
        adapter, trainer.state.log_history, callback.history, serve_command(settings, adapter, template_file)
    )
