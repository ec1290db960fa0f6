"""Finding a match's video files, named as SoccerNet ships them."""

from __future__ import annotations

from pathlib import Path

from .types import HALVES

# Preferred first: the small 224p files are what SoccerNet's downloader gives by default.
VIDEO_NAMES: tuple[str, ...] = ("{half}_224p.mkv", "{half}_720p.mkv", "{half}.mkv", "{half}_224p.mp4", "{half}.mp4")


def find_videos(root: Path, game_id: str) -> dict[int, Path]:
    """Video file per half, looked up beside the labels and under ``videos/``."""
    videos: dict[int, Path] = {}
    for folder in (root / "soccernet" / game_id, root / "videos" / game_id):
        for half in HALVES:
            for pattern in VIDEO_NAMES:
                path = folder / pattern.format(half=half)
                if half not in videos and path.is_file():
                    videos[half] = path
    return videos
