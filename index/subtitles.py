"""Commentary someone already transcribed: subtitles (SRT, WebVTT) or a transcript as JSON (WhisperX's
``{"segments": [{"start", "end", "text"}, ...]}``, or SoccerNet-Echoes' own ``N_asr.json``).

Subtitles carry markup a reader never hears (``<i>``, ``{\\an8}``, ``<v Speaker>``, dialogue dashes);
it is removed. The language is the one given, the JSON's own, or guessed from the words.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from pathlib import Path

import webvtt
from webvtt.errors import MalformedFileError

from .errors import HighlightsError
from .jsonfile import read_json
from .language import detect_language
from .transcript import SUBTITLES, Line, Transcript

SUFFIXES = (".srt", ".vtt", ".json")
_MARKUP = re.compile(r"<[^>]*>|\{\\[^}]*\}")
_DASH = re.compile(r"^\s*[-–—]\s*", re.MULTILINE)


def _clean(text: str) -> str:
    return " ".join(_DASH.sub("", _MARKUP.sub("", text)).split())


def read_transcript(path: Path, language: str | None = None) -> Transcript:
    """The timed lines of a subtitle or transcript file; an error naming the file for anything else."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise HighlightsError(f"not a transcript: expected one of {', '.join(SUFFIXES)}", path)
    if not path.is_file():
        raise HighlightsError("file not found", path)
    lines, own_language = _json_lines(path) if suffix == ".json" else (_subtitle_lines(path, suffix), "")
    lines = sorted((x for x in lines if x.text), key=lambda x: (x.start, x.end))
    if not lines:
        raise HighlightsError("the transcript has no lines of text", path)
    text = " ".join(x.text for x in lines)
    return Transcript(
        lines=tuple(lines),
        language=language or own_language or detect_language(text),
        source=path.name,
        task=SUBTITLES,
        duration=lines[-1].end,
    )


def _subtitle_lines(path: Path, suffix: str) -> list[Line]:
    try:
        captions = webvtt.from_srt(str(path)) if suffix == ".srt" else webvtt.read(str(path), encoding="utf-8-sig")
    except MalformedFileError as error:
        raise HighlightsError(f"not a valid {suffix[1:].upper()} file ({error})", path) from None
    except UnicodeDecodeError as error:
        raise HighlightsError(f"not UTF-8 text (bad byte at offset {error.start}); save it as UTF-8", path) from None
    except OSError as error:
        raise HighlightsError(f"cannot read file ({error.strerror})", path) from None
    return [
        Line(c.start_time.in_milliseconds() / 1000, c.end_time.in_milliseconds() / 1000, _clean(c.text))
        for c in captions
    ]


def _json_lines(path: Path) -> tuple[list[Line], str]:
    data = read_json(path)
    raw = data.get("segments") if isinstance(data, dict) else data
    language = str(data.get("language") or "") if isinstance(data, dict) else ""
    if isinstance(raw, dict):  # SoccerNet-Echoes: {"0": [start, end, text], ...}
        rows: Iterable = raw.items()
    elif isinstance(raw, list):  # WhisperX and most others: [{"start": s, "end": e, "text": t}, ...]
        rows = enumerate(raw)
    else:
        raise HighlightsError("no 'segments' (expected WhisperX or SoccerNet-Echoes JSON)", path)
    return [_json_line(key, row, path) for key, row in rows], language


def _json_line(key: object, row: object, path: Path) -> Line:
    if isinstance(row, dict):
        values = (row.get("start"), row.get("end"), row.get("text"))
    elif isinstance(row, list) and len(row) >= 3:
        values = tuple(row[:3])
    else:
        raise HighlightsError(f"segment {key!r} is neither {{start, end, text}} nor [start, end, text]", path)
    try:
        start, end = float(values[0]), float(values[1])
    except (TypeError, ValueError):
        raise HighlightsError(f"segment {key!r} has non-numeric times {values[:2]!r}", path) from None
    if not (math.isfinite(start) and math.isfinite(end)) or start < 0:
        raise HighlightsError(f"segment {key!r} has invalid times {start}, {end}", path)
    return Line(start, max(start, end), _clean(str(values[2] or "")))
