"""SFT data from the corpus's chunks: one chat per chunk, split into train and valid by game.

A record is the chat the spotter sends for that chunk (``spotting.llm.prompting.build_messages``,
zero-shot) followed by the answer it should give (``format_answer`` of the chunk's ground-truth
events), plus where the chunk comes from. For video, the chat is the video spotter's
(``spotting.video.prompting``): a ``video`` part (file, start, end) and the instructions, with or
without the commentary; the frames are decoded at training time. The chats are in the OpenAI/TRL
``messages`` format. A data folder holds:

- ``train.jsonl``, ``valid.jsonl``: one record a line;
- ``dataset/``: the same as a Hugging Face ``datasets.DatasetDict`` (``load_from_disk``);
- ``manifest.json``: the settings, the data folder and the games of each split, so training can
  rebuild the held-out chunks and score them with the project's metrics.
"""

from __future__ import annotations

import json
import random
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np

from index.atomic import atomic_write_text
from index.chunks import DEFAULT_CHUNK_S, chunk_half
from index.classes import LABELS
from index.errors import HighlightsError
from index.types import HALVES, Chunk, Match
from spotting.llm.prompting import build_messages, format_answer
from spotting.video.frames import HalfVideo, duration_of, match_videos
from spotting.video.prompting import video_messages as build_video_messages
from spotting.video.prompting import video_part
from spotting.video.spotter import DEFAULT_FPS, DEFAULT_SIZE

from .defaults import KINDS

MANIFEST = "manifest.json"
SPLIT_FILES = {"train": "train.jsonl", "valid": "valid.jsonl"}


@dataclass(frozen=True)
class DataSettings:
    """How chunks become SFT records."""

    kind: str = "text"  # "text": commentary only; "video": the clip first (with commentary if asked)
    valid_fraction: float = 0.2  # share of the labelled games held out (at least one game)
    keep_empty: float = 0.5  # share of chunks without any action kept, so the model learns "none"
    seed: int = 0
    chunk_length: float = DEFAULT_CHUNK_S
    with_commentary: bool = False  # video only: the commentary beside the clip (the research: frames alone)
    fps: float = DEFAULT_FPS  # video only: frames sampled per second of the clip
    size: tuple[int, int] = DEFAULT_SIZE  # video only: (width, height) frames are decoded at

    def check(self) -> None:
        if self.kind not in KINDS:
            raise HighlightsError(f"unknown kind {self.kind!r}; expected one of {', '.join(KINDS)}", "--kind")
        if not 0.0 < self.valid_fraction < 1.0:
            raise HighlightsError("the valid fraction must be between 0 and 1", "--valid-fraction")
        if not 0.0 <= self.keep_empty <= 1.0:
            raise HighlightsError("the share of empty chunks kept must be between 0 and 1", "--keep-empty")
        if self.fps <= 0:
            raise HighlightsError("frames per second must be positive", "--fps")
        if len(self.size) != 2 or min(self.size) < 28:
            raise HighlightsError(f"frame size is (width, height), each at least 28, not {self.size}", "--size")


@dataclass
class SftData:
    """Records per split, the games of each split, and what was counted on the way."""

    settings: DataSettings
    records: dict[str, list[dict]]
    games: dict[str, list[str]]
    dropped: Counter[str] = field(default_factory=Counter)

    def class_counts(self, split: str) -> Counter[str]:
        return Counter(label for record in self.records[split] for label in record["labels"])

    def empty_count(self, split: str) -> int:
        return sum(not record["labels"] for record in self.records[split])


def split_by_game(game_ids: Iterable[str], valid_fraction: float, seed: int) -> tuple[list[str], list[str]]:
    """Train and valid games: a seeded shuffle, at least one game on each side."""
    games = sorted(set(game_ids))
    if len(games) < 2:
        raise HighlightsError(f"a split by game needs at least 2 labelled games, got {len(games)}")
    random.Random(seed).shuffle(games)
    valid_count = min(len(games) - 1, max(1, round(len(games) * valid_fraction)))
    return sorted(games[valid_count:]), sorted(games[:valid_count])


def chunk_record(chunk: Chunk, messages: list[dict]) -> dict:
    """A record: where the chunk is, its classes, and the chat."""
    return {
        "match": chunk.match_id,
        "half": chunk.half,
        "start": chunk.start,
        "end": chunk.end,
        "labels": sorted(e.label for e in chunk.events),
        "messages": messages,
    }


def text_messages(chunk: Chunk, match: Match) -> list[dict]:
    """The spotter's zero-shot chat for ``chunk`` and the answer the ground truth gives."""
    return [
        *build_messages(chunk, match, "zero-shot"),
        {"role": "assistant", "content": format_answer(chunk, chunk.events)},
    ]


def video_messages(chunk: Chunk, match: Match, settings: DataSettings, video: HalfVideo) -> list[dict]:
    """The video spotter's chat for ``chunk`` (``spotting.video.prompting``) and the answer.

    Every content is a list of parts, so the records make one Arrow type for ``datasets``.
    """
    part = video_part(video.path, chunk.start + video.offset, chunk.end + video.offset)
    frames = len(np.arange(chunk.start, chunk.end, 1.0 / settings.fps))
    chat = build_video_messages(chunk, match, part, frames, settings.fps, commentary=settings.with_commentary)
    chat.append({"role": "assistant", "content": format_answer(chunk, chunk.events)})
    return [
        {**m, "content": [{"type": "text", "text": m["content"]}]} if isinstance(m["content"], str) else m for m in chat
    ]


def _half_chunks(match: Match, half: int, settings: DataSettings, dropped: Counter[str]) -> list[Chunk]:
    """The half's chunks; for video, cut at the end of the half's file as the video spotter cuts them."""
    chunks = chunk_half(match, half, settings.chunk_length)
    if settings.kind == "text":
        return chunks
    video = match_videos(match)[half]
    seconds = duration_of(video.path) - video.offset
    inside = [
        replace(c, end=min(c.end, seconds), events=tuple(e for e in c.events if e.seconds < seconds))
        for c in chunks
        if c.start < seconds
    ]
    dropped["chunks past the end of the video"] += len(chunks) - len(inside)
    return inside


def _game_records(match: Match, settings: DataSettings, chooser: random.Random, dropped: Counter[str]) -> list[dict]:
    records = []
    videos = match_videos(match) if settings.kind == "video" else {}
    for half in HALVES:
        for chunk in _half_chunks(match, half, settings, dropped):
            if settings.kind == "text" and not chunk.segments:
                dropped["chunks without commentary"] += 1
            elif not chunk.events and chooser.random() >= settings.keep_empty:
                dropped["chunks without actions, thinned"] += 1
            elif settings.kind == "text":
                records.append(chunk_record(chunk, text_messages(chunk, match)))
            else:
                records.append(chunk_record(chunk, video_messages(chunk, match, settings, videos[half])))
    return records


def build_sft_data(matches: Sequence[Match], settings: DataSettings) -> SftData:
    """Records of every labelled match's chunks, split by game, empty chunks thinned to ``keep_empty``.

    Only games left with at least one record take part in the split, so neither side is empty.
    """
    settings.check()
    dropped: Counter[str] = Counter()
    chooser = random.Random(settings.seed)
    per_game: dict[str, list[dict]] = {}
    for match in matches:
        if not match.has_labels:
            dropped["games without labels"] += 1
        elif settings.kind == "video" and not all(h in match.videos for h in HALVES):
            dropped["games without both halves' video"] += 1
        elif records := _game_records(match, settings, chooser, dropped):
            per_game[match.id] = records
        else:
            dropped["games without any chunk left"] += 1
    train, valid = split_by_game(per_game, settings.valid_fraction, settings.seed)
    records = {"train": [r for g in train for r in per_game[g]], "valid": [r for g in valid for r in per_game[g]]}
    return SftData(settings, records, {"train": train, "valid": valid}, dropped)


def write_sft_data(data: SftData, folder: Path, source: dict[str, Any]) -> None:
    """JSONL per split, the ``datasets`` copy and the manifest; ``source`` says how to reload the corpus."""
    from datasets import Dataset, DatasetDict

    folder.mkdir(parents=True, exist_ok=True)
    for split, name in SPLIT_FILES.items():
        lines = [json.dumps(record, ensure_ascii=False) for record in data.records[split]]
        atomic_write_text(folder / name, "".join(line + "\n" for line in lines))
    # (Arrow cannot type an empty split; an empty valid split just means nothing is held out.)
    DatasetDict({split: Dataset.from_list(records) for split, records in data.records.items() if records}).save_to_disk(
        str(folder / "dataset")
    )
    manifest = {
        "settings": asdict(data.settings),
        "source": source,
        "games": data.games,
        "records": {split: len(records) for split, records in data.records.items()},
        "class_counts": {split: dict(sorted(data.class_counts(split).items())) for split in data.records},
        "dropped": dict(data.dropped),
    }
    atomic_write_text(folder / MANIFEST, json.dumps(manifest, indent=2, ensure_ascii=False) + "\n")


def read_manifest(folder: Path) -> dict[str, Any]:
    path = folder / MANIFEST
    if not path.is_file():
        raise HighlightsError(
            "not an SFT data folder (no manifest.json): make one with `highlights finetune data`", folder
        )
    return json.loads(path.read_text(encoding="utf-8"))


def read_records(folder: Path, split: str) -> list[dict]:
    """The records of one split, each line checked for the keys training needs."""
    path = folder / SPLIT_FILES[split]
    if not path.is_file():
        raise HighlightsError(f"no {split} records", path)
    records = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as error:
            raise HighlightsError(f"line {number} is not JSON: {error.msg}", path) from None
        messages = record.get("messages") if isinstance(record, dict) else None
        if not isinstance(messages, list) or len(messages) < 2 or messages[-1].get("role") != "assistant":
            raise HighlightsError(f"line {number} has no chat ending with the assistant's answer", path)
        records.append(record)
    return records


def count_rows(data: SftData) -> list[tuple[str, int, int]]:
    """(class, train events, valid events) for every class, then the chunk totals."""
    train, valid = data.class_counts("train"), data.class_counts("valid")
    rows = [(label, train[label], valid[label]) for label in LABELS]
    rows.append(("chunks without actions", data.empty_count("train"), data.empty_count("valid")))
    rows.append(("chunks", len(data.records["train"]), len(data.records["valid"])))
    return rows
