"""Tiny random-weight models, tokenizers and videos built on the spot, for CPU tests.

Real transformers classes with small configs: a 2-layer Mistral for the commentary pipelines and a
2-layer Qwen2-VL for the video pipelines, each saved to a folder with a byte-level BPE tokenizer
trained here and a chat template shaped like the real model's. Nothing is downloaded.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import av
import numpy as np
import torch
from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
from transformers import (
    MistralConfig,
    MistralForCausalLM,
    PreTrainedTokenizerFast,
    Qwen2VLConfig,
    Qwen2VLForConditionalGeneration,
)
from transformers.models.qwen2_vl.image_processing_pil_qwen2_vl import Qwen2VLImageProcessorPil

from index.classes import LABELS

# Mistral-v0.3-like: the system prompt goes before the first user turn inside [INST] ... [/INST].
MISTRAL_TEMPLATE = (
    "{{ bos_token }}{% set ns = namespace(system='') %}{% for message in messages %}"
    "{% if message['role'] == 'system' %}{% set ns.system = message['content'] %}"
    "{% elif message['role'] == 'user' %}[INST] {% if ns.system %}{{ ns.system }}\n\n{% endif %}"
    "{{ message['content'] }}[/INST]"
    "{% elif message['role'] == 'assistant' %}{{ message['content'] }}{{ eos_token }}{% endif %}"
    "{% endfor %}"
)
MISTRAL_SPECIALS = ["<unk>", "<s>", "</s>", "[INST]", "[/INST]"]

# Qwen2-VL-like: ChatML, with a video or image part rendered as its vision placeholder.
QWEN_TEMPLATE = (
    "{% for message in messages %}<|im_start|>{{ message['role'] }}\n"
    "{% if message['content'] is string %}{{ message['content'] }}{% else %}{% for part in message['content'] %}"
    "{% if part['type'] == 'video' %}<|vision_start|><|video_pad|><|vision_end|>"
    "{% elif part['type'] == 'image' %}<|vision_start|><|image_pad|><|vision_end|>"
    "{% elif part['type'] == 'text' %}{{ part['text'] }}{% endif %}{% endfor %}{% endif %}<|im_end|>\n"
    "{% endfor %}{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}"
)
QWEN_SPECIALS = [
    "<|endoftext|>",
    "<|im_start|>",
    "<|im_end|>",
    "<|vision_start|>",
    "<|vision_end|>",
    "<|video_pad|>",
    "<|image_pad|>",
]

DEFAULT_TEXTS = (
    *LABELS,
    "none",
    "0123456789 :.,-()[]",
    "The commentary of the chunk, with segment times, and the actions with their intervals.",
)


def train_tokenizer(texts: Iterable[str], special_tokens: list[str], vocab_size: int = 600) -> Tokenizer:
    """A byte-level BPE: every string round-trips, so whatever a tiny model generates decodes."""
    tokenizer = Tokenizer(models.BPE())
    tokenizer.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tokenizer.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=vocab_size,
        special_tokens=special_tokens,
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        show_progress=False,
    )
    tokenizer.train_from_iterator([*DEFAULT_TEXTS, *texts], trainer=trainer)
    return tokenizer


def tiny_mistral(
    folder: Path, texts: Iterable[str] = (), seed: int = 0, chat_template: str | None = MISTRAL_TEMPLATE, **sizes: int
) -> Path:
    """A 2-layer MistralForCausalLM and its tokenizer, saved to ``folder`` (loadable by name).

    ``chat_template=None`` gives a tokenizer without one, like mistralai/Mistral-7B-v0.3's;
    ``sizes`` override the config's (hidden_size, num_hidden_layers, ...) for bigger benchmarks.
    """
    tokenizer = PreTrainedTokenizerFast(
        tokenizer_object=train_tokenizer(texts, MISTRAL_SPECIALS),
        bos_token="<s>",
        eos_token="</s>",
        unk_token="<unk>",
        pad_token="</s>",
        chat_template=chat_template,
    )
    shape = {
        "hidden_size": 64,
        "intermediate_size": 128,
        "num_hidden_layers": 2,
        "num_attention_heads": 4,
        "num_key_value_heads": 2,
    }
    config = MistralConfig(
        vocab_size=len(tokenizer),
        max_position_embeddings=8192,
        bos_token_id=tokenizer.bos_token_id,
        eos_token_id=tokenizer.eos_token_id,
        pad_token_id=tokenizer.pad_token_id,
        tie_word_embeddings=False,
        **(shape | sizes),
    )
    torch.manual_seed(seed)
    MistralForCausalLM(config).save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    return folder


def tiny_qwen2_vl(folder: Path, texts: Iterable[str] = (), seed: int = 0) -> Path:
    """A 2-layer Qwen2VLForConditionalGeneration (vision tower included), its tokenizer and image processor."""
    tokenizer = PreTrainedTokenizerFast(
        tokenizer_object=train_tokenizer(texts, QWEN_SPECIALS),
        eos_token="<|im_end|>",
        pad_token="<|endoftext|>",
        chat_template=QWEN_TEMPLATE,
    )
    token = tokenizer.convert_tokens_to_ids
    config = Qwen2VLConfig(
        text_config={
            "vocab_size": len(tokenizer),
            "hidden_size": 64,
            "intermediate_size": 128,
            "num_hidden_layers": 2,
            "num_attention_heads": 4,
            "num_key_value_heads": 2,
            "max_position_embeddings": 8192,
            # head_dim 16: the three M-RoPE sections (time, height, width) share its 8 frequencies.
            "rope_parameters": {"rope_type": "default", "mrope_section": [2, 3, 3], "rope_theta": 10000.0},
            "bos_token_id": token("<|endoftext|>"),
            "eos_token_id": token("<|im_end|>"),
            "pad_token_id": token("<|endoftext|>"),
        },
        vision_config={
            "depth": 2,
            "embed_dim": 32,
            "hidden_size": 64,
            "num_heads": 2,
            "mlp_ratio": 2,
            "patch_size": 14,
            "spatial_merge_size": 2,
            "temporal_patch_size": 2,
        },
        image_token_id=token("<|image_pad|>"),
        video_token_id=token("<|video_pad|>"),
        vision_start_token_id=token("<|vision_start|>"),
        vision_end_token_id=token("<|vision_end|>"),
    )
    torch.manual_seed(seed)
    Qwen2VLForConditionalGeneration(config).save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    # Small frames: a 96x64 frame becomes 84x56, 6 merged patches (tokens) per pair of frames.
    Qwen2VLImageProcessorPil(min_pixels=28 * 28, max_pixels=112 * 112).save_pretrained(folder)
    return folder


def write_video(path: Path, seconds: float = 4.0, fps: int = 5, width: int = 96, height: int = 64) -> Path:
    """A short video whose frames change every frame (a moving bar over a colour ramp), via PyAV."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with av.open(str(path), mode="w") as container:
        stream = container.add_stream("mpeg4", rate=fps)
        stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
        for index in range(round(seconds * fps)):
            frame = np.zeros((height, width, 3), dtype=np.uint8)
            frame[..., 0] = np.linspace(0, 255, width, dtype=np.uint8)[None, :]
            frame[..., 1] = (index * 37) % 256
            column = (index * 7) % width
            frame[:, column : column + 8, 2] = 255
            for packet in stream.encode(av.VideoFrame.from_ndarray(frame, format="rgb24")):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return path
