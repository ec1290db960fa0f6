"""The settings of a LoRA/QLoRA run: one dataclass that is also the command line
(``transformers.HfArgumentParser`` makes a flag of every field, with the ``help``, ``aliases`` and
``choices`` of its metadata). Importable without torch or transformers; ``highlights finetune
text|video`` sets ``kind``."""

from __future__ import annotations

import json
from argparse import SUPPRESS, ArgumentTypeError
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from index.errors import HighlightsError

from .defaults import (
    DEFAULT_BASE,
    DEFAULT_LEARNING_RATE,
    DEFAULT_MAX_LENGTH,
    DEFAULT_TARGET_MODULES,
    KINDS,
    PRECISIONS,
    QUANTIZE,
)


class JsonObject(dict):
    """A dict that can also be given as JSON text, which is how a flag hands it over (argparse shows
    an ``ArgumentTypeError``'s message)."""

    def __init__(self, value: str | dict[str, Any] | None = None) -> None:
        if isinstance(value, str):
            try:
                value = json.loads(value)
            except ValueError as error:
                raise ArgumentTypeError(f"not JSON: {error}") from None
            if not isinstance(value, dict):
                raise ArgumentTypeError(f"not a JSON object: {value!r}")
        super().__init__(value or {})


@dataclass
class TrainSettings:
    """Everything a run depends on; written beside the adapter so a run can be told apart later."""

    sft: Path = field(metadata={"help": "SFT data folder from `highlights finetune data`"})
    out: Path = field(metadata={"help": "run folder: checkpoints/, adapter/, held-out metrics"})
    kind: str = field(default="text", metadata={"choices": KINDS, "help": SUPPRESS})  # `finetune text|video`
    base: str = field(default="", metadata={"help": "base model, Hugging Face name or folder (empty: the kind's)"})
    lora_r: int = field(default=16, metadata={"help": "LoRA rank"})
    lora_alpha: int = field(default=32, metadata={"help": "LoRA alpha (scale = alpha / r)"})
    lora_dropout: float = field(default=0.05, metadata={"help": "dropout on the LoRA input"})
    target_modules: list[str] = field(
        default_factory=lambda: list(DEFAULT_TARGET_MODULES), metadata={"help": "module names that get LoRA matrices"}
    )
    quantize: str = field(default="none", metadata={"choices": QUANTIZE, "help": "4bit: QLoRA (CUDA + bitsandbytes)"})
    precision: str = field(default="auto", metadata={"choices": PRECISIONS, "help": "auto: bf16 where the GPU has it"})
    learning_rate: float = field(
        default=0.0,
        metadata={"aliases": ["--lr"], "help": "peak learning rate (0: the kind's)"},
    )
    epochs: float = field(default=3.0, metadata={"help": "passes over the training chats"})
    max_steps: int = field(
        default=-1, metadata={"help": "> 0: stop after this many optimiser steps (overrides epochs)"}
    )
    batch_size: int = field(default=1, metadata={"help": "chunks per device step"})
    grad_accum: int = field(default=8, metadata={"help": "steps per optimiser update"})
    warmup: float = field(default=0.03, metadata={"help": "warm-up: a share of the steps (< 1) or a number of steps"})
    max_length: int = field(default=0, metadata={"help": "tokens per chat at most (0: the kind's)"})
    gradient_checkpointing: bool = field(default=True, metadata={"help": "recompute activations: less memory, slower"})
    save_steps: int = field(default=0, metadata={"help": "checkpoint every N steps (0: every epoch)"})
    logging_steps: int = field(default=10, metadata={"help": "log the loss every N steps"})
    eval_chunks: int = field(
        default=200, metadata={"help": "held-out chunks answered per epoch, spread evenly (0: all)"}
    )
    workers: int = field(default=0, metadata={"help": "data-loader processes (decode video in parallel)"})
    max_new_tokens: int = field(default=256, metadata={"help": "answer length at evaluation"})
    resume: bool = field(default=False, metadata={"help": "go on from the last checkpoint in --out"})
    seed: int = field(default=0, metadata={"help": "seed of the LoRA initialisation and the data order"})
    chat_template: Path | None = field(default=None, metadata={"help": "Jinja chat template replacing the tokenizer's"})
    extra: JsonObject = field(
        default_factory=JsonObject,
        metadata={"help": 'TrainingArguments overrides, a JSON object: \'{"optim": "adamw_torch_fused"}\''},
    )

    def __post_init__(self) -> None:
        if self.kind not in DEFAULT_BASE:
            raise HighlightsError(f"unknown kind {self.kind!r}; expected text or video")
        self.base = self.base or DEFAULT_BASE[self.kind]
        self.learning_rate = self.learning_rate or DEFAULT_LEARNING_RATE[self.kind]
        self.max_length = self.max_length or DEFAULT_MAX_LENGTH[self.kind]
        self.target_modules = [m.strip() for name in self.target_modules for m in name.split(",") if m.strip()]
        self.extra = JsonObject(self.extra)
        if not self.target_modules:
            raise HighlightsError("no module names given", "--target-modules")
        if self.lora_r <= 0 or self.lora_alpha <= 0 or self.batch_size <= 0 or self.grad_accum <= 0:
            raise HighlightsError("LoRA rank and alpha, batch size and accumulation must be positive")
        if self.chat_template is not None and not Path(self.chat_template).is_file():
            raise HighlightsError("chat template file not found", self.chat_template)
