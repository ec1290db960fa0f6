"""Where a match's video comes from in the app, and the clips and reels cut from it.

A user's upload wins over a path typed in the panel, which wins over the files found with the
match in the data folder. No video is fine: the table and the timeline still work. A public server
takes uploads only (no path on the server may be named: it would tell what exists there and cut any
video on it), each no longer than ``AddLimits.max_minutes``.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from index.errors import HighlightsError
from index.media import clock
from index.types import Match
from spotting.types import Spot
from tools.clips import HalfVideo, as_request, clip_filename, make_reel, match_videos, reel_filename
from tools.video_io import probe

from .files import ServedFiles
from .limits import ServerLimits


def video_sources(
    match: Match, uploads: dict[int, str | None], path: str | None, limits: ServerLimits
) -> dict[int, HalfVideo]:
    """The video of each half that the panel points at; empty when there is none."""
    chosen = {half: Path(file) for half, file in uploads.items() if file}
    if chosen:
        if limits.public:
            for file in chosen.values():
                _check_length(file, limits.add.max_minutes * 60)
        return match_videos(match, video=chosen)
    if path and path.strip():
        if not limits.server_paths:
            raise HighlightsError("this server takes uploads only: upload the halves in the Video tab", "video")
        where = Path(path.strip()).expanduser()
        if where.is_dir():
            return match_videos(match, video_dir=where)
        if where.is_file():
            return match_videos(match, video=where)
        raise HighlightsError("no such video file or folder", where)
    return match_videos(match) if match.videos else {}


def _check_length(file: Path, max_s: float) -> None:
    length = probe(file).duration
    if length > max_s:
        raise HighlightsError(f"the video is {clock(length)} long; this server takes up to {clock(max_s)}", file.name)


def clip_of(spot: Spot, videos: dict[int, HalfVideo], files: ServedFiles, match_id: str) -> Path:
    """One interval as an MP4 a browser plays (packets copied, so it takes a fraction of a second)."""
    if spot.half not in videos:
        raise HighlightsError(f"no video for half {spot.half}: upload it or give its path in the Video tab", match_id)
    request = as_request(spot)
    return make_reel([request], videos, files.path(clip_filename(match_id, request)), padding=0).path


def reel_of(spots: Sequence[Spot], videos: dict[int, HalfVideo], files: ServedFiles, match_id: str) -> Path:
    """Every shown interval whose half has video, joined in order into one highlight reel of its own."""
    playable = [s for s in spots if s.half in videos]
    if not playable:
        raise HighlightsError("none of the intervals has video: upload the halves or give their path", match_id)
    out = files.path(reel_filename(match_id, [s.label for s in playable]))
    return make_reel(playable, videos, out, padding=0).path
