"""``highlights add`` on the command line, then the match asked about like any other (``ask``), and the
corpus learning a match at run time (``Corpus.add``) with the tools that keep things per match."""

from __future__ import annotations

import json
import threading

import pytest
from recordings import script_subtitles

from agent import Assistant
from index.corpus import load_corpus, load_match
from index.errors import HighlightsError
from spotting.keywords import KeywordSpotter
from tools.query import MomentQuery
from tools.toolbox import Toolbox
from ui.cli import main

WITHIN_S = 30.0


def test_add_subtitles_then_ask_for_the_goals(tmp_path, capsys):
    files, events = script_subtitles(tmp_path)
    data = tmp_path / "data"
    args = ["add", "--transcript", *map(str, files), "--teams", "Arsenal - Chelsea", "--date", "2024-10-05 17:30"]
    assert main([*args, "--score", "2-1", "--competition", "Premier League", "--data", str(data)]) == 0
    out = capsys.readouterr().out
    game = "england_epl/2024-2025/2024-10-05 - 17-30 Arsenal 2 - 1 Chelsea"
    assert f"Added Arsenal 2 - 1 Chelsea as {game}" in out and f"--match '{game}'" in out
    assert main(["ask", "all the goals", "--match", "Arsenal Chelsea", "--data", str(data), "--json"]) == 0
    answer = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    goals = [(h, t) for h, t, label in events if label == "Goal"]
    found = [g for g in goals if any(i["half"] == g[0] and i["start"] - WITHIN_S <= g[1] <= i["end"] + WITHIN_S
                                     for i in answer["intervals"])]  # fmt: skip
    assert answer["match_id"] == game and len(found) == len(goals), answer["text"]
    assert main([*args, "--data", str(data)]) == 2  # the same match again
    assert "already added" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--teams", "Chelsea"], 'write the teams as "Home - Away"'),
        (["--teams", "Chelsea - chelsea"], "a team cannot play itself"),
        (["--teams", "A/B - C"], "cannot be part of a match folder"),
        (["--teams", "A - B", "--date", "yesterday"], "write the date as YYYY-MM-DD"),
        (["--teams", "A - B", "--score", "two-one"], "write the score as"),
        (["--teams", "A - B", "--second-half", "soon"], "--second-half: not a time"),
        (["--teams", "A - B"], "give the match's recording"),
    ],
)
def test_bad_arguments_are_said(tmp_path, capsys, extra, message):
    assert main(["add", *extra, "--data", str(tmp_path / "data")]) == 2
    assert message in capsys.readouterr().err


def test_where_the_match_goes(tmp_path, capsys, sample_root, monkeypatch):
    monkeypatch.delenv("HIGHLIGHTS_DATA", raising=False)
    srt = tmp_path / "a.srt"
    srt.write_text("1\n00:00:01,000 --> 00:00:02,000\nhello\n", encoding="utf-8")
    for data, message in [
        ([], "say which data folder"),
        (["--data", str(sample_root)], "the shipped sample is read-only"),
        (["--data", str(srt)], "not a folder"),
        (["--data", str(tmp_path)], "this folder holds other things"),
    ]:
        assert main(["add", "--transcript", str(srt), "--teams", "A - B", *data]) == 2
        assert message in capsys.readouterr().err


def test_the_corpus_learns_a_match_at_run_time(tmp_path, sample_root):
    files, _ = script_subtitles(tmp_path)
    assert main(["add", "--transcript", *map(str, files), "--teams", "Arsenal - Chelsea", "--date", "2024-10-05",
                 "--data", str(tmp_path / "data")]) == 0  # fmt: skip
    game = load_corpus(tmp_path / "data").matches[0].id
    corpus = load_corpus(sample_root)
    toolbox = Toolbox(corpus, KeywordSpotter(), commentary_index=lambda: object())
    assistant = Assistant(corpus, spotter=KeywordSpotter())
    with pytest.raises(HighlightsError):
        toolbox.resolve_match(game)
    toolbox.commentary_index()
    stop, seen = threading.Event(), []

    def read() -> None:  # readers never see a list half-changed
        while not stop.is_set():
            seen.append(len([m.id for m in corpus.matches]))

    reader = threading.Thread(target=read)
    reader.start()
    new = load_match(tmp_path / "data", game)
    corpus.add(new)
    stop.set()
    reader.join()
    assert set(seen) <= {5, 6} and len(corpus.matches) == 6
    assert toolbox.resolve_match("Arsenal Chelsea").id == game and toolbox._index is None
    goals = MomentQuery(match=game, classes=("goals",))
    spots = toolbox.spot_actions(goals)
    assert spots and all(s.label == "Goal" for s in spots)
    corpus.add(new.__class__(**{**{f: getattr(new, f) for f in new.__slots__}, "segments": {1: (), 2: ()}}))
    assert toolbox.spot_actions(goals) == []  # the replaced match's spots were forgotten
    session = assistant.new_session()
    session.match_id = game
    assert assistant.ask("all the goals", session).match_id == game
