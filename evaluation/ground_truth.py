"""The labelled games to score against, from a project data folder or a plain SoccerNet folder.

``--labels DIR`` may be a data folder (``DIR/soccernet/GAME/Labels-v2.json`` and, ideally,
``DIR/echoes``: the commentary tells where each half ends) or the folder the official tool takes
(``DIR/GAME/Labels-v2.json``).
"""

from __future__ import annotations

from pathlib import Path

from index.corpus import LABELS_FILE, load_corpus, match_from_game_id, split_games
from index.errors import HighlightsError
from index.labels import load_labels
from index.types import Match


def _label_games(soccernet: Path) -> list[str]:
    return sorted(p.parent.relative_to(soccernet).as_posix() for p in soccernet.glob(f"*/*/*/{LABELS_FILE}"))


def _labels_only(soccernet: Path, game_id: str) -> Match:
    events = load_labels(soccernet / game_id / LABELS_FILE)
    return match_from_game_id(game_id, events=events, has_labels=True)


def load_ground_truth(labels_dir: Path, split: str | None = None, cache_dir: Path | None = None) -> list[Match]:
    """Labelled games under ``labels_dir`` (only those of ``split`` when given), sorted by id; a data
    folder's games come from the corpus cache in ``cache_dir`` when their files are unchanged."""
    labels_dir = Path(labels_dir)
    if not labels_dir.is_dir():
        raise HighlightsError("labels folder does not exist", labels_dir)
    is_data_root = (labels_dir / "soccernet").is_dir()
    soccernet = labels_dir / "soccernet" if is_data_root else labels_dir
    games = _label_games(soccernet)
    if not games:
        raise HighlightsError(f"no LEAGUE/SEASON/GAME/{LABELS_FILE} files here", soccernet)
    if split:
        in_split = set(split_games(labels_dir, split))
        games = [g for g in games if g in in_split]
        if not games:
            raise HighlightsError(f"none of the labelled games is in the {split} split", soccernet)
    if is_data_root:
        matches = load_corpus(labels_dir, games, strict=True, cache_dir=cache_dir).matches
    else:
        matches = [_labels_only(soccernet, g) for g in games]
    return sorted(matches, key=lambda m: m.id)
