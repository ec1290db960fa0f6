"""Chat messages for the LLM spotters, built from the prompts kept as data in ``spotting/prompts/``.

The same messages serve every back end (OpenAI, vLLM, local transformers) and the SFT data of
the fine-tuning, so a model is always asked, and trained, in one format; ``format_answer`` writes
the reply that ``parsing.parse_reply`` reads back.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from functools import cache
from pathlib import Path
from typing import Any

from index.chunks import chunk_from_record
from index.classes import LABELS
from index.clock import clock
from index.echoes import one_transcription
from index.errors import HighlightsError
from index.names import parse_game_id
from index.settings import DEFAULT_HALF_WIDTH_S
from index.types import Chunk, Event, Match, Segment
from index.yamlfile import read_yaml
from spotting.types import Spot

PROMPTS_DIR = Path(__file__).resolve().parents[1] / "prompts"
PROMPTS_FILE = PROMPTS_DIR / "spotter.yaml"
EXAMPLES_FILE = PROMPTS_DIR / "examples.json"

RESPONSE_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "actions": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "label": {"type": "string", "enum": list(LABELS)},
                    "start": {"type": "string", "description": "MM:SS of the half"},
                    "end": {"type": "string", "description": "MM:SS of the half"},
                },
                "required": ["label", "start", "end"],
                "additionalProperties": False,
            },
        }
    },
    "required": ["actions"],
    "additionalProperties": False,
}


@cache
def load_prompts() -> dict[str, Any]:
    """The system and user templates and the variants, read once."""
    return read_yaml(PROMPTS_FILE)


def variants() -> tuple[str, ...]:
    return tuple(load_prompts()["variants"])


def check_variant(variant: str) -> dict[str, Any]:
    """The settings of a prompt variant; a clear error naming the choices if there is none."""
    settings = load_prompts()["variants"].get(variant)
    if settings is None:
        raise HighlightsError(f"unknown prompt variant {variant!r}; choose one of {', '.join(variants())}", "--variant")
    return settings


def render_commentary(segments: Iterable[Segment]) -> str:
    lines = [f"[{clock(s.start)}-{clock(s.end)}] {s.text}" for s in segments]
    return "\n".join(lines) if lines else "(no commentary in this part of the half)"


def chunk_fields(chunk: Chunk, match: Match | None = None) -> dict[str, Any]:
    """The template fields of a chunk (teams, half, times, commentary, classes); without ``match``
    the teams come from the chunk's game id."""
    game = match if match is not None else parse_game_id(chunk.match_id)
    return {
        "home": game.home,
        "away": game.away,
        "league": game.league,
        "season": game.season,
        "half": chunk.half,
        "chunk_start": clock(chunk.start),
        "chunk_end": clock(chunk.end),
        "commentary": render_commentary(one_transcription(chunk.segments)),
        "labels": ", ".join(LABELS),
    }


def user_message(chunk: Chunk, match: Match | None = None) -> str:
    """The user turn for one chunk."""
    return load_prompts()["user"].format(**chunk_fields(chunk, match))


def build_messages(
    chunk: Chunk, match: Match, variant: str = "zero-shot", examples: Sequence[Chunk] = ()
) -> list[dict]:
    """OpenAI chat messages asking for every action in ``chunk``.

    ``few-shot`` shows worked examples as earlier turns: ``examples`` if given, else the shipped
    ones from games other than ``chunk``'s.
    """
    count = int(check_variant(variant).get("examples", 0))
    if count and not examples:
        examples = shipped_examples(exclude_match=chunk.match_id)
    messages: list[dict] = [{"role": "system", "content": load_prompts()["system"].strip()}]
    for example in list(examples)[:count]:
        messages.append({"role": "user", "content": user_message(example)})
        messages.append({"role": "assistant", "content": format_answer(example, example.events)})
    messages.append({"role": "user", "content": user_message(chunk, match)})
    return messages


def format_answer(chunk: Chunk, events_or_spots: Iterable[Event | Spot]) -> str:
    """The assistant reply listing these events (as their scoring windows) or spots, as JSON.

    Exactly what ``RESPONSE_SCHEMA`` allows and ``parse_reply`` reads: SFT targets and few-shot
    answers are written with it.
    """
    actions = []
    for item in events_or_spots:
        if isinstance(item, Event):
            start, end = item.seconds - DEFAULT_HALF_WIDTH_S, item.seconds + DEFAULT_HALF_WIDTH_S
        else:
            start, end = item.start, item.end
        actions.append((max(0.0, start), end, item.label))
    actions.sort()
    return json.dumps(
        {"actions": [{"label": label, "start": clock(a), "end": clock(b)} for a, b, label in actions]},
        ensure_ascii=False,
    )


@cache
def _shipped_examples() -> tuple[Chunk, ...]:
    records = json.loads(EXAMPLES_FILE.read_text(encoding="utf-8"))
    return tuple(chunk_from_record(r) for r in records["chunks"])


def shipped_examples(exclude_match: str = "") -> list[Chunk]:
    """The few-shot examples shipped in ``spotting/prompts/examples.json``, none from ``exclude_match``."""
    return [c for c in _shipped_examples() if c.match_id != exclude_match]


def select_examples(chunks: Iterable[Chunk], count: int) -> list[Chunk]:
    """Few-shot examples from labelled chunks: as many classes as possible, then the most events.

    Greedy: each pick is the chunk that adds the most classes not yet shown (ties: more events,
    then time order), so a handful of examples covers the common actions.
    """
    pool = [c for c in chunks if c.events and c.segments]
    chosen: list[Chunk] = []
    shown: set[str] = set()
    for _ in range(min(count, len(pool))):
        best = max(
            (c for c in pool if c not in chosen),
            key=lambda c: (len({e.label for e in c.events} - shown), len(c.events), -c.half, -c.start),
        )
        chosen.append(best)
        shown |= {e.label for e in best.events}
    return chosen
