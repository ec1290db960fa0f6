"""The files of a match in a data folder: which games are there, writing a new one all at once, and
checking there is room first.

A new match's files are staged beside their final names and renamed into place only when every one
of them is written; an interruption or a full disk leaves none of them behind.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from .atomic import sibling_file
from .errors import HighlightsError

MB = 1024 * 1024
# What the transcripts of one second of commentary take as Echoes JSON (about 60 KB a half), with
# room for a second copy (the translation) and the cache of what Whisper heard.
TRANSCRIPT_BYTES_PER_S = 100


def game_folders(root: Path) -> set[str]:
    """Every ``LEAGUE/SEASON/GAME`` that has a folder under ``echoes/*/`` or ``soccernet/``."""
    games = set()
    for base in [*(root / "echoes").glob("*"), root / "soccernet"]:
        if base.is_dir():
            games |= {p.relative_to(base).as_posix() for p in base.glob("*/*/*") if p.is_dir()}
    return games


def files_of(root: Path, game_id: str) -> list[Path]:
    """Every file the data folder holds for ``game_id`` (all Echoes versions, the SoccerNet folder)."""
    folders = [*(v / game_id for v in (root / "echoes").glob("*")), root / "soccernet" / game_id]
    return [p for folder in folders if folder.is_dir() for p in folder.iterdir() if p.is_file() or p.is_symlink()]


def check_room(root: Path, needed_bytes: float) -> None:
    """An error before any work when the disk holding ``root`` has less free space than needed."""
    existing = root
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    free = shutil.disk_usage(existing).free
    if free < needed_bytes:
        raise HighlightsError(
            f"not enough free space: adding this match needs about {needed_bytes / MB:.1f} MB, "
            f"{free / MB:.1f} MB are free; nothing was written",
            root,
        )


def transcript_bytes(seconds: float) -> float:
    return TRANSCRIPT_BYTES_PER_S * seconds


def write_error(error: OSError, path: Path) -> HighlightsError:
    """A write that failed (a full disk, no permission), said in words; nothing was left behind."""
    return HighlightsError(f"cannot write ({error.strerror or error}); nothing was written", error.filename or path)


@dataclass
class Staged:
    """Files written under temporary names beside their targets, renamed into place by ``commit``."""

    pending: list[tuple[Path, Path]] = field(default_factory=list)  # (temporary, target)

    def _temporary(self, target: Path, suffix: str = ".tmp") -> Path:
        temporary = sibling_file(target, suffix)  # the user's umask, not mkstemp's 0600
        self.pending.append((temporary, target))
        return temporary

    def json(self, target: Path, data: object) -> None:
        self._temporary(target).write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")

    def link(self, target: Path, source: Path) -> None:
        """``target`` becomes a symbolic link to ``source`` (a user's recording is never copied)."""
        temporary = self._temporary(target)
        temporary.unlink()
        temporary.symlink_to(source.resolve())

    def file(self, target: Path, write: Callable[[Path], None]) -> None:
        """``write(path)`` makes the file (e.g. a stream copy); its temporary keeps the target's suffix."""
        write(self._temporary(target, suffix=target.suffix))

    def commit(self) -> list[Path]:
        for temporary, target in self.pending:
            os.replace(temporary, target)
        done = [target for _, target in self.pending]
        self.pending.clear()
        return done

    def discard(self) -> None:
        for temporary, _ in self.pending:
            temporary.unlink(missing_ok=True)
        self.pending.clear()


def remove_files(root: Path, paths: Iterable[Path]) -> None:
    """Delete ``paths`` and the folders they leave empty (up to, not including, ``root``)."""
    for path in paths:
        path.unlink(missing_ok=True)
        folder = path.parent
        while folder != root and folder.is_dir() and not any(folder.iterdir()):
            folder.rmdir()
            folder = folder.parent
