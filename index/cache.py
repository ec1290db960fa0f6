"""An on-disk cache of loaded corpora, so the second load of 550 games takes a second, not ten.

The key covers everything a load depends on: the loader's format version, the Whisper version,
the text choice, the games asked for, and the path, size and modification time of every input
file (the same rule ``make`` uses; hashing 150 MB of JSON would cost more than it saves).
Entries are msgpack files written atomically; a corrupt entry is ignored and rebuilt.
"""

from __future__ import annotations

import datetime as dt
import gc
import hashlib
import logging
import os
from collections.abc import Iterable
from itertools import repeat
from pathlib import Path

import msgpack

from .atomic import atomic_write_bytes
from .types import Event, Match, Segment

log = logging.getLogger(__name__)

CACHE_ENV = "HIGHLIGHTS_CACHE"
FORMAT = 5  # bump when Match/Segment/Event or the loaders change what they produce


def cache_root() -> Path:
    """Where the project caches derived data: ``$HIGHLIGHTS_CACHE`` or ``~/.cache/soccer-highlights``."""
    return Path(os.environ.get(CACHE_ENV) or Path.home() / ".cache" / "soccer-highlights").expanduser()


def input_files(root: Path, game_ids: Iterable[str]) -> list[Path]:
    """Every file a load of these games reads: commentary of all versions, labels, videos."""
    versions = [p for p in (root / "echoes").iterdir() if p.is_dir()] if (root / "echoes").is_dir() else []
    files = []
    for game_id in game_ids:
        for folder in [*(v / game_id for v in versions), root / "soccernet" / game_id, root / "videos" / game_id]:
            if folder.is_dir():
                files.extend(p for p in folder.iterdir() if p.is_file())
    return sorted(files)


def cache_key(root: Path, game_ids: list[str], *settings: str) -> str:
    digest = hashlib.blake2b(digest_size=16)
    digest.update(repr((FORMAT, str(root.resolve()), settings, game_ids)).encode())
    for path in input_files(root, game_ids):
        stat = path.stat()
        digest.update(os.fsencode(path) + f"\0{stat.st_size}\0{stat.st_mtime_ns}\n".encode())
    return digest.hexdigest()


# Stored column-wise (one list per field): far fewer msgpack objects than one list per row.
SEGMENT_FIELDS = ("start", "end", "text", "source", "language")
EVENT_FIELDS = ("position_ms", "label", "team", "visibility")


def _columns(rows: tuple, fields: tuple[str, ...]) -> list[list]:
    return [[getattr(row, name) for row in rows] for name in fields]


def _pack_match(match: Match) -> list:
    return [
        match.id,
        match.league,
        match.season,
        match.date.isoformat(),
        match.kickoff.isoformat() if match.kickoff else None,
        match.home,
        match.away,
        match.home_score,
        match.away_score,
        {h: _columns(segs, SEGMENT_FIELDS) for h, segs in match.segments.items()},
        {h: _columns(evs, EVENT_FIELDS) for h, evs in match.events.items()},
        match.languages,
        {h: str(p) for h, p in match.videos.items()},
        match.has_labels,
        match.score_note,
        match.score_known,
    ]


def _unpack_match(row: list) -> Match:
    (game_id, league, season, date, kickoff, home, away, hs, as_, segs, evs, langs, videos, labelled, note, known) = row
    return Match(
        id=game_id,
        league=league,
        season=season,
        date=dt.date.fromisoformat(date),
        kickoff=dt.time.fromisoformat(kickoff) if kickoff else None,
        home=home,
        away=away,
        home_score=hs,
        away_score=as_,
        segments={h: tuple(map(Segment, repeat(h), *columns)) for h, columns in segs.items()},
        events={h: tuple(map(Event, repeat(h), *columns)) for h, columns in evs.items()},
        languages=dict(langs),
        videos={h: Path(p) for h, p in videos.items()},
        has_labels=labelled,
        score_note=note,
        score_known=known,
    )


def read_cached(path: Path) -> tuple[list[Match], list[tuple[str, str]]] | None:
    """The cached matches and skipped games, or None when there is no usable entry."""
    # Building a million small objects triggers the cyclic GC over and over for nothing: none
    # of them form cycles. Pausing it halves the load time.
    gc_was_enabled = gc.isenabled()
    gc.disable()
    try:
        matches, skipped = msgpack.unpackb(path.read_bytes(), strict_map_key=False, use_list=True)
        return [_unpack_match(row) for row in matches], [tuple(s) for s in skipped]
    except FileNotFoundError:
        return None
    except Exception as error:  # a corrupt or outdated entry is rebuilt, never trusted
        log.warning("ignoring unreadable corpus cache %s (%s)", path, error)
        return None
    finally:
        if gc_was_enabled:
            gc.enable()


def write_cached(path: Path, matches: list[Match], skipped: list[tuple[str, str]]) -> bool:
    """Store a load; a cache that cannot be written (a read-only folder, a full disk) is a warning, never
    a failed load: the matches are in memory and the next start reads the files again. True if written."""
    try:
        atomic_write_bytes(path, msgpack.packb([[_pack_match(m) for m in matches], [list(s) for s in skipped]]))
    except (OSError, ValueError, TypeError, OverflowError) as error:  # UnicodeError is a ValueError
        log.warning("could not write the corpus cache %s (%s); going on without it", path, error)
        return False
    return True
