"""Clips and highlight reels cut from a match's video.

Two ways to cut, chosen per reel:

- **copy** (default): packets are copied unchanged from the keyframe at or before each clip's
  padded start, so a reel of ten clips from a 45-minute half takes well under a second. A clip
  may start a little early (at most ``max_snap_s``), never late.
- **re-encode** (``exact=True``, or when captions/title cards are asked for, the sources differ,
  or a keyframe is too far back): one ffmpeg run trims every clip to the frame, draws the text,
  and encodes one H.264 MP4.

Times in requests are seconds of the half (SoccerNet's convention); ``HalfVideo.offset`` says
where the half starts in the file, so a user's own recording works too. Writes are atomic.
"""

from __future__ import annotations

import logging
import math
import re
import secrets
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from index.atomic import atomic_path
from index.cache import reels_dir
from index.clock import clock
from index.errors import HighlightsError
from index.settings import REEL_PADDING_S
from index.types import HALVES, Match
from spotting.types import Spot
from spotting.video.frames import HalfVideo, match_videos

from .video_copy import SHORT_TOLERANCE_S, CopyRange, copy_join
from .video_encode import ReelGraph
from .video_io import MP4_AUDIO_CODECS, VideoInfo, keyframe_before, probe, run_ffmpeg

log = logging.getLogger(__name__)

DEFAULT_MAX_SNAP_S = 5.0
TITLE_CARD_S = 2.0


@dataclass(frozen=True, slots=True)
class ClipRequest:
    """An interval of a half to show, with what to write on it."""

    half: int
    start: float  # seconds of the half
    end: float
    label: str = ""
    caption: str = ""  # burnt-in text; empty means "label · half MM:SS"


@dataclass(frozen=True, slots=True)
class Clip:
    """A clip as it landed in a reel: the half's seconds it shows and where it sits in the reel."""

    request: ClipRequest
    source: Path
    start: float  # seconds of the half actually shown (after padding and keyframe snapping)
    end: float
    reel_start: float  # seconds into the reel


@dataclass(frozen=True, slots=True)
class Reel:
    """A written video file and the clips in it."""

    path: Path
    clips: tuple[Clip, ...]
    duration: float
    mode: str  # "copy" or "re-encode"

    def describe(self) -> str:
        """What the reel holds, in words a person (or an LLM) can pass on."""
        lines = [f"{self.path} ({clock(self.duration)}, {len(self.clips)} clips):"]
        for number, clip in enumerate(self.clips, 1):
            what = clip.request.label or "clip"
            lines.append(
                f"{number}. {what}, half {clip.request.half} {clock(clip.start)}-{clock(clip.end)}"
                f" (at {clock(clip.reel_start)} in the reel)"
            )
        return "\n".join(lines)


@dataclass(frozen=True, slots=True)
class ReelStyle:
    """How a reel looks: burnt-in captions, a title card before each clip, frame size and rate."""

    captions: bool = False
    title_cards: bool = False
    title: str = ""  # first line of every title card (e.g. the match)
    size: tuple[int, int] | None = None  # (width, height); default: the first source's
    fps: float | None = None  # default: the first source's
    crf: int = 23
    preset: str = "veryfast"

    @property
    def draws_text(self) -> bool:
        return self.captions or self.title_cards


@dataclass(slots=True)
class _Cut:
    """One clip planned against its file: file seconds to take, and the clip it becomes."""

    request: ClipRequest
    video: HalfVideo
    info: VideoInfo
    file_start: float
    file_end: float
    keyframe: float = field(default=0.0)

    @property
    def duration(self) -> float:
        return self.file_end - self.file_start


def as_request(item: Spot | ClipRequest | Sequence) -> ClipRequest:
    """A ``ClipRequest`` from a ``Spot``, a ``ClipRequest`` or a ``(half, start, end[, label])`` tuple."""
    if isinstance(item, ClipRequest):
        request = item
    elif isinstance(item, Spot):
        request = ClipRequest(item.half, item.start, item.end, item.label)
    else:
        try:
            half, start, end, *rest = item
            request = ClipRequest(int(half), float(start), float(end), str(rest[0]) if rest else "")
        except (TypeError, ValueError) as error:
            raise HighlightsError(f"an interval is (half, start, end[, label]), got {item!r}") from error
    if request.half not in HALVES:
        raise HighlightsError(f"half must be one of {HALVES}, got {request.half}")
    if not request.end > request.start:
        raise HighlightsError(f"interval ends before it starts: {_span(request)}")
    return request


def _padding(padding: float | tuple[float, float]) -> tuple[float, float]:
    before, after = (padding, padding) if isinstance(padding, int | float) else padding
    if before < 0 or after < 0:
        raise HighlightsError(f"padding must not be negative, got {padding}")
    return float(before), float(after)


def merge_overlapping(requests: Iterable[ClipRequest], padding: float | tuple[float, float] = 0.0) -> list[ClipRequest]:
    """Requests in time order, those whose padded intervals overlap in a half joined into one
    (two spots of one goal would otherwise show it twice)."""
    before, after = _padding(padding)
    merged: list[ClipRequest] = []
    for request in sorted(requests, key=lambda r: (r.half, r.start, r.end)):
        last = merged[-1] if merged else None
        if last is not None and last.half == request.half and request.start - before <= last.end + after:
            labels = list(dict.fromkeys(filter(None, [*last.label.split(" + "), request.label])))
            merged[-1] = ClipRequest(last.half, last.start, max(last.end, request.end), " + ".join(labels))
        else:
            merged.append(request)
    return merged


def _span(request: ClipRequest) -> str:
    return f"half {request.half} {clock(request.start)}-{clock(request.end)}"


def describe(request: ClipRequest) -> str:
    """The words on a clip: its caption, else "Goal · 1st half 36:09"."""
    if request.caption:
        return request.caption
    half = {1: "1st half", 2: "2nd half"}.get(request.half, f"half {request.half}")
    return " · ".join(part for part in (request.label, f"{half} {clock(request.start)}") if part)


def clip_filename(match_id: str, request: ClipRequest, suffix: str = ".mp4") -> str:
    """A file name that says match, half and time: ``<game>_h1_36m09s-36m24s_goal.mp4``."""
    game = match_id.rstrip("/").split("/")[-1] or match_id
    stamps = (clock(request.start, "m", "s"), clock(request.end, "m", "s"))
    parts = [_slug(game), f"h{request.half}", "-".join(stamps)]
    if request.label:
        parts.append(_slug(request.label).lower())
    return "_".join(parts) + suffix


def reel_filename(match_id: str, labels: Iterable[str], suffix: str = ".mp4", unique: bool = False) -> str:
    """A reel's default name: ``<game>_goal_reel.mp4``; ``unique``: with a random tag before the suffix
    (``…_goal_reel-1a2b3c4d.mp4``), so that two requests never write over each other's reel."""
    game = match_id.rstrip("/").split("/")[-1] or match_id
    names = sorted({_slug(label).lower() for label in labels if label}) or ["highlights"]
    tag = f"-{secrets.token_hex(4)}" if unique else ""
    return "_".join([_slug(game), *names, "reel"]) + tag + suffix


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9-]+", "_", text).strip("_") or "clip"


def _plan(
    requests: Sequence[ClipRequest],
    videos: Mapping[int, HalfVideo],
    padding: tuple[float, float],
) -> list[_Cut]:
    infos: dict[Path, VideoInfo] = {}
    cuts = []
    for request in requests:
        video = videos.get(request.half)
        if video is None:
            raise HighlightsError(f"no video for half {request.half} (needed for {_span(request)})")
        if video.path not in infos:
            infos[video.path] = probe(video.path)
        info = infos[video.path]
        start, end = video.offset + request.start, video.offset + request.end
        if start >= info.duration or end <= 0:
            raise HighlightsError(
                f"{_span(request)} is outside the video (it covers file seconds 0-{info.duration:.1f}, "
                f"the half starts at {video.offset:g} s)",
                video.path,
            )
        file_start = max(0.0, start - padding[0])
        file_end = min(info.duration, end + padding[1])
        cuts.append(_Cut(request, video, info, file_start, file_end))
    return cuts


def _can_copy(cuts: Sequence[_Cut], style: ReelStyle, max_snap_s: float) -> str:
    """Empty when packets can be copied unchanged, else the reason to re-encode."""
    if style.draws_text:
        return "captions or title cards are drawn"
    if style.size or style.fps:
        return "a frame size or rate was asked for"
    if len({cut.info.copy_signature() for cut in cuts}) > 1:
        return "the clips come from videos encoded differently"
    info = cuts[0].info
    if info.video_codec != "h264":
        return f"the video is {info.video_codec}, not H.264"
    if info.audio_codec and info.audio_codec not in MP4_AUDIO_CODECS:
        return f"its {info.audio_codec} audio does not go in an MP4"
    for cut in cuts:
        cut.keyframe = keyframe_before(cut.video.path, cut.file_start + 1e-3)
        if cut.file_start - cut.keyframe > max_snap_s:
            return f"the keyframe before {_span(cut.request)} is {cut.file_start - cut.keyframe:.1f} s early"
    return ""


def make_reel(
    intervals: Iterable[Spot | ClipRequest | Sequence],
    videos: Mapping[int, HalfVideo],
    out: Path,
    padding: float | tuple[float, float] = REEL_PADDING_S,
    exact: bool = False,
    style: ReelStyle | None = None,
    max_snap_s: float = DEFAULT_MAX_SNAP_S,
) -> Reel:
    """Cut every interval from its half's video and join them, in order, into one MP4 at ``out``.

    ``padding`` is seconds added before and after (one number, or ``(before, after)``).
    ``exact`` trims to the frame by re-encoding; otherwise packets are copied when keyframes allow.
    """
    requests = [as_request(item) for item in intervals]
    if not requests:
        raise HighlightsError("no intervals to cut", out)
    style = style or ReelStyle()
    out = Path(out)
    if out.suffix.lower() not in (".mp4", ".m4v", ".mov"):
        raise HighlightsError("a reel is written as MP4: give a file name ending in .mp4", out)
    cuts = _plan(requests, videos, _padding(padding))
    reason = "exactness was asked for" if exact else _can_copy(cuts, style, max_snap_s)
    mode = "re-encode" if reason else "copy"
    if reason:
        log.info("re-encoding %s: %s", out, reason)
    with atomic_path(out, suffix=".tmp.mp4") as temporary:  # the user's umask, not mkstemp's 0600
        clips = _join_copy(cuts, temporary) if mode == "copy" else _join_encoded(cuts, temporary, style)
        duration = _check_length(temporary, cuts, clips, style)
    return Reel(path=out, clips=tuple(clips), duration=duration, mode=mode)


def export_clips(
    intervals: Iterable[Spot | ClipRequest | Sequence],
    videos: Mapping[int, HalfVideo],
    out_dir: Path,
    match_id: str,
    padding: float | tuple[float, float] = REEL_PADDING_S,
    exact: bool = False,
    style: ReelStyle | None = None,
) -> list[Reel]:
    """Each interval as its own MP4 in ``out_dir``, named by match, half and time."""
    reels = []
    for request in (as_request(item) for item in intervals):
        path = Path(out_dir) / clip_filename(match_id, request)
        reels.append(make_reel([request], videos, path, padding=padding, exact=exact, style=style))
    return reels


def _check_length(path: Path, cuts: Sequence[_Cut], clips: Sequence[Clip], style: ReelStyle) -> float:
    """The written duration; a reel much shorter than planned means a source ended early."""
    duration = probe(path).duration
    planned = sum(clip.end - clip.start for clip in clips) + (TITLE_CARD_S * len(clips) if style.title_cards else 0)
    if duration < planned - SHORT_TOLERANCE_S:
        raise HighlightsError(
            f"the video ends before a clip does: got {duration:.1f} s of {planned:.1f} s planned (truncated file?)",
            _sources(cuts),
        )
    return duration


def _join_copy(cuts: Sequence[_Cut], out: Path) -> list[Clip]:
    """The cuts' packets copied unchanged, each from its keyframe, into one MP4."""
    ranges = [CopyRange(cut.video.path, cut.keyframe, cut.file_start, cut.file_end) for cut in cuts]
    return [
        Clip(
            cut.request,
            cut.video.path,
            copied.start - cut.video.offset,
            copied.end - cut.video.offset,
            copied.reel_start,
        )
        for cut, copied in zip(cuts, copy_join(ranges, out), strict=True)
    ]


def _join_encoded(cuts: Sequence[_Cut], out: Path, style: ReelStyle) -> list[Clip]:
    """One ffmpeg run: trim each cut to the frame, fit it to one size, draw the text, concatenate, encode."""
    first = cuts[0].info
    width, height = style.size or (first.width, first.height)
    clips: list[Clip] = []
    cursor = 0.0
    with tempfile.TemporaryDirectory(prefix="reel-") as work:
        graph = ReelGraph(Path(work), width, height, style.fps or first.fps, any(c.info.audio_codec for c in cuts))
        for cut in cuts:
            if style.title_cards:
                graph.add_card("\n".join(line for line in (style.title, describe(cut.request)) if line), TITLE_CARD_S)
                cursor += TITLE_CARD_S
            # ffmpeg counts -t from the first frame it keeps: ask for whole frames, with half a frame to spare.
            fps = cut.info.fps
            frame = math.ceil(cut.file_start * fps - 1e-6)
            count = max(1, math.ceil(cut.file_end * fps - 1e-6) - frame)
            cut.file_start, cut.file_end = frame / fps, (frame + count) / fps
            caption = describe(cut.request) if style.captions else ""
            graph.add_clip(
                cut.video.path, max(0.0, (frame - 0.5) / fps), (count - 0.5) / fps, bool(cut.info.audio_codec), caption
            )
            offset = cut.video.offset
            clips.append(Clip(cut.request, cut.video.path, cut.file_start - offset, cut.file_end - offset, cursor))
            cursor += cut.duration
        run_ffmpeg(graph.arguments(out, style.crf, style.preset), about=_sources(cuts), cwd=Path(work))
    return clips


def _sources(cuts: Sequence[_Cut]) -> str:
    return ", ".join(sorted({str(cut.video.path) for cut in cuts}))


def make_highlight_reel(
    match: Match,
    spots: Sequence[Spot],
    out: str | Path | None = None,
    video: str | Path | None = None,
    video_dir: str | Path | None = None,
    offset: float = 0.0,
    padding: float = REEL_PADDING_S,
    exact: bool = False,
    captions: bool = True,
    title_cards: bool = False,
) -> Reel:
    """Make one MP4 highlight reel (H.264) of the given moments of a match, in time order.

    Use it after finding the moments (e.g. all the goals) to let the user watch them.
    ``spots``: the moments, each with its half and start/end seconds of that half.
    ``out``: the MP4 file to write (default: a file named after the match and actions in
    ``index.cache.reels_dir()``, under the project's cache folder). ``video``: one video file of the match (both halves,
    or the half the spots are in) with ``offset`` = the second of the file where the first half
    starts; ``video_dir``: a folder with SoccerNet's ``1_224p.mkv``/``2_224p.mkv`` (or 720p);
    neither: the videos found beside the match's data. ``padding``: seconds shown before and
    after each moment. ``exact``: cut to the frame (slower, re-encodes). ``captions``: write the
    action and time on each clip; ``title_cards``: a 2-second card before each clip.
    Overlapping moments become one clip. Returns the file, its duration and each clip's place in it.
    """
    requests = merge_overlapping((as_request(spot) for spot in spots), padding)
    if not requests:
        raise HighlightsError("no moments to put in a reel", match.id)
    videos = match_videos(match, Path(video_dir) if video_dir else None, Path(video) if video else None, offset)
    path = Path(out) if out else reels_dir() / reel_filename(match.id, (spot.label for spot in spots))
    style = ReelStyle(captions=captions, title_cards=title_cards, title=match.title)
    return make_reel(requests, videos, path, padding=padding, exact=exact, style=style)
