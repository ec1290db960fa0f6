"""The app's parts without a server: intervals, timeline (hits and misses), match search, settings,
asked classes, and clips from a real (generated) video when a table row is picked."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import replace
from pathlib import Path

import gradio as gr
import pytest
from test_video_counter import write_counter_video

from agent import Answer, Assistant
from index.corpus import SAMPLE_ROOT, load_corpus
from index.errors import HighlightsError
from spotting.types import Spot
from tools.query import MomentQuery
from tools.video_io import probe
from ui.app import server_address
from ui.chat import ChatBackend, check_question
from ui.cli import main
from ui.intervals import (
    TABLE_COLUMNS,
    answer_payload,
    csv_text,
    interval_records,
    intervals_table,
    shown_spots,
    write_downloads,
)
from ui.matches import match_choices, search_matches
from ui.settings import EMBEDDED, KEY_ENV, OPENAI, VLLM, llm_settings
from ui.timeline import SPOTTED, TRUTH, timeline_figure
from ui.video import clip_of, reel_of, video_sources

WATFORD = "england_epl/2015-2016/2015-12-26 - 18-00 Chelsea 2 - 2 Watford"
BURNLEY = "england_epl/2014-2015/2015-02-21 - 18-00 Chelsea 1 - 1 Burnley"  # no labels


@pytest.fixture(scope="module")
def corpus():
    return load_corpus(SAMPLE_ROOT)


@pytest.fixture(scope="module")
def watford(corpus):
    return corpus.get(WATFORD)


def spot(label: str, half: int, start: float, confidence: float = 0.8, evidence: str = "") -> Spot:
    return Spot(label, half, start, start + 15, int((start + 7.5) * 1000), confidence, evidence, "test")


def goals_of(match) -> list:
    return [e for e in match.all_events() if e.label == "Goal"]


# -- intervals ------------------------------------------------------------------------------------
def test_threshold_padding_and_order() -> None:
    spots = [spot("Goal", 2, 100, 0.9), spot("Goal", 1, 3, 0.2), spot("Corner", 1, 50, 0.6)]
    shown = shown_spots(spots, threshold=0.5, padding=5)
    assert [(s.half, s.start, s.end) for s in shown] == [(1, 45, 70), (2, 95, 120)]
    assert shown_spots(spots, 0, 5)[0].start == 0  # never before the start of the half
    assert shown_spots(spots, 1.0) == []


def test_records_table_csv_and_downloads(tmp_path: Path, watford) -> None:
    spots = [spot("Goal", 2, 754.0, 0.91, "GOAL! " + "and what a strike " * 20)]
    record = interval_records(spots)[0]
    assert record | {"evidence": ""} == record | {
        "class": "Goal", "half": 2, "start": "12:34", "end": "12:49", "minute": "58'", "start_s": 754.0,
        "end_s": 769.0, "confidence": 0.91, "evidence": "",
    }  # fmt: skip
    table = intervals_table(spots)
    assert list(table.columns) == list(TABLE_COLUMNS)
    assert len(table.loc[0, "evidence"]) <= 92 and table.loc[0, "evidence"].endswith("…”")
    assert list(intervals_table([]).columns) == list(TABLE_COLUMNS)
    rows = list(csv.DictReader(io.StringIO(csv_text(interval_records(spots)))))
    assert rows[0]["start"] == "12:34" and rows[0]["evidence"].startswith("GOAL!")
    payload = answer_payload("A goal occurs at (12:34, 12:49)", spots, watford, "planner")
    csv_path, json_path = write_downloads(payload, tmp_path, "answer")
    assert json.loads(json_path.read_text(encoding="utf-8")) == payload
    assert csv_path.read_text(encoding="utf-8").splitlines()[1].startswith("Goal,2,12:34,12:49,58'")
    assert not list(tmp_path.glob(".*tmp"))  # written atomically, nothing left behind


# -- timeline -------------------------------------------------------------------------------------
def symbols(figure, row: str, label: str) -> list[str]:
    return [
        symbol for trace in figure.data if trace.y and trace.y[0] == row and trace.legendgroup == label
        for symbol in trace.marker.symbol
    ]  # fmt: skip


def test_timeline_shows_hits_misses_and_false_alarms(watford) -> None:
    goals = goals_of(watford)
    hits = [spot("Goal", g.half, g.seconds - 5) for g in goals[:2]]
    false_alarm = spot("Goal", 2, 5.0)
    figure = timeline_figure([*hits, false_alarm], watford, MomentQuery(classes=("Goal",)))
    assert f"2 of {len(goals)} found" in figure.layout.title.text
    assert sorted(symbols(figure, TRUTH, "Goal")) == sorted(["circle"] * 2 + ["circle-open"] * (len(goals) - 2))
    assert sorted(symbols(figure, SPOTTED, "Goal")) == ["diamond", "diamond", "diamond-open"]


def test_timeline_shows_misses_of_an_asked_class_without_intervals(watford) -> None:
    figure = timeline_figure([], watford, MomentQuery(classes=("Goal",), half=2))
    second_half_goals = [g for g in goals_of(watford) if g.half == 2]
    assert set(symbols(figure, TRUTH, "Goal")) == {"circle-open"}
    assert len(symbols(figure, TRUTH, "Goal")) == len(second_half_goals)
    assert f"0 of {len(second_half_goals)} found" in figure.layout.title.text


def test_timeline_without_labels_has_one_row_and_marks_the_selection(corpus) -> None:
    burnley = corpus.get(BURNLEY)
    chosen = spot("Goal", 2, 600)
    figure = timeline_figure([chosen], burnley, MomentQuery(classes=("Goal",)), selected=chosen)
    assert {trace.y[0] for trace in figure.data} == {SPOTTED}
    assert "no ground truth" in figure.layout.title.text
    assert [shape.x0 for shape in figure.layout.shapes] == [607.5]


# -- match picker ---------------------------------------------------------------------------------
def test_search_by_team_date_and_competition(corpus) -> None:
    def found(query: str) -> set[str]:
        return {m.home + "-" + m.away for m in search_matches(corpus.matches, query)}

    assert found("chelsea") == {"Chelsea-Burnley", "Chelsea-Watford"}
    assert found("CHELSEA  2015-12") == {"Chelsea-Watford"}
    assert found("bundesliga") == {"Bayern Munich-Dortmund"}
    assert found("premier league 2014-2015") == {"Chelsea-Burnley", "Burnley-Arsenal"}
    assert found("la liga rayo") == {"Real Madrid-Rayo Vallecano"}
    assert found("nothing like this") == set()
    assert len(found("")) == len(corpus.matches)
    labels = [label for label, _ in match_choices(corpus.matches)]
    assert labels == sorted(labels, reverse=True)  # newest first (labels start with the date)


# -- settings -------------------------------------------------------------------------------------
def test_backend_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(KEY_ENV, raising=False)
    assert llm_settings(EMBEDDED, "", "", "") is None
    vllm = llm_settings(VLLM, "", "", "")
    assert vllm.base_url == "http://127.0.0.1:8000/v1" and vllm.api_key == "EMPTY"
    with pytest.raises(HighlightsError, match="needs an API key"):
        llm_settings(OPENAI, "", "", "")
    with pytest.raises(HighlightsError, match="http://host:port/v1"):
        llm_settings(VLLM, "ftp://example.org", "", "")
    monkeypatch.setenv(KEY_ENV, "sk-from-the-environment")
    from_env = llm_settings(OPENAI, "", "gpt-test", "")
    assert from_env.api_key == "sk-from-the-environment" and from_env.model == "gpt-test"
    typed = llm_settings(OPENAI, "", "", " sk-typed ")
    assert typed.api_key == "sk-typed"
    assert "sk-typed" not in repr(typed)


def test_questions_are_checked() -> None:
    assert check_question("  all the goals ") == "all the goals"
    for bad in ("", "   ", None, "x" * 5000):
        with pytest.raises(HighlightsError):
            check_question(bad)


def test_the_payload_shows_the_query_and_each_team(watford) -> None:
    query = MomentQuery(match=WATFORD, classes=("Goal",), half=2)
    goal = replace(spot("Goal", 2, 600), evidence="And Watford lead!", team="away", player="Ighalo")
    payload = answer_payload("text", [goal], watford, "planner", query=query)
    assert payload["query"] == {"match": WATFORD, "classes": ["Goal"], "half": 2}
    assert payload["intervals"][0]["team"] == "Watford" and payload["intervals"][0]["player"] == "Ighalo"
    assert answer_payload("text", [], None, "planner")["query"] is None


# -- video ----------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def halves(tmp_path_factory: pytest.TempPathFactory) -> dict[int, Path]:
    folder = tmp_path_factory.mktemp("match")
    return {half: write_counter_video(folder / f"{half}_224p.mkv", seconds=8.0) for half in (1, 2)}


def test_video_sources_upload_then_path_then_none(watford, halves, tmp_path: Path) -> None:
    assert video_sources(watford, {1: None, 2: None}, "") == {}
    uploaded = video_sources(watford, {1: str(halves[1]), 2: None}, "ignored")
    assert list(uploaded) == [1] and uploaded[1].path == halves[1]
    from_folder = video_sources(watford, {1: None, 2: None}, str(halves[1].parent))
    assert sorted(from_folder) == [1, 2]
    with pytest.raises(HighlightsError, match="no such video file or folder"):
        video_sources(watford, {}, str(tmp_path / "missing"))


def test_clip_and_reel_play_the_shown_intervals(watford, halves, tmp_path: Path) -> None:
    videos = video_sources(watford, {1: str(halves[1]), 2: str(halves[2])})
    clip = clip_of(Spot("Goal", 2, 2.0, 5.0, 3500, 0.9), videos, tmp_path, WATFORD)
    assert clip.suffix == ".mp4" and probe(clip).duration == pytest.approx(3.0, abs=1.1)
    reel = reel_of(
        [Spot("Goal", 1, 1.0, 2.0, 1500, 0.9), Spot("Goal", 2, 3.0, 4.0, 3500, 0.9)], videos, tmp_path, WATFORD
    )
    assert probe(reel).duration == pytest.approx(2.0, abs=2.1)
    with pytest.raises(HighlightsError, match="no video for half 2"):
        clip_of(Spot("Goal", 2, 2.0, 5.0, 3500, 0.9), {1: videos[1]}, tmp_path, WATFORD)


def test_picking_a_row_describes_it_and_plays_its_clip(corpus, halves, tmp_path: Path) -> None:
    backend = ChatBackend(corpus, Assistant(corpus), files=tmp_path)
    chosen = Spot("Goal", 1, 2.0, 4.0, 3000, 0.75, "and he scores!")
    answer = Answer("A goal occurs at (00:02, 00:04)", [chosen], WATFORD, "test")
    pick = gr.SelectData(None, {"index": [0, 3], "value": "00:04"})
    text, figure, clip = backend.select_interval(pick, [chosen], answer, str(halves[1]), None, "")
    assert "(00:02, 00:04)" in text and "confidence 0.75" in text and "he scores" in text
    assert figure.layout.shapes[0].x0 == 3.0
    assert Path(clip.value["path"]).suffix == ".mp4" and Path(clip.value["path"]).is_file()
    text, _, clip = backend.select_interval(pick, [chosen], answer, None, None, "")
    assert "No video for this half" in text


# -- serving --------------------------------------------------------------------------------------
def test_server_address_flags_then_gradio_variables_then_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("GRADIO_SERVER_NAME", raising=False)
    monkeypatch.delenv("GRADIO_SERVER_PORT", raising=False)
    assert server_address() == ("127.0.0.1", 7860)
    monkeypatch.setenv("GRADIO_SERVER_NAME", "0.0.0.0")
    monkeypatch.setenv("GRADIO_SERVER_PORT", "7999")
    assert server_address() == ("0.0.0.0", 7999)
    assert server_address("localhost", 8080) == ("localhost", 8080)
    monkeypatch.setenv("GRADIO_SERVER_PORT", "seventy")
    with pytest.raises(HighlightsError, match="GRADIO_SERVER_PORT"):
        server_address()


def test_serve_rejects_bad_flags_before_loading_anything(capsys: pytest.CaptureFixture) -> None:
    assert main(["serve", "--port", "70000"]) == 2
    assert "--port: a port is a number from 1 to 65535, not 70000" in capsys.readouterr().err
    assert main(["serve", "--concurrency", "0"]) == 2
    assert "concurrency must be at least 1" in capsys.readouterr().err


def test_old_files_for_users_are_pruned(corpus, tmp_path: Path) -> None:
    backend = ChatBackend(corpus, Assistant(corpus), files=tmp_path)
    old, new = tmp_path / "old.csv", tmp_path / "new.csv"
    old.write_text("x")
    new.write_text("y")
    backend.prune_files(now=old.stat().st_mtime + 3601)
    assert not old.exists()
    new.touch()
    backend.prune_files()
    assert new.exists()


def test_space_entry_builds_the_queued_app(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("HIGHLIGHTS_DATA", raising=False)
    import app  # the Hugging Face Space's app_file

    assert isinstance(app.demo, gr.Blocks)
    endpoints = {fn.api_name for fn in app.demo.fns.values()}
    assert {"ask", "test_connection"} <= endpoints
    assert app.demo.enable_queue


def test_the_sidebar_follows_the_conversation_and_the_conversation_follows_the_sidebar(corpus, tmp_path) -> None:
    backend = ChatBackend(corpus, Assistant(corpus), files=tmp_path)
    burnley = next(m.id for m in corpus.matches if m.title == "Chelsea 1 - 1 Burnley")

    def turn(question: str, shown: str, session):
        *_, (_history, session, answer, picker) = backend.respond(question, [], shown, session, EMBEDDED, "", "", "")
        return session, answer, picker

    session, answer, picker = turn("all the goals in Chelsea 2 - 2 Watford", burnley, None)
    assert answer.match_id == WATFORD and picker.value == WATFORD  # the picker moves to the match talked about
    session, answer, picker = turn("and corners?", WATFORD, session)
    assert answer.query.match == WATFORD and answer.query.classes == ("Corner",)
    assert picker is gr.skip() or getattr(picker, "value", WATFORD) == WATFORD
    session, answer, _ = turn("and corners?", burnley, session)  # the user picked Burnley in the sidebar
    assert answer.query.match == burnley
    session, answer, picker = turn("corners in the Burnley game", WATFORD, session)  # Burnley played twice
    assert "which one?" in answer.text and session.match_id is None and picker.value == ""
