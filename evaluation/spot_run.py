"""Spotting games into a prediction folder so that nothing is lost and nothing is silently partial:
each game is written (atomically, with the run manifest) the moment it is spotted, a game with
chunks that got no reply is recorded as failed and its old files are left alone, and games the
same run already wrote are skipped, so the same command again resumes."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from tqdm import tqdm

from index.errors import HighlightsError
from index.types import Match
from spotting.types import Spotter, spot_game

from .results_io import game_files
from .run_manifest import Manifest, RunSettings, folder_state

log = logging.getLogger(__name__)


@dataclass
class SpotRunReport:
    """What one ``spot_into`` did."""

    folder: Path
    run: str
    written: list[str] = field(default_factory=list)
    resumed: list[str] = field(default_factory=list)  # already written by this run: skipped
    failed: dict[str, tuple[str, ...]] = field(default_factory=dict)  # game -> chunks without a reply
    spots: int = 0
    earlier: int = 0  # games in the folder written by other runs (not replaced by this one)

    @property
    def complete(self) -> bool:
        return not self.failed


def spot_into(
    folder: Path,
    spotter: Spotter,
    matches: Sequence[Match],
    settings: RunSettings,
    restart: bool = False,
    progress: bool = True,
) -> SpotRunReport:
    """Spot ``matches`` into ``folder`` as run ``settings``; ``restart``: redo games already written."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    manifest = Manifest.load(folder) or Manifest(folder)
    run = manifest.start(settings, [m.id for m in matches])
    report = SpotRunReport(folder, run)
    for match in tqdm(matches, desc=settings.backend, unit="game", disable=not progress):
        if not restart and manifest.done(match.id):
            report.resumed.append(match.id)
            continue
        try:
            result = spot_game(spotter, match)
        except HighlightsError as error:  # the endpoint refused the key, a model is missing...: stop
            manifest.fail_game(match.id, (), str(error))
            raise
        if result.failed:
            manifest.fail_game(match.id, result.failed)
            report.failed[match.id] = result.failed
            continue
        manifest.write_game(match.id, game_files(match.id, result.spots), len(result.spots))
        report.written.append(match.id)
        report.spots += len(result.spots)
    state = folder_state(folder)
    report.earlier = sum(len(games) for other, games in state.by_run.items() if other != run)
    return report


def report_lines(report: SpotRunReport, limit: int = 10) -> list[str]:
    """The run's outcome for a person: counts, and every failed game with its chunks (up to ``limit``)."""
    lines = [
        f"{report.spots} spots in {len(report.written)} games written, {len(report.resumed)} already done "
        f"by this run, {len(report.failed)} failed → {report.folder}"
    ]
    for game_id, chunks in list(report.failed.items())[:limit]:
        lines.append(f"  failed: {game_id}: {len(chunks)} chunks without a reply ({', '.join(chunks[:5])})")
    if len(report.failed) > limit:
        lines.append(f"  ... and {len(report.failed) - limit} more games (see the run manifest)")
    if report.failed:
        lines.append("their files were not written; run the same command again to retry them")
    if report.earlier:
        lines.append(
            f"{report.earlier} games in this folder were written by an earlier run: "
            "`highlights evaluate` calls the folder mixed until this run has written them all"
        )
    return lines
