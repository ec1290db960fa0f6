"""Every open conversation of the app, one per browser tab or API client (Gradio's session hash).

The store is bounded both ways (``cachetools.TTLCache``): at most ``ServerLimits.conversations`` at
once, the least recently used going first, and one unused for ``idle_s`` is forgotten. A session holds
the whole conversation, the LLM's memory included (``agent.session``), so dropping it frees everything.
"""

from __future__ import annotations

import threading
import time

from cachetools import TTLCache

from agent import Session

from .limits import ServerLimits


class Conversations:
    """``session_key -> Session``; ``get`` makes a new one for a key it has not seen (or has forgotten)."""

    def __init__(self, limits: ServerLimits, timer=time.monotonic) -> None:
        self._sessions: TTLCache[str, Session] = TTLCache(maxsize=limits.conversations, ttl=limits.idle_s, timer=timer)
        self._lock = threading.Lock()

    def get(self, key: str) -> Session:
        """The conversation of ``key``, its idle clock restarted (setting an item restarts its TTL)."""
        with self._lock:
            session = self._sessions.get(key) or Session()
            self._sessions[key] = session
            return session

    def drop(self, key: str) -> None:
        """Forget ``key``'s conversation (the user cleared the chat)."""
        with self._lock:
            self._sessions.pop(key, None)

    def __len__(self) -> int:
        with self._lock:
            self._sessions.expire()
            return len(self._sessions)
