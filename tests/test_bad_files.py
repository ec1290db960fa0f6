"""One bad file never stops everything: a corrupt file of each kind is skipped (or repaired) with a
warning and the other games load; caches that cannot be written are skipped; files get the umask."""

from __future__ import annotations

import json
import logging
import os
import shutil
import stat
from pathlib import Path

import pytest

from index.atomic import atomic_write_text, staging_folder
from index.cache import read_cached
from index.corpus import load_corpus
from index.embedding_models import DEFAULT_MODEL
from index.errors import HighlightsError
from index.index_cache import index_key
from index.index_files import IndexSettings
from index.jsonfile import read_json
from index.retrieval import documents_for
from index.settings import SEARCH_WINDOW_S
from ui.cli import main

BAYERN = "germany_bundesliga/2015-2016/2015-10-04 - 18-30 Bayern Munich 5 - 1 Dortmund"
BURNLEY = "england_epl/2014-2015/2015-04-11 - 19-30 Burnley 0 - 1 Arsenal"
CHELSEA = "england_epl/2014-2015/2015-02-21 - 18-00 Chelsea 1 - 1 Burnley"
WATFORD = "england_epl/2015-2016/2015-12-26 - 18-00 Chelsea 2 - 2 Watford"
MADRID = "spain_laliga/2015-2016/2015-12-20 - 18-00 Real Madrid 1 - 0 Rayo Vallecano"
# A game folder whose name is bytes that are not UTF-8 (Python reads them as lone surrogates).
NOT_UTF8 = os.fsdecode(b"england_epl/2014-2015/2015-02-22 - 18-00 Chelsea 1 - 1 Burnl\xffy")


def _asr(root: Path, game: str, half: int, version: str = "whisper_v2") -> Path:
    return root / "echoes" / version / game / f"{half}_asr.json"


@pytest.fixture(scope="module")
def corrupt(sample_root, tmp_path_factory) -> Path:
    """The sample with one corrupt file of a different kind in each of four games, a fifth game
    untouched and a sixth under a folder name that is not UTF-8."""
    root = tmp_path_factory.mktemp("corrupt") / "data"
    shutil.copytree(sample_root, root)
    _asr(root, BAYERN, 1).write_text('{"segments": ' + "[" * 200_000 + "]" * 200_000 + "}", encoding="utf-8")
    labels = root / "soccernet" / BURNLEY / "Labels-v2.json"
    labels.write_text('{"annotations": [{"gameTime": "1 - 01:00", "label": "Goal", "position": 1e400}]}')
    commentary = json.loads(_asr(root, WATFORD, 1).read_text(encoding="utf-8"))
    first = next(iter(commentary["segments"].values()))
    first[2] = "Watford \ud800 attack"  # written as the escape \ud800: valid JSON, not UTF-8 text
    _asr(root, WATFORD, 1).write_text(json.dumps(commentary), encoding="utf-8")
    data = json.loads(_asr(root, MADRID, 2).read_text(encoding="utf-8"))
    data["segments"]["absurd"] = [1e12, 1e12 + 5, "and the final whistle"]
    _asr(root, MADRID, 2).write_text(json.dumps(data), encoding="utf-8")
    for version in ("whisper_v2", "whisper_v2_en", "whisper_v3"):
        if (root / "echoes" / version / CHELSEA).is_dir():
            shutil.copytree(root / "echoes" / version / CHELSEA, root / "echoes" / version / NOT_UTF8)
    return root


def test_the_surrogate_fixture_is_what_it_claims(corrupt):
    assert "\\ud800" in _asr(corrupt, WATFORD, 1).read_text(encoding="utf-8")
    json.loads(_asr(corrupt, WATFORD, 1).read_text(encoding="utf-8"))  # still valid JSON


def test_each_bad_file_skips_its_game_with_a_reason_and_the_rest_load(corrupt, caplog):
    with caplog.at_level(logging.WARNING):
        corpus = load_corpus(corrupt)
    assert sorted(m.id for m in corpus.matches) == [CHELSEA, WATFORD]
    reasons = dict(corpus.skipped)
    assert "nested too deeply" in reasons[BAYERN]
    assert "1e400" in reasons[BURNLEY] or "inf" in reasons[BURNLEY]
    assert "past any half" in reasons[MADRID]
    (bad_name,) = [game for game in reasons if "Burnl" in game and game != BURNLEY]
    assert "\\udcff" in bad_name and "not UTF-8" in reasons[bad_name]
    bad_name.encode("utf-8")  # printable, cacheable
    assert caplog.text.count("skipping") == 4


def test_an_unpaired_surrogate_is_replaced_and_the_game_caches_and_indexes(corrupt, tmp_path, caplog):
    with caplog.at_level(logging.WARNING):
        first = load_corpus(corrupt, [WATFORD, CHELSEA], cache_dir=tmp_path)
    assert "unpaired UTF-16 surrogate" in caplog.text and not first.skipped
    texts = [s.text for s in first.get(WATFORD).half_segments(1)]
    assert any("\ufffd" in t for t in texts) and all(t.encode("utf-8") for t in texts)
    (entry,) = tmp_path.iterdir()
    assert read_cached(entry)[0] == first.matches  # the cache was written, and reads back
    assert load_corpus(corrupt, [WATFORD, CHELSEA], cache_dir=tmp_path).matches == first.matches
    settings = IndexSettings.make(DEFAULT_MODEL, SEARCH_WINDOW_S, None)
    assert len(index_key(documents_for(first.matches, settings), settings)) == 24


def test_strict_loading_names_the_game_in_the_projects_error(corrupt):
    with pytest.raises(HighlightsError, match="nested too deeply"):
        load_corpus(corrupt, [BAYERN], strict=True)


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        ("[" * 100_000 + "]" * 100_000, "nested too deeply"),
        ('{"a": 1e400}', None),  # JSON reads it as infinity: the readers' number checks refuse it
        ('{"\\udc00key": ["\\ud83d\\ude00", "\\udfff"]}', None),
    ],
)
def test_read_json_survives_hostile_content(tmp_path, content, problem):
    path = tmp_path / "x.json"
    path.write_text(content, encoding="utf-8")
    if problem:
        with pytest.raises(HighlightsError, match=problem):
            read_json(path)
        return
    data = read_json(path)
    json.dumps(data, ensure_ascii=False).encode("utf-8")
    if isinstance(data, dict) and "\ufffdkey" in data:
        assert data["\ufffdkey"] == ["\U0001f600", "\ufffd"]  # a valid pair stays one character


def test_cli_summary_and_chunks_go_on_past_bad_games(corrupt, tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("HIGHLIGHTS_CACHE", str(tmp_path / "cache"))
    assert main(["summary", "--data", str(corrupt)]) == 0
    assert "4 games skipped" in capsys.readouterr().out
    assert main(["data", "chunks", "--data", str(corrupt), "--out", str(tmp_path / "chunks.jsonl")]) == 0
    lines = (tmp_path / "chunks.jsonl").read_text(encoding="utf-8").splitlines()
    assert 150 < len(lines) < 250  # two games of about 95 one-minute chunks, not 10^10


def test_a_cache_folder_that_cannot_be_written_is_a_warning(sample_root, tmp_path, capsys, caplog, monkeypatch):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("HIGHLIGHTS_CACHE", str(blocker / "cache"))
    with caplog.at_level(logging.WARNING):
        assert main(["summary"]) == 0
    assert "5 matches" in capsys.readouterr().out
    assert "could not write the corpus cache" in caplog.text


def test_an_index_cache_that_cannot_be_written_is_a_warning(sample_root, tmp_path, caplog):
    from index.index_cache import load_or_build

    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    corpus = load_corpus(sample_root, [CHELSEA])
    with caplog.at_level(logging.WARNING):
        index = load_or_build(corpus, cache_dir=blocker / "index")
    assert "could not cache the commentary index" in caplog.text
    assert index.search("corner", k=1)


@pytest.fixture
def umask_027():
    previous = os.umask(0o027)
    try:
        yield
    finally:
        os.umask(previous)


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_files_and_folders_get_the_users_umask(tmp_path, sample_root, umask_027):
    atomic_write_text(tmp_path / "a" / "file.json", "{}")
    assert _mode(tmp_path / "a" / "file.json") == 0o640
    with staging_folder(tmp_path / "target") as staging:
        assert _mode(staging) == 0o750
    load_corpus(sample_root, [CHELSEA], cache_dir=tmp_path / "corpus")
    (entry,) = (tmp_path / "corpus").iterdir()
    assert _mode(entry) == 0o640
    assert not list(tmp_path.rglob(".*.tmp"))  # no temporary left behind
