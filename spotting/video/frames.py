"""Frames of a half's video for the video spotters: which file holds a half, opening it, and
sampling a chunk's frames at a chosen rate and size (PyAV).

A file that cannot be read gives a ``HighlightsError`` naming it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import av
import numpy as np

from index.errors import HighlightsError


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
