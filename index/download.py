"""Fetching the data a user needs: SoccerNet-Echoes commentary and SoccerNet-v2 labels.

Both come from their public sources into a staging folder (``DIR/.sources``), then are copied
into the layout every command reads (``DIR/echoes``, ``DIR/soccernet``). A rerun resumes: the
git clone is fetched again rather than started over, the labels downloader skips what it has,
and the copy skips files already in place. Existing files are never overwritten unless
``force``.
"""

from __future__ import annotations

import filecmp
import logging
import shutil
import subprocess
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from tqdm import tqdm

from .corpus import LABELS_FILE, SAMPLE_ROOT
from .echoes import ECHOES_VERSIONS
from .errors import HighlightsError
from .settings import DOWNLOAD_SPLITS, ECHOES_URL, SPLITS

log = logging.getLogger(__name__)

ECHOES_DATASET = "Dataset"  # the folder of the repository that holds whisper_*/


@dataclass
class CopyReport:
    copied: int = 0
    unchanged: int = 0
    kept: list[Path] = field(default_factory=list)  # different files left alone (no --force)


def copy_tree(source: Path, target: Path, force: bool = False, desc: str = "copying") -> CopyReport:
    """Copy every file under ``source`` to ``target``; a different existing file is kept unless ``force``."""
    report = CopyReport()
    files = [p for p in source.rglob("*") if p.is_file()]
    for path in tqdm(files, desc=desc, unit="file", leave=False):
        destination = target / path.relative_to(source)
        if destination.exists():
            if filecmp.cmp(path, destination, shallow=False):
                report.unchanged += 1
                continue
            if not force:
                report.kept.append(destination)
                continue
        destination.parent.mkdir(parents=True, exist_ok=True)
        temporary = destination.with_name(f".{destination.name}.part")
        shutil.copyfile(path, temporary)
        temporary.replace(destination)
        report.copied += 1
    return report


def _git(args: list[str], cwd: Path | None = None) -> None:
    result = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True)
    if result.returncode != 0:
        detail = (result.stderr or result.stdout).strip().splitlines()
        raise HighlightsError(
            f"git {args[0]} failed: {detail[-1] if detail else 'no output'} (is the network reachable?)", cwd
        )


def fetch_echoes(staging: Path, url: str = ECHOES_URL) -> Path:
    """Clone (or resume the clone of) the SoccerNet-Echoes repository; returns its Dataset folder."""
    if shutil.which("git") is None:
        raise HighlightsError("git is not installed; it is needed to fetch SoccerNet-Echoes")
    clone = staging / "sn-echoes"
    if not (clone / ".git").is_dir():
        clone.mkdir(parents=True, exist_ok=True)
        _git(["init", "--quiet"], cwd=clone)
        _git(["remote", "add", "origin", url], cwd=clone)
    else:
        _git(["remote", "set-url", "origin", url], cwd=clone)
    _git(["fetch", "--depth", "1", "--progress", "origin", "HEAD"], cwd=clone)
    _git(["checkout", "--quiet", "--force", "FETCH_HEAD"], cwd=clone)
    dataset = clone / ECHOES_DATASET
    if not dataset.is_dir():
        raise HighlightsError(f"the repository has no {ECHOES_DATASET}/ folder", url)
    return dataset


def fetch_labels(staging: Path, splits: Iterable[str]) -> Path:
    """Download Labels-v2.json of the ``splits`` with the official SoccerNet downloader (no NDA needed)."""
    try:
        from SoccerNet.Downloader import SoccerNetDownloader
    except ImportError as error:
        raise HighlightsError(
            f"the SoccerNet package is needed to download labels ({error}); "
            "install it with: pip install 'soccer-highlights[download]'"
        ) from None
    target = staging / "labels"
    downloader = SoccerNetDownloader(LocalDirectory=str(target))
    try:
        downloader.downloadGames(files=[LABELS_FILE], split=list(splits), task="spotting")
    except Exception as error:  # the downloader raises whatever its HTTP stack raises
        raise HighlightsError(f"cannot download SoccerNet labels: {error} (is the network reachable?)") from None
    return target


def download(
    root: Path,
    splits: Iterable[str] = DOWNLOAD_SPLITS,
    force: bool = False,
    echoes_url: str = ECHOES_URL,
) -> dict[str, CopyReport]:
    """Fetch Echoes and the labels of ``splits`` into ``root``, laid out as every command expects."""
    root = Path(root)
    unknown = sorted(set(splits) - set(SPLITS))
    if unknown:
        raise HighlightsError(f"unknown split {unknown[0]!r}; expected some of {', '.join(SPLITS)}")
    staging = root / ".sources"
    reports = {}
    dataset = fetch_echoes(staging, echoes_url)
    versions = [v for v in ECHOES_VERSIONS if (dataset / v).is_dir()]
    for version in versions:
        reports[version] = copy_tree(dataset / version, root / "echoes" / version, force, desc=version)
    reports["splits"] = copy_tree(SAMPLE_ROOT / "soccernet" / "splits", root / "soccernet" / "splits", force, "splits")
    labels = fetch_labels(staging, splits)
    reports["labels"] = copy_tree(labels, root / "soccernet", force, desc="labels")
    return reports
