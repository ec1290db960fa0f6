"""Cutting halves into fixed-length chunks: the research's action-clip pairs."""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator

from .types import HALVES, Chunk, Event, Match, Segment

DEFAULT_CHUNK_S = 60.0


def half_length(match: Match, half: int) -> float:
    """Seconds of a half that hold commentary or events (the video length is not known)."""
    ends = [s.end for s in match.half_segments(half)] + [e.seconds for e in match.half_events(half)]
    return max(ends, default=0.0)


def chunk_half(match: Match, half: int, length_s: float = DEFAULT_CHUNK_S) -> list[Chunk]:
    """Cut one half into consecutive ``length_s`` windows from 0 to its last segment or event.

    A segment belongs to the chunk its start falls in; an event to the chunk its position falls in.
    """
    if length_s <= 0:
        raise ValueError("chunk length must be positive")
    count = max(1, math.ceil(half_length(match, half) / length_s))
    segments: list[list] = [[] for _ in range(count)]
    events: list[list] = [[] for _ in range(count)]
    for segment in match.half_segments(half):
        segments[min(int(segment.start // length_s), count - 1)].append(segment)
    for event in match.half_events(half):
        events[min(int(event.seconds // length_s), count - 1)].append(event)
    return [
        Chunk(
            match_id=match.id,
            half=half,
            start=i * length_s,
            end=(i + 1) * length_s,
            segments=tuple(segments[i]),
            events=tuple(events[i]),
        )
        for i in range(count)
    ]


def chunk_matches(matches: Iterable[Match], length_s: float = DEFAULT_CHUNK_S) -> Iterator[Chunk]:
    for match in matches:
        for half in HALVES:
            yield from chunk_half(match, half, length_s)


def chunk_to_record(chunk: Chunk) -> dict:
    """A chunk as plain JSON (`highlights data chunks`, the shipped few-shot examples); ``chunk_from_record``
    reads it back."""
    return {
        "match": chunk.match_id,
        "half": chunk.half,
        "start": chunk.start,
        "end": chunk.end,
        "segments": [[s.start, s.end, s.text, s.source, s.language] for s in chunk.segments],
        "events": [[e.position_ms, e.label, e.team, e.visibility] for e in chunk.events],
    }


def chunk_from_record(record: dict) -> Chunk:
    half = int(record["half"])
    return Chunk(
        match_id=record["match"],
        half=half,
        start=float(record["start"]),
        end=float(record["end"]),
        segments=tuple(Segment(half, float(a), float(b), *rest) for a, b, *rest in record["segments"]),
        events=tuple(Event(half, int(pos), label, team, vis) for pos, label, team, vis in record["events"]),
    )
