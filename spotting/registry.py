"""Spotter back ends by name, imported only when asked for: LLM and video back ends pull in
heavy libraries that the default path must not pay for."""

from __future__ import annotations

import importlib
from typing import Any

from index.echoes import TextChoice
from index.errors import HighlightsError

from .types import Spotter

# What spotters read of a half: the original, its translation and the second transcription (the
# embedded model is trained on all three; LLM prompts keep one transcription of them).
SPOTTER_TEXT = TextChoice.ALL

# name -> "module:factory"; the factory takes keyword options and returns a Spotter.
BACKENDS: dict[str, str] = {
    "keywords": "spotting.keywords:KeywordSpotter",
    "embedded": "spotting.embedded.spotter:EmbeddedSpotter",
    "openai": "spotting.llm.openai_spotter:make_openai_spotter",
    "vllm": "spotting.llm.openai_spotter:make_vllm_spotter",
    "transformers": "spotting.llm.transformers_spotter:make_transformers_spotter",
    "qwen2-vl": "spotting.video.spotter:make_qwen2vl_spotter",
}


def make_spotter(name: str, **options: Any) -> Spotter:
    """Build the back end called ``name`` with its options (model, endpoint, adapter, ...)."""
    if name not in BACKENDS:
        raise HighlightsError(f"unknown spotting back end {name!r}; choose one of {', '.join(sorted(BACKENDS))}")
    module_name, factory_name = BACKENDS[name].split(":")
    factory = getattr(importlib.import_module(module_name), factory_name)
    return factory(**options)
