"""``index.add_match`` end to end with a tiny random Whisper (tests/tiny_whisper.py) on recordings
made here (tests/recordings.py): the files it writes, reuse, replacement, and every bad input of
issue 17 with nothing half-written."""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import av
import numpy as np
import pytest
from recordings import place, shipped_speech, write_recording

from index.add_match import HEARD_CACHE, AddRequest, add_match
from index.corpus import available_games, load_corpus, load_match
from index.errors import HighlightsError
from index.match_files import files_of
from index.media import SAMPLE_RATE
from index.own_match import NewMatch, read_record
from index.transcribe import AsrSettings
from spotting.types import Spot
from tools.toolbox import Toolbox

pytestmark = pytest.mark.slow
MATCH = NewMatch("Chelsea", "Burnley", dt.date(2024, 10, 5), dt.time(17, 30), (2, 1))


@pytest.fixture(scope="module")
def speech() -> np.ndarray:
    return shipped_speech()


@pytest.fixture(scope="module")
def halves(tmp_path_factory, speech) -> tuple[Path, Path]:
    """Two half recordings (MP4 with a picture) of 36 s, three spoken lines each."""
    folder = tmp_path_factory.mktemp("halves")
    return tuple(
        write_recording(folder / f"half{h}.mp4", place([(1, speech), (12, speech), (25, speech)], 36, seed=h))
        for h in (1, 2)
    )


@pytest.fixture
def asr(tiny_whisper_model) -> AsrSettings:
    # language given: a random model cannot detect one; 32 tokens a window keeps it fast
    return AsrSettings(model=str(tiny_whisper_model), language="en", beam_size=1, max_new_tokens=32)


def leftovers(root: Path) -> list[Path]:
    """Files a failed add must not leave: anything but the cache of what Whisper heard."""
    return [p for p in root.rglob("*") if p.is_file() and HEARD_CACHE not in p.parts] if root.exists() else []


def test_two_halves_become_a_match_like_any_other(tmp_path, halves, asr):
    added = add_match(tmp_path, AddRequest(MATCH, recordings=halves, asr=asr))
    assert added.game_id == "own/2024-2025/2024-10-05 - 17-30 Chelsea 2 - 1 Burnley"
    assert available_games(tmp_path) == [added.game_id]
    match = load_match(tmp_path, added.game_id)
    assert (match.home, match.away, match.home_score, match.away_score) == ("Chelsea", "Burnley", 2, 1)
    for half in (1, 2):
        segments = match.half_segments(half)
        assert segments and all(0 <= s.start <= s.end <= 36 for s in segments)
        assert match.videos[half].resolve() == halves[half - 1].resolve()  # linked, not copied
        assert match.videos[half].is_symlink()
    asr_file = json.loads((tmp_path / "echoes/whisper_v2" / added.game_id / "1_asr.json").read_text())
    assert asr_file["asr"]["source"] == asr.model and asr_file["asr"]["language"] == "en"
    record = read_record(tmp_path, added.game_id)
    assert record["score_given"] and [Path(i["file"]).name for i in record["inputs"]] == ["half1.mp4", "half2.mp4"]
    assert not (tmp_path / "echoes/whisper_v2_en").exists()  # English: no translation


def test_a_transcribed_half_is_not_redone(tmp_path, halves, asr):
    add_match(tmp_path, AddRequest(MATCH, recordings=halves, asr=asr))
    cached = sorted((tmp_path / HEARD_CACHE).iterdir())
    assert len(cached) == 2
    stamps = [p.stat().st_mtime_ns for p in cached]
    said: list[str] = []
    again = add_match(tmp_path, AddRequest(MATCH, recordings=halves, asr=asr, force=True), say=said.append)
    assert [p.stat().st_mtime_ns for p in cached] == stamps
    assert sum("reusing" in line for line in said) == 2 and len(again.notes) == 2


def test_one_file_with_the_second_half_given(tmp_path, speech, asr):
    whole = write_recording(tmp_path / "in" / "match.mp4", place([(2, speech), (20, speech), (44, speech)], 60))
    added = add_match(tmp_path / "data", AddRequest(MATCH, recordings=(whole,), second_half=40.0, asr=asr))
    match = load_match(tmp_path / "data", added.game_id)
    start = read_record(tmp_path / "data", added.game_id)["second_half_at"]
    assert 36 <= start <= 40  # the keyframe at or before 40 s, where the video copy starts
    assert all(s.start < start for s in match.half_segments(1))
    assert all(s.start + start >= 40 - 1 for s in match.half_segments(2))
    second = match.videos[2]
    assert second.name == "2.mkv" and not second.is_symlink()
    with av.open(str(second)) as copy:
        assert abs(copy.duration / av.time_base - (60 - start)) < 1.0
    reel = Toolbox.reel_of(match, [Spot("Goal", 2, 2.0, 8.0, 5000, 1.0)], tmp_path / "reel.mp4", padding=0)
    assert len(reel.clips) == 1 and 5.0 <= reel.duration <= 9.0  # a reel cut from the copied second half


def test_one_file_with_the_break_found(tmp_path, speech, asr):
    lines = [(t, speech) for t in [*range(2, 90, 7), *range(300, 390, 7)]]
    whole = write_recording(tmp_path / "match.m4a", place(lines, 400), video=False)
    added = add_match(tmp_path / "data", AddRequest(MATCH, recordings=(whole,), asr=asr))
    start = read_record(tmp_path / "data", added.game_id)["second_half_at"]
    assert 90 < start < 300  # in the silent break, just before the commentary resumes
    assert load_match(tmp_path / "data", added.game_id).videos == {}  # audio only


def test_no_break_in_one_file_asks_for_it(tmp_path, speech, asr):
    whole = write_recording(tmp_path / "match.m4a", place([(t, speech) for t in range(2, 60, 10)], 64), video=False)
    with pytest.raises(HighlightsError, match="--second-half"):
        add_match(tmp_path / "data", AddRequest(MATCH, recordings=(whole,), asr=asr))
    assert leftovers(tmp_path / "data") == []


def test_a_second_add_neither_duplicates_nor_overwrites(tmp_path, halves, asr):
    first = add_match(tmp_path, AddRequest(MATCH, recordings=halves, asr=asr))
    before = {p: p.read_bytes() for p in files_of(tmp_path, first.game_id) if not p.is_symlink()}
    other_score = NewMatch(MATCH.home, MATCH.away, MATCH.date, None, (3, 1))
    with pytest.raises(HighlightsError, match=r"already added.*--force"):
        add_match(tmp_path, AddRequest(other_score, recordings=halves, asr=asr))
    assert {p: p.read_bytes() for p in before} == before and available_games(tmp_path) == [first.game_id]
    replaced = add_match(tmp_path, AddRequest(other_score, recordings=halves, asr=asr, force=True))
    assert replaced.replaced == (first.game_id,)
    assert available_games(tmp_path) == [replaced.game_id] and "3 - 1" in replaced.game_id
    assert not (tmp_path / "soccernet" / first.game_id).exists()


def test_the_same_teams_on_another_day_are_another_match(tmp_path, halves, asr):
    first = add_match(tmp_path, AddRequest(MATCH, recordings=halves, asr=asr))
    later = NewMatch("Chelsea", "Burnley", dt.date(2025, 3, 1), score=None)
    second = add_match(tmp_path, AddRequest(later, recordings=halves, asr=asr))
    assert sorted(available_games(tmp_path)) == sorted([first.game_id, second.game_id])
    assert any("no score given" in note for note in second.notes)
    corpus = load_corpus(tmp_path)
    assert {m.date for m in corpus.matches} == {MATCH.date, later.date}
    assert "score was not given" in corpus.get(second.game_id).score_note


def test_a_soccernet_game_is_never_replaced(tmp_path, sample_root, halves, asr):
    shutil.copytree(sample_root, tmp_path / "data")
    game = next(g for g in available_games(tmp_path / "data") if "Chelsea 1 - 1 Burnley" in g)
    before = {p: p.read_bytes() for p in files_of(tmp_path / "data", game)}
    same = NewMatch("Chelsea", "Burnley", dt.date(2015, 2, 21), score=(1, 1), league="england_epl")
    with pytest.raises(HighlightsError, match="SoccerNet game"):
        add_match(tmp_path / "data", AddRequest(same, recordings=halves, asr=asr, force=True))
    assert {p: p.read_bytes() for p in files_of(tmp_path / "data", game)} == before


@pytest.mark.parametrize(
    "make",
    [
        lambda p: write_recording(p / "silent.m4a", np.zeros(40 * SAMPLE_RATE, np.float32), video=False),
        lambda p: write_recording(p / "music.m4a", _chords(40), video=False),
        lambda p: write_recording(p / "crowd.mp4", place([], 40, noise=0.05)),
    ],
    ids=["silence", "music", "crowd only"],
)
def test_a_recording_without_commentary_is_refused(tmp_path, halves, asr, make):
    bad = make(tmp_path)
    with pytest.raises(HighlightsError, match="no commentary heard") as error:
        add_match(tmp_path / "data", AddRequest(MATCH, recordings=(halves[0], bad), asr=asr))
    assert bad.name in str(error.value) and "Nothing was written" in str(error.value)
    assert leftovers(tmp_path / "data") == []


def _chords(seconds: float) -> np.ndarray:
    t = np.arange(int(seconds * SAMPLE_RATE)) / SAMPLE_RATE
    notes = sum(np.sin(2 * np.pi * f * t) for f in (261.6, 329.6, 392.0))
    return (0.2 * notes * (0.5 + 0.5 * np.sign(np.sin(2 * np.pi * 0.5 * t)))).astype(np.float32)


def _garbage(path: Path) -> Path:
    path.write_bytes(b"not a video at all " * 100)
    return path


def _no_audio(folder: Path) -> Path:
    path = folder / "picture.mp4"
    with av.open(str(path), "w") as out:
        stream = out.add_stream("libx264", rate=5)
        stream.width, stream.height, stream.pix_fmt = 64, 48, "yuv420p"
        for number in range(10):
            frame = av.VideoFrame.from_ndarray(np.zeros((48, 64, 3), np.uint8), format="rgb24")
            frame.pts = number
            out.mux(stream.encode(frame))
        out.mux(stream.encode(None))
    return path


def _five_hours(folder: Path) -> Path:
    """An audio file that lasts five hours (two short frames, five hours apart): no need to encode them."""
    path = folder / "day.mka"
    with av.open(str(path), "w") as out:
        stream = out.add_stream("pcm_s16le", rate=SAMPLE_RATE, layout="mono")
        for pts in (0, 5 * 3600 * SAMPLE_RATE):
            frame = av.AudioFrame.from_ndarray(np.zeros((1, 1600), np.int16), format="s16", layout="mono")
            frame.sample_rate, frame.pts = SAMPLE_RATE, pts
            out.mux(stream.encode(frame))
    return path


def _truncated(folder: Path, halves: tuple[Path, Path]) -> Path:
    whole = folder / "whole.mkv"
    with av.open(str(halves[0])) as source, av.open(str(whole), "w") as out:
        copies = {s.index: out.add_stream_from_template(s) for s in source.streams}
        for packet in source.demux():
            if packet.dts is not None:
                packet.stream = copies[packet.stream.index]
                out.mux(packet)
    cut = folder / "cut.mkv"
    cut.write_bytes(whole.read_bytes()[: whole.stat().st_size // 3])
    return cut


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda p, h: _no_audio(p), "no audio track"),
        (lambda p, h: _garbage(p / "notes.mp4"), "not a readable"),
        (lambda p, h: _truncated(p, h), "truncated"),
        (lambda p, h: _five_hours(p), "5:00:00 long"),
        (lambda p, h: p / "missing.mp4", "file not found"),
    ],
)  # fmt: skip
def test_a_bad_file_is_named_and_nothing_is_written(tmp_path, halves, asr, make, message):
    bad = make(tmp_path, halves)
    with pytest.raises(HighlightsError, match=message) as error:
        add_match(tmp_path / "data", AddRequest(MATCH, recordings=(halves[0], bad), asr=asr))
    assert str(bad) in str(error.value)
    assert leftovers(tmp_path / "data") == []


def test_a_language_whisper_cannot_tell_asks_for_it(tmp_path, halves, tiny_whisper_model):
    # the random model's language guesses are all near 1/99: what Whisper says for a language it does not know
    unsure = AsrSettings(model=str(tiny_whisper_model), beam_size=1, max_new_tokens=8)
    with pytest.raises(HighlightsError, match=r"cannot tell the commentary's language.*--language"):
        add_match(tmp_path, AddRequest(MATCH, recordings=halves, asr=unsure))
    with pytest.raises(HighlightsError, match="does not know the language 'klingon'"):
        add_match(tmp_path, AddRequest(MATCH, recordings=halves, asr=AsrSettings(str(tiny_whisper_model), "klingon")))
    assert leftovers(tmp_path) == []


def test_not_english_gets_whisper_translation(tmp_path, halves, tiny_whisper_model):
    spanish = AsrSettings(model=str(tiny_whisper_model), language="es", translate=True, beam_size=1, max_new_tokens=32)
    added = add_match(tmp_path, AddRequest(MATCH, recordings=halves, asr=spanish))
    translated = json.loads((tmp_path / "echoes/whisper_v2_en" / added.game_id / "2_asr.json").read_text())
    assert translated["asr"]["task"] == "translate"
    match = load_match(tmp_path, added.game_id, text=__import__("index.echoes").echoes.TextChoice.BOTH)
    assert {s.source for s in match.half_segments(1)} == {"whisper_v2", "whisper_v2_en"}


def test_subtitles_instead_of_whisper(tmp_path, halves):
    srt = tmp_path / "match.srt"
    cues = [(t, f"<i>Chelsea</i> pass it around, minute {t // 60}") for t in range(0, 2400, 20)]
    srt.write_text(
        "\n".join(
            f"{i}\n00:{t // 60:02d}:{t % 60:02d},000 --> 00:{t // 60:02d}:{t % 60 + 3:02d},000\n{text}\n"
            for i, (t, text) in enumerate(cues, 1)
        ),
        encoding="utf-8",
    )
    added = add_match(tmp_path / "data", AddRequest(MATCH, transcripts=(srt,), second_half=1200.0))
    match = load_match(tmp_path / "data", added.game_id)
    assert match.half_segments(1)[0].text == "Chelsea pass it around, minute 0"
    assert [s.start for s in match.half_segments(2)][:2] == [0.0, 20.0] and match.videos == {}
    assert match.half_segments(2)[0].text.endswith("minute 20") and len(match.half_segments(2)) == 60


@pytest.mark.skipif(os.geteuid() != 0, reason="mounting a small tmpfs needs root")
@pytest.mark.parametrize(
    ("size", "message"),
    [("4k", "not enough free space"), ("16k", r"No space left on device\); nothing was written")],
    ids=["said before any work", "full while writing"],
)
def test_no_space_left(tmp_path, halves, asr, size, message):
    disk = tmp_path / "disk"
    disk.mkdir()
    if subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(disk)], capture_output=True
    ).returncode:
        pytest.skip("cannot mount a tmpfs here")
    try:
        with pytest.raises(HighlightsError, match=message) as error:
            add_match(disk / "data", AddRequest(MATCH, recordings=halves, asr=asr))
        assert str(disk / "data") in str(error.value)
        assert leftovers(disk) == []
    finally:
        subprocess.run(["umount", str(disk)], check=False)


def test_an_interrupted_add_leaves_nothing_and_resumes(tmp_path, speech, tiny_whisper_model):
    """Ctrl-C while the second half is transcribed (a real SIGINT to the CLI), then the same command again."""
    first = write_recording(tmp_path / "one.m4a", place([(1, speech)], 8), video=False)
    second = write_recording(tmp_path / "two.m4a", place([(t, speech) for t in range(1, 90, 8)], 90), video=False)
    data = tmp_path / "data"
    command = [sys.executable, "-m", "ui.cli", "add", str(first), str(second), "--teams", "Chelsea - Burnley"]
    command += ["--date", "2024-10-05", "--data", str(data), "--asr-model", str(tiny_whisper_model), "--language", "en"]
    repo = Path(__file__).resolve().parents[1]
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    process = subprocess.Popen(command, cwd=repo, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        for line in process.stdout:  # the first half is done when its words are reported
            if "one.m4a (half 1):" in line and "words" in line:
                break
        process.send_signal(2)
        output = process.communicate(timeout=120)[0]
    finally:
        process.kill()
    assert process.returncode == 130, output
    assert leftovers(data) == [] and len(list((data / HEARD_CACHE).iterdir())) == 1
    done = subprocess.run(command, cwd=repo, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    assert "one.m4a (half 1): already transcribed" in done.stdout
    assert len(available_games(data)) == 1
