"""Semantic search over the commentary, through the FAISS index of ``index.retrieval``."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from .formatting import clock, minute_label, quote
from .spots import match_minute

OVERFETCH = 4  # minute filters are applied after the search, so ask the index for more


@dataclass(frozen=True, slots=True)
class CommentaryHit:
    """A passage of commentary that answers a search, where it is, and how close it is (cosine)."""

    match_id: str
    half: int
    start: float
    end: float
    text: str
    score: float

    def line(self, number: int) -> str:
        where = f"half {self.half} ({clock(self.start)}, {clock(self.end)}) · {minute_label(self.half, self.start)}"
        return f"{number}. {where} · similarity {self.score:.2f} — {quote(self.text)}"


def search_hits(
    index,
    query: str,
    k: int = 5,
    match_id: str | None = None,
    half: int | None = None,
    from_minute: float | None = None,
    to_minute: float | None = None,
) -> list[CommentaryHit]:
    """The ``k`` passages nearest to ``query`` that satisfy the match/half/minute filters."""
    minutes = from_minute is not None or to_minute is not None
    hits = index.search(query, k=k * OVERFETCH if minutes else k, match_id=match_id, half=half)
    found = []
    for hit in hits:
        minute = match_minute(hit.half, hit.start)
        if from_minute is not None and minute < from_minute:
            continue
        if to_minute is not None and minute >= to_minute:
            continue
        found.append(CommentaryHit(hit.match_id, hit.half, hit.start, hit.end, hit.text, float(hit.score)))
    return found[:k]


def hits_text(hits: Sequence[CommentaryHit], titles: dict[str, str]) -> str:
    """Numbered passages, each under its match's title when the search spans several matches."""
    lines = []
    for number, hit in enumerate(hits, start=1):
        prefix = f"{titles.get(hit.match_id, hit.match_id)}, " if len(titles) > 1 else ""
        lines.append(prefix + hit.line(number))
    return "\n".join(lines)
