"""Loading a base model for LoRA/QLoRA training.

QLoRA (4-bit NF4 weights through bitsandbytes) exists only on CUDA; asking for it elsewhere is a
user error with its own message, not a crash inside bitsandbytes.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Sequence
from dataclasses import dataclass

import torch

from index.errors import HighlightsError

from .defaults import PRECISIONS, QUANTIZE


@dataclass(frozen=True)
class Precision:
    """The weights' dtype and the Trainer's mixed-precision flags."""

    dtype: torch.dtype
    bf16: bool = False
    fp16: bool = False


def choose_precision(requested: str = "auto") -> Precision:
    """bf16 where the GPU supports it, else fp16 on a GPU, fp32 on the CPU (unless asked otherwise)."""
    if requested not in PRECISIONS:
        raise HighlightsError(f"unknown precision {requested!r}; choose one of {', '.join(PRECISIONS)}", "--precision")
    cuda = torch.cuda.is_available()
    if requested == "auto":
        requested = ("bf16" if torch.cuda.is_bf16_supported() else "fp16") if cuda else "fp32"
    if requested == "fp16" and not cuda:
        raise HighlightsError("fp16 training needs a CUDA GPU; use --precision fp32 or bf16 on the CPU", "--precision")
    if requested == "bf16":
        return Precision(torch.bfloat16, bf16=True)
    if requested == "fp16":
        # fp16 weights cannot be trained by the optimiser; keep them fp32 and let autocast use fp16.
        return Precision(torch.float32, fp16=True)
    return Precision(torch.float32)


def quantization_config(quantize: str, precision: Precision):
    """A 4-bit bitsandbytes config for QLoRA, or None; a clear error off CUDA or without bitsandbytes."""
    if quantize not in QUANTIZE:
        raise HighlightsError(f"unknown quantization {quantize!r}; choose one of {', '.join(QUANTIZE)}", "--quantize")
    if quantize == "none":
        return None
    if not torch.cuda.is_available():
        raise HighlightsError(
            "QLoRA (--quantize 4bit) needs a CUDA GPU: bitsandbytes' 4-bit weights run only there; "
            "train plain LoRA (--quantize none) on this machine",
            "--quantize",
        )
    if importlib.util.find_spec("bitsandbytes") is None:
        raise HighlightsError("QLoRA needs bitsandbytes: pip install 'soccer-highlights[train]'", "--quantize")
    from transformers import BitsAndBytesConfig

    compute = torch.bfloat16 if precision.bf16 else torch.float16
    return BitsAndBytesConfig(
        load_in_4bit=True,
        bnb_4bit_quant_type="nf4",
        bnb_4bit_use_double_quant=True,
        bnb_4bit_compute_dtype=compute,
    )


def model_class(kind: str):
    from transformers import AutoModelForCausalLM, AutoModelForImageTextToText

    return AutoModelForImageTextToText if kind == "video" else AutoModelForCausalLM


def load_tokenizer(base: str):
    """The base model's tokenizer, with a padding token (its end-of-sequence one if it has none)."""
    from transformers import AutoTokenizer

    try:
        tokenizer = AutoTokenizer.from_pretrained(base)
    except OSError as error:
        raise HighlightsError(f"cannot load the tokenizer: {error}", base) from None
    if tokenizer.pad_token is None:
        tokenizer.pad_token = tokenizer.eos_token
    return tokenizer


def load_image_processor(base: str):
    """The video model's image processor (its patch and pixel settings)."""
    from transformers import AutoImageProcessor

    try:
        return AutoImageProcessor.from_pretrained(base)
    except (OSError, ValueError) as error:
        raise HighlightsError(f"cannot load the image processor: {error}", base) from None


def load_base(kind: str, base: str, precision: Precision, quantize: str = "none"):
    """The base model in the training dtype (4-bit on the GPU for QLoRA)."""
    quantization = quantization_config(quantize, precision)
    options: dict = {"dtype": precision.dtype}
    if quantization is not None:
        options |= {"quantization_config": quantization, "device_map": {"": torch.cuda.current_device()}}
    try:
        return model_class(kind).from_pretrained(base, **options)
    except (OSError, ValueError) as error:
        raise HighlightsError(f"cannot load the base model: {error}", base) from None


def add_lora(model, r: int, alpha: int, dropout: float, target_modules: Sequence[str], gradient_checkpointing: bool):
    """Wrap ``model`` with fresh LoRA matrices on ``target_modules`` (QLoRA-prepared if 4-bit)."""
    from peft import LoraConfig, get_peft_model, prepare_model_for_kbit_training

    if getattr(model, "is_loaded_in_4bit", False):
        model = prepare_model_for_kbit_training(model, use_gradient_checkpointing=gradient_checkpointing)
    config = LoraConfig(
        r=r,
        lora_alpha=alpha,
        lora_dropout=dropout,
        target_modules=list(target_modules),
        bias="none",
        task_type="CAUSAL_LM",
    )
    try:
        return get_peft_model(model, config)
    except ValueError as error:
        raise HighlightsError(f"cannot put LoRA on the model: {error}", "--target-modules") from None
