"""The folder of files the app writes for its users (CSV/JSON downloads, clips, reels) and serves.

Every file gets a name of its own (``name-<random>.ext``), so two requests, or two users, never write
over each other's reel. The folder is pruned by age and by total size, and folders of earlier runs
left in the temporary directory (``highlights-app-*``, say after a crash) are removed when old.
Files and the folder are made with the user's umask (``index.atomic``), not mkdtemp's private 0700.
"""

from __future__ import annotations

import logging
import secrets
import shutil
import tempfile
import threading
import time
from pathlib import Path

from index.atomic import atomic_path

log = logging.getLogger(__name__)

PREFIX = "highlights-app-"
MB = 1024 * 1024


def new_folder(parent: Path | None = None) -> Path:
    """A fresh ``highlights-app-*`` folder in the temporary directory (Gradio serves files from there)."""
    parent = Path(parent or tempfile.gettempdir())
    while True:
        folder = parent / f"{PREFIX}{secrets.token_hex(6)}"
        try:
            folder.mkdir(0o777, parents=True)
            return folder
        except FileExistsError:
            continue


def sweep_old_folders(max_age_s: float, keep: Path, parent: Path | None = None, now: float | None = None) -> int:
    """Remove the ``highlights-app-*`` folders of earlier runs untouched for ``max_age_s``; how many."""
    limit = (now or time.time()) - max_age_s
    removed = 0
    for folder in Path(parent or tempfile.gettempdir()).glob(f"{PREFIX}*"):
        try:
            if folder.is_dir() and folder != keep and folder.stat().st_mtime < limit:
                shutil.rmtree(folder)
                removed += 1
        except OSError as error:  # another user's folder, or removed meanwhile
            log.debug("cannot remove %s: %s", folder, error)
    return removed


class ServedFiles:
    """The app's own files folder: unique names in it, pruned by age and total size."""

    def __init__(self, max_age_s: float, max_total_mb: float, folder: Path | None = None) -> None:
        self.folder = Path(folder) if folder else new_folder()
        self.folder.mkdir(0o777, parents=True, exist_ok=True)
        self.max_age_s = max_age_s
        self.max_total_bytes = max_total_mb * MB
        self._lock = threading.Lock()

    def path(self, name: str) -> Path:
        """A new file name in the folder from ``name`` (``goal_reel.mp4`` -> ``goal_reel-1a2b3c4d.mp4``)."""
        plain = Path(name)
        return self.folder / f"{plain.stem}-{secrets.token_hex(4)}{plain.suffix}"

    def copy(self, source: Path) -> Path:
        """A copy of ``source`` under a new name, for Gradio to serve (written atomically)."""
        target = self.path(Path(source).name)
        with atomic_path(target, suffix=Path(source).suffix) as temporary:
            shutil.copyfile(source, temporary)
        return target

    def adopt(self, source: Path) -> Path:
        """``source`` (a reel the assistant wrote for this request) moved in under a new name."""
        target = self.path(Path(source).name)
        shutil.move(source, target)
        return target

    def prune(self, now: float | None = None) -> None:
        """Delete files older than ``max_age_s``, then the oldest while all of them pass the size cap."""
        limit = (now or time.time()) - self.max_age_s
        with self._lock:
            files = []
            for path in self.folder.iterdir():
                try:
                    info = path.stat()
                except OSError:
                    continue
                if not path.is_file():
                    continue
                if info.st_mtime < limit:
                    path.unlink(missing_ok=True)
                elif not path.name.startswith("."):  # a hidden name is a file being written
                    files.append((info.st_mtime, info.st_size, path))
            total = sum(size for _, size, _ in files)
            for _, size, path in sorted(files):
                if total <= self.max_total_bytes:
                    break
                path.unlink(missing_ok=True)
                total -= size
