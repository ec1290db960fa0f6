"""Semantic search over the commentary, through the FAISS index of ``index.retrieval``."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from index.types import HALVES

from .formatting import clock, minute_label, quote
from .spots import HALF_MINUTES


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


def half_spans(
    half: int | None, from_minute: float | None, to_minute: float | None
) -> list[tuple[int | None, float | None, float | None]]:
    """The (half, start s, end s) spans of the video that a match-minute range covers.

    Inverse of ``match_minute``: a half's stoppage time counts as its 45th minute, so a range that
    goes past minute 45 (or 90) takes the whole rest of that half. No minutes: one unbounded span.
    """
    if from_minute is None and to_minute is None:
        return [(half, None, None)]
    spans = []
    for h in (half,) if half else HALVES:
        offset = HALF_MINUTES * (h - 1)
        low = None if from_minute is None else from_minute - offset
        high = None if to_minute is None else to_minute - offset
        if (low is not None and low > HALF_MINUTES) or (high is not None and high <= 0):
            continue  # the range lies wholly in the other half
        start_s = max(0.0, low * 60) if low is not None else None
        end_s = high * 60 if high is not None and high <= HALF_MINUTES else None
        spans.append((h, start_s, end_s))
    return spans


def search_hits(
    index,
    query: str,
    k: int = 5,
    match_id: str | None = None,
    half: int | None = None,
    from_minute: float | None = None,
    to_minute: float | None = None,
) -> list[CommentaryHit]:
    """The ``k`` passages nearest to ``query`` that overlap the match/half/minute filters, best first."""
    hits = [
        hit
        for span_half, start_s, end_s in half_spans(half, from_minute, to_minute)
        for hit in index.search(query, k=k, match_id=match_id, half=span_half, start_s=start_s, end_s=end_s)
    ]
    hits.sort(key=lambda hit: hit.score, reverse=True)
    return [CommentaryHit(h.match_id, h.half, h.start, h.end, h.text, float(h.score)) for h in hits[:k]]


def hits_text(hits: Sequence[CommentaryHit], titles: dict[str, str]) -> str:
    """Numbered passages, each under its match's title when the search spans several matches."""
    lines = []
    for number, hit in enumerate(hits, start=1):
        prefix = f"{titles.get(hit.match_id, hit.match_id)}, " if len(titles) > 1 else ""
        lines.append(prefix + hit.line(number))
    return "\n".join(lines)
