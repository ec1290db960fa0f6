"""``highlights clip``: a highlight reel (and optionally one file per clip) of a match's moments.

highlights clip "Chelsea Burnley" --label Goal --out reel.mp4 --video-dir ~/SoccerNet/...
highlights clip MATCH --label corners --video match.mp4 --offset 1=312 --offset 2=3605
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from index.errors import HighlightsError
from index.settings import DEFAULT_HALF_WIDTH_S, REEL_PADDING_S
from index.types import HALVES

from .options import add_backend_option, add_data_options, load_from_args

if TYPE_CHECKING:
    from index.types import Match
    from spotting.types import Spot, Spotter

VIDEO_BACKEND = "qwen2-vl"  # spots from the video itself: given the same files as the reel


def register(commands: argparse._SubParsersAction) -> None:
    clip = commands.add_parser(
        "clip",
        help="cut a match's moments from its video into a highlight reel (MP4)",
        description="Spot the moments of a match (or take its labels) and cut them from the half videos "
        "into one MP4 reel. Stream copy when keyframes allow; --exact re-encodes to the frame.",
    )
    clip.add_argument("match", metavar="MATCH", help='a SoccerNet game id or a description ("Chelsea Burnley")')
    clip.add_argument(
        "--label",
        action="append",
        metavar="ACTION",
        help='action class or everyday word ("Goal", "corners", "cards"); repeatable (default: Goal)',
    )
    clip.add_argument("--half", type=int, choices=HALVES, help="only this half")
    clip.add_argument("--out", type=Path, help="the reel to write (default: <game>_<actions>_reel.mp4 here)")
    clip.add_argument("--clips-dir", type=Path, help="also write each clip as its own MP4 into this folder")
    add_data_options(clip)
    source = clip.add_argument_group("where the moments come from")
    add_backend_option(source, about=f" ({VIDEO_BACKEND}: from the video itself)")
    source.add_argument("--from-labels", action="store_true", help="use the match's labelled events, not a spotter")
    source.add_argument("--min-confidence", type=float, default=0.0, help="skip spots below this confidence")
    video = clip.add_argument_group("the video")
    video.add_argument("--video-dir", type=Path, help="folder with SoccerNet's 1_224p.mkv/2_224p.mkv (or 720p)")
    video.add_argument(
        "--video",
        action="append",
        metavar="[HALF=]PATH",
        help="a video file: for every half, or for one half as 1=PATH / 2=PATH (repeatable)",
    )
    video.add_argument(
        "--offset",
        action="append",
        metavar="[HALF=]SECONDS",
        help="where the half starts in its file: for every half, or 1=S / 2=S (default 0)",
    )
    look = clip.add_argument_group("the reel")
    look.add_argument(
        "--padding",
        type=float,
        default=REEL_PADDING_S,
        help="seconds before and after each moment (default: %(default)s)",
    )
    look.add_argument("--exact", action="store_true", help="cut to the frame (re-encodes; slower)")
    look.add_argument("--captions", action="store_true", help="burn the action and time into each clip")
    look.add_argument("--title-cards", action="store_true", help="a 2-second title card before each clip")
    clip.set_defaults(run=run_clip)


def per_half(values: list[str] | None, what: str, convert) -> dict[int, object] | object | None:
    """``["x"]`` → x for every half; ``["1=x", "2=y"]`` → {1: x, 2: y}; errors name the flag."""
    if not values:
        return None
    plain = [v for v in values if not _half_prefixed(v)]
    halves = {int(v[0]): v[2:] for v in values if _half_prefixed(v)}
    if plain and (halves or len(plain) > 1):
        raise HighlightsError(f"give one {what} for every half, or one per half as 1=... and 2=...", f"--{what}")
    try:
        if plain:
            return convert(plain[0])
        return {half: convert(value) for half, value in halves.items()}
    except ValueError as error:
        raise HighlightsError(f"not a valid {what}: {error}", f"--{what}") from error


def _half_prefixed(value: str) -> bool:
    return len(value) > 2 and value[0] in "12" and value[1] == "="


def label_spots(match: Match, classes: tuple[str, ...]) -> list[Spot]:
    """The match's labelled events of these classes, as the windows the metrics score."""
    from spotting.types import Spot

    if not match.has_labels:
        raise HighlightsError("this match has no labels (Labels-v2.json); drop --from-labels", match.id)
    return [
        Spot(
            e.label,
            e.half,
            max(0.0, e.seconds - DEFAULT_HALF_WIDTH_S),
            e.seconds + DEFAULT_HALF_WIDTH_S,
            e.position_ms,
            1.0,
            backend="labels",
            team=e.team,
        )
        for e in match.all_events()
        if e.label in classes
    ]


def _spotter(args: argparse.Namespace, video: object, offsets: object) -> Spotter:
    """The back end; the video one is pointed at the same files as the reel."""
    from spotting.registry import make_spotter
    from tools.toolbox import default_spotter

    if args.backend == VIDEO_BACKEND:
        return make_spotter(VIDEO_BACKEND, video=video, video_dir=args.video_dir, offset=offsets or 0.0)
    return default_spotter(args.backend)


def run_clip(args: argparse.Namespace) -> int:
    from tools.actions import resolve_actions
    from tools.clips import (
        ReelStyle,
        as_request,
        export_clips,
        make_reel,
        match_videos,
        merge_overlapping,
        reel_filename,
    )
    from tools.query import MomentQuery
    from tools.toolbox import Toolbox

    classes = resolve_actions(args.label or ["Goal"])
    video, offsets = per_half(args.video, "video", Path), per_half(args.offset, "offset", float)
    corpus = load_from_args(args)
    if args.from_labels:
        toolbox = Toolbox(corpus, spotter=None)  # only resolves the match
        match = toolbox.resolve_match(args.match)
        spots = label_spots(match, classes)
    else:
        toolbox = Toolbox(corpus, _spotter(args, video, offsets))
        match = toolbox.resolve_match(args.match)
        spots = toolbox.spot_actions(MomentQuery(match=match.id, classes=classes, half=args.half))
    spots = [s for s in spots if s.confidence >= args.min_confidence and (args.half is None or s.half == args.half)]
    wanted = ", ".join(classes)
    if not spots:
        raise HighlightsError(f"no {wanted} found in {match.title}; nothing to cut", match.id)
    videos = match_videos(match, args.video_dir, video, offsets or 0.0)
    requests = merge_overlapping((as_request(s) for s in spots), args.padding)
    style = ReelStyle(captions=args.captions, title_cards=args.title_cards, title=match.title)
    out = args.out or Path(reel_filename(match.id, classes if len(classes) < 4 else ["highlights"]))
    reel = make_reel(requests, videos, out, padding=args.padding, exact=args.exact, style=style)
    print(f"{match.title}: {len(spots)} moments of {wanted} ({reel.mode})")
    print(reel.describe())
    if args.clips_dir:
        written = export_clips(requests, videos, args.clips_dir, match.id, args.padding, args.exact, style)
        print(f"{len(written)} clips in {args.clips_dir}")
    return 0
