"""The run manifest of a prediction folder: which run wrote each game's files, and whether the
folder holds one complete run.

``highlights spot`` keeps ``PRED_DIR/run_manifest.json`` (atomically rewritten)::

    {"format": 1, "current": RUN,
     "runs": {RUN: {"backend": "vllm", "model": "spotter", "options": {...}, "data": ..., "text": ...,
                    "echoes_version": ..., "games": [planned game ids], "started": "2025-...Z"}},
     "games": {GAME: {"run": RUN, "files": {NAME: SHA-256}, "spots": 12,
                      "writing": {"run": RUN, "files": {...}, "spots": 9},      # while being replaced
                      "failed": {"run": RUN, "chunks": ["half 1 at 60-120 s"], "error": "..."}}}}

A run is named by the hash of its settings (``RunSettings.id``), so the same command again is the
same run and resumes. A game is written in three steps: the manifest notes the hashes of the files
about to be written (``writing``), the files are written (each atomically), then the manifest makes
them the game's. Wherever a process is killed, each file on disk matches the hashes of the files
before or of the files after, and ``folder_state`` says which; a file matching neither was changed
by something else.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from index.atomic import atomic_write_text
from index.errors import HighlightsError
from index.jsonfile import read_json

from .results_io import INTERVALS_FILE, RESULTS_FILE, write_game

MANIFEST_FILE = "run_manifest.json"
FORMAT = 1
GAME_FILES = (INTERVALS_FILE, RESULTS_FILE)
EXAMPLES = 3  # games named per problem in a message


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@dataclass(frozen=True)
class RunSettings:
    """Everything that decides what a run writes; two runs with equal settings are one run."""

    backend: str
    model: str = ""
    options: Mapping[str, str] = field(default_factory=dict)
    data: str = ""
    text: str = ""
    echoes_version: str = ""

    @property
    def id(self) -> str:
        payload = json.dumps(asdict(self) | {"options": dict(self.options)}, sort_keys=True, default=str)
        return hashlib.sha256(payload.encode("utf-8")).hexdigest()[:16]

    def describe(self) -> str:
        options = ", ".join(f"{k}={v}" for k, v in sorted(self.options.items()))
        parts = (self.backend, self.model and f"model {self.model}", options and f"({options})")
        return " ".join(part for part in parts if part)


def _describe(run: Mapping[str, Any] | None) -> str:
    if not run:
        return "an unknown run"
    known = {k: run.get(k, "") for k in ("backend", "model", "data", "text", "echoes_version")}
    return RunSettings(**known, options=run.get("options") or {}).describe()


@dataclass
class Manifest:
    """The manifest of one folder, read once and saved after every change."""

    folder: Path
    current: str = ""
    runs: dict[str, dict[str, Any]] = field(default_factory=dict)
    games: dict[str, dict[str, Any]] = field(default_factory=dict)

    @property
    def path(self) -> Path:
        return self.folder / MANIFEST_FILE

    @classmethod
    def load(cls, folder: Path) -> Manifest | None:
        """The folder's manifest, None when it has none; an unreadable one is a clear error."""
        path = Path(folder) / MANIFEST_FILE
        if not path.is_file():
            return None
        data = read_json(path)
        games, runs = (data.get("games"), data.get("runs")) if isinstance(data, dict) else (None, None)
        if not (
            isinstance(games, dict)
            and isinstance(runs, dict)
            and data.get("format") == FORMAT
            and all(isinstance(entry, dict) for entry in [*games.values(), *runs.values()])
        ):
            raise HighlightsError(f"not a run manifest of format {FORMAT}", path)
        return cls(Path(folder), str(data.get("current", "")), runs, games)

    def save(self) -> None:
        """Write the manifest (atomically), keeping only the runs some record still names."""
        records = [r for e in self.games.values() for r in (e, e.get("writing") or {}, e.get("failed") or {})]
        used = {self.current} | {record.get("run") for record in records}
        runs = {key: run for key, run in self.runs.items() if key in used}
        payload = {"format": FORMAT, "current": self.current, "runs": runs, "games": self.games}
        atomic_write_text(self.path, json.dumps(payload, indent=1, ensure_ascii=False) + "\n")

    # --- a run writing the folder ---

    def start(self, settings: RunSettings, games: Sequence[str]) -> str:
        """Make ``settings`` the current run, planned over ``games``; returns its id."""
        run = settings.id
        planned = list(dict.fromkeys([*self.runs.get(run, {}).get("games", []), *games]))
        started = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
        self.runs[run] = asdict(settings) | {"options": dict(settings.options), "games": planned, "started": started}
        self.current = run
        self.save()
        return run

    def done(self, game_id: str) -> bool:
        """Whether the current run already wrote this game whole (and nothing changed it since)."""
        state = game_state(self.folder, game_id, self.games.get(game_id))
        return state.run == self.current and state.kind == WRITTEN and "failed" not in self.games[game_id]

    def write_game(self, game_id: str, files: Mapping[str, bytes], spots: int) -> None:
        """Record, write, record (see the module docstring): ``files`` from ``results_io.game_files``."""
        entry = self.games.setdefault(game_id, {})
        entry["writing"] = {"run": self.current, "files": {n: sha256(d) for n, d in files.items()}, "spots": spots}
        self.save()
        write_game(self.folder, game_id, files)
        written = entry.pop("writing")
        entry.pop("failed", None)
        entry.update(written)
        self.save()

    def fail_game(self, game_id: str, chunks: Iterable[str], error: str = "") -> None:
        """Record that the current run could not spot this game whole; its files stay as they were."""
        entry = self.games.setdefault(game_id, {})
        entry["failed"] = {"run": self.current, "chunks": list(chunks)} | ({"error": error} if error else {})
        self.save()

    def describe_run(self, run: str) -> str:
        return _describe(self.runs.get(run))


WRITTEN, ABSENT, CHANGED = "written", "absent", "changed"


@dataclass(frozen=True)
class GameState:
    """What a game's files on disk are: ``written`` by ``run``, ``absent``, or ``changed`` (matching
    no recorded write: edited, torn, or written by something else)."""

    kind: str
    run: str = ""


def _on_disk(folder: Path, game_id: str) -> dict[str, str | None]:
    hashes: dict[str, str | None] = {}
    for name in GAME_FILES:
        try:
            hashes[name] = sha256((folder / game_id / name).read_bytes())
        except FileNotFoundError:
            hashes[name] = None
        except OSError:
            hashes[name] = "unreadable"
    return hashes


def game_state(folder: Path, game_id: str, entry: Mapping[str, Any] | None) -> GameState:
    on_disk = _on_disk(folder, game_id)
    if all(h is None for h in on_disk.values()):
        return GameState(ABSENT)
    for record in (entry or {}).get("writing"), entry:
        if record and record.get("files") == on_disk:
            return GameState(WRITTEN, str(record.get("run", "")))
    return GameState(CHANGED)


@dataclass
class FolderState:
    """A folder checked against its manifest, for the games being evaluated."""

    folder: Path
    manifest: Manifest | None
    by_run: dict[str, list[str]] = field(default_factory=dict)  # run -> games whose files it wrote
    failed: dict[str, list[str]] = field(default_factory=dict)  # game -> chunks the current run failed
    missing: list[str] = field(default_factory=list)  # planned by the current run, no files
    changed: list[str] = field(default_factory=list)

    @property
    def current(self) -> str:
        return self.manifest.current if self.manifest else ""

    @property
    def verdict(self) -> str:
        """``complete``, ``mixed`` (games of other runs), ``incomplete`` (failed or missing games),
        ``changed`` (files no run wrote), or ``unknown`` (no manifest)."""
        if self.manifest is None:
            return "unknown"
        if self.changed:
            return "changed"
        if any(run != self.current for run in self.by_run):
            return "mixed"
        if self.failed or self.missing:
            return "incomplete"
        return "complete"

    def lines(self) -> list[str]:
        """What the folder holds, one line per kind of game."""
        if self.manifest is None:
            return [f"{self.folder}: no {MANIFEST_FILE} (not written by `highlights spot`): completeness unknown"]
        lines = []
        for run, games in sorted(self.by_run.items(), key=lambda item: item[0] != self.current):
            which, examples = ("this run", "") if run == self.current else ("an earlier run", _examples(games))
            lines.append(f"{len(games)} games by {which} ({self.manifest.describe_run(run)}){examples}")
        if self.failed:
            chunks = sum(len(c) for c in self.failed.values())
            first, chunk_list = next(iter(self.failed.items()))
            lines.append(
                f"{len(self.failed)} games failed in this run ({chunks} chunks without a reply; e.g. {first}: "
                f"{', '.join(chunk_list[:EXAMPLES]) or 'an error'})"
            )
        if self.missing:
            lines.append(f"{len(self.missing)} games of this run not written yet{_examples(self.missing)}")
        if self.changed:
            lines.append(f"{len(self.changed)} games whose files no run wrote (edited, torn){_examples(self.changed)}")
        return lines

    def as_dict(self) -> dict[str, Any]:
        runs = {run: self.manifest.describe_run(run) for run in self.by_run} if self.manifest else {}
        return {
            "verdict": self.verdict,
            "current": self.current,
            "runs": runs,
            "games_by_run": self.by_run,
            "failed": self.failed,
            "missing": self.missing,
            "changed": self.changed,
        }


def _examples(games: Sequence[str]) -> str:
    shown = ", ".join(games[:EXAMPLES])
    return f": {shown}{', ...' if len(games) > EXAMPLES else ''}"


def folder_state(folder: Path, games: Iterable[str] | None = None) -> FolderState:
    """Check ``folder`` against its manifest for ``games`` (default: every game it holds or plans)."""
    folder = Path(folder)
    manifest = Manifest.load(folder)
    state = FolderState(folder, manifest)
    if manifest is None:
        return state
    planned = manifest.runs.get(manifest.current, {}).get("games", [])
    on_disk = {p.parent.relative_to(folder).as_posix() for p in folder.glob(f"*/*/*/{RESULTS_FILE}")}
    wanted = list(games) if games is not None else sorted(set(planned) | set(manifest.games) | on_disk)
    planned_set = set(planned)
    for game_id in wanted:
        entry = manifest.games.get(game_id)
        kind = game_state(folder, game_id, entry)
        if kind.kind == WRITTEN:
            state.by_run.setdefault(kind.run, []).append(game_id)
        elif kind.kind == CHANGED:
            state.changed.append(game_id)
        failed = (entry or {}).get("failed")
        if failed and failed.get("run") == manifest.current:
            state.failed[game_id] = list(failed.get("chunks") or [])
        elif game_id in planned_set and kind.kind == ABSENT:
            state.missing.append(game_id)
    return state
