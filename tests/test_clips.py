"""Clips and reels cut from generated videos whose frames carry their own number.

Every boundary is checked by reading the frame counter back from the written file.
"""

from __future__ import annotations

import math
import subprocess
from pathlib import Path

import av
import numpy as np
import pytest
from test_video_counter import FPS, read_counters, write_counter_video

from index.corpus import SAMPLE_ROOT, load_match
from index.errors import HighlightsError
from spotting.types import Spot
from tools.clips import (
    ClipRequest,
    HalfVideo,
    ReelStyle,
    clip_filename,
    export_clips,
    make_highlight_reel,
    make_reel,
    match_videos,
    merge_overlapping,
    reel_filename,
)
from tools.video_io import ffmpeg_exe, probe
from ui.cli import main

ARSENAL = "england_epl/2014-2015/2015-04-11 - 19-30 Burnley 0 - 1 Arsenal"  # one labelled goal, half 1 at 11:02


@pytest.fixture(scope="module")
def halves(tmp_path_factory: pytest.TempPathFactory) -> dict[int, HalfVideo]:
    """Two 8-second halves with a keyframe every second and an AAC tone."""
    folder = tmp_path_factory.mktemp("videos")
    return {half: HalfVideo(write_counter_video(folder / f"{half}_224p.mkv", seconds=8.0)) for half in (1, 2)}


def first_frame_at(seconds: float) -> int:
    return math.ceil(seconds * FPS - 1e-6)


def test_exact_clips_land_on_the_right_frames(halves, tmp_path):
    reel = make_reel(
        [(1, 2.4, 3.2), (2, 5.0, 6.0), (1, 6.5, 7.0)], halves, tmp_path / "exact.mp4", padding=0, exact=True
    )
    assert reel.mode == "re-encode"
    expected = [*range(60, 80), *range(125, 150), *range(163, 175)]
    assert read_counters(reel.path) == expected
    assert reel.duration == pytest.approx(len(expected) / FPS, abs=0.15)


def test_copy_starts_at_the_keyframe_before_and_never_leaves_a_gap(halves, tmp_path):
    reel = make_reel([(1, 2.4, 3.2), (2, 5.0, 6.0)], halves, tmp_path / "copy.mp4", padding=0)
    assert reel.mode == "copy"
    counters = read_counters(reel.path)
    first, second = counters[: counters.index(125)], counters[counters.index(125) :]
    assert first[0] == 50  # keyframe at 2.0 s, before the asked 2.4 s
    assert first == list(range(50, first[-1] + 1)) and 79 <= first[-1] <= 82
    assert second == list(range(125, second[-1] + 1)) and 149 <= second[-1] <= 152
    assert [c.start for c in reel.clips] == [2.0, 5.0]
    assert probe(reel.path).audio_codec == "aac"


def test_reel_places_every_clip_where_it_says(halves, tmp_path):
    intervals = [(1, 1.0, 2.0), (2, 3.0, 4.0), (1, 5.0, 6.0), (2, 6.0, 7.0)]
    for exact in (False, True):
        reel = make_reel(intervals, halves, tmp_path / f"reel{exact}.mp4", padding=0.2, exact=exact)
        counters = read_counters(reel.path)
        assert len(reel.clips) == 4
        assert reel.duration == pytest.approx(sum(c.end - c.start for c in reel.clips), abs=0.2)
        for clip in reel.clips:
            index = round(clip.reel_start * FPS)
            assert counters[index] == first_frame_at(clip.start), (exact, clip)


def test_padding_and_offset_of_a_users_own_video(halves, tmp_path):
    # The user's file starts 2 s before the half: half second 1.0 is file second 3.0 (frame 75).
    videos = {1: HalfVideo(halves[1].path, offset=2.0)}
    reel = make_reel([(1, 1.0, 2.0)], videos, tmp_path / "offset.mp4", padding=(0.4, 0.2), exact=True)
    assert read_counters(reel.path) == list(range(65, 105))
    assert (reel.clips[0].start, reel.clips[0].end) == pytest.approx((0.6, 2.2))


def test_padding_is_clamped_to_the_video(halves, tmp_path):
    reel = make_reel([(1, 0.2, 1.0), (1, 7.5, 8.0)], halves, tmp_path / "ends.mp4", padding=2.0, exact=True)
    counters = read_counters(reel.path)
    assert counters[0] == 0 and counters[-1] == 199


def test_captions_and_title_cards(halves, tmp_path):
    intervals = [ClipRequest(1, 2.0, 3.0, "Goal"), ClipRequest(2, 4.0, 5.0, "Corner", caption="What a corner")]
    plain = make_reel(intervals, halves, tmp_path / "plain.mp4", padding=0, exact=True)
    style = ReelStyle(captions=True, title_cards=True, title="Burnley 0 - 1 Arsenal")
    styled = make_reel(intervals, halves, tmp_path / "styled.mp4", padding=0, style=style)
    assert styled.mode == "re-encode"
    assert styled.duration == pytest.approx(plain.duration + 4.0, abs=0.2)
    assert [c.reel_start for c in styled.clips] == pytest.approx([2.0, 5.0])
    with av.open(str(plain.path)) as a, av.open(str(styled.path)) as b:
        plain_frame = next(a.decode(video=0)).to_ndarray(format="rgb24")
        frames = [f.to_ndarray(format="rgb24") for f in b.decode(video=0)]
    card, captioned = frames[0], frames[round(2.0 * FPS)]
    assert card[:32].std() < 30 and card.std() > 5  # plain background with some text on it
    bottom = slice(64, 96)
    assert np.abs(captioned[bottom].astype(int) - plain_frame[bottom].astype(int)).mean() > 5


def test_a_path_with_spaces_and_quotes(tmp_path):
    folder = tmp_path / "my 'odd' \"folder\" $HOME; rm -rf x"
    source = write_counter_video(folder / "1_224p.mkv", seconds=3.0)
    videos = match_videos(None, video_dir=folder)  # type: ignore[arg-type]
    assert videos[1].path == source
    for exact in (False, True):
        out = folder / f"reel 'it' \"{exact}\".mp4"
        reel = make_reel([(1, 1.0, 2.0, "Goal")], videos, out, padding=0, exact=exact, style=ReelStyle(captions=exact))
        assert reel.path == out and out.is_file()
        assert read_counters(out)[0] == 25
    assert sorted(p.name for p in folder.iterdir() if p.name.startswith(".")) == []  # no temp files left


def test_a_video_that_is_not_h264_is_reencoded(tmp_path):
    source = write_counter_video(tmp_path / "1.mkv", seconds=3.0, codec="mpeg4", audio=False)
    reel = make_reel([(1, 1.0, 2.0)], {1: HalfVideo(source)}, tmp_path / "out.mp4", padding=0)
    assert reel.mode == "re-encode"
    assert probe(reel.path).video_codec == "h264"
    assert read_counters(reel.path) == list(range(25, 50))


def test_missing_corrupt_and_truncated_videos_name_the_file(halves, tmp_path):
    missing = tmp_path / "nowhere" / "1_224p.mkv"
    with pytest.raises(HighlightsError, match="not found") as error:
        make_reel([(1, 1, 2)], {1: HalfVideo(missing)}, tmp_path / "a.mp4")
    assert str(missing) in str(error.value)

    corrupt = tmp_path / "corrupt.mkv"
    corrupt.write_bytes(np.random.default_rng(0).integers(0, 256, 50_000, dtype=np.uint8).tobytes())
    with pytest.raises(HighlightsError, match="not a readable video") as error:
        make_reel([(1, 1, 2)], {1: HalfVideo(corrupt)}, tmp_path / "b.mp4")
    assert str(corrupt) in str(error.value)

    truncated = tmp_path / "truncated.mkv"
    truncated.write_bytes(halves[1].path.read_bytes()[: halves[1].path.stat().st_size // 2])
    for exact in (False, True):
        with pytest.raises(HighlightsError, match="truncated") as error:
            make_reel([(1, 6.0, 7.5)], {1: HalfVideo(truncated)}, tmp_path / f"c{exact}.mp4", exact=exact)
        assert str(truncated) in str(error.value)
    assert not list(tmp_path.glob("*.mp4")) and not list(tmp_path.glob(".*tmp*"))  # nothing half-written


def test_intervals_outside_the_video_or_without_one(halves, tmp_path):
    with pytest.raises(HighlightsError, match="outside the video"):
        make_reel([(1, 30.0, 45.0)], halves, tmp_path / "a.mp4")
    with pytest.raises(HighlightsError, match="outside the video"):
        make_reel([(1, 1.0, 2.0)], {1: HalfVideo(halves[1].path, offset=-5.0)}, tmp_path / "b.mp4")
    with pytest.raises(HighlightsError, match="no video for half 2"):
        make_reel([(2, 1.0, 2.0)], {1: halves[1]}, tmp_path / "c.mp4")
    with pytest.raises(HighlightsError, match="ends before it starts"):
        make_reel([(1, 3.0, 2.0)], halves, tmp_path / "d.mp4")
    with pytest.raises(HighlightsError, match="MP4"):
        make_reel([(1, 1.0, 2.0)], halves, tmp_path / "e.avi")


def test_merge_and_names():
    requests = [ClipRequest(1, 100, 115, "Goal"), ClipRequest(1, 116, 130, "Shots on target"), ClipRequest(2, 5, 9)]
    merged = merge_overlapping(reversed(requests), padding=1.0)
    assert merged == [ClipRequest(1, 100, 130, "Goal + Shots on target"), ClipRequest(2, 5, 9)]
    assert merge_overlapping(requests, padding=0.0)[0] == requests[0]
    name = clip_filename(ARSENAL, ClipRequest(1, 662.8, 677.8, "Goal"))
    assert name == "2015-04-11_-_19-30_Burnley_0_-_1_Arsenal_h1_11m03s-11m18s_goal.mp4"
    assert reel_filename(ARSENAL, ["Goal", "Corner"]).endswith("_corner_goal_reel.mp4")


def test_export_clips_one_file_each(halves, tmp_path):
    reels = export_clips([(1, 1.0, 2.0, "Goal"), (2, 3.0, 4.0, "Foul")], halves, tmp_path, ARSENAL, padding=0)
    assert [r.path.name.split("_h")[-1] for r in reels] == ["1_00m01s-00m02s_goal.mp4", "2_00m03s-00m04s_foul.mp4"]
    assert all(r.path.is_file() for r in reels)


def long_video(path: Path, seconds: int) -> Path:
    """A tiny test-pattern video of a whole half, made by ffmpeg in a second or two."""
    path.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [ffmpeg_exe(), "-v", "error", "-y", "-f", "lavfi", "-i", f"testsrc=size=64x48:rate=2:duration={seconds}",
         "-c:v", "libx264", "-preset", "ultrafast", "-g", "10", str(path)],
        check=True,
    )  # fmt: skip
    return path


@pytest.fixture(scope="module")
def match_video_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("match videos")
    for half in (1, 2):
        long_video(folder / f"{half}_224p.mkv", 2900)
    return folder


def test_make_highlight_reel_for_the_agent(match_video_dir, tmp_path):
    match = load_match(SAMPLE_ROOT, ARSENAL)
    goal = Spot("Goal", 1, 655.3, 670.3, 662_780, 0.9)
    reel = make_highlight_reel(match, [goal], out=tmp_path / "goals.mp4", video_dir=match_video_dir, padding=1)
    assert reel.path.is_file() and len(reel.clips) == 1
    assert reel.duration == pytest.approx(17.0, abs=5.1)  # 1 s padding each side, keyframes every 5 s
    assert "Goal, half 1 10:" in reel.describe()
    with pytest.raises(HighlightsError, match="no moments"):
        make_highlight_reel(match, [], video_dir=match_video_dir)


def test_cli_clip_from_labels_and_from_a_spotter(match_video_dir, tmp_path, capsys):
    out = tmp_path / "reel.mp4"
    args = ["clip", "Burnley Arsenal", "--data", str(SAMPLE_ROOT), "--video-dir", str(match_video_dir)]
    assert main([*args, "--from-labels", "--label", "goals", "--out", str(out), "--exact", "--captions"]) == 0
    assert "1 moments of Goal" in capsys.readouterr().out
    assert probe(out).duration == pytest.approx(19.0, abs=0.6)  # 15 s window + 2 s padding each side

    clips = tmp_path / "clips"
    assert main([*args, "--backend", "keywords", "--label", "Goal", "--out", str(out), "--clips-dir", str(clips)]) == 0
    printed = capsys.readouterr().out
    assert "moments of Goal" in printed and list(clips.glob("*_goal*.mp4"))


def test_cli_errors_are_messages(match_video_dir, tmp_path, capsys):
    base = ["clip", ARSENAL, "--data", str(SAMPLE_ROOT), "--from-labels", "--out", str(tmp_path / "r.mp4")]
    assert main([*base, "--video", str(tmp_path / "missing.mkv")]) == 2
    assert "video file not found" in capsys.readouterr().err
    assert main([*base, "--video-dir", str(tmp_path)]) == 2
    assert "no half videos" in capsys.readouterr().err
    assert main([*base, "--video-dir", str(match_video_dir), "--offset", "1=x"]) == 2
    assert "--offset" in capsys.readouterr().err


def test_soccernet_names_and_per_half_flags(tmp_path):
    from ui.commands.clip import per_half

    (tmp_path / "1_720p.mkv").write_bytes(b"")
    (tmp_path / "2_224p.mkv").write_bytes(b"")
    (tmp_path / "2_720p.mkv").write_bytes(b"")
    videos = match_videos(None, video_dir=tmp_path, offsets={2: 3.5})  # type: ignore[arg-type]
    assert {h: (v.path.name, v.offset) for h, v in videos.items()} == {1: ("1_720p.mkv", 0.0), 2: ("2_224p.mkv", 3.5)}
    assert per_half(["1=a b.mkv", "2=c=d.mkv"], "video", Path) == {1: Path("a b.mkv"), 2: Path("c=d.mkv")}
    assert per_half(["12.5"], "offset", float) == 12.5
    with pytest.raises(HighlightsError, match="one per half"):
        per_half(["1.0", "2=3"], "offset", float)
