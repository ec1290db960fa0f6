"""Frames of a half's video for the video spotters: which file holds a half, opening it, and
sampling a chunk's frames at a chosen rate and size (PyAV).

A file that cannot be read gives a ``HighlightsError`` naming it.
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import av
import numpy as np

from index.errors import HighlightsError
from index.types import HALVES, Match
from index.video import VIDEO_NAMES


@dataclass(frozen=True, slots=True)
class HalfVideo:
    """The file that holds a half, and where in that file the half starts (seconds)."""

    path: Path
    offset: float = 0.0


def open_video(path: Path) -> av.container.InputContainer:
    """Open ``path`` for reading, or say clearly why it cannot be read."""
    path = Path(path)
    if not path.exists():
        raise HighlightsError("video file not found", path)
    if not path.is_file():
        raise HighlightsError("not a file (a video file was expected)", path)
    try:
        container = av.open(str(path))
    except (av.error.FFmpegError, UnicodeDecodeError) as error:
        raise HighlightsError(f"not a readable video ({error.__class__.__name__}: {reason_of(error)})", path) from error
    if not container.streams.video:
        container.close()
        raise HighlightsError("file has no video stream", path)
    return container


def match_videos(
    match: Match | None,
    video_dir: Path | None = None,
    video: Path | Mapping[int, Path] | None = None,
    offsets: float | Mapping[int, float] = 0.0,
) -> dict[int, HalfVideo]:
    """The video of each half: ``video`` (one file for every half, or one per half), else SoccerNet
    names (``1_224p.mkv``, ``1_720p.mkv``, ...) in ``video_dir``, else the files found with the match.

    ``offsets`` is where each half starts in its file (one number for all, or per half).
    """

    def offset(half: int) -> float:
        return float(offsets.get(half, 0.0) if isinstance(offsets, Mapping) else offsets)

    if video is not None:
        paths = dict(video) if isinstance(video, Mapping) else dict.fromkeys(HALVES, Path(video))
    elif video_dir is not None:
        folder = Path(video_dir)
        if not folder.is_dir():
            raise HighlightsError("video folder not found", folder)
        paths = {}
        for half in HALVES:
            found = [
                folder / name.format(half=half) for name in VIDEO_NAMES if (folder / name.format(half=half)).is_file()
            ]
            if found:
                paths[half] = found[0]
        if not paths:
            names = ", ".join(name.format(half=1) for name in VIDEO_NAMES)
            raise HighlightsError(f"no half videos in this folder (looked for {names}, ...)", folder)
    else:
        paths = dict(match.videos) if match is not None else {}
        if not paths:
            raise HighlightsError(
                "no video for this match: give a video file or a folder with 1_224p.mkv", match.id if match else None
            )
    return {half: HalfVideo(Path(path), offset(half)) for half, path in paths.items()}


def duration_of(path: Path) -> float:
    """Seconds of video the container declares."""
    with open_video(path) as container:
        if container.duration is not None:
            return container.duration / av.time_base
        video = container.streams.video[0]
        return float(video.duration * video.time_base) if video.duration is not None else 0.0


def sample_frames(
    path: Path, start: float, end: float, fps: float = 1.0, size: tuple[int, int] | None = None
) -> list[np.ndarray]:
    """RGB frames of ``[start, end)`` (file seconds), ``fps`` per second, resized to ``size`` (w, h).

    Decodes from the keyframe before ``start`` and keeps the first frame at or after each sample
    time, so the frames are the ones a viewer sees at those times.
    """
    if fps <= 0:
        raise HighlightsError(f"frame rate must be positive, got {fps}")
    wanted = list(np.arange(start, end, 1.0 / fps))
    frames: list[np.ndarray] = []
    with open_video(path) as container:
        video = container.streams.video[0]
        video.thread_type = "AUTO"
        try:
            container.seek(int(max(start, 0) / video.time_base), stream=video, backward=True, any_frame=False)
            for frame in container.decode(video):
                if frame.time is None or not wanted:
                    continue
                if frame.time + 1e-6 >= wanted[0]:
                    while wanted and frame.time + 1e-6 >= wanted[0]:
                        wanted.pop(0)
                    image = frame.reformat(width=size[0], height=size[1]) if size else frame
                    frames.append(image.to_ndarray(format="rgb24"))
                if not wanted:
                    break
        except av.error.FFmpegError as error:
            raise HighlightsError(f"cannot decode {start:.1f}-{end:.1f} s ({reason_of(error)})", path) from error
    if not frames:
        raise HighlightsError(f"no frames between {start:.1f} s and {end:.1f} s (past the end of the video?)", path)
    return frames


def reason_of(error: BaseException) -> str:
    return getattr(error, "strerror", None) or str(error)


def encode_mp4(frames: Sequence[np.ndarray], fps: float) -> bytes:
    """RGB frames as a small H.264 MP4 in memory (what a server that takes ``video_url`` reads)."""
    if not frames:
        raise HighlightsError("no frames to encode")
    height, width = frames[0].shape[:2]
    buffer = io.BytesIO()
    with av.open(buffer, mode="w", format="mp4") as container:
        stream = container.add_stream("libx264", rate=Fraction(fps).limit_denominator(1000))
        stream.width, stream.height, stream.pix_fmt = width - width % 2, height - height % 2, "yuv420p"
        stream.options = {"preset": "veryfast", "crf": "23"}
        for index, image in enumerate(frames):
            frame = av.VideoFrame.from_ndarray(
                np.ascontiguousarray(image[: stream.height, : stream.width]), format="rgb24"
            )
            frame.pts = index
            container.mux(stream.encode(frame))
        container.mux(stream.encode())
    return buffer.getvalue()
