"""Scoring a model in training on held-out games with the project's own metrics.

At the end of each epoch the model answers the held-out chunks (greedy), the spotter's parser
reads the replies, and the spots are scored against the events of exactly those chunks (so a
subset of chunks is not charged with the events of chunks it never saw). Replies the parser could
not read are counted. The metrics themselves live in ``evaluation`` (which imports ``spotting``,
not the other way round), so the caller hands them in as ``score``: the CLI passes
``evaluation.report.headline_scores`` (interval P/R/F1, loose and tight average-mAP).
"""

from __future__ import annotations

import json
import logging
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import torch
from transformers import TrainerCallback

from index.atomic import atomic_write_text
from index.chunks import chunk_half
from index.errors import HighlightsError
from index.types import Chunk, Match
from spotting.llm.parsing import parse_reply
from spotting.types import Spot

from .encoding import ChatEncoder

log = logging.getLogger(__name__)

# (predictions by match id, the matches with the events to score against) -> named metrics
Scorer = Callable[[Mapping[str, Sequence[Spot]], Sequence[Match]], dict[str, float]]


def find_chunk(match: Match, record: dict, chunk_length: float) -> Chunk:
    """The corpus chunk a record was built from."""
    for chunk in chunk_half(match, int(record["half"]), chunk_length):
        if abs(chunk.start - float(record["start"])) < 1e-6:
            return chunk
    raise HighlightsError(f"no chunk at {record['start']} s in half {record['half']}", match.id)


def generate_reply(model, encoder: ChatEncoder, messages: Sequence[dict], max_new_tokens: int) -> str:
    """The model's greedy answer to a chat (an answer already in it is left out of the prompt)."""
    inputs = {k: v.to(model.device) for k, v in encoder.encode_prompt(messages).items()}
    with torch.no_grad():
        output = model.generate(
            **inputs, max_new_tokens=max_new_tokens, do_sample=False, pad_token_id=encoder.tokenizer.pad_token_id
        )
    return encoder.tokenizer.decode(output[0, inputs["input_ids"].shape[1] :], skip_special_tokens=True)


@dataclass
class HeldOutEvaluation:
    """The held-out chunks, their matches, and how to ask the model about them."""

    records: list[dict]
    matches: dict[str, Match]
    encoder: ChatEncoder
    chunk_length: float
    max_new_tokens: int = 256
    backend: str = "finetune"
    score: Scorer | None = None

    def run(self, model) -> dict[str, Any]:
        """Metrics of ``model``'s answers to every record, and how many parts could not be parsed."""
        predictions: dict[str, list[Spot]] = defaultdict(list)
        seen: dict[str, dict[int, list[Chunk]]] = defaultdict(lambda: defaultdict(list))
        failures = unreadable = 0
        was_training = model.training
        model.eval()
        try:
            for record in self.records:
                match = self.matches[record["match"]]
                chunk = find_chunk(match, record, self.chunk_length)
                reply = generate_reply(model, self.encoder, record["messages"], self.max_new_tokens)
                parsed = parse_reply(reply, chunk, self.backend)
                predictions[match.id].extend(parsed.spots)
                seen[match.id][chunk.half].append(chunk)
                failures += len(parsed.failures)
                unreadable += bool(parsed.failures) and not parsed.spots
        finally:
            model.train(was_training)
        scored = [
            replace(
                self.matches[game],
                events={h: tuple(e for c in chunks for e in c.events) for h, chunks in halves.items()},
            )
            for game, halves in seen.items()
        ]
        return {
            "chunks": len(self.records),
            "spots": sum(len(s) for s in predictions.values()),
            "events": sum(len(m.all_events()) for m in scored),
            "parse_failures": failures,
            "unreadable_replies": unreadable,
            **(self.score(predictions, scored) if self.score else {}),
        }


class EvaluationCallback(TrainerCallback):
    """Runs a ``HeldOutEvaluation`` at each epoch's end; logs it and keeps every epoch's line in a file."""

    def __init__(self, evaluation: HeldOutEvaluation, out_file: Path):
        self.evaluation = evaluation
        self.out_file = out_file
        # A resumed run goes on with the epochs already scored.
        lines = out_file.read_text(encoding="utf-8").splitlines() if out_file.is_file() else []
        self.history: list[dict[str, Any]] = [json.loads(line) for line in lines if line.strip()]

    def on_epoch_end(self, args, state, control, model=None, **kwargs):
        if not state.is_world_process_zero:  # several GPUs: one process scores and writes
            return control
        metrics = {"epoch": state.epoch, "step": state.global_step, **self.evaluation.run(model)}
        self.history.append(metrics)
        state.log_history.append({f"heldout_{k}": v for k, v in metrics.items()})
        atomic_write_text(self.out_file, "".join(json.dumps(m) + "\n" for m in self.history))
        log.info("held-out games after epoch %.2f: %s", state.epoch, metrics)
        return control
