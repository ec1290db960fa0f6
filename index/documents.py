"""What the commentary index stores: windows of one half's commentary, one document each.

A window of ``window_s`` seconds starts every ``stride_s`` seconds; a segment belongs to the windows
its start falls in (the convention of ``chunks.chunk_half``, so ``window_s == stride_s == 60`` gives
exactly the research's 1-minute chunks). Windows without commentary are left out.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from .echoes import one_transcription
from .errors import HighlightsError
from .types import HALVES, Match, Segment


@dataclass(frozen=True, slots=True)
class Document:
    """One indexed window: where it is and the commentary inside it."""

    match_id: str
    half: int
    start: float
    end: float
    text: str


def is_translation(segment: Segment) -> bool:
    return segment.source.endswith("_en")


def half_text_segments(match: Match, half: int, english: bool) -> list[Segment]:
    """One text per half: the English translation where one exists if ``english``, else the original.

    A corpus loaded with both texts would otherwise index every moment twice.
    """
    segments = one_transcription(match.half_segments(half))
    translated = [s for s in segments if is_translation(s)]
    original = [s for s in segments if not is_translation(s)]
    preferred, fallback = (translated, original) if english else (original, translated)
    return preferred or fallback


def window_documents(
    match_id: str, half: int, segments: Sequence[Segment], window_s: float, stride_s: float
) -> list[Document]:
    """Sliding windows over one half's segments (sorted by start)."""
    if not segments:
        return []
    starts = [s.start for s in segments]
    last = starts[-1]
    documents = []
    for i in range(math.floor(last / stride_s) + 1):
        begin = i * stride_s
        lo, hi = bisect.bisect_left(starts, begin), bisect.bisect_left(starts, begin + window_s)
        if lo < hi:
            text = " ".join(s.text for s in segments[lo:hi])
            documents.append(Document(match_id, half, begin, begin + window_s, text))
    return documents


def match_documents(matches: Iterable[Match], window_s: float, stride_s: float, english: bool) -> list[Document]:
    """All windows of all matches, ordered by match, half and start (the index relies on this order)."""
    if window_s <= 0 or stride_s <= 0 or stride_s > window_s:
        raise HighlightsError(f"need 0 < stride ({stride_s:g} s) <= window ({window_s:g} s)", "index settings")
    documents = []
    for match in matches:
        for half in HALVES:
            segments = sorted(half_text_segments(match, half, english), key=lambda s: (s.start, s.end))
            documents.extend(window_documents(match.id, half, segments, window_s, stride_s))
    return documents
