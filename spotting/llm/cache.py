"""On-disk cache of LLM replies, keyed by (model, prompt, chunk): a rerun costs nothing, and an
interrupted run resumes where it stopped, because every reply is written the moment it arrives.

The raw reply is stored, not the spots, so a better parser applies to cached replies for free.
One JSON file per reply: ``DIR/MODEL/ab/abcdef....json``, written atomically.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
from pathlib import Path
from typing import Any

from index.atomic import atomic_write_text
from index.cache import cache_root
from index.types import Chunk

log = logging.getLogger(__name__)


def default_cache_dir() -> Path:
    """``llm/`` under the project's cache folder (``$HIGHLIGHTS_CACHE``, else ``~/.cache/soccer-highlights``)."""
    return cache_root() / "llm"


def chunk_id(chunk: Chunk) -> str:
    return f"{chunk.match_id}|{chunk.half}|{chunk.start:g}-{chunk.end:g}"


class ReplyCache:
    """Replies by key; ``folder=None`` caches nothing."""

    def __init__(self, folder: Path | None) -> None:
        self.folder = Path(folder).expanduser() if folder is not None else None
        self._warned = False

    @staticmethod
    def key(model: str, request: dict[str, Any], chunk: Chunk) -> str:
        """Hash of the model, the whole request (messages and sampling parameters) and the chunk."""
        payload = json.dumps({"model": model, "request": request, "chunk": chunk_id(chunk)}, sort_keys=True)
        return hashlib.sha256(payload.encode()).hexdigest()

    def _path(self, model: str, key: str) -> Path:
        assert self.folder is not None
        return self.folder / re.sub(r"[^A-Za-z0-9._-]+", "_", model) / key[:2] / f"{key}.json"

    def get(self, model: str, key: str) -> dict[str, Any] | None:
        if self.folder is None:
            return None
        path = self._path(model, key)
        try:
            entry = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return None
        except (OSError, ValueError) as error:
            log.warning("ignoring unreadable cache entry %s: %s", path, error)
            return None
        return entry if isinstance(entry, dict) and isinstance(entry.get("reply"), str) else None

    def put(self, model: str, key: str, chunk: Chunk, reply: str, usage: dict[str, Any] | None) -> None:
        if self.folder is None:
            return
        entry = {"model": model, "chunk": chunk_id(chunk), "reply": reply, "usage": usage or {}}
        try:
            atomic_write_text(self._path(model, key), json.dumps(entry, ensure_ascii=False))
        except (OSError, UnicodeError) as error:  # the reply is in hand: a cache that cannot be written costs a rerun
            if not self._warned:
                self._warned = True
                log.warning("cannot write the reply cache in %s (%s); going on without it", self.folder, error)
