"""SoccerNet-Echoes ASR files → ``Segment``s.

Layout: ``echoes/whisper_VERSION/LEAGUE/SEASON/GAME/{1,2}_asr.json`` with
``{"segments": {"0": [start_s, end_s, "text"], ...}}``. Keys are not always integers (one
real file has "four hundred ninety seven"), so segments are ordered by start time.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from enum import StrEnum
from pathlib import Path

from .errors import HighlightsError
from .jsonfile import read_json
from .types import MAX_HALF_S, Segment

# Whisper versions published by SoccerNet-Echoes; "_en" are English translations that exist
# only for halves whose commentary was not English.
ECHOES_VERSIONS: tuple[str, ...] = ("whisper_v1", "whisper_v1_en", "whisper_v2", "whisper_v2_en", "whisper_v3")
DEFAULT_VERSION = "whisper_v2"
# Whisper large-v3's transcription of the same audio: a second hearing that catches words the
# first missed (the embedded spotter reads both; see docs/embedded.md). It has no translation.
SECOND_TRANSCRIPTION = "whisper_v3"


class TextChoice(StrEnum):
    """Which text of a half to use."""

    ORIGINAL = "original"  # the commentary's own language
    ENGLISH = "english"  # the translation where one exists, else the original (already English)
    BOTH = "both"  # the original and, where it exists, the translation
    ALL = "all"  # both, and the second transcription (SECOND_TRANSCRIPTION) where it exists


def one_transcription(segments: Sequence[Segment]) -> list[Segment]:
    """The segments without the second transcription, unless it is all there is: a half loaded
    with ``TextChoice.ALL`` would otherwise show or index every remark twice."""
    first = [s for s in segments if s.source != SECOND_TRANSCRIPTION]
    return first or list(segments)


def translation_of(version: str) -> str | None:
    """The ``_en`` sibling of an original version, or None if ``version`` is a translation."""
    return None if version.endswith("_en") else f"{version}_en"


def asr_path(echoes_root: Path, version: str, game_id: str, half: int) -> Path:
    return echoes_root / version / game_id / f"{half}_asr.json"


def load_asr(path: Path, half: int, source: str) -> tuple[Segment, ...]:
    """Read one ``N_asr.json`` file; bad rows make a HighlightsError naming file and key."""
    data = read_json(path)
    raw = data.get("segments") if isinstance(data, dict) else None
    if not isinstance(raw, dict):
        raise HighlightsError("no 'segments' object (not a SoccerNet-Echoes ASR file)", path)
    segments = []
    for key, row in raw.items():
        if not (isinstance(row, list) and len(row) >= 3):
            raise HighlightsError(f"segment {key!r} is not [start, end, text]", path)
        start, end, text = row[0], row[1], row[2]
        try:
            start, end = float(start), float(end)
        except (TypeError, ValueError):
            raise HighlightsError(f"segment {key!r} has non-numeric times {row[:2]!r}", path) from None
        if not (math.isfinite(start) and math.isfinite(end)) or start < 0:
            raise HighlightsError(f"segment {key!r} has invalid times {start}, {end}", path)
        if max(start, end) > MAX_HALF_S:
            raise HighlightsError(
                f"segment {key!r} ends at {max(start, end):g} s, past any half ({MAX_HALF_S} s): a corrupt file", path
            )
        text = str(text).strip()
        if text:
            segments.append(Segment(half=half, start=start, end=max(start, end), text=text, source=source))
    segments.sort(key=lambda s: (s.start, s.end))
    return tuple(segments)
