"""A recording's commentary as timed lines, from Whisper or from subtitles, and how it becomes halves
in the SoccerNet-Echoes format.

Times are seconds from the start of the file the lines were heard in. One file for the whole match
is cut at the half-time break: given by the user, or the longest silence in the middle of the match.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from .errors import HighlightsError
from .media import clock

# Echoes' own halves: the longest pause in the commentary of a half is under 149 s in 99 % of the
# 1,100 halves (median 27 s); a half-time break without the studio lasts about 15 minutes.
MIN_BREAK_S = 180.0
# The break lies in the middle of a whole-match recording, not in the pre-match or post-match talk.
BREAK_WINDOW = (0.25, 0.75)
# The least talkative Echoes half has 2.3 words a minute: fewer than this is silence, music or crowd.
MIN_WORDS_PER_MINUTE = 2.0
SUBTITLES = "subtitles"  # the task of lines read from a subtitle or transcript file, not heard by Whisper


@dataclass(frozen=True, slots=True)
class Line:
    """One timed line of commentary."""

    start: float
    end: float
    text: str


@dataclass(frozen=True, slots=True)
class Transcript:
    """The lines of one file (or of one half of it), with what produced them."""

    lines: tuple[Line, ...]
    language: str  # ISO 639-1, "" when unknown
    source: str  # the Whisper model, or the subtitle file
    task: str = "transcribe"  # Whisper's "transcribe" (own language) or "translate" (to English), or SUBTITLES
    language_probability: float = 1.0
    duration: float = 0.0  # seconds of recording the lines come from
    speech: float = 0.0  # seconds of it that the voice detector kept (0 when not measured)
    extra: dict = field(default_factory=dict)

    @property
    def words(self) -> int:
        return sum(len(line.text.split()) for line in self.lines)

    def echoes(self) -> dict:
        """The Echoes ``N_asr.json`` content; the extra keys say how it was made (loaders ignore them)."""
        about = {"source": self.source, "task": self.task, "language": self.language, **self.extra}
        if self.language_probability < 1.0:
            about["language_probability"] = round(self.language_probability, 3)
        segments = {str(i): [round(x.start, 2), round(x.end, 2), x.text] for i, x in enumerate(self.lines)}
        return {"segments": segments, "asr": about}


def check_heard(transcript: Transcript, where: str) -> None:
    """Stop when a recording holds no commentary: too few words for its length."""
    minutes = max(transcript.duration, 60.0) / 60.0
    if transcript.words / minutes < MIN_WORDS_PER_MINUTE:
        heard = f"{transcript.words} words in {clock(transcript.duration)}"
        if transcript.task != SUBTITLES:
            heard += f", {clock(transcript.speech)} of it speech to the voice detector"
        raise HighlightsError(
            f"no commentary heard ({heard}): is it silent, music or crowd only? Nothing was written",
            where,
        )


def find_break(lines: Sequence[Line], duration: float) -> tuple[float, float] | None:
    """The half-time break of a whole-match recording: the longest pause in the commentary that lies
    in the middle of it and lasts at least ``MIN_BREAK_S``; ``None`` when there is none."""
    low, high = (duration * f for f in BREAK_WINDOW)
    gaps, heard_until = [], 0.0
    for line in sorted(lines, key=lambda x: x.start):
        gaps.append((heard_until, line.start))
        heard_until = max(heard_until, line.end)
    inside = [(a, b) for a, b in gaps if b - a >= MIN_BREAK_S and low <= (a + b) / 2 <= high]
    return max(inside, key=lambda gap: gap[1] - gap[0], default=None)


def split_at(transcript: Transcript, second_half: float) -> tuple[Transcript, Transcript]:
    """The lines before ``second_half`` and those after it, the latter timed from it (Echoes times
    each half from the start of its own video)."""
    first = tuple(x for x in transcript.lines if x.start < second_half)
    second = tuple(
        Line(x.start - second_half, x.end - second_half, x.text) for x in transcript.lines if x.start >= second_half
    )
    return (
        replace(transcript, lines=first, duration=min(transcript.duration, second_half)),
        replace(transcript, lines=second, duration=max(0.0, transcript.duration - second_half)),
    )


def from_echoes(data: dict, duration: float = 0.0, speech: float = 0.0) -> Transcript:
    """A transcript back from its ``echoes()`` form (a finished half kept for the next try)."""
    about = dict(data.get("asr") or {})
    rows = sorted(data.get("segments", {}).values(), key=lambda row: (row[0], row[1]))
    return Transcript(
        lines=tuple(Line(float(s), float(e), str(t)) for s, e, t in rows),
        language=str(about.pop("language", "")),
        source=str(about.pop("source", "")),
        task=str(about.pop("task", "transcribe")),
        language_probability=float(about.pop("language_probability", 1.0)),
        duration=duration,
        speech=speech,
        extra=about,
    )
