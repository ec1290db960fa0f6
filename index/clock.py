"""Times of a half as people read and type them: one rounding rule for every ``MM:SS`` the project
shows (the chat, the tables, ``index search``, the prompts, file names), so one moment reads the
same everywhere; and the reading of a typed time.

Positions are seconds from the start of that half's video (SoccerNet's convention); minutes pass 59
in a long half rather than wrapping into hours.
"""

from __future__ import annotations

from .errors import HighlightsError


def whole_seconds(seconds: float) -> int:
    """The shown second of a position: the nearest one (36:08.6 is 36:09), never below 0."""
    return max(0, round(seconds))


def clock(seconds: float, separator: str = ":", unit: str = "") -> str:
    """``MM:SS`` of a position in a half (``separator="m", unit="s"``: ``36m09s``, for file names)."""
    total = whole_seconds(seconds)
    return f"{total // 60:02d}{separator}{total % 60:02d}{unit}"


def game_time(half: int, position_ms: int) -> str:
    """SoccerNet's ``"H - MM:SS"`` of a position. Truncated, not rounded: SoccerNet's own labels
    write the second a position is in (6,550 of 6,550 labels checked), and the files must agree."""
    seconds = int(position_ms // 1000)
    return f"{half} - {seconds // 60:02d}:{seconds % 60:02d}"


def parse_clock(text: str, where: str) -> float:
    """``H:MM:SS``, ``MM:SS`` or seconds → seconds; an error naming ``where`` otherwise."""
    parts = text.strip().split(":")
    try:
        numbers = [float(p) for p in parts]
    except ValueError:
        numbers = []
    if not numbers or len(numbers) > 3 or any(n < 0 for n in numbers) or any(n >= 60 for n in numbers[1:]):
        raise HighlightsError(f"not a time: {text!r} (write H:MM:SS, MM:SS or seconds)", where)
    seconds = 0.0
    for number in numbers:
        seconds = seconds * 60 + number
    return seconds
