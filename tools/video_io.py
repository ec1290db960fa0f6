"""What a video file holds (PyAV), and the ffmpeg binary that imageio-ffmpeg ships.

Every failure a user's file can cause (missing, not a video, truncated, ffmpeg refusing it)
becomes a ``HighlightsError`` that names the file.
"""

from __future__ import annotations

import logging
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import av

from index.errors import HighlightsError
from spotting.video.frames import open_video, reason_of

log = logging.getLogger(__name__)

# Audio codecs an MP4 file can carry as they are; any other forces a re-encode of the reel.
MP4_AUDIO_CODECS = frozenset({"aac", "mp3", "ac3", "eac3", "opus", "alac"})


@dataclass(frozen=True, slots=True)
class VideoInfo:
    """The facts about a file that cutting and joining depend on."""

    path: Path
    duration: float  # seconds, as the container declares it
    fps: float
    width: int
    height: int
    video_codec: str
    pix_fmt: str
    extradata: bytes  # codec headers (H.264 SPS/PPS); equal headers can be joined without re-encoding
    audio_codec: str | None = None
    audio_rate: int | None = None
    audio_channels: int | None = None

    def copy_signature(self) -> tuple:
        """Files with equal signatures can have their packets joined into one MP4 unchanged."""
        return (self.video_codec, self.width, self.height, self.pix_fmt, self.extradata, self.audio_signature())

    def audio_signature(self) -> tuple:
        return (self.audio_codec, self.audio_rate, self.audio_channels)


def probe(path: Path) -> VideoInfo:
    """Duration, frame rate, size and codecs of a video file."""
    path = Path(path)
    with open_video(path) as container:
        video = container.streams.video[0]
        audio = container.streams.audio[0] if container.streams.audio else None
        duration = _duration(container, video)
        if duration <= 0:
            raise HighlightsError("video has no duration (empty or truncated file?)", path)
        rate = video.average_rate or video.guessed_rate or video.base_rate
        codec = video.codec_context
        return VideoInfo(
            path=path,
            duration=duration,
            fps=float(rate) if rate else 25.0,
            width=codec.width,
            height=codec.height,
            video_codec=codec.name,
            pix_fmt=codec.pix_fmt or "",
            extradata=bytes(codec.extradata or b""),
            audio_codec=audio.codec_context.name if audio else None,
            audio_rate=audio.codec_context.sample_rate if audio else None,
            audio_channels=audio.codec_context.channels if audio else None,
        )


def _duration(container: av.container.InputContainer, video: av.VideoStream) -> float:
    if container.duration is not None:
        return container.duration / av.time_base
    if video.duration is not None and video.time_base is not None:
        return float(video.duration * video.time_base)
    return 0.0


def keyframe_before(path: Path, seconds: float) -> float:
    """Time of the last video keyframe at or before ``seconds``: where a stream copy can start."""
    with open_video(path) as container:
        video = container.streams.video[0]
        try:
            container.seek(int(seconds / video.time_base), stream=video, backward=True, any_frame=False)
            for packet in container.demux(video):
                if packet.pts is not None and packet.is_keyframe:
                    return float(packet.pts * video.time_base)
        except av.error.FFmpegError as error:
            raise HighlightsError(f"cannot seek to {seconds:.2f} s ({reason_of(error)})", path) from error
    raise HighlightsError(f"no keyframe at or before {seconds:.2f} s (truncated file?)", path)


def ffmpeg_exe() -> str:
    """The ffmpeg binary bundled with imageio-ffmpeg (or the one ``IMAGEIO_FFMPEG_EXE`` names)."""
    import imageio_ffmpeg

    return imageio_ffmpeg.get_ffmpeg_exe()


def run_ffmpeg(args: Sequence[str], about: str | Path, cwd: Path | None = None) -> None:
    """Run ffmpeg with an argument list (no shell); a failure names ``about`` and ffmpeg's reason."""
    command = [ffmpeg_exe(), "-hide_banner", "-nostdin", "-loglevel", "error", "-y", *map(str, args)]
    log.debug("running %s", command)
    result = subprocess.run(command, cwd=cwd, capture_output=True, text=True, errors="replace", check=False)
    if result.returncode != 0:
        lines = [line for line in result.stderr.splitlines() if line.strip()]
        reason = " / ".join(lines[-3:]) or f"exit status {result.returncode}"
        raise HighlightsError(f"ffmpeg failed: {reason}", about)


def seconds_to_ts(seconds: float, time_base: Fraction) -> int:
    return round(Fraction(seconds).limit_denominator(1_000_000) / time_base)
