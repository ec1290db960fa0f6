"""Spotting with a local ``transformers`` causal LM (± a peft LoRA adapter): for a GPU without a
server, and for tests on a tiny model. Same prompts (through the model's chat template) and the
same parser as the endpoint back ends; greedy decoding in batches of similar-length prompts.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from jinja2 import TemplateError
from tqdm import tqdm

from index.chunks import DEFAULT_CHUNK_S
from index.errors import HighlightsError
from index.types import Chunk

from .base import LLMSpotter, Question, typed_options
from .prompting import PROMPTS_DIR

log = logging.getLogger(__name__)

# Used when a tokenizer has no chat template (mistralai/Mistral-7B-v0.3, a base model, has none):
# Mistral's instruct format, the system prompt leading the first user turn. Also for `vllm serve
# --chat-template`.
MISTRAL_TEMPLATE_FILE = PROMPTS_DIR / "mistral_chat_template.jinja"


def fold_system(messages: list[dict]) -> list[dict]:
    """The messages without a system turn, its text leading the first user turn (for templates
    that refuse a system role)."""
    system = "\n\n".join(m["content"] for m in messages if m["role"] == "system")
    rest = [dict(m) for m in messages if m["role"] != "system"]
    if system and rest and rest[0]["role"] == "user":
        rest[0]["content"] = f"{system}\n\n{rest[0]['content']}"
    return rest


class TransformersSpotter(LLMSpotter):
    """An LLM spotter running ``AutoModelForCausalLM`` in this process."""

    name = "transformers"

    def __init__(
        self,
        model: str,
        *,
        adapter: str | Path | None = None,
        variant: str = "zero-shot",
        examples: Sequence[Chunk] = (),
        batch_size: int = 8,
        max_new_tokens: int = 512,
        device: str | None = None,
        chunk_s: float = DEFAULT_CHUNK_S,
        progress: bool = True,
    ) -> None:
        super().__init__(variant, examples, chunk_s)
        import torch
        from transformers import AutoModelForCausalLM, AutoTokenizer

        if batch_size < 1:
            raise HighlightsError(f"batch size must be at least 1, not {batch_size}", "--batch-size")
        self.model = str(model) + (f"+{Path(adapter).name}" if adapter else "")
        self.batch_size = batch_size
        self.max_new_tokens = max_new_tokens
        self.progress = progress
        self.device = device or ("cuda" if torch.cuda.is_available() else "cpu")
        try:
            self.tokenizer = AutoTokenizer.from_pretrained(str(model))
            network = AutoModelForCausalLM.from_pretrained(
                str(model), dtype=torch.bfloat16 if self.device.startswith("cuda") else torch.float32
            )
        except (OSError, ValueError) as error:
            raise HighlightsError(f"cannot load the model: {error}", model) from None
        if adapter:
            network = _with_adapter(network, Path(adapter))
        self.network = network.to(self.device).eval()
        self.tokenizer.padding_side = "left"  # generation continues every prompt at its end
        if self.tokenizer.pad_token is None:
            self.tokenizer.pad_token = self.tokenizer.eos_token
        if not self.tokenizer.chat_template:
            log.info("%s has no chat template; using %s", model, MISTRAL_TEMPLATE_FILE.name)
            self.tokenizer.chat_template = MISTRAL_TEMPLATE_FILE.read_text(encoding="utf-8")

    def render(self, messages: list[dict]) -> str:
        """The prompt text through the chat template (system folded into the user turn if refused)."""
        try:
            return self.tokenizer.apply_chat_template(messages, tokenize=False, add_generation_prompt=True)
        except TemplateError as error:  # raised by the template's own checks (raise_exception)
            log.debug("chat template refused the system role (%s); folding it into the first user turn", error)
            return self.tokenizer.apply_chat_template(fold_system(messages), tokenize=False, add_generation_prompt=True)

    def _generate(self, prompts: list[str]) -> list[str]:
        import torch

        batch = self.tokenizer(prompts, return_tensors="pt", padding=True, add_special_tokens=False).to(self.device)
        with torch.inference_mode():
            output = self.network.generate(
                **batch,
                max_new_tokens=self.max_new_tokens,
                do_sample=False,
                pad_token_id=self.tokenizer.pad_token_id,
            )
        new = output[:, batch["input_ids"].shape[1] :]
        lengths = _generated_lengths(new, self.tokenizer.eos_token_id, self.tokenizer.pad_token_id)
        usage = {"prompt_tokens": int(batch["attention_mask"].sum()), "completion_tokens": sum(lengths)}
        self.usage.add_reply(usage, requests=len(prompts))
        return self.tokenizer.batch_decode(new, skip_special_tokens=True)

    def ask(self, questions: list[Question], desc: str) -> list[str | None]:
        prompts = [self.render(messages) for _, messages in questions]
        order = sorted(range(len(prompts)), key=lambda i: len(prompts[i]))  # similar lengths pad less
        replies: list[str | None] = [None] * len(prompts)
        with tqdm(total=len(prompts), desc=desc, unit="chunk", disable=not self.progress, leave=False) as bar:
            for start in range(0, len(order), self.batch_size):
                indices = order[start : start + self.batch_size]
                for index, reply in zip(indices, self._generate([prompts[i] for i in indices]), strict=True):
                    replies[index] = reply
                bar.update(len(indices))
        return replies


def _with_adapter(network: Any, adapter: Path) -> Any:
    """The model with a peft LoRA adapter (a folder written by the fine-tuning) applied."""
    if not (adapter / "adapter_config.json").is_file():
        raise HighlightsError("not a peft adapter folder (no adapter_config.json)", adapter)
    from peft import PeftModel

    return PeftModel.from_pretrained(network, str(adapter))


def _generated_lengths(tokens: Any, eos_id: int | None, pad_id: int | None) -> list[int]:
    """Tokens each row generated, up to and including its first end-of-sequence token."""
    lengths = []
    for row in tokens.tolist():
        stop = next((i + 1 for i, t in enumerate(row) if t in (eos_id, pad_id)), len(row))
        lengths.append(stop)
    return lengths


def make_transformers_spotter(
    model: str | None = None, adapter: str | None = None, **options: Any
) -> TransformersSpotter:
    """A local model by Hugging Face name or folder (``--model``), with ``--adapter`` if given."""
    if not model:
        raise HighlightsError("the transformers back end needs --model NAME_OR_PATH", "--model")
    return TransformersSpotter(model, adapter=adapter, **typed_options(options))
