"""SoccerNet ``Labels-v2.json`` ground truth → ``Event``s per half.

The official format is ``{"annotations": [{"gameTime": "1 - 13:10", "label": "Goal",
"position": "790123", "team": "home", "visibility": "visible"}, ...]}``. The half comes
from ``gameTime``; the time from ``position`` (ms, more precise than ``gameTime``).
Extra keys are ignored.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path

from .classes import check_label
from .errors import HighlightsError
from .jsonfile import read_json
from .types import HALVES, MAX_HALF_S, Event

log = logging.getLogger(__name__)

MAX_POSITION_MS = MAX_HALF_S * 1000
# gameTime is whole seconds and may be rounded differently from position.
GAME_TIME_TOLERANCE_S = 2.0
_GAME_TIME = re.compile(r"^\s*([12])\s*-\s*(\d+):(\d{2})\s*$")


def parse_annotation(item: object, where: str) -> Event:
    """One annotation dict → Event, or a HighlightsError that says what is wrong."""
    if not isinstance(item, dict):
        raise HighlightsError("annotation is not an object", where)
    missing = [key for key in ("gameTime", "label") if key not in item]
    if missing:
        raise HighlightsError(f"annotation lacks {', '.join(missing)}", where)
    game_time = _GAME_TIME.match(str(item["gameTime"]))
    if not game_time:
        raise HighlightsError(f"gameTime {item['gameTime']!r} is not 'H - MM:SS' with H in 1, 2", where)
    half = int(game_time[1])
    game_time_s = int(game_time[2]) * 60 + int(game_time[3])
    label = check_label(str(item["label"]), where)
    if "position" in item:
        try:
            position_ms = int(float(item["position"]))
        except (TypeError, ValueError, OverflowError):  # OverflowError: 1e400 reads as infinity
            raise HighlightsError(f"position {item['position']!r} is not a number of ms", where) from None
        if abs(position_ms / 1000 - game_time_s) > GAME_TIME_TOLERANCE_S:
            log.warning(
                "%s: gameTime %s and position %d ms disagree; using position",
                where,
                item["gameTime"],
                position_ms,
            )
    else:
        position_ms = game_time_s * 1000
    if not 0 <= position_ms <= MAX_POSITION_MS:
        raise HighlightsError(f"position {position_ms} ms is outside a half (0 to {MAX_POSITION_MS} ms)", where)
    return Event(
        half=half,
        position_ms=position_ms,
        label=label,
        team=str(item.get("team", "")),
        visibility=str(item.get("visibility", "visible")),
    )


def load_labels(path: Path) -> dict[int, tuple[Event, ...]]:
    """Read a Labels-v2.json file into events per half, sorted by position."""
    data = read_json(path)
    annotations = data.get("annotations") if isinstance(data, dict) else None
    if not isinstance(annotations, list):
        raise HighlightsError("no 'annotations' list (not a SoccerNet Labels-v2.json file)", path)
    events = [parse_annotation(item, f"{path} annotation {i}") for i, item in enumerate(annotations)]
    return {half: tuple(sorted((e for e in events if e.half == half), key=lambda e: e.position_ms)) for half in HALVES}
