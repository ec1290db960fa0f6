"""Highlight reels from chat: the planner's "make me a reel of the goals", the Toolbox's make_reel and the
LLM agent's make_highlight_reel tool, on a copy of the sample where one match has a generated first half."""

from __future__ import annotations

import asyncio
import re
import shutil
from pathlib import Path

import pytest
from test_clips import ARSENAL, long_video

from agent.llm_tools import make_tools
from agent.planner import Planner
from agent.session import Session
from index.corpus import SAMPLE_ROOT, load_corpus
from index.errors import HighlightsError
from spotting.registry import make_spotter
from tools.clips import merge_overlapping
from tools.query import MomentQuery
from tools.toolbox import Toolbox
from tools.video_io import probe

CHELSEA_BURNLEY = "england_epl/2014-2015/2015-02-21 - 18-00 Chelsea 1 - 1 Burnley"


@pytest.fixture(scope="module")
def toolbox(tmp_path_factory: pytest.TempPathFactory) -> Toolbox:
    """The sample with a 45-minute test-pattern video as Burnley-Arsenal's first half (no second half)."""
    root = tmp_path_factory.mktemp("data with video")
    shutil.copytree(SAMPLE_ROOT, root, dirs_exist_ok=True)
    long_video(root / "soccernet" / ARSENAL / "1_224p.mkv", 2700)
    return Toolbox(load_corpus(root), make_spotter("keywords"))


@pytest.fixture(autouse=True)
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("HIGHLIGHTS_CACHE", str(tmp_path))
    return tmp_path


def test_planner_makes_a_reel_of_the_goals(toolbox, cache):
    answer = Planner(toolbox).ask("make me a reel of the goals in the first half", Session(match_id=ARSENAL))
    assert answer.spots == toolbox.spot_actions(MomentQuery(match=ARSENAL, classes=("Goal",), half=1)) and answer.spots
    assert answer.video is not None and answer.video.parent == cache / "reels" and answer.video.is_file()
    clips = merge_overlapping(answer.spots, 2.0)  # goals spotted twice within seconds are one clip
    assert f"{len(clips)} clips)" in answer.text and str(answer.video) in answer.text
    assert probe(answer.video).duration >= sum(c.end - c.start + 4 for c in clips) - 1
    assert answer.tool_calls == [
        {"name": "make_highlight_reel", "args": {"match": ARSENAL, "classes": ["Goal"], "half": 1}}
    ]


def test_follow_up_reel_of_those_and_of_one_goal(toolbox):
    planner, session = Planner(toolbox), Session(match_id=ARSENAL)
    listed = planner.ask("goals in the first half", session)
    assert listed.video is None
    answer = planner.ask("make a reel of those", session)
    assert answer.spots == listed.spots and answer.video.is_file()
    one = planner.ask("a clip of the first goal", session)
    assert one.spots == listed.spots[:1] and "1 clips)" in one.text


def test_no_video_is_said_and_the_intervals_still_given(toolbox):
    planner = Planner(toolbox)
    answer = planner.ask("make me a reel of the goals", Session(match_id=CHELSEA_BURNLEY))
    assert answer.video is None
    assert answer.text.startswith("Sorry — no video for half 1 of Chelsea 1 - 1 Burnley; put 1_224p.mkv")
    assert answer.spots == toolbox.spot_actions(MomentQuery(match=CHELSEA_BURNLEY, classes=("Goal",)))
    half_two = planner.ask("video of the corners", Session(match_id=ARSENAL))  # only half 1 has video
    assert any(s.half == 2 for s in half_two.spots)
    assert "no video for half 2 of Burnley 0 - 1 Arsenal" in half_two.text and half_two.video is None


def test_toolbox_make_reel(toolbox, cache, tmp_path):
    reel = toolbox.make_reel(
        MomentQuery(match="Burnley Arsenal", classes=("fouls",), half=1, from_minute=0, to_minute=20), padding=1
    )
    assert reel.path.parent == cache / "reels"  # a name of its own: a second reel never overwrites the first
    assert re.fullmatch(r"2015-04-11_-_19-30_Burnley_0_-_1_Arsenal_foul_reel-[0-9a-f]{8}\.mp4", reel.path.name)
    fouls = toolbox.spot_actions(MomentQuery(match=ARSENAL, classes=("Foul",), half=1, from_minute=0, to_minute=20))
    assert len(reel.clips) == len(fouls) > 1
    assert "1. Foul, half 1 00:" in reel.describe()
    named = toolbox.make_reel(
        MomentQuery(match=ARSENAL, classes=("Goal",), half=1, to_minute=5), out=str(tmp_path / "mine.mp4")
    )
    assert named.path == tmp_path / "mine.mp4" and named.path.is_file()
    with pytest.raises(HighlightsError, match="no video for half 1 of Chelsea 1 - 1 Burnley"):
        toolbox.make_reel(MomentQuery(match=CHELSEA_BURNLEY, classes=("Goal",)))
    with pytest.raises(HighlightsError, match="nothing to show"):
        toolbox.make_reel(MomentQuery(match=ARSENAL, classes=("Goal",), half=1, to_minute=0.5))


def test_llm_tool(toolbox):
    tool = next(t for t in make_tools(toolbox) if t.name == "make_highlight_reel")
    assert "highlight reel" in tool.description and "team" in tool.args

    def call(args: dict):
        return tool.invoke({"type": "tool_call", "id": "1", "name": tool.name, "args": args})

    made = call({"match": "Burnley Arsenal", "classes": ["goals"], "half": 1})
    assert made.content.startswith("highlight reel written: ") and made.artifact.video.is_file()
    assert made.artifact.spots and made.artifact.match_id == ARSENAL
    failed = call({"match": "Chelsea Burnley", "classes": ["goals"]})
    assert failed.content.startswith("error: no video for half 1") and failed.artifact.video is None


def test_app_plays_the_reel_in_the_chat_and_the_video_tab(toolbox, cache, tmp_path):
    from agent import Assistant
    from ui.access import EMBEDDED, EndpointPolicy
    from ui.assistants import Assistants
    from ui.chat import Chat
    from ui.files import ServedFiles
    from ui.limits import PRIVATE
    from ui.views import Views

    files = ServedFiles(PRIVATE.files_age_s, PRIVATE.files_total_mb, tmp_path / "served")
    assistants = Assistants(Assistant(toolbox.corpus, toolbox=toolbox))
    chat = Chat(toolbox.corpus, assistants, EndpointPolicy(public=False), PRIVATE, files, concurrency=2)

    async def replies() -> list:
        question = "highlight reel of the first half"
        return [reply async for reply in chat.respond(question, [], ARSENAL, EMBEDDED, "", "", "", None)]

    *_, ((text, player), answer, _picker) = asyncio.run(replies())
    assert answer.video.parent == files.folder and answer.video.is_file()
    assert str(answer.video) not in text and "the reel below" in text  # a player, not a mangled server path
    assert Path(player.value["path"]).read_bytes() == answer.video.read_bytes()
    assert not list((cache / "reels").glob("*.mp4"))  # moved into the served files: nothing left behind
    shown = Views(toolbox.corpus, files, PRIVATE).show_answer(answer, 0.0, 0.0)[6]
    assert Path(shown.value["path"]).read_bytes() == answer.video.read_bytes()
