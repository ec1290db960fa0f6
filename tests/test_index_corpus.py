"""Match names, data folders, splits and chunks."""

from __future__ import annotations

import datetime as dt

import pytest

from index.chunks import chunk_half, chunk_matches
from index.corpus import available_games, load_corpus, load_match, resolve_data_root, split_games
from index.errors import HighlightsError
from index.names import parse_game_id

BURNLEY_ARSENAL = "england_epl/2014-2015/2015-04-11 - 19-30 Burnley 0 - 1 Arsenal"


def test_parse_game_id():
    name = parse_game_id("england_epl/2014-2015/2015-02-21 - 18-00 Chelsea 1 - 1 Burnley")
    assert (name.league, name.season, name.home, name.away) == ("england_epl", "2014-2015", "Chelsea", "Burnley")
    assert name.date == dt.date(2015, 2, 21) and name.kickoff == dt.time(18, 0)
    assert (name.home_score, name.away_score) == (1, 1)


def test_team_names_with_digits():
    name = parse_game_id("germany_bundesliga/2015-2016/2015-09-26 - 16-30 1. FSV Mainz 05 0 - 3 Bayern Munich")
    assert (name.home, name.home_score, name.away_score, name.away) == ("1. FSV Mainz 05", 0, 3, "Bayern Munich")


@pytest.mark.parametrize(
    "game_id",
    [
        "Chelsea 1 - 1 Burnley",
        "england_epl/2014-2015/Chelsea 1 - 1 Burnley",
        "england_epl/2014-2015/2015-02-30 - 18-00 Chelsea 1 - 1 Burnley",
        "england_epl/2014-2015/2015-02-21 - 18-00 Chelsea 1 Burnley",
    ],
)
def test_unparseable_names(game_id):
    with pytest.raises(HighlightsError) as error:
        parse_game_id(game_id)
    assert game_id in str(error.value)


def test_every_real_folder_name_parses(shared_data):
    games = available_games(shared_data, "whisper_v2")
    assert len(games) == 550
    for game in games:
        name = parse_game_id(game)
        assert name.home and name.away and name.home != name.away


def test_data_root_resolution(tmp_path, monkeypatch, sample_root):
    monkeypatch.delenv("HIGHLIGHTS_DATA", raising=False)
    assert resolve_data_root() == sample_root
    (tmp_path / "echoes").mkdir()
    monkeypatch.setenv("HIGHLIGHTS_DATA", str(tmp_path))
    assert resolve_data_root() == tmp_path
    assert resolve_data_root(sample_root) == sample_root
    with pytest.raises(HighlightsError, match="does not exist"):
        resolve_data_root(tmp_path / "missing")
    with pytest.raises(HighlightsError, match="neither echoes/ nor soccernet/"):
        resolve_data_root(tmp_path / "echoes")


def test_splits(sample_root, shared_data):
    assert len(split_games(shared_data, "valid")) == 100
    assert split_games(sample_root, "test") == split_games(shared_data, "test")
    with pytest.raises(HighlightsError, match="unknown split"):
        split_games(sample_root, "validation")


def test_chunks_hold_commentary_and_events(sample_root):
    match = load_match(sample_root, BURNLEY_ARSENAL)
    chunks = chunk_half(match, 1)
    assert [c.start for c in chunks[:3]] == [0.0, 60.0, 120.0]
    assert sum(len(c.events) for c in chunks) == len(match.half_events(1))
    assert sum(len(c.segments) for c in chunks) == len(match.half_segments(1))
    for chunk in chunks:
        assert all(chunk.start <= e.seconds < chunk.end or chunk is chunks[-1] for e in chunk.events)
        assert all(chunk.start <= s.start < chunk.end or chunk is chunks[-1] for s in chunk.segments)
    assert len(chunk_half(match, 1, 30.0)) in (2 * len(chunks) - 1, 2 * len(chunks))


def test_chunk_counts_on_the_valid_split(shared_data):
    corpus = load_corpus(shared_data, split_games(shared_data, "valid"))
    chunks = list(chunk_matches(corpus.matches))
    assert sum(len(c.events) for c in chunks) == 21447
    assert len(chunks) == 9201


def test_cli_summary_and_chunks(tmp_path, sample_root, capsys):
    from ui.cli import main

    assert main(["summary"]) == 0
    assert "Chelsea" in capsys.readouterr().out
    out = tmp_path / "chunks.jsonl"
    assert main(["data", "chunks", "--split", "valid", "--out", str(out)]) == 0
    lines = out.read_text().splitlines()
    assert lines and '"events"' in lines[0]
    assert main(["data", "chunks", "--split", "test"]) == 2
    assert "none of the test games" in capsys.readouterr().err
