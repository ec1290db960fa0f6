"""Runs that are complete or say they are not: ``highlights spot`` writes each game with a run
manifest, exits 1 naming the chunks that got no reply, resumes; ``highlights evaluate`` refuses a
folder that is not one complete run. LLM back ends run against the fake endpoint on 127.0.0.1."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from fake_openai import FakeOpenAI, Reply, Request

from evaluation.results_io import INTERVALS_FILE, RESULTS_FILE, game_files
from evaluation.run_manifest import MANIFEST_FILE, Manifest, RunSettings, folder_state
from index.clock import clock
from ui.cli import main

BURNLEY = "england_epl/2014-2015/2015-04-11 - 19-30 Burnley 0 - 1 Arsenal"
WATFORD = "england_epl/2015-2016/2015-12-26 - 18-00 Chelsea 2 - 2 Watford"
CHUNK_RE = re.compile(r"Commentary from (\d+):(\d\d) to")
FAST = ["--option", "backoff_s=0.001", "--option", "max_retries=1", "--option", "progress=false"]


def corner(request: Request) -> Reply:
    minutes, seconds = CHUNK_RE.search(request.body["messages"][-1]["content"]).groups()
    start = int(minutes) * 60 + int(seconds)
    return Reply(content=json.dumps({"actions": [{"label": "Corner", "start": clock(start + 10),
                                                  "end": clock(start + 20)}]}))  # fmt: skip


@pytest.fixture
def server():
    with FakeOpenAI(responder=corner) as fake:
        yield fake


@pytest.fixture(autouse=True)
def own_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("HIGHLIGHTS_CACHE", str(tmp_path / "cache"))
    monkeypatch.delenv("OPENAI_BASE_URL", raising=False)
    monkeypatch.delenv("HIGHLIGHTS_DATA", raising=False)


def vllm(server: FakeOpenAI, out: Path, *extra: str) -> int:
    return main(["spot", "--backend", "vllm", "--base-url", server.base_url, "--text", "original", *FAST, *extra,
                 str(out)])  # fmt: skip


def test_a_complete_run_resumes_for_free_and_evaluates(tmp_path, capsys):
    out = tmp_path / "pred"
    assert main(["spot", "--backend", "keywords", str(out)]) == 0
    manifest = Manifest.load(out)
    assert manifest is not None and len(manifest.games) == 5
    assert manifest.runs[manifest.current]["backend"] == "keywords"
    assert folder_state(out).verdict == "complete"
    stamp = (out / BURNLEY / RESULTS_FILE).stat().st_mtime_ns
    assert main(["spot", "--backend", "keywords", str(out)]) == 0
    assert "0 spots in 0 games written, 5 already done" in capsys.readouterr().err
    assert (out / BURNLEY / RESULTS_FILE).stat().st_mtime_ns == stamp
    assert main(["spot", "--backend", "keywords", "--restart", str(out)]) == 0
    assert " in 5 games written" in capsys.readouterr().err
    assert main(["evaluate", str(out), "--json", str(tmp_path / "scores.json")]) == 0
    assert "run: complete" in capsys.readouterr().out
    run = json.loads((tmp_path / "scores.json").read_text())["run"]
    assert run["verdict"] == "complete" and len(run["games_by_run"][run["current"]]) == 4  # the labelled games


def test_an_endpoint_failing_one_chunk_exits_1_names_it_and_a_rerun_finishes(server, tmp_path, capsys):
    out = tmp_path / "pred"

    def broken_chunk(request: Request) -> Reply:
        asked = request.body["messages"][-1]["content"]
        if "Burnley" in json.dumps(request.body) and "Commentary from 05:00 to" in asked:
            return Reply(status=500)
        return corner(request)

    server.responder = broken_chunk
    assert vllm(server, out, "--match", "Burnley 0 - 1", "--match", "Watford") == 1
    err = capsys.readouterr().err
    assert " in 1 games written" in err and "1 failed" in err and f"failed: {BURNLEY}: 2 chunks" in err
    assert "(half 1 at 300-360 s, half 2 at 300-360 s)" in err and "run the same command again" in err
    assert not (out / BURNLEY).exists() and (out / WATFORD / RESULTS_FILE).is_file()
    assert main(["evaluate", str(out)]) == 2
    assert "not one complete run (incomplete)" in capsys.readouterr().err
    assert main(["evaluate", str(out), "--allow-incomplete"]) == 0
    assert "WARNING: the predictions are not one complete run" in capsys.readouterr().out

    server.responder = corner
    asked = len(server.chat_requests())
    assert vllm(server, out, "--match", "Burnley 0 - 1", "--match", "Watford") == 0
    err = capsys.readouterr().err
    assert " in 1 games written" in err and "1 already done" in err
    assert len(server.chat_requests()) - asked == 2  # the two chunks: every other reply is cached
    assert folder_state(out).verdict == "complete"


def test_an_endpoint_answering_429_to_everything_stops_with_nothing_written_as_complete(server, tmp_path, capsys):
    server.responder = lambda request: Reply(status=429)
    out = tmp_path / "pred"
    assert vllm(server, out, "--option", "max_failures_in_a_row=4") == 2
    assert "4 chunks in a row got no reply" in capsys.readouterr().err
    assert not list(out.glob(f"*/*/*/{RESULTS_FILE}"))
    state = folder_state(out)
    assert state.verdict == "incomplete" and len(state.failed) == 1 and len(state.missing) == 4


def test_non_json_200_replies_are_counted_failures_not_a_crash(server, tmp_path, capsys):
    server.responder = lambda request: Reply(raw=b"<html>maintenance</html>", content_type="text/html")
    out = tmp_path / "pred"
    assert vllm(server, out, "--match", "Watford", "--option", "max_failures_in_a_row=1000") == 1
    err = capsys.readouterr().err
    assert "of them malformed" in err and f"failed: {WATFORD}" in err
    assert not (out / WATFORD).exists()


def test_a_mixed_or_edited_folder_is_refused_and_evaluate_says_which_games_are_whose(tmp_path, capsys):
    out = tmp_path / "pred"
    assert main(["spot", "--backend", "keywords", str(out)]) == 0
    assert main(["spot", "--backend", "embedded", "--match", "Burnley 0 - 1", str(out)]) == 0
    assert "4 games in this folder were written by an earlier run" in capsys.readouterr().err
    assert main(["evaluate", str(out)]) == 2
    err = capsys.readouterr().err
    assert "(mixed)" in err and "1 games by this run (embedded)" in err
    assert "3 games by an earlier run (keywords)" in err
    assert main(["evaluate", str(out), "--allow-incomplete", "--json", str(tmp_path / "scores.json")]) == 0
    run = json.loads((tmp_path / "scores.json").read_text())["run"]
    assert run["games_by_run"][run["current"]] == [BURNLEY] and run["verdict"] == "mixed"

    assert main(["spot", "--backend", "embedded", str(out)]) == 0  # the run finished: one run again
    assert folder_state(out).verdict == "complete"
    (out / WATFORD / RESULTS_FILE).write_text('{"UrlLocal": "x", "predictions": []}')
    assert main(["evaluate", str(out)]) == 2
    assert "whose files no run wrote" in capsys.readouterr().err
    assert main(["spot", "--backend", "embedded", str(out)]) == 0  # a rerun rewrites the edited game
    assert folder_state(out).verdict == "complete"


def test_a_folder_without_manifest_is_scored_with_a_warning(tmp_path, capsys):
    out = tmp_path / "pred"
    assert main(["spot", "--backend", "keywords", str(out)]) == 0
    (out / MANIFEST_FILE).unlink()
    assert main(["evaluate", str(out)]) == 0
    assert "no run_manifest.json" in capsys.readouterr().out


def test_each_step_of_a_game_write_leaves_files_the_manifest_can_name(tmp_path, monkeypatch):
    """A kill at any point of the three steps: the files on disk are the old ones, the new ones, or
    (killed between the two files) one of each, and folder_state tells them apart."""
    import evaluation.run_manifest as run_manifest

    out = tmp_path / "pred"
    manifest = Manifest(out)
    old_run = manifest.start(RunSettings("keywords"), [BURNLEY])
    manifest.write_game(BURNLEY, game_files(BURNLEY, []), 0)
    manifest.start(RunSettings("embedded"), [BURNLEY])
    from spotting.types import Spot

    new_files = game_files(BURNLEY, [Spot("Goal", 1, 10.0, 25.0, 17000, 0.9)])

    def killed_after(count: int):
        def write(folder, game_id, files):
            for name in list(files)[:count]:
                (folder / game_id / name).write_bytes(files[name])
            raise KeyboardInterrupt

        return write

    expected = {0: ("by_run", old_run), 1: ("changed", None), 2: ("by_run", manifest.current)}
    for count, (kind, run) in expected.items():
        monkeypatch.setattr(run_manifest, "write_game", killed_after(count))
        again = Manifest.load(out)
        with pytest.raises(KeyboardInterrupt):
            again.write_game(BURNLEY, new_files, 1)
        state = folder_state(out)
        if kind == "by_run":
            assert state.by_run == {run: [BURNLEY]}, count
        else:
            assert state.changed == [BURNLEY], count
        if count == 1:  # put the old pair back for the next step
            (out / BURNLEY / INTERVALS_FILE).write_bytes(game_files(BURNLEY, [])[INTERVALS_FILE])


@pytest.mark.parametrize(
    "content", ["[]", '{"format": 1, "games": []}', '{"format": 1, "runs": {}, "games": {"g": 1}}']
)
def test_a_broken_manifest_is_a_clear_error(tmp_path, content):
    from index.errors import HighlightsError

    (tmp_path / MANIFEST_FILE).write_text(content)
    with pytest.raises(HighlightsError, match="not a run manifest"):
        Manifest.load(tmp_path)
