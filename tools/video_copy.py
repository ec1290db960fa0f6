"""Joining stretches of videos into one MP4 by copying their packets: no decoding, no encoding.

Each stretch starts at a keyframe (a decoder needs nothing before it) and runs to the last packet
that shows a frame before its end; timestamps are shifted so the stretches play back to back.
Every input stays open while its packets are muxed: a PyAV packet must not outlive its file.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import av

from index.errors import HighlightsError
from spotting.video.frames import open_video

from .video_io import seconds_to_ts

# Frames are never shown this long after they are decoded (B-frame reordering spans a few frames).
REORDER_HORIZON_S = 2.0
# A stretch may end this much before its asked end (frame rounding) before we call the file truncated.
SHORT_TOLERANCE_S = 0.5


@dataclass(frozen=True, slots=True)
class CopyRange:
    """File seconds to copy: from ``keyframe`` (at or before ``start``) to ``end``."""

    path: Path
    keyframe: float
    start: float
    end: float


@dataclass(frozen=True, slots=True)
class Copied:
    """The file seconds a copied stretch shows, and where it starts in the output."""

    start: float
    end: float
    reel_start: float


def copy_join(ranges: Sequence[CopyRange], out: Path) -> list[Copied]:
    """Copy each range's packets into one MP4 at ``out``, one after another."""
    copied: list[Copied] = []
    with av.open(str(out), mode="w", format="mp4", options={"movflags": "+faststart"}) as output:
        joined = _Joined(output)
        for stretch in ranges:
            with open_video(stretch.path) as container:
                copied.append(joined.append(stretch, container))
    return copied


class _Joined:
    """An MP4 being filled with copied packets; keeps the reel's clock and decode order rising."""

    def __init__(self, output: av.container.OutputContainer) -> None:
        self.output = output
        self.video_out: av.VideoStream | None = None
        self.audio_out: av.AudioStream | None = None
        self.cursor = 0.0  # seconds into the reel where the next clip's keyframe goes
        self.last_dts: int | None = None

    def append(self, cut: CopyRange, container: av.container.InputContainer) -> Copied:
        video = container.streams.video[0]
        audio = container.streams.audio[0] if container.streams.audio else None
        if self.video_out is None:
            self.video_out = self.output.add_stream_from_template(video)
            self.audio_out = self.output.add_stream_from_template(audio) if audio is not None else None
        packets, shown_end = _read_packets(cut, container)
        time_base = video.time_base
        keyframe_ts = seconds_to_ts(cut.keyframe, time_base)
        shift = seconds_to_ts(self.cursor, time_base) - keyframe_ts
        lowest = min((p.dts for is_video, p in packets if is_video and p.dts is not None), default=keyframe_ts)
        if self.last_dts is not None and lowest + shift <= self.last_dts:
            shift = self.last_dts + 1 - lowest  # decode order must keep rising across the join
        shift_s = float(shift * time_base)
        for is_video, packet in packets:
            out_stream = self.video_out if is_video else self.audio_out
            if out_stream is None:
                continue
            offset = shift if is_video else seconds_to_ts(shift_s, packet.time_base)
            packet.pts += offset
            if packet.dts is not None:
                packet.dts += offset
                if is_video:
                    self.last_dts = packet.dts
            packet.stream = out_stream
            self.output.mux(packet)
        reel_start = cut.keyframe + shift_s
        self.cursor = reel_start + (shown_end - cut.keyframe)
        return Copied(cut.keyframe, shown_end, reel_start)


def _read_packets(cut: CopyRange, container: av.container.InputContainer) -> tuple[list[tuple[bool, av.Packet]], float]:
    """(is video, packet) from the keyframe to the cut's end in decode order, and the file second shown up to.

    Video is kept up to the last packet (in decode order) that shows a frame before the end, so the
    frames it references come too (a clip may end a frame or two late, never with a gap). Matroska
    stores no decode times, so they are rebuilt from the presentation times (the k-th smallest pts,
    minus the reordering delay).
    """
    path = cut.path
    video = container.streams.video[0]
    streams = [video, *container.streams.audio[:1]]
    end = cut.end - 1e-6
    videos: list[av.Packet] = []
    audios: list[av.Packet] = []
    done = dict.fromkeys((stream.index for stream in streams), False)
    try:
        container.seek(seconds_to_ts(cut.keyframe, video.time_base), stream=video, backward=True, any_frame=False)
        for packet in container.demux(streams):
            if packet.pts is None or packet.size == 0 or done[packet.stream_index]:
                continue
            seconds = float(packet.pts * packet.time_base)
            if seconds < cut.keyframe - 1e-6:
                continue
            if packet.stream_index == video.index:
                done[video.index] = seconds >= end + REORDER_HORIZON_S or (packet.is_keyframe and seconds >= end)
                videos.append(packet)
            elif seconds >= end:
                done[packet.stream_index] = True
            else:
                packet.dts = packet.pts if packet.dts is None else packet.dts
                audios.append(packet)
            if all(done.values()):
                break
    except av.error.FFmpegError as error:
        raise HighlightsError(f"cannot read {cut.start:.1f}-{cut.end:.1f} s ({error})", path) from error
    shown = [i for i, p in enumerate(videos) if float(p.pts * p.time_base) < end]
    if not shown:
        raise HighlightsError(f"no video between {cut.keyframe:.1f} s and {cut.end:.1f} s (truncated file?)", path)
    last = shown[-1]
    # B-frames decoded after the last shown packet fill the gaps before the frames it references.
    reach = max(p.pts for p in videos[: last + 1])
    videos = videos[: last + 1] + [p for p in videos[last + 1 :] if p.pts < reach]
    _rebuild_dts(videos)
    shown_end = max(float((p.pts + (p.duration or 0)) * p.time_base) for p in videos)
    if shown_end < cut.end - SHORT_TOLERANCE_S:
        raise HighlightsError(
            f"the video stops at {shown_end:.1f} s, before the clip's end at {cut.end:.1f} s (truncated file?)",
            path,
        )
    merged = sorted(
        [(True, p) for p in videos] + [(False, p) for p in audios],
        key=lambda item: float(item[1].dts * item[1].time_base),
    )
    return merged, shown_end


def _rebuild_dts(packets: Sequence[av.Packet]) -> None:
    """Decode times for packets in decode order: rising, and never after their presentation time."""
    ordered = sorted(p.pts for p in packets)
    delay = max(0, *(ordered[i] - p.pts for i, p in enumerate(packets)))
    for i, packet in enumerate(packets):
        packet.dts = ordered[i] - delay
