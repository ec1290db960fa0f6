"""LLM replies → Spots: structured JSON first, then tolerant free text. Never raises on a reply.

What a reply may look like, and how it is read:
- JSON (the format ``prompting.format_answer`` writes and ``RESPONSE_SCHEMA`` allows), also inside
  a code fence or prose, as an object with a list under ``actions``/``events``/``spots``/... or as a
  bare list; items name the class under ``label``/``action``/``type``/... and the time as
  ``start``+``end``, ``interval``, or a single ``time``/``timestamp``/``minute``.
- Free text, line by line: intervals "(36:09, 36:24)", "36:09-36:24", "36:09 to 36:24", single times
  "36:09" (the 15 s window around it), minute-only "36'", "36th minute", "minute 36", "45+2'"
  (the whole minute), and class names in any case, plural or other wording
  (``spotting/prompts/label_words.yaml``). Each time belongs to the last class named before it on
  its line, else the first one after it.
- Times may be MM:SS of the half (as the prompt asks), relative to the chunk ("00:09"), or match
  minutes in the second half ("67'"): the first reading that falls in the chunk is taken.

Everything the parser could not use (an unknown class, a class with no time, a time outside the
chunk, a reply with no action in it) becomes a line in ``failures`` and is logged.
"""

from __future__ import annotations

import json
import logging
import math
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from index.classes import LABELS
from index.settings import DEFAULT_HALF_WIDTH_S
from index.types import Chunk
from index.yamlfile import read_yaml
from spotting.types import Spot

from .prompting import PROMPTS_DIR

log = logging.getLogger(__name__)

LABEL_WORDS_FILE = PROMPTS_DIR / "label_words.yaml"
# How far outside its chunk an interval may reach (an action at 36:58 has a window to 37:05).
CHUNK_SLACK_S = 15.0
# Parse confidences: an LLM gives none, so a spot's confidence says how firmly the reply was read.
STRUCTURED_CONFIDENCE = 1.0
FREE_TEXT_CONFIDENCE = 0.8
MINUTE_ONLY_CONFIDENCE = 0.5
EVIDENCE_CHARS = 400
HALF_MINUTES = 45

LIST_KEYS = ("actions", "events", "spots", "highlights", "results", "items", "detections", "predictions")
LABEL_KEYS = ("label", "action", "class", "type", "event", "category", "name")
START_KEYS = ("start", "start_time", "from", "begin")
END_KEYS = ("end", "end_time", "to", "until", "stop")
SINGLE_KEYS = ("interval", "time", "timestamp", "times", "at", "minute", "position")
NOTHING_WORDS = re.compile(r"\b(no|none|nothing|empty)\b", re.IGNORECASE)

_CLOCK = r"(?:(\d{1,2}):)?(\d{1,3}):([0-5]\d)(?:\.\d+)?"
CLOCK_RE = re.compile(rf"(?<![\d:.]){_CLOCK}(?![\d:])")
RANGE_RE = re.compile(
    rf"(?<![\d:.]){_CLOCK}(?![\d:])\s*[)\]]?\s*(?:-|–|—|to|until|till|and|,|/|\|)\s*[(\[]?\s*{_CLOCK}(?![\d:])",
    re.IGNORECASE,
)
MINUTE_RE = re.compile(
    r"(?<![\d:.])(\d{1,3})(?:\s*\+\s*(\d{1,2}))?\s*(?:'|’|′|(?:st|nd|rd|th)?\s*min(?:ute)?s?\b)"
    r"|\bminute\s+(\d{1,3})(?:\s*\+\s*(\d{1,2}))?",
    re.IGNORECASE,
)
FENCE_RE = re.compile(r"```(?:json)?", re.IGNORECASE)
SECONDS_RE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(?:s|sec|secs|seconds)?\s*$", re.IGNORECASE)


@dataclass
class ParseResult:
    """The spots read from one reply, and one line per thing that could not be read."""

    spots: list[Spot] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    structured: bool = False  # the reply was JSON


@dataclass(frozen=True)
class _Time:
    """A time read from a reply, not yet placed in the half."""

    start: float
    end: float
    minute_only: bool = False


def normalise_words(text: str) -> str:
    """Lower case, with "-", "_" and ">" as spaces, keeping every character's position."""
    return "".join(" " if c in "-_>" else c.lower() if len(c.lower()) == 1 else c for c in text)


@cache
def _label_pattern() -> tuple[re.Pattern[str], dict[str, str]]:
    words: dict[str, list[str]] = read_yaml(LABEL_WORDS_FILE)
    phrase_label: dict[str, str] = {}
    for label in LABELS:
        for phrase in [label, *words.get(label, [])]:
            phrase_label.setdefault(" ".join(normalise_words(phrase).split()), label)
    alternatives = sorted(phrase_label, key=len, reverse=True)
    words = "|".join(r"\s+".join(re.escape(w) for w in p.split()) for p in alternatives)
    return re.compile(rf"\b({words})(?:e?s)?\b"), phrase_label


def find_labels(text: str) -> list[tuple[int, str]]:
    """(position in the normalised text, class) for every class named in ``text``, in order."""
    pattern, phrase_label = _label_pattern()
    return [(m.start(), phrase_label[" ".join(m.group(1).split())]) for m in pattern.finditer(normalise_words(text))]


def label_of(name: str) -> str | None:
    """The class a label string names (exact, plural, other wording), or None."""
    found = find_labels(name)
    return found[0][1] if found else None


def _clock_seconds(hours: str | None, minutes: str, seconds: str) -> float:
    return int(hours or 0) * 3600 + int(minutes) * 60 + int(seconds)


def _minute(minute: str | float, extra: str | None) -> _Time:
    start = (float(minute) + int(extra or 0)) * 60.0
    return _Time(start, start + 60.0, minute_only=True)


def find_times(text: str) -> list[tuple[int, _Time]]:
    """(position, time) for every interval, single clock time and minute in ``text``, in order."""
    found: list[tuple[int, _Time]] = []
    taken: list[tuple[int, int]] = []

    def free(match: re.Match[str]) -> bool:
        return all(match.end() <= a or match.start() >= b for a, b in taken)

    for m in RANGE_RE.finditer(text):
        found.append((m.start(), _Time(_clock_seconds(*m.group(1, 2, 3)), _clock_seconds(*m.group(4, 5, 6)))))
        taken.append(m.span())
    for m in CLOCK_RE.finditer(text):
        if free(m):
            seconds = _clock_seconds(*m.groups())
            found.append((m.start(), _Time(seconds, seconds)))
            taken.append(m.span())
    for m in MINUTE_RE.finditer(text):
        if free(m):
            minute, extra = (m.group(1), m.group(2)) if m.group(1) else (m.group(3), m.group(4))
            found.append((m.start(), _minute(minute, extra)))
    return sorted(found, key=lambda item: item[0])


def _number(value: Any) -> float | None:
    """A finite float from a JSON number or numeric string, else None (bools and huge ints too)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, str):
        match = SECONDS_RE.match(value)
        value = match.group(1) if match else None
    try:
        number = float(value)
    except (TypeError, ValueError, OverflowError):
        return None
    return number if math.isfinite(number) else None


def _value_time(value: Any, minutes: bool = False) -> _Time | None:
    """A time from a JSON value: "MM:SS", "36'", "36:09-36:24", [a, b], or a number of seconds
    (of minutes when ``minutes``, e.g. under a ``minute`` key)."""
    number = _number(value)
    if number is not None:
        return _minute(number, 0) if minutes else _Time(number, number)
    if isinstance(value, list | tuple) and len(value) == 2:
        first, second = _value_time(value[0], minutes), _value_time(value[1], minutes)
        return _Time(first.start, second.end) if first and second else None
    if isinstance(value, str):
        times = find_times(value)
        if len(times) == 1:
            return times[0][1]
        if len(times) == 2:
            return _Time(times[0][1].start, times[1][1].end)
    return None


def _place(time: _Time, chunk: Chunk) -> tuple[float, float] | None:
    """Seconds of the half for a time read as absolute, chunk-relative or (half 2) match clock.

    None when no reading falls within the chunk (with ``CHUNK_SLACK_S`` either side).
    """
    start, end = sorted((time.start, time.end))
    if start == end and not time.minute_only:
        start, end = start - DEFAULT_HALF_WIDTH_S, end + DEFAULT_HALF_WIDTH_S
    low, high = max(0.0, chunk.start - CHUNK_SLACK_S), chunk.end + CHUNK_SLACK_S
    offsets = [0.0, chunk.start] + ([-HALF_MINUTES * 60.0] if chunk.half == 2 else [])
    for offset in offsets:
        a, b = start + offset, end + offset
        if a < high and b > low:
            return max(a, low), min(b, high)
    return None


def _evidence(chunk: Chunk, start: float, end: float) -> str:
    texts = [s.text for s in chunk.segments if s.start < end and s.end > start]
    return (" ".join(texts) or chunk.text)[:EVIDENCE_CHARS]


def _spot(label: str, time: _Time, chunk: Chunk, confidence: float, backend: str, failures: list[str]) -> Spot | None:
    placed = _place(time, chunk)
    if placed is None:
        where = f"{time.start:g}-{time.end:g} s"
        failures.append(f"{label} at {where} is outside the chunk {chunk.start:g}-{chunk.end:g} s")
        return None
    start, end = placed
    if time.minute_only:
        confidence = min(confidence, MINUTE_ONLY_CONFIDENCE)
    return Spot(
        label=label,
        half=chunk.half,
        start=start,
        end=end,
        position_ms=round((start + end) / 2 * 1000),
        confidence=min(1.0, max(0.0, confidence)),
        evidence=_evidence(chunk, start, end),
        backend=backend,
    )


# --- structured replies ---------------------------------------------------------------------


def _json_values(text: str) -> Iterator[tuple[Any, bool]]:
    """Every JSON object or list embedded in ``text`` (code fences, prose around it), outermost
    first, and whether it is the whole reply."""
    decoder = json.JSONDecoder()
    index = 0
    while True:
        positions = [p for p in (text.find("{", index), text.find("[", index)) if p >= 0]
        if not positions:
            return
        index = min(positions)
        try:
            value, end = decoder.raw_decode(text, index)
        except ValueError:
            index += 1
            continue
        yield value, not FENCE_RE.sub("", text[:index] + text[end:]).strip()
        index = end


def _action_list(value: Any, whole: bool) -> list | None:
    """The actions a JSON value lists; an empty bare list counts only as the whole reply (in
    garbage, "[]" says nothing)."""
    if isinstance(value, list):
        return value if (value or whole) and all(isinstance(v, dict) for v in value) else None
    if isinstance(value, dict):
        for key, item in value.items():
            if key.lower() in LIST_KEYS and isinstance(item, list):
                return item
        if any(k.lower() in LABEL_KEYS for k in value):
            return [value]
    return None


def _first(item: dict, keys: tuple[str, ...]) -> tuple[str, Any]:
    """The first of ``keys`` (any case) in ``item``, and its value; ("", None) if none is."""
    lowered = {str(k).lower(): v for k, v in item.items()}
    return next(((k, lowered[k]) for k in keys if k in lowered), ("", None))


def _item_time(item: dict) -> _Time | None:
    start, end = _first(item, START_KEYS)[1], _first(item, END_KEYS)[1]
    if start is not None and end is not None:
        first, second = _value_time(start), _value_time(end)
        return _Time(first.start, second.end, first.minute_only and second.minute_only) if first and second else None
    key, single = _first(item, SINGLE_KEYS)
    return _value_time(single if single is not None else start if start is not None else end, key == "minute")


def _parse_structured(actions: list, chunk: Chunk, backend: str, result: ParseResult) -> None:
    for item in actions:
        if not isinstance(item, dict):
            result.failures.append(f"action is not an object: {str(item)[:80]!r}")
            continue
        name = _first(item, LABEL_KEYS)[1]
        label = label_of(str(name)) if name is not None else None
        if label is None:
            result.failures.append(f"unknown or missing action class {str(name)[:80]!r}")
            continue
        time = _item_time(item)
        if time is None:
            result.failures.append(f"{label} without a readable time: {json.dumps(item, default=str)[:120]}")
            continue
        confidence = _number(_first(item, ("confidence", "score", "probability"))[1])
        confidence = STRUCTURED_CONFIDENCE if confidence is None else confidence
        spot = _spot(label, time, chunk, confidence, backend, result.failures)
        if spot:
            result.spots.append(spot)


# --- free text -------------------------------------------------------------------------------


def _parse_line(line: str, chunk: Chunk, backend: str, result: ParseResult) -> None:
    labels = find_labels(line)
    times = find_times(line)
    if not labels and not times:
        return
    if not labels:
        result.failures.append(f"time without an action class: {line.strip()[:120]!r}")
        return
    if not times:
        result.failures.append(f"{labels[0][1]} without a time: {line.strip()[:120]!r}")
        return
    used: set[int] = set()
    for position, time in times:
        before = [i for i, (p, _) in enumerate(labels) if p <= position]
        index = before[-1] if before else 0
        used.add(index)
        spot = _spot(labels[index][1], time, chunk, FREE_TEXT_CONFIDENCE, backend, result.failures)
        if spot:
            result.spots.append(spot)
    for i, (_, label) in enumerate(labels):
        if i not in used and label not in {labels[j][1] for j in used}:
            result.failures.append(f"{label} without a time: {line.strip()[:120]!r}")


def _parse_free_text(text: str, chunk: Chunk, backend: str, result: ParseResult) -> None:
    for line in re.split(r"[\n;]+", text):
        _parse_line(line, chunk, backend, result)


# --- entry point -----------------------------------------------------------------------------


def parse_reply(text: str, chunk: Chunk, backend: str = "") -> ParseResult:
    """The spots a reply names for ``chunk``; never raises, counts what it cannot read."""
    result = ParseResult()
    text = text if isinstance(text, str) else ""
    for value, whole in _json_values(text):
        actions = _action_list(value, whole)
        if actions is not None:
            result.structured = True
            _parse_structured(actions, chunk, backend, result)
            break
    if not result.structured:
        _parse_free_text(text, chunk, backend, result)
        if not result.spots and not result.failures and text.strip() and not NOTHING_WORDS.search(text):
            result.failures.append(f"no action found in reply {text.strip()[:120]!r}")
    result.spots = _unique(result.spots)
    if result.failures:
        log.info(
            "%s half %d %s: %d parts of the reply not understood: %s",
            chunk.match_id,
            chunk.half,
            f"{chunk.start:g}s",
            len(result.failures),
            "; ".join(result.failures),
        )
    return result


def _unique(spots: list[Spot]) -> list[Spot]:
    seen: set[tuple[str, float, float]] = set()
    unique = []
    for spot in spots:
        key = (spot.label, spot.start, spot.end)
        if key not in seen:
            seen.add(key)
            unique.append(spot)
    return unique
