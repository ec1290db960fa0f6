"""Chats → token ids with labels on the assistant's answer only, and batches of them.

The prompt (every turn before the answer, rendered with the generation prompt) and the answer
(the rest of the whole chat's rendering) are tokenized separately and joined: the prompt's tokens
are exactly what the model is given when it spots, and only the answer's tokens, its end-of-turn
token included, carry labels. This works with any chat template that renders the prompt as a
prefix of the whole chat, which is checked, rather than needing ``{% generation %}`` markers.
A video part becomes Qwen2-VL's inputs through ``spotting.video.qwen_inputs``, the same code the
video spotter prompts with.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import torch
from jinja2 import TemplateError

from index.errors import HighlightsError
from spotting.llm.transformers_spotter import fold_system
from spotting.video.frames import sample_frames
from spotting.video.qwen_inputs import build_inputs, frame_size

log = logging.getLogger(__name__)

IGNORE_INDEX = -100  # labels the loss skips

# a chat's video part -> its (T, H, W, 3) uint8 frames, already at the size the image processor wants
FrameLoader = Callable[[dict], np.ndarray]


def video_parts(messages: Sequence[dict]) -> list[dict]:
    """The ``video`` content parts of a chat, in order."""
    return [
        part
        for message in messages
        if isinstance(message.get("content"), list)
        for part in message["content"]
        if isinstance(part, dict) and part.get("type") == "video"
    ]


@dataclass(frozen=True)
class ClipFrames:
    """A video part's frames as the local video spotter takes them: ``fps`` per second, decoded at
    ``size`` (width, height) and brought to the size the image processor wants."""

    image_processor: Any
    fps: float
    size: tuple[int, int]

    def __call__(self, part: dict) -> np.ndarray:
        size = frame_size(self.image_processor, *self.size)
        return np.stack(sample_frames(Path(part["path"]), float(part["start"]), float(part["end"]), self.fps, size))


@dataclass
class ChatEncoder:
    """Encodes chats for one tokenizer (and, for video, one image processor and frame loader)."""

    tokenizer: Any
    max_length: int = 4096
    image_processor: Any = None
    load_frames: FrameLoader | None = None
    chat_template: str | None = None
    _warned: bool = field(default=False, repr=False)

    def _apply(self, messages: Sequence[dict], generation_prompt: bool) -> str:
        """The chat template's text (the system turn folded into the user's where it is refused)."""
        options = {"tokenize": False, "add_generation_prompt": generation_prompt, "chat_template": self.chat_template}
        try:
            return self.tokenizer.apply_chat_template(list(messages), **options)
        except TemplateError:
            return self.tokenizer.apply_chat_template(fold_system(list(messages)), **options)

    def render(self, messages: Sequence[dict]) -> tuple[str, str]:
        """The prompt's text and the answer's text of a chat that ends with the assistant."""
        prompt = self._apply(messages[:-1], generation_prompt=True)
        whole = self._apply(messages, generation_prompt=False)
        if not whole.startswith(prompt):
            raise HighlightsError(
                "the chat template does not render the prompt as the start of the whole chat, so the answer's tokens "
                "cannot be told apart; pass a template that does (--chat-template)"
            )
        return prompt, whole[len(prompt) :]

    def _tokens(self, text: str) -> list[int]:
        return self.tokenizer(text, add_special_tokens=False)["input_ids"]

    def _prompt_inputs(self, messages: Sequence[dict], prompt: str) -> dict[str, torch.Tensor]:
        """Model inputs (batch of one) for the prompt's text, its video placeholder expanded."""
        parts = video_parts(messages)
        if not parts:
            ids = self._tokens(prompt)
            return {"input_ids": torch.tensor([ids]), "attention_mask": torch.ones(1, len(ids), dtype=torch.long)}
        if self.image_processor is None or self.load_frames is None:
            raise HighlightsError("this chat has a video but the model is not a video model", "--base")
        if len(parts) != 1:
            raise HighlightsError(f"a chat may show one video, this one has {len(parts)}")
        return build_inputs(prompt, self.load_frames(parts[0]), self.tokenizer, self.image_processor)

    def encode_prompt(self, messages: Sequence[dict]) -> dict[str, torch.Tensor]:
        """Model inputs (batch of one) for generating the answer to ``messages`` (which may end with it)."""
        if messages and messages[-1].get("role") == "assistant":
            prompt, _ = self.render(messages)
        else:
            prompt = self._apply(messages, generation_prompt=True)
        return self._prompt_inputs(messages, prompt)

    def encode(self, record: dict) -> dict[str, Any]:
        """``input_ids`` and ``labels`` (the prompt's set to ``IGNORE_INDEX``), plus the video's inputs."""
        messages = record["messages"]
        prompt, answer = self.render(messages)
        inputs = self._prompt_inputs(messages, prompt)
        prompt_ids = inputs.pop("input_ids")[0].tolist()
        inputs.pop("attention_mask")
        answer_ids = self._tokens(answer)
        input_ids = prompt_ids + answer_ids
        labels = [IGNORE_INDEX] * len(prompt_ids) + answer_ids
        if "mm_token_type_ids" in inputs:
            inputs["mm_token_type_ids"] = inputs["mm_token_type_ids"][0].tolist() + [0] * len(answer_ids)
        if len(input_ids) > self.max_length:
            if len(prompt_ids) >= self.max_length:
                raise HighlightsError(
                    f"a chunk's prompt takes {len(prompt_ids)} tokens, more than --max-length {self.max_length}",
                    f"{record.get('match')} half {record.get('half')} at {record.get('start')} s",
                )
            if not self._warned:
                log.warning("answers cut to fit --max-length %d (first: %s)", self.max_length, record.get("match"))
                self._warned = True
            input_ids, labels = input_ids[: self.max_length], labels[: self.max_length]
            if "mm_token_type_ids" in inputs:
                inputs["mm_token_type_ids"] = inputs["mm_token_type_ids"][: self.max_length]
        return {"input_ids": input_ids, "labels": labels, **inputs}


@dataclass
class Collator:
    """Encodes and right-pads a batch; vision tensors are concatenated the way Qwen2-VL takes them."""

    encoder: ChatEncoder
    pad_id: int

    def __call__(self, records: Sequence[dict]) -> dict[str, torch.Tensor]:
        encoded = [self.encoder.encode(r) for r in records]
        width = max(len(e["input_ids"]) for e in encoded)

        def padded(rows: list[list[int]], value: int) -> torch.Tensor:
            return torch.tensor([row + [value] * (width - len(row)) for row in rows])

        batch = {
            "input_ids": padded([e["input_ids"] for e in encoded], self.pad_id),
            "labels": padded([e["labels"] for e in encoded], IGNORE_INDEX),
            "attention_mask": padded([[1] * len(e["input_ids"]) for e in encoded], 0),
        }
        if any("mm_token_type_ids" in e for e in encoded):
            types = [e.get("mm_token_type_ids") or [0] * len(e["input_ids"]) for e in encoded]
            batch["mm_token_type_ids"] = padded(types, 0)
        for key in ("pixel_values_videos", "video_grid_thw"):
            if any(key in e for e in encoded):
                batch[key] = torch.cat([e[key] for e in encoded if key in e])
        return batch
