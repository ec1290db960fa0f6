"""What the app allows each session, and the memory and disk it may use: one value, ``ServerLimits``,
with a preset for a private run (one's own laptop) and one for a public run (a Space, ``--public``).

``SessionGate`` holds every session to its share: so many requests at once and so many a minute
(the ``limits`` package's moving window), so one visitor cannot fill the queue for everyone.
"""

from __future__ import annotations

import itertools
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from limits import RateLimitItemPerMinute
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter

from index.errors import HighlightsError

from .add_panel import PRIVATE as ADD_PRIVATE
from .add_panel import PUBLIC as ADD_PUBLIC
from .add_panel import AddLimits

MB = 1024 * 1024


@dataclass(frozen=True, slots=True)
class ServerLimits:
    """Per session: requests at once and per minute (``None``: no cap); conversations kept and for how
    long idle; uploads and served files; whether server paths may be named."""

    public: bool
    requests_at_once: int | None
    requests_per_minute: int | None
    conversations: int  # kept at once; the least recently used goes first
    idle_s: float  # a conversation unused this long is forgotten
    files_age_s: float  # downloads, clips and reels older than this are deleted
    files_total_mb: float  # and the oldest go first when all of them pass this
    add: AddLimits  # the "Add a match" panel's, whose upload and length caps the Video tab shares

    @property
    def server_paths(self) -> bool:
        return self.add.server_paths

    @property
    def max_file_size(self) -> int | None:
        """Gradio's cap on one upload, in bytes (``launch(max_file_size=...)``)."""
        return int(self.add.max_upload_mb * MB) if self.add.max_upload_mb else None


# One's own laptop: no caps on requests; conversations and files kept long enough for a day's work.
PRIVATE = ServerLimits(
    public=False,
    requests_at_once=None,
    requests_per_minute=None,
    conversations=1000,
    idle_s=4 * 3600,
    files_age_s=4 * 3600,
    files_total_mb=4096,
    add=ADD_PRIVATE,
)
# A shared server. A person waits for one answer and reads it before the next question (5-10 s or more):
# 1 at once and 12 a minute (one each 5 s) never slow a person, and hold a script that asks as fast as it
# is answered to that pace (8 such sessions at 20 a minute added ~20 % to other users' p95 on 2 cores,
# benchmarks/bench_load.py --parts users: the cost of a request is mostly Gradio's, ~30 ms, not the answer's).
# A conversation with the LLM agent holds ~30 KB (benchmarks/bench_load.py --parts llm: RSS over 1,100
# conversations, flat past this cap), so 1,000 of them stay near 30 MB beside the corpus and the matches;
# 30 idle minutes is a conversation left for good. Files: an hour, 2 GB (a reel is 1-50 MB).
PUBLIC = ServerLimits(
    public=True,
    requests_at_once=1,
    requests_per_minute=12,
    conversations=1000,
    idle_s=1800,
    files_age_s=3600,
    files_total_mb=2048,
    add=ADD_PUBLIC,
)


class SessionGate:
    """Admits a session's request when it is within its share; a ``HighlightsError`` that says so when not."""

    def __init__(self, limits: ServerLimits) -> None:
        self.limits = limits
        self._lock = threading.Lock()
        self._running: dict[str, set[int]] = {}  # session -> its requests in progress
        self._tokens = itertools.count()
        self._rate = RateLimitItemPerMinute(limits.requests_per_minute) if limits.requests_per_minute else None
        self._window = MovingWindowRateLimiter(MemoryStorage()) if self._rate else None

    @contextmanager
    def admit(self, session: str) -> Iterator[None]:
        """Hold one of ``session``'s places while the block runs (a streamed answer: until it ends)."""
        at_once = self.limits.requests_at_once
        with self._lock:
            running = self._running.setdefault(session, set())
            if at_once is not None and len(running) >= at_once:
                raise HighlightsError("one question at a time, please: wait for the answer, or stop it")
            if self._window is not None and not self._window.hit(self._rate, session):
                if not running:
                    del self._running[session]
                raise HighlightsError(
                    f"that is more than {self.limits.requests_per_minute} questions a minute; wait a little"
                )
            token = next(self._tokens)
            running.add(token)
        try:
            yield
        finally:
            with self._lock:
                mine = self._running.get(session)
                if mine is not None:
                    mine.discard(token)
                    if not mine:
                        del self._running[session]

    def release(self, session: str) -> None:
        """The user stopped the answer: its place is free at once, though its thread may still be finishing
        (a read from an endpoint ends by the request's deadline)."""
        with self._lock:
            self._running.pop(session, None)

    def running(self) -> int:
        """Requests in progress over all sessions."""
        with self._lock:
            return sum(len(tokens) for tokens in self._running.values())
