"""An answer's intervals as a person and a program read them: table rows, JSON, CSV/JSON downloads.

The confidence threshold and the padding of the settings panel apply here, so the table, the
timeline, the downloads, the clips and the API all show the same intervals.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

import pandas as pd

from index.atomic import atomic_write_text
from index.types import Match
from spotting.types import Spot
from tools.formatting import clock, minute_label, quote
from tools.query import MomentQuery
from tools.spots import spot_team

TABLE_COLUMNS = ("class", "half", "start", "end", "minute", "team", "confidence", "evidence")
TABLE_QUOTE_CHARS = 90


def shown_spots(spots: Sequence[Spot], threshold: float = 0.0, padding: float = 0.0) -> list[Spot]:
    """Spots at or above ``threshold``, each widened by ``padding`` seconds on both sides (never before 0)."""
    return [
        replace(s, start=max(0.0, s.start - padding), end=s.end + padding)
        for s in sorted(spots, key=lambda s: (s.half, s.start))
        if s.confidence >= threshold
    ]


def interval_records(spots: Sequence[Spot], match: Match | None = None) -> list[dict]:
    """One plain dict per interval: readable times and exact seconds side by side, and the club."""
    return [
        {
            "class": s.label,
            "half": s.half,
            "start": clock(s.start),
            "end": clock(s.end),
            "minute": minute_label(s.half, s.start),
            "start_s": round(s.start, 2),
            "end_s": round(s.end, 2),
            "position_ms": s.position_ms,
            "confidence": round(s.confidence, 3),
            "team": (spot_team(s, match) or "") if match else s.team,
            "player": s.player,
            "evidence": s.evidence,
            "backend": s.backend,
        }
        for s in spots
    ]


def intervals_table(spots: Sequence[Spot], match: Match | None = None) -> pd.DataFrame:
    """The table beside the chat: one row per interval, in the order of ``spots``, evidence cut short."""
    rows = [{**r, "evidence": quote(r["evidence"], TABLE_QUOTE_CHARS)} for r in interval_records(spots, match)]
    return pd.DataFrame([{column: r[column] for column in TABLE_COLUMNS} for r in rows], columns=TABLE_COLUMNS)


def answer_payload(
    text: str,
    spots: Sequence[Spot],
    match: Match | None,
    backend: str,
    notice: str = "",
    query: MomentQuery | None = None,
) -> dict:
    """What the ``/ask`` API returns and the JSON tab shows: the answer, its match, the query it
    answered (the fields set), and its intervals."""
    return {
        "answer": text,
        "match": {"id": match.id, "title": match.title, "date": match.date.isoformat()} if match else None,
        "query": query.given() if query else None,
        "backend": backend,
        "notice": notice,
        "intervals": interval_records(spots, match),
    }


def csv_text(records: Sequence[dict]) -> str:
    buffer = io.StringIO()
    columns = list(records[0]) if records else list(TABLE_COLUMNS)
    writer = csv.DictWriter(buffer, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    writer.writerows(records)
    return buffer.getvalue()


def write_downloads(payload: dict, folder: Path, stem: str) -> tuple[Path, Path]:
    """The intervals as ``stem.csv`` and the whole payload as ``stem.json`` in ``folder`` (atomic writes)."""
    csv_path, json_path = folder / f"{stem}.csv", folder / f"{stem}.json"
    atomic_write_text(csv_path, csv_text(payload["intervals"]))
    atomic_write_text(json_path, json.dumps(payload, ensure_ascii=False, indent=2) + "\n")
    return csv_path, json_path
