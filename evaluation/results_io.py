"""Predictions on disk: SoccerNet's ``results_spotting.json`` per game, plus ``intervals.json``.

Layout of a prediction folder (the official tool's, so it can score the same folder)::

    PRED_DIR/LEAGUE/SEASON/GAME/results_spotting.json   # official: what average-mAP scores
    PRED_DIR/LEAGUE/SEASON/GAME/intervals.json          # ours: start/end, evidence, back end, team

``results_spotting.json`` is ``{"UrlLocal": GAME_ID, "predictions": [{"gameTime": "1 - 13:10",
"label": "Goal", "position": "790123", "half": "1", "confidence": "0.87"}, ...]}`` with strings as
the official baselines write them (numbers are read too). Without ``intervals.json`` a prediction's
interval is its position ± ``half_width``.

Reading checks everything a score depends on. Problems that would make a score wrong raise a
``HighlightsError`` naming the file and the prediction; problems the score survives are counted
warnings (``ReadResult.warnings``) that the caller shows.
"""

from __future__ import annotations

import json
import math
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from index.atomic import atomic_write_bytes
from index.classes import check_label
from index.clock import game_time
from index.errors import HighlightsError
from index.jsonfile import read_json
from index.settings import DEFAULT_HALF_WIDTH_S
from index.types import HALVES, Match
from spotting.types import Spot

from .average_map import FRAMERATE, HALF_FRAMES

RESULTS_FILE = "results_spotting.json"
INTERVALS_FILE = "intervals.json"
MAX_POSITION_MS = HALF_FRAMES * 1000 // FRAMERATE  # the official tool clips anything later
# A prediction this long after the last commentary or event of its half is past the end of the half.
PAST_END_MARGIN_S = 180.0
REQUIRED = ("label", "position", "half", "confidence")
_MISSING = "games without a prediction file (scored as no predictions)"


def results_record(game_id: str, spots: Sequence[Spot]) -> dict:
    """The official ``results_spotting.json`` content for one game."""
    return {
        "UrlLocal": game_id,
        "predictions": [
            {
                "gameTime": game_time(s.half, s.position_ms),
                "label": s.label,
                "position": str(int(s.position_ms)),
                "half": str(s.half),
                "confidence": repr(float(s.confidence)),
            }
            for s in spots
        ],
    }


def intervals_record(game_id: str, spots: Sequence[Spot]) -> dict:
    return {
        "game": game_id,
        "intervals": [
            {
                "label": s.label,
                "half": s.half,
                "start": s.start,
                "end": s.end,
                "position_ms": int(s.position_ms),
                "confidence": float(s.confidence),
                "evidence": s.evidence,
                "backend": s.backend,
                "team": s.team,
                "player": s.player,
            }
            for s in spots
        ],
    }


def game_files(game_id: str, spots: Sequence[Spot]) -> dict[str, bytes]:
    """The bytes of a game's files, by name, in the order they are written: ``intervals.json`` first,
    the official file last, so a game whose official file is there was written whole."""
    return {
        INTERVALS_FILE: json.dumps(intervals_record(game_id, spots), ensure_ascii=False).encode("utf-8"),
        RESULTS_FILE: json.dumps(results_record(game_id, spots), ensure_ascii=False).encode("utf-8"),
    }


def write_game(folder: Path, game_id: str, files: Mapping[str, bytes]) -> None:
    """Write a game's files (from ``game_files``), each atomically."""
    for name, data in files.items():
        atomic_write_bytes(Path(folder) / game_id / name, data)


def write_results(folder: Path, predictions: Mapping[str, Sequence[Spot]], games: Iterable[str] = ()) -> list[Path]:
    """Write both files for every game of ``predictions`` and of ``games`` (empty lists for those
    without predictions, so the official tool finds a file for each game). Returns the written paths."""
    folder = Path(folder)
    for game_id in sorted(set(predictions) | set(games)):
        write_game(folder, game_id, game_files(game_id, list(predictions.get(game_id, ()))))
    return [folder / game_id / RESULTS_FILE for game_id in sorted(set(predictions) | set(games))]


@dataclass
class ReadResult:
    """Predictions read from a folder, keyed by game id, and the counted warnings."""

    predictions: dict[str, list[Spot]]
    warnings: Counter[str] = field(default_factory=Counter)
    examples: dict[str, str] = field(default_factory=dict)

    def warn(self, kind: str, example: str) -> None:
        self.warnings[kind] += 1
        self.examples.setdefault(kind, example)

    def warning_lines(self) -> list[str]:
        return [f"{count} × {kind} (e.g. {self.examples[kind]})" for kind, count in sorted(self.warnings.items())]


def _number(value: object, name: str, where: str) -> float:
    if isinstance(value, bool):
        raise HighlightsError(f"{name} {value!r} is not a number", where)
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise HighlightsError(f"{name} {value!r} is not a number", where) from None
    if not math.isfinite(number):
        raise HighlightsError(f"{name} {value!r} is not a finite number", where)
    return number


def parse_prediction(item: object, where: str, half_width: float = DEFAULT_HALF_WIDTH_S) -> Spot:
    """One official prediction dict → Spot (interval = position ± half_width), or a clear error."""
    if not isinstance(item, dict):
        raise HighlightsError("prediction is not an object", where)
    missing = [key for key in REQUIRED if key not in item]
    if missing:
        raise HighlightsError(f"prediction lacks {', '.join(missing)}", where)
    label = check_label(str(item["label"]), where)
    half = _number(item["half"], "half", where)
    if half not in HALVES:
        raise HighlightsError(f"half {item['half']!r} is not 1 or 2", where)
    position = _number(item["position"], "position", where)
    if position != int(position) or not 0 <= position <= MAX_POSITION_MS:
        raise HighlightsError(
            f"position {item['position']!r} is not a whole number of ms in 0..{MAX_POSITION_MS} (120 min)", where
        )
    confidence = _number(item["confidence"], "confidence", where)
    if not 0.0 <= confidence <= 1.0:
        raise HighlightsError(f"confidence {item['confidence']!r} is outside [0, 1]", where)
    seconds = position / 1000
    return Spot(
        label=label,
        half=int(half),
        start=max(0.0, seconds - half_width),
        end=seconds + half_width,
        position_ms=int(position),
        confidence=confidence,
    )


def _parse_interval(item: object, where: str) -> Spot:
    if not isinstance(item, dict):
        raise HighlightsError("interval is not an object", where)
    missing = [key for key in ("position_ms", "start", "end") if key not in item]
    if missing:
        raise HighlightsError(f"interval lacks {', '.join(missing)}", where)
    spot = parse_prediction({**item, "position": item["position_ms"]}, where)
    start, end = _number(item["start"], "start", where), _number(item["end"], "end", where)
    if not 0 <= start <= end:
        raise HighlightsError(f"interval [{start}, {end}] is not 0 <= start <= end", where)
    return Spot(
        label=spot.label,
        half=spot.half,
        start=start,
        end=end,
        position_ms=spot.position_ms,
        confidence=spot.confidence,
        evidence=str(item.get("evidence", "")),
        backend=str(item.get("backend", "")),
        team=str(item.get("team", "")),
        player=str(item.get("player", "")),
    )


def read_game(game_folder: Path, game_id: str, half_width: float = DEFAULT_HALF_WIDTH_S) -> list[Spot]:
    """The predictions of one game; ``intervals.json``, when present, must agree with the official file."""
    path = game_folder / RESULTS_FILE
    data = read_json(path)
    items = data.get("predictions") if isinstance(data, dict) else None
    if not isinstance(items, list):
        raise HighlightsError("no 'predictions' list (not a SoccerNet results_spotting.json)", path)
    spots = [parse_prediction(item, f"{path} prediction {i}", half_width) for i, item in enumerate(items)]
    intervals_path = game_folder / INTERVALS_FILE
    if not intervals_path.is_file():
        return spots
    data = read_json(intervals_path)
    items = data.get("intervals") if isinstance(data, dict) else None
    if not isinstance(items, list):
        raise HighlightsError("no 'intervals' list", intervals_path)
    detailed = [_parse_interval(item, f"{intervals_path} interval {i}") for i, item in enumerate(items)]
    anchors = [(s.label, s.half, s.position_ms, s.confidence) for s in spots]
    if anchors != [(s.label, s.half, s.position_ms, s.confidence) for s in detailed]:
        raise HighlightsError(f"disagrees with {RESULTS_FILE} (label, half, position or confidence)", intervals_path)
    return detailed


def half_end_s(match: Match, half: int) -> float | None:
    """Where a half is known to last until: its last commentary segment or event, None if neither."""
    ends = [s.end for s in match.half_segments(half)] + [e.seconds for e in match.half_events(half)]
    return max(ends) if ends else None


def _check_game(result: ReadResult, match: Match, spots: list[Spot], where: str) -> None:
    frames: set[tuple[int, str, int]] = set()
    ends = {half: half_end_s(match, half) for half in HALVES}
    for spot in spots:
        end = ends[spot.half]
        if end is not None and spot.position_ms / 1000 > end + PAST_END_MARGIN_S:
            result.warn(
                "predictions past the end of their half",
                f"{where}: {spot.label} at {game_time(spot.half, spot.position_ms)}, half ends near "
                f"{game_time(spot.half, int(end * 1000))}",
            )
        frame = (spot.half, spot.label, int(FRAMERATE * (spot.position_ms / 1000)))
        if frame in frames:
            result.warn(
                "duplicate predictions (same class within one 0.5 s frame; the official tool keeps the last)",
                f"{where}: {spot.label} at {game_time(spot.half, spot.position_ms)}",
            )
        frames.add(frame)


def read_results(
    folder: Path, matches: Sequence[Match] | None = None, half_width: float = DEFAULT_HALF_WIDTH_S
) -> ReadResult:
    """Read every game's predictions under ``folder``; with ``matches``, check them against those games.

    Games of ``matches`` without a file count as having no predictions (a warning); files of other
    games are ignored (a warning).
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise HighlightsError("prediction folder does not exist", folder)
    files = sorted(folder.glob(f"*/*/*/{RESULTS_FILE}"))
    if not files:
        raise HighlightsError(f"no LEAGUE/SEASON/GAME/{RESULTS_FILE} files in this folder", folder)
    result = ReadResult(predictions={})
    expected = {m.id: m for m in matches} if matches is not None else None
    for path in files:
        game_id = path.parent.relative_to(folder).as_posix()
        if expected is not None and game_id not in expected:
            result.warn("prediction files for games that are not evaluated (ignored)", game_id)
            continue
        spots = read_game(path.parent, game_id, half_width)
        if expected is not None:
            _check_game(result, expected[game_id], spots, game_id)
        result.predictions[game_id] = spots
    for game_id in expected or ():
        if game_id not in result.predictions:
            result.warn(_MISSING, game_id)
            result.predictions[game_id] = []
    if expected is not None and len(result.predictions) == result.warnings[_MISSING]:
        raise HighlightsError("none of the prediction files is for a game being evaluated", folder)
    return result
