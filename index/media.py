"""A user's match recording (PyAV): what it holds, its audio as Whisper reads it, and a stream copy of
its second half when one file holds the whole match.

Every failure a user's file can cause (missing, not a media file, no audio track, truncated, far
too long) becomes a ``HighlightsError`` that names the file, before anything is written.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import av
import numpy as np

from .errors import HighlightsError

SAMPLE_RATE = 16_000  # Whisper's input: 16 kHz mono
# A broadcast of one match, with extra time, penalties and the studio before and after, fits in
# 4 hours; a longer file is a day's recording, and transcribing it would take the CPU for an hour.
MAX_FILE_S = 4 * 3600.0
# The audio may stop this much before the declared duration (encoder padding, a last short frame);
# more means the file was cut off while it was copied or recorded.
TRUNCATION_SLACK_S = 5.0


@dataclass(frozen=True, slots=True)
class MediaInfo:
    """The facts about a recording that adding it depends on."""

    path: Path
    duration: float  # seconds, as the container declares it
    has_video: bool
    recorded: dt.datetime | None = None  # the container's creation_time tag, when it has one


def clock(seconds: float) -> str:
    """``H:MM:SS`` (or ``M:SS``) for messages about a recording."""
    whole = int(seconds)
    hours, rest = divmod(whole, 3600)
    return f"{hours}:{rest // 60:02d}:{rest % 60:02d}" if hours else f"{rest // 60}:{rest % 60:02d}"


def _reason(error: Exception) -> str:
    return getattr(error, "strerror", None) or str(error) or error.__class__.__name__


def _open(path: Path) -> av.container.InputContainer:
    if not path.exists():
        raise HighlightsError("file not found", path)
    if not path.is_file():
        raise HighlightsError("not a file (a video or audio recording was expected)", path)
    try:
        return av.open(str(path), metadata_errors="ignore")
    except (av.error.FFmpegError, UnicodeDecodeError, OSError) as error:
        raise HighlightsError(f"not a readable video or audio file ({_reason(error)})", path) from None


def probe_media(path: Path, max_duration_s: float = MAX_FILE_S) -> MediaInfo:
    """Duration and streams of ``path``; an error for a file with no audio, no duration or too long."""
    path = Path(path)
    with _open(path) as container:
        if not container.streams.audio:
            kind = "a video with no sound" if container.streams.video else "no audio or video stream"
            raise HighlightsError(f"no audio track ({kind}): the commentary is what the assistant reads", path)
        duration = _duration(container)
        if not duration > 0:
            raise HighlightsError("the recording has no duration (empty or truncated file?)", path)
        if duration > max_duration_s:
            raise HighlightsError(
                f"the recording is {clock(duration)} long, more than {clock(max_duration_s)}: "
                "cut it to the match first (or give each half as its own file)",
                path,
            )
        return MediaInfo(path, duration, bool(container.streams.video), _recorded(container.metadata))


def _duration(container: av.container.InputContainer) -> float:
    if container.duration is not None:
        return container.duration / av.time_base
    stream = container.streams.audio[0]
    if stream.duration is not None and stream.time_base is not None:
        return float(stream.duration * stream.time_base)
    return 0.0


def _recorded(metadata: dict) -> dt.datetime | None:
    value = (metadata or {}).get("creation_time") or (metadata or {}).get("CREATION_TIME")
    try:
        return dt.datetime.fromisoformat(value.replace("Z", "+00:00")) if value else None
    except ValueError:
        return None


def read_audio(path: Path, start: float = 0.0, end: float | None = None) -> np.ndarray:
    """The audio of ``path`` from ``start`` to ``end`` seconds as 16 kHz mono float32 in [-1, 1].

    Stops with an error when the audio ends well before the container says it should (a truncated
    or damaged file) rather than transcribing part of a half as if it were all of it.
    """
    path = Path(path)
    info = probe_media(path, max_duration_s=math.inf)
    stop = min(end if end is not None else info.duration, info.duration)
    pieces = list(_resampled(path, start, stop))
    audio = np.concatenate(pieces) if pieces else np.zeros(0, np.float32)
    heard = start + len(audio) / SAMPLE_RATE
    if heard < stop - TRUNCATION_SLACK_S:
        raise HighlightsError(
            f"the audio stops at {clock(heard)} but the file says it lasts {clock(info.duration)}: "
            "the file is truncated or damaged",
            path,
        )
    return audio


def _resampled(path: Path, start: float, stop: float) -> Iterator[np.ndarray]:
    """Decoded, resampled pieces of [start, stop); a damaged packet ends the audio there."""
    resampler = av.AudioResampler(format="flt", layout="mono", rate=SAMPLE_RATE)
    first, last = round(start * SAMPLE_RATE), round(stop * SAMPLE_RATE)
    position = None  # sample index (of the whole file) of the next resampled sample
    with _open(path) as container:
        stream = container.streams.audio[0]
        if start > 0:
            container.seek(int(start * av.time_base), backward=True, any_frame=False)
        try:
            for frame in container.decode(stream):
                for out in resampler.resample(frame):
                    if position is None:
                        position = round((out.time if out.time is not None else 0.0) * SAMPLE_RATE)
                    samples = out.to_ndarray().reshape(-1)
                    keep = samples[max(0, first - position) : max(0, last - position)]
                    position += len(samples)
                    if len(keep):
                        yield keep.astype(np.float32, copy=False)
                if position is not None and position >= last:
                    return
        except (av.error.InvalidDataError, av.error.EOFError):
            return  # the check in read_audio says how far the audio got


def keyframe_before(path: Path, seconds: float) -> float:
    """The time of the last video keyframe at or before ``seconds``: where a stream copy can start."""
    with _open(Path(path)) as container:
        video = container.streams.video[0]
        container.seek(int(seconds / video.time_base), stream=video, backward=True, any_frame=False)
        for packet in container.demux(video):
            if packet.pts is not None and packet.is_keyframe:
                return min(float(packet.pts * video.time_base), seconds)
    raise HighlightsError(f"no video keyframe at or before {clock(seconds)} (truncated file?)", path)


def copy_from(path: Path, start: float, out: Path) -> None:
    """Copy every audio and video packet of ``path`` from ``start`` (a keyframe) on into the
    Matroska file ``out``, its clock starting at 0: the second half of a whole-match recording as a
    file of its own, without re-encoding. ``out`` is written whole or not at all by the caller."""
    with _open(Path(path)) as source, av.open(str(out), "w", format="matroska") as target:
        streams = [s for s in source.streams if s.type in ("audio", "video")]
        copies = {s.index: target.add_stream_from_template(s) for s in streams}
        source.seek(int(start * av.time_base), backward=True, any_frame=False)
        for packet in source.demux(*streams):
            if packet.dts is None or packet.pts is None:
                continue
            shift = round(start / packet.time_base)
            if packet.pts < shift and packet.stream.type == "audio":
                continue
            packet.pts -= shift
            packet.dts -= shift
            packet.stream = copies[packet.stream.index]
            target.mux(packet)
