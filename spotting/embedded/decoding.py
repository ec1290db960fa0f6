"""Per-second scores → spots: per-class peak picking with a class-specific suppression window."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from scipy.ndimage import maximum_filter1d

from index.classes import LABELS
from index.echoes import one_transcription
from index.settings import DEFAULT_HALF_WIDTH_S

from ..types import Spot
from .features import BIN_S, HalfInput

MIN_CONFIDENCE = 0.001  # lower peaks only lengthen the output; average-mAP still gains from the tail
EVIDENCE_BEFORE_S, EVIDENCE_AFTER_S = 5.0, 20.0
EVIDENCE_CHARS = 300


def peaks(scores: np.ndarray, windows_s: Sequence[float]) -> list[tuple[int, int, float]]:
    """(class, bin, score) of each local maximum of each class's curve within its window."""
    found = []
    for row, window_s in enumerate(windows_s):
        curve = scores[row]
        size = max(1, round(window_s / BIN_S) | 1)
        is_peak = (curve == maximum_filter1d(curve, size=size, mode="constant")) & (curve >= MIN_CONFIDENCE)
        # a flat top would give several peaks: keep the first of each run
        is_peak[1:] &= ~(is_peak[:-1] & (curve[1:] == curve[:-1]))
        found.extend((row, int(b), float(curve[b])) for b in np.flatnonzero(is_peak))
    return found


def half_spots(
    half_number: int, half: HalfInput, scores: np.ndarray, windows_s: Sequence[float], backend: str
) -> list[Spot]:
    spots = []
    readable = one_transcription(half.segments)  # the model hears every transcription; a user reads one
    starts = np.array([s.start for s in readable])
    for row, b, score in peaks(scores, windows_s):
        anchor = (b + 0.5) * BIN_S
        near = np.flatnonzero((starts >= anchor - EVIDENCE_BEFORE_S) & (starts <= anchor + EVIDENCE_AFTER_S))
        evidence = " ".join(readable[i].text for i in near)[:EVIDENCE_CHARS]
        spots.append(
            Spot(
                label=LABELS[row],
                half=half_number,
                start=max(0.0, anchor - DEFAULT_HALF_WIDTH_S),
                end=anchor + DEFAULT_HALF_WIDTH_S,
                position_ms=round(anchor * 1000),
                confidence=min(1.0, max(0.0, score)),
                evidence=evidence,
                backend=backend,
            )
        )
    return spots
