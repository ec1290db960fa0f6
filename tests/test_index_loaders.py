"""Loaders of the corpus: real files load, bad files give an error that names file and problem."""

from __future__ import annotations

import json
import logging
import shutil
from pathlib import Path

import pytest

from index.classes import LABELS
from index.corpus import load_corpus, load_match
from index.echoes import SECOND_TRANSCRIPTION, TextChoice, load_asr, one_transcription
from index.errors import HighlightsError
from index.labels import load_labels

BURNLEY_ARSENAL = "england_epl/2014-2015/2015-04-11 - 19-30 Burnley 0 - 1 Arsenal"
RAYO = "spain_laliga/2015-2016/2015-12-20 - 18-00 Real Madrid 1 - 0 Rayo Vallecano"


def write(path: Path, content: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


def annotation(**overrides) -> dict:
    item = {"gameTime": "1 - 13:10", "label": "Goal", "position": "790123", "team": "home", "visibility": "visible"}
    item.update(overrides)
    return item


def labels_file(tmp_path: Path, *items: dict, **extra) -> Path:
    return write(tmp_path / "Labels-v2.json", json.dumps({"annotations": list(items), **extra}))


# --- Labels-v2.json ---------------------------------------------------------------------------


def test_real_labels_load_sorted_per_half(sample_root):
    events = load_labels(sample_root / "soccernet" / BURNLEY_ARSENAL / "Labels-v2.json")
    assert set(events) == {1, 2}
    for half, half_events in events.items():
        assert half_events, f"half {half} has events"
        positions = [e.position_ms for e in half_events]
        assert positions == sorted(positions)
        assert all(e.half == half and e.label in LABELS for e in half_events)


def test_position_wins_over_game_time_and_extra_keys_are_ignored(tmp_path, caplog):
    path = labels_file(tmp_path, annotation(gameTime="2 - 10:00", position="605000", frame=123), note="extra key")
    with caplog.at_level(logging.WARNING):
        events = load_labels(path)
    (event,) = events[2]
    assert event.position_ms == 605000
    assert "disagree" in caplog.text


def test_game_time_used_when_position_is_absent(tmp_path):
    item = annotation()
    del item["position"]
    assert load_labels(labels_file(tmp_path, item))[1][0].position_ms == 790000


@pytest.mark.parametrize(
    ("item", "problem"),
    [
        (annotation(label="Handball"), "unknown action label 'Handball'"),
        (annotation(position="-5"), "outside a half"),
        (annotation(position=str(10**9)), "outside a half"),
        (annotation(position="soon"), "not a number"),
        (annotation(gameTime="3 - 01:00"), "gameTime"),
        ({"label": "Goal"}, "lacks gameTime"),
        ("Goal at 13:10", "not an object"),
    ],
)
def test_bad_annotations_name_file_and_problem(tmp_path, item, problem):
    path = labels_file(tmp_path, annotation(), item)
    with pytest.raises(HighlightsError) as error:
        load_labels(path)
    assert problem in str(error.value)
    assert str(path) in str(error.value)
    assert "annotation 1" in str(error.value)


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        ('{"annotations": [', "malformed JSON"),
        ("", "empty"),
        (b'{"annotations": [], "x": "\xff\xfe"}', "not UTF-8"),
        ('{"events": []}', "no 'annotations' list"),
    ],
)
def test_bad_label_files(tmp_path, content, problem):
    path = write(tmp_path / "Labels-v2.json", content)
    with pytest.raises(HighlightsError, match=problem) as error:
        load_labels(path)
    assert error.value.where == str(path)


def test_missing_file_is_named(tmp_path):
    with pytest.raises(HighlightsError, match="does not exist") as error:
        load_labels(tmp_path / "nope" / "Labels-v2.json")
    assert "nope" in str(error.value)


# --- Echoes ASR -------------------------------------------------------------------------------


def test_segments_ordered_by_start_not_by_key(tmp_path):
    path = write(
        tmp_path / "1_asr.json",
        json.dumps(
            {
                "segments": {
                    "10": [50.0, 55.0, "third"],
                    "2": [10.0, 12.0, "first"],
                    "four hundred ninety seven": [30.0, 31.0, "second"],
                    "3": [40.0, 41.0, "   "],
                }
            }
        ),
    )
    segments = load_asr(path, half=1, source="whisper_v2")
    assert [s.text for s in segments] == ["first", "second", "third"]


@pytest.mark.parametrize(
    ("segments", "problem"),
    [
        ({"0": [1.0, "text"]}, "not \\[start, end, text\\]"),
        ({"0": ["one", 2.0, "text"]}, "non-numeric times"),
        ({"0": [-4.0, 2.0, "text"]}, "invalid times"),
        ([[0, 1, "x"]], "no 'segments' object"),
    ],
)
def test_bad_asr_rows(tmp_path, segments, problem):
    path = write(tmp_path / "2_asr.json", json.dumps({"segments": segments}))
    with pytest.raises(HighlightsError, match=problem) as error:
        load_asr(path, half=2, source="whisper_v2")
    assert str(path) in str(error.value)


def test_truncated_asr_file(tmp_path, sample_root):
    real = sample_root / "echoes" / "whisper_v2" / BURNLEY_ARSENAL / "1_asr.json"
    path = write(tmp_path / "1_asr.json", real.read_bytes()[:500])
    with pytest.raises(HighlightsError, match="malformed JSON"):
        load_asr(path, 1, "whisper_v2")


# --- Matches and corpus -------------------------------------------------------------------------


def copy_game(sample_root: Path, root: Path, game: str) -> None:
    for part in ("echoes/whisper_v2", "echoes/whisper_v2_en", "echoes/whisper_v3", "soccernet"):
        source = sample_root / part / game
        if source.is_dir():
            shutil.copytree(source, root / part / game)


def test_english_and_both_text_choices(sample_root):
    original = load_match(sample_root, BURNLEY_ARSENAL, text=TextChoice.ORIGINAL)
    english = load_match(sample_root, BURNLEY_ARSENAL, text=TextChoice.ENGLISH)
    both = load_match(sample_root, BURNLEY_ARSENAL, text=TextChoice.BOTH)
    assert original.languages == {1: "es", 2: "es"}
    assert {s.source for s in original.half_segments(1)} == {"whisper_v2"}
    assert {s.source for s in english.half_segments(1)} == {"whisper_v2_en"}
    assert {s.language for s in english.half_segments(1)} == {"en"}
    assert {s.source for s in both.half_segments(1)} == {"whisper_v2", "whisper_v2_en"}
    assert len(both.half_segments(1)) == len(original.half_segments(1)) + len(english.half_segments(1))


def test_all_adds_the_second_transcription_and_readers_see_one(sample_root):
    both = load_match(sample_root, BURNLEY_ARSENAL, text=TextChoice.BOTH)
    every = load_match(sample_root, BURNLEY_ARSENAL, text=TextChoice.ALL)
    second = [s for s in every.half_segments(1) if s.source == SECOND_TRANSCRIPTION]
    assert second and len(every.half_segments(1)) == len(both.half_segments(1)) + len(second)
    assert one_transcription(every.half_segments(1)) == list(both.half_segments(1))
    assert one_transcription(second) == second  # all there is: kept
    only_v3 = load_match(sample_root, BURNLEY_ARSENAL, version=SECOND_TRANSCRIPTION, text=TextChoice.ALL)
    assert {s.source for s in only_v3.half_segments(1)} == {SECOND_TRANSCRIPTION}  # not loaded twice


def test_labels_score_wins_over_a_wrong_folder_name(sample_root, caplog):
    with caplog.at_level(logging.INFO):  # logged once, not a warning: the match card shows the note
        match = load_match(sample_root, RAYO)
    assert (match.home_score, match.away_score) == (10, 2)
    assert "folder name says 1-0" in match.score_note
    assert "labelled goals say 10-2" in caplog.text


def test_duplicate_goal_annotations_count_once(tmp_path, sample_root):
    copy_game(sample_root, tmp_path, BURNLEY_ARSENAL)
    path = tmp_path / "soccernet" / BURNLEY_ARSENAL / "Labels-v2.json"
    data = json.loads(path.read_text())
    goal = next(a for a in data["annotations"] if a["label"] == "Goal")
    data["annotations"].append(dict(goal, position=str(int(goal["position"]) + 1000)))
    path.write_text(json.dumps(data))
    match = load_match(tmp_path, BURNLEY_ARSENAL)
    assert (match.home_score, match.away_score) == (0, 1)
    assert not match.score_note


def test_missing_half_is_an_error_and_corpus_skips_the_game(tmp_path, sample_root):
    copy_game(sample_root, tmp_path, BURNLEY_ARSENAL)
    copy_game(sample_root, tmp_path, RAYO)
    for version in ("whisper_v2", "whisper_v2_en"):
        (tmp_path / "echoes" / version / BURNLEY_ARSENAL / "2_asr.json").unlink()
    with pytest.raises(HighlightsError, match="half 2 has no commentary"):
        load_match(tmp_path, BURNLEY_ARSENAL)
    corpus = load_corpus(tmp_path)
    assert [m.id for m in corpus.matches] == [RAYO]
    assert [game for game, _ in corpus.skipped] == [BURNLEY_ARSENAL]
    with pytest.raises(HighlightsError, match="half 2"):
        load_corpus(tmp_path, strict=True)


def test_empty_commentary_file_is_skipped_with_its_name(tmp_path, sample_root):
    copy_game(sample_root, tmp_path, BURNLEY_ARSENAL)
    (tmp_path / "echoes" / "whisper_v2" / BURNLEY_ARSENAL / "1_asr.json").write_bytes(b"")
    corpus = load_corpus(tmp_path)
    assert not corpus.matches
    ((game, reason),) = corpus.skipped
    assert game == BURNLEY_ARSENAL and "1_asr.json: file is empty" in reason


def test_half_without_speech_loads_with_no_segments(sample_root):
    match = load_match(sample_root, RAYO)
    assert match.half_segments(1) == () and match.languages[1] == ""
    assert match.has_labels


def test_unparseable_folder_name_is_skipped(tmp_path, sample_root):
    bad = "england_epl/2014-2015/Chelsea against Burnley"
    copy_game(sample_root, tmp_path, BURNLEY_ARSENAL)
    shutil.copytree(tmp_path / "echoes" / "whisper_v2" / BURNLEY_ARSENAL, tmp_path / "echoes" / "whisper_v2" / bad)
    corpus = load_corpus(tmp_path)
    assert [m.id for m in corpus.matches] == [BURNLEY_ARSENAL]
    assert corpus.skipped[0][0] == bad and "cannot parse" in corpus.skipped[0][1]


def test_unknown_game_id_is_an_error(sample_root):
    with pytest.raises(HighlightsError, match="no commentary"):
        load_match(sample_root, "england_epl/2014-2015/2015-01-01 - 15-00 Nowhere 0 - 0 Elsewhere")
