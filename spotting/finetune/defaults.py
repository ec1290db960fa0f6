"""Default settings of the fine-tuning, importable without torch (the command line reads them)."""

from __future__ import annotations

KINDS = ("text", "video")

# The research's two fine-tuned models.
DEFAULT_BASE = {"text": "mistralai/Mistral-7B-v0.3", "video": "Qwen/Qwen2-VL-2B-Instruct"}
DEFAULT_LEARNING_RATE = {"text": 2e-4, "video": 1e-4}
DEFAULT_MAX_LENGTH = {"text": 4096, "video": 8192}

# Every projection of the language model's attention and MLP (Mistral and Qwen2 name them alike).
# Qwen2-VL's vision tower names its layers qkv/proj/fc1/fc2, so these leave it untouched, as
# vLLM's LoRA for Qwen2-VL expects (it applies adapters to the language model only).
DEFAULT_TARGET_MODULES = ("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj")
PRECISIONS = ("auto", "bf16", "fp16", "fp32")
QUANTIZE = ("none", "4bit")
