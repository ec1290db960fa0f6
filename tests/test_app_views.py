"""The app's parts without a server: intervals, timeline (hits and misses), match search, settings,
asked classes, and clips from a real (generated) video when a table row is picked."""

from __future__ import annotations

import asyncio
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
from ui.access import EMBEDDED, EndpointPolicy
from ui.app import server_address
from ui.assistants import Assistants
from ui.chat import Chat, check_question
from ui.cli import main
from ui.files import ServedFiles, new_folder, sweep_old_folders
from ui.intervals import (
    TABLE_COLUMNS,
    answer_payload,
    csv_text,
    interval_records,
    intervals_table,
    shown_spots,
    write_downloads,
)
from ui.limits import PRIVATE, PUBLIC
from ui.matches import match_card, match_choices, search_matches
from ui.replies import chat_markdown, reply_text
from ui.timeline import SPOTTED, TRUTH, timeline_figure
from ui.video import clip_of, reel_of, video_sources
from ui.views import NO_MOMENT, Views

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


# -- chat text -----------------------------------------------------------------------------------
def test_chat_markdown_ends_each_list_before_the_next_heading() -> None:
    text = "3 goals:\nFirst half:\n  1. A goal occurs at (31:40, 31:54)\n  2. b\nSecond half:\n  3. c\n(Found.)"
    drawn = chat_markdown(text)
    assert "2. b\n\nSecond half:\n\n3. c\n\n(Found.)" in drawn
    assert drawn.startswith("3 goals:\nFirst half:\n\n1. A goal")


def test_a_reel_is_shown_as_a_player_not_a_server_path(tmp_path: Path) -> None:
    reel = tmp_path / "2015-12-26_-_18-00_Chelsea_2_-_2_Watford_goal_reel-1a2b3c4d.mp4"
    answer = Answer(f"A highlight reel of the goals: {reel} (00:42, 3 clips):\n1. Goal", [], WATFORD, "planner")
    answer.video = reel
    assert str(reel) not in reply_text(answer) and "the reel below" in reply_text(answer)
    answer.notice = "the endpoint failed; answered offline"
    assert reply_text(answer).endswith("*the endpoint failed; answered offline*")


def test_the_match_card_says_the_score_note_once(corpus) -> None:
    rayo = next(m for m in corpus.matches if "Rayo" in m.title)
    assert "labelled goals say 10-2" in match_card(rayo)
    assert "No match picked" in match_card(None)


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
    assert video_sources(watford, {1: None, 2: None}, "", PRIVATE) == {}
    uploaded = video_sources(watford, {1: str(halves[1]), 2: None}, "ignored", PRIVATE)
    assert list(uploaded) == [1] and uploaded[1].path == halves[1]
    from_folder = video_sources(watford, {1: None, 2: None}, str(halves[1].parent), PRIVATE)
    assert sorted(from_folder) == [1, 2]
    with pytest.raises(HighlightsError, match="no such video file or folder"):
        video_sources(watford, {}, str(tmp_path / "missing"), PRIVATE)


def test_a_public_server_takes_uploads_only_and_says_nothing_of_its_disk(watford, halves) -> None:
    for path in ("/etc/shadow", "/nonexistent", str(halves[1].parent), str(halves[1])):
        with pytest.raises(HighlightsError, match=r"^video: this server takes uploads only") as refused:
            video_sources(watford, {1: None, 2: None}, path, PUBLIC)
        assert path not in str(refused.value)  # the same words whether it exists or not
    assert list(video_sources(watford, {1: str(halves[1]), 2: None}, "", PUBLIC)) == [1]


def test_a_public_server_refuses_an_upload_longer_than_a_match(watford, halves) -> None:
    short = replace(PUBLIC, add=replace(PUBLIC.add, max_minutes=0.05))  # 3 s; the videos are 8 s long
    with pytest.raises(HighlightsError, match="this server takes up to 0:03"):
        video_sources(watford, {1: str(halves[1]), 2: None}, "", short)


@pytest.fixture
def files(tmp_path: Path) -> ServedFiles:
    return ServedFiles(PRIVATE.files_age_s, PRIVATE.files_total_mb, tmp_path / "served")


def test_clip_and_reel_play_the_shown_intervals(watford, halves, files: ServedFiles) -> None:
    videos = video_sources(watford, {1: str(halves[1]), 2: str(halves[2])}, "", PRIVATE)
    chosen = Spot("Goal", 2, 2.0, 5.0, 3500, 0.9)
    clip = clip_of(chosen, videos, files, WATFORD)
    assert clip.suffix == ".mp4" and probe(clip).duration == pytest.approx(3.0, abs=1.1)
    assert clip_of(chosen, videos, files, WATFORD) != clip  # each request its own file
    spots = [Spot("Goal", 1, 1.0, 2.0, 1500, 0.9), Spot("Goal", 2, 3.0, 4.0, 3500, 0.9)]
    reel, again = reel_of(spots, videos, files, WATFORD), reel_of(spots, videos, files, WATFORD)
    assert reel != again and reel.is_file() and again.is_file()  # a second reel never overwrites the first
    assert probe(reel).duration == pytest.approx(2.0, abs=2.1)
    assert reel.stat().st_mode & 0o777 == 0o666 & ~current_umask()  # the user's umask, not 0600
    with pytest.raises(HighlightsError, match="no video for half 2"):
        clip_of(Spot("Goal", 2, 2.0, 5.0, 3500, 0.9), {1: videos[1]}, files, WATFORD)


def current_umask() -> int:
    import os

    mask = os.umask(0)
    os.umask(mask)
    return mask


def test_picking_a_row_describes_it_and_plays_its_clip(corpus, halves, files: ServedFiles) -> None:
    views = Views(corpus, files, PRIVATE)
    chosen = Spot("Goal", 1, 2.0, 4.0, 3000, 0.75, "and he scores!")
    answer = Answer("A goal occurs at (00:02, 00:04)", [chosen], WATFORD, "test")
    pick = gr.SelectData(None, {"index": [0, 3], "value": "00:04"})
    text, figure, clip = views.select_interval(pick, [chosen], answer, str(halves[1]), None, "")
    assert "(00:02, 00:04)" in text and "confidence 0.75" in text and "he scores" in text
    assert figure.layout.shapes[0].x0 == 3.0
    assert Path(clip.value["path"]).suffix == ".mp4" and Path(clip.value["path"]).is_file()
    text, _, clip = views.select_interval(pick, [chosen], answer, None, None, "")
    assert "No video for this half" in text


def test_a_new_answer_clears_the_clicked_row_panel(corpus, files: ServedFiles) -> None:
    views = Views(corpus, files, PRIVATE)
    answer = Answer("A goal occurs at (00:02, 00:04)", [Spot("Goal", 1, 2.0, 4.0, 3000, 0.75)], WATFORD, "test")
    *_, moment, clip = views.show_answer(answer, 0.0, 0.0)
    assert moment == NO_MOMENT and clip.visible is False


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


def test_old_files_are_pruned_by_age_then_by_total_size(tmp_path: Path) -> None:
    files = ServedFiles(max_age_s=3600, max_total_mb=1, folder=tmp_path)
    old, older_big, new_big = tmp_path / "old.csv", tmp_path / "a.mp4", tmp_path / "b.mp4"
    old.write_text("x")
    older_big.write_bytes(b"0" * 700_000)
    new_big.write_bytes(b"1" * 700_000)
    now = new_big.stat().st_mtime
    import os

    os.utime(old, (now - 3601, now - 3601))
    os.utime(older_big, (now - 10, now - 10))
    files.prune(now=now)
    assert not old.exists()  # too old
    assert not older_big.exists() and new_big.exists()  # over 1 MB in all: the oldest went first


def test_folders_of_earlier_runs_are_swept(tmp_path: Path) -> None:
    import os

    stale, mine = new_folder(tmp_path), new_folder(tmp_path)
    (stale / "reel.mp4").write_bytes(b"x")
    os.utime(stale, (1, 1))
    os.utime(mine, (1, 1))
    assert sweep_old_folders(3600, keep=mine, parent=tmp_path) == 1
    assert not stale.exists() and mine.exists()
    assert mine.stat().st_mode & 0o777 == 0o777 & ~current_umask()  # not mkdtemp's 0700


def test_space_entry_builds_the_queued_app(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("HIGHLIGHTS_DATA", raising=False)
    import app  # the Hugging Face Space's app_file

    assert isinstance(app.demo, gr.Blocks)
    endpoints = {fn.api_name for fn in app.demo.fns.values()}
    assert {"ask", "test_connection"} <= endpoints
    assert app.demo.enable_queue


def test_the_sidebar_follows_the_conversation_and_the_conversation_follows_the_sidebar(corpus, files) -> None:
    chat = Chat(corpus, Assistants(Assistant(corpus)), EndpointPolicy(public=False), PRIVATE, files, concurrency=2)
    burnley = next(m.id for m in corpus.matches if m.title == "Chelsea 1 - 1 Burnley")

    def turn(question: str, shown: str):
        async def replies() -> list:
            return [reply async for reply in chat.respond(question, [], shown, EMBEDDED, "", "", "", None)]

        *_, (_content, answer, picker) = asyncio.run(replies())
        return chat.conversations.get("local"), answer, picker

    session, answer, picker = turn("all the goals in Chelsea 2 - 2 Watford", burnley)
    assert answer.match_id == WATFORD and picker.value == WATFORD  # the picker moves to the match talked about
    session, answer, picker = turn("and corners?", WATFORD)
    assert answer.query.match == WATFORD and answer.query.classes == ("Corner",)
    assert picker is gr.skip() or getattr(picker, "value", WATFORD) == WATFORD
    session, answer, _ = turn("and corners?", burnley)  # the user picked Burnley in the sidebar
    assert answer.query.match == burnley
    session, answer, picker = turn("corners in the Burnley game", WATFORD)  # Burnley played twice
    assert "which one?" in answer.text and session.match_id is None and picker.value == ""
