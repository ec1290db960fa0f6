"""Timed commentary lines: subtitles and transcript files read (and refused), Whisper segments cut into
lines, the half-time break found, a whole-match transcript split."""

from __future__ import annotations

import json

import pytest
from faster_whisper.transcribe import Segment, Word

from index.clock import parse_clock
from index.errors import HighlightsError
from index.subtitles import read_transcript
from index.transcribe import check_language, lines_of
from index.transcript import MIN_BREAK_S, Line, Transcript, check_heard, find_break, split_at

SRT = """1
00:00:01,250 --> 00:00:03,500
<i>Goal for</i> Chelsea!
{\\an8}What a strike.

2
00:01:02,000 --> 00:01:04,000
- A yellow card
- for the defender
"""
VTT = """WEBVTT

00:00:01.250 --> 00:00:03.500
<v Commentator>Goal <b>for</b> Chelsea!

01:02.000 --> 01:04.000
A yellow card
"""


def test_srt_and_vtt_lose_their_markup(tmp_path):
    (tmp_path / "a.srt").write_text(SRT, encoding="utf-8")
    (tmp_path / "a.vtt").write_text(VTT, encoding="utf-8")
    srt, vtt = read_transcript(tmp_path / "a.srt"), read_transcript(tmp_path / "a.vtt")
    assert [(x.start, x.end, x.text) for x in srt.lines] == [
        (1.25, 3.5, "Goal for Chelsea! What a strike."),
        (62.0, 64.0, "A yellow card for the defender"),
    ]
    assert vtt.lines[0] == Line(1.25, 3.5, "Goal for Chelsea!") and vtt.lines[1].start == 62.0
    assert srt.task == "subtitles" and srt.source == "a.srt"


def test_whisperx_and_echoes_json(tmp_path):
    whisperx = {"language": "es", "segments": [{"start": 3.0, "end": 4.5, "text": " ¡Gol!", "words": []}]}
    (tmp_path / "x.json").write_text(json.dumps(whisperx), encoding="utf-8")
    (tmp_path / "e.json").write_text(json.dumps({"segments": {"1": [9, 10, "b"], "0": [2, 3, "a"]}}), encoding="utf-8")
    x = read_transcript(tmp_path / "x.json")
    assert x.language == "es" and x.lines == (Line(3.0, 4.5, "¡Gol!"),)
    assert [line.text for line in read_transcript(tmp_path / "e.json").lines] == ["a", "b"]


def test_the_language_is_guessed_from_the_words(tmp_path):
    text = "el balón y la pelota de los jugadores que juegan en el campo con el árbitro " * 3
    (tmp_path / "es.srt").write_text(f"1\n00:00:01,000 --> 00:00:05,000\n{text}\n", encoding="utf-8")
    assert read_transcript(tmp_path / "es.srt").language == "es"
    assert read_transcript(tmp_path / "es.srt", language="ca").language == "ca"


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("a.txt", "hello", "not a transcript"),
        ("a.srt", "this is not\nany subtitle", "not a valid SRT"),
        ("a.vtt", "WEBVTT\n\nno times here\n", "not a valid VTT|no lines"),
        ("a.json", '{"segments": [{"start": "soon", "end": 2, "text": "x"}]}', "non-numeric times"),
        ("a.json", '{"segments": [[-5, 2, "x"]]}', "invalid times"),
        ("a.json", '{"text": "no segments"}', "no 'segments'"),
        ("a.json", '{"segments": []}', "no lines of text"),
        ("a.json", "{broken", "malformed JSON"),
    ],
)
def test_a_bad_transcript_is_named(tmp_path, name, content, message):
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    with pytest.raises(HighlightsError, match=message) as error:
        read_transcript(path)
    assert str(path) in str(error.value)


def test_latin1_subtitles_are_refused_with_a_hint(tmp_path):
    path = tmp_path / "old.vtt"
    path.write_bytes("WEBVTT\n\n00:01.000 --> 00:02.000\nbalón\n".encode("latin-1"))
    with pytest.raises(HighlightsError, match="not UTF-8"):
        read_transcript(path)


def _segment(words: list[tuple[float, float, str]]) -> Segment:
    return Segment(
        id=0, seek=0, start=words[0][0], end=words[-1][1], text="".join(w for _, _, w in words), tokens=[],
        avg_logprob=0.0, compression_ratio=1.0, no_speech_prob=0.0, temperature=0.0,
        words=[Word(start=s, end=e, word=w, probability=1.0) for s, e, w in words],
    )  # fmt: skip


def test_whisper_segments_are_cut_at_pauses_and_sentence_ends():
    words = [(10.0, 10.3, " And"), (10.3, 10.6, " it's"), (10.6, 11.0, " a"), (11.0, 11.5, " goal!")]
    words += [(11.6, 12.0, " Chelsea"), (12.0, 12.4, " lead."), (20.0, 20.5, " Corner"), (20.5, 21.0, " now")]
    segment = _segment(words)
    assert lines_of(segment, 600) == [
        Line(10.0, 11.5, "And it's a goal!"),
        Line(11.6, 12.4, "Chelsea lead."),
        Line(20.0, 21.0, "Corner now"),
    ]
    assert lines_of(_segment([(29.9, 31.5, " late")]), 30.0) == [Line(29.9, 30.0, "late")]  # kept in the recording


def test_whisper_languages():
    assert check_language(" ES ") == "es" and check_language(None) is None
    with pytest.raises(HighlightsError, match=r"does not know the language 'xx'; it knows af, .*, en, es, .*, yue"):
        check_language("xx")


def _lines(times: list[float]) -> tuple[Line, ...]:
    return tuple(Line(t, t + 2, "and a pass forward to the wing") for t in times)


def test_the_break_is_the_longest_pause_in_the_middle():
    first, second = [t * 10.0 for t in range(270)], [3600 + t * 10.0 for t in range(270)]
    lines = _lines([*first, 2800.0, *second])  # a word in the studio, 12 minutes into the break
    assert find_break(lines, 6300.0) == (2802.0, 3600.0)
    pre_match_silence = _lines([400 + t * 10.0 for t in range(500)])
    assert find_break(pre_match_silence, 5400.0) is None  # only the start is quiet: not a break
    assert find_break(_lines([t * 30.0 for t in range(200)]), 6000.0) is None  # no pause of MIN_BREAK_S
    assert MIN_BREAK_S == 180.0


def test_split_times_the_second_half_from_its_start():
    whole = Transcript(_lines([100.0, 2000.0, 3500.0]), "en", "base", duration=5000.0)
    first, second = split_at(whole, 3000.0)
    assert [x.start for x in first.lines] == [100.0, 2000.0] and first.duration == 3000.0
    assert [x.start for x in second.lines] == [500.0] and second.duration == 2000.0


def test_too_few_words_is_no_commentary():
    check_heard(Transcript(_lines([1.0, 20.0]), "en", "base", duration=60.0), "x")
    with pytest.raises(HighlightsError, match=r"x: no commentary heard \(7 words in 45:00, 0:04 of it speech"):
        check_heard(Transcript(_lines([1.0]), "en", "base", duration=2700.0, speech=4.0), "x")


@pytest.mark.parametrize(("text", "seconds"), [("1:02:30", 3750.0), ("45:10", 2710.0), ("90", 90.0), ("2.5", 2.5)])
def test_clock(text, seconds):
    assert parse_clock(text, "--second-half") == seconds


@pytest.mark.parametrize("text", ["", "1:2:3:4", "10:75", "soon", "-5"])
def test_bad_clock(text):
    with pytest.raises(HighlightsError, match="--second-half: not a time"):
        parse_clock(text, "--second-half")
