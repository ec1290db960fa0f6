"""Atomic writes: a reader never sees half a file, a crash never leaves one.

Files and folders are created with the user's umask (``os.open(..., 0o666)`` and ``os.mkdir(...,
0o777)`` let the kernel apply it), not the private 0600/0700 of ``tempfile.mkstemp``/``mkdtemp``:
a prediction folder or a cache must read the same for the user's group as any file they write.
"""

from __future__ import annotations

import os
import secrets
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


def _sibling(path: Path, suffix: str) -> Path:
    """A fresh hidden name beside ``path`` (same folder, so a rename is atomic)."""
    return path.with_name(f".{path.name}.{secrets.token_hex(6)}{suffix}")


def sibling_file(path: Path, suffix: str = ".tmp") -> Path:
    """A new empty file with a hidden name beside ``path`` (umask permissions), for a writer that
    renames it into place itself."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    while True:
        temporary = _sibling(path, suffix)
        try:
            os.close(os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666))
            return temporary
        except FileExistsError:
            continue


@contextmanager
def atomic_path(path: Path, suffix: str = ".tmp") -> Iterator[Path]:
    """A temporary file beside ``path`` (empty, umask permissions) for a writer that needs a name,
    renamed onto ``path`` when the block ends without an error and removed when it does not."""
    path = Path(path)
    temporary = sibling_file(path, suffix)
    try:
        yield temporary
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def atomic_write_bytes(path: Path, data: bytes) -> None:
    with atomic_path(Path(path)) as temporary:
        temporary.write_bytes(data)


def atomic_write_text(path: Path, text: str) -> None:
    atomic_write_bytes(path, text.encode("utf-8"))


@contextmanager
def staging_folder(target: Path) -> Iterator[Path]:
    """A fresh folder beside ``target`` (umask permissions) to fill before renaming it into place;
    whatever is left of it when the block ends is removed."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    while True:
        staging = _sibling(target, "")
        try:
            staging.mkdir(0o777)
            break
        except FileExistsError:
            continue
    try:
        yield staging
    finally:
        shutil.rmtree(staging, ignore_errors=True)
