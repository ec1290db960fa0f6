"""Clips benchmark: 10 clips of 15 s cut from a 45-minute 224p half and joined into one reel.

The half is generated once with ffmpeg's ``testsrc2`` at 398x224, 25 fps, H.264 with a keyframe
every 10 s (x264's default, like SoccerNet's 224p files) and an AAC tone, into ``.cache/bench/``
(ignored by git). Timed, each in this process:
  - copy:      the reel by stream copy (the default; keyframes may be up to 10 s before a clip);
  - exact:     the reel re-encoded, cut to the frame;
  - captions:  the reel re-encoded with captions and title cards;
  - full:      re-encoding the whole half with the same encoder settings (the baseline).

    python benchmarks/bench_clips.py [--repeats 3] [--video PATH]
Prints a table and writes benchmarks/results/clips.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import tempfile
import time
from pathlib import Path

from rich.console import Console
from rich.table import Table

from index.atomic import atomic_write_text
from spotting.video.frames import HalfVideo
from tools.clips import ReelStyle, make_reel
from tools.video_encode import ReelGraph
from tools.video_io import probe, run_ffmpeg

HERE = Path(__file__).resolve().parent
CACHE = HERE.parent / ".cache" / "bench"
HALF_S = 45 * 60
CLIP_S = 15.0
CLIPS = 10


def generated_half(path: Path) -> Path:
    """The 45-minute test half, made once (about a minute on two cores)."""
    if path.is_file():
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.part.mkv")
    run_ffmpeg(
        ["-f", "lavfi", "-i", f"testsrc2=size=398x224:rate=25:duration={HALF_S}",
         "-f", "lavfi", "-i", f"sine=frequency=440:sample_rate=48000:duration={HALF_S}",
         "-c:v", "libx264", "-preset", "veryfast", "-g", "250", "-pix_fmt", "yuv420p",
         "-c:a", "aac", "-b:a", "96k", "-shortest", str(partial)],
        about=path,
    )  # fmt: skip
    os.replace(partial, path)
    return path


def intervals() -> list[tuple[int, float, float]]:
    """Ten 15-second moments spread over the half, none starting on a keyframe."""
    step = HALF_S / CLIPS
    return [(1, round(i * step + 37.3, 1), round(i * step + 37.3 + CLIP_S, 1)) for i in range(CLIPS)]


def timed(function) -> tuple[float, object]:
    start = time.perf_counter()
    result = function()
    return time.perf_counter() - start, result


def reencode_whole(source: Path, out: Path) -> None:
    """The baseline: the whole half through the encoder the reels use (same preset, CRF, audio)."""
    info = probe(source)
    with tempfile.TemporaryDirectory() as work:
        graph = ReelGraph(Path(work), info.width, info.height, info.fps, with_audio=True)
        graph.add_clip(source, 0.0, info.duration, has_audio=True)
        run_ffmpeg(graph.arguments(out), about=source, cwd=Path(work))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--video", type=Path, help="a 224p half to use instead of the generated one")
    parser.add_argument("--repeats", type=int, default=3, help="runs of each reel (the median is reported)")
    parser.add_argument("--skip-full", action="store_true", help="do not time the full re-encode")
    args = parser.parse_args()
    source = args.video or generated_half(CACHE / "half_45min_224p.mkv")
    info = probe(source)
    videos = {1: HalfVideo(source)}
    moments = intervals()
    runs = {
        # a keyframe every 10 s: allow the whole GOP, else most clips would fall back to re-encoding
        "copy": dict(padding=0.0, max_snap_s=10.0),
        "exact": dict(padding=0.0, exact=True),
        "captions": dict(padding=0.0, style=ReelStyle(captions=True, title_cards=True, title="Benchmark")),
    }
    rows = {}
    with tempfile.TemporaryDirectory() as out_dir:
        for name, options in runs.items():
            times, reel = [], None
            out = Path(out_dir) / f"{name}.mp4"
            for _ in range(args.repeats):
                seconds, reel = timed(lambda o=options, out=out: make_reel(moments, videos, out, **o))
                times.append(seconds)
            rows[name] = {
                "seconds": statistics.median(times),
                "runs": times,
                "reel_s": reel.duration,
                "clips": len(reel.clips),
                "mode": reel.mode,
                "early_s": statistics.mean(c.request.start - c.start for c in reel.clips),
            }
        if not args.skip_full:
            seconds, _ = timed(lambda: reencode_whole(source, Path(out_dir) / "full.mp4"))
            rows["full re-encode"] = {
                "seconds": seconds,
                "runs": [seconds],
                "reel_s": info.duration,
                "clips": 1,
                "mode": "re-encode",
                "early_s": 0.0,
            }
    full = rows.get("full re-encode", {}).get("seconds")
    for row in rows.values():
        row["vs_full"] = row["seconds"] / full if full else None
    table = Table(title=f"{CLIPS} clips of {CLIP_S:g} s from a {info.duration / 60:.0f}-minute {info.height}p half")
    for column in ("job", "mode", "clips", "output s", "starts early s", "wall s (median)", "× full re-encode"):
        table.add_column(column, justify="left" if column in ("job", "mode") else "right")
    for name, row in rows.items():
        ratio = f"{row['vs_full']:.4f}" if row["vs_full"] is not None else "-"
        cells = (str(row["clips"]), f"{row['reel_s']:.1f}", f"{row['early_s']:.1f}", f"{row['seconds']:.2f}", ratio)
        table.add_row(name, row["mode"], *cells)
    Console().print(table)
    result = {
        "video": {
            "path": str(source.relative_to(HERE.parent) if source.is_relative_to(HERE.parent) else source),
            "duration_s": info.duration,
            "size": [info.width, info.height],
            "fps": info.fps,
            "codec": info.video_codec,
            "audio": info.audio_codec,
        },
        "intervals": moments,
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform()},
        "results": rows,
    }
    out = HERE / "results" / "clips.json"
    atomic_write_text(out, json.dumps(result, indent=2) + "\n")
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
