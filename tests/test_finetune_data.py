"""SFT data builders on the shipped sample: the exact chat of a known chunk, the split by game,
empty-chunk thinning, the files written (JSONL, datasets, manifest), video chats, the CLI."""

from __future__ import annotations

import dataclasses
import json

import pytest
from datasets import load_from_disk
from tiny_models import write_video

from index.chunks import chunk_half
from index.corpus import SAMPLE_ROOT, load_corpus, load_match
from index.errors import HighlightsError
from spotting.finetune.data import (
    DataSettings,
    build_sft_data,
    count_rows,
    read_manifest,
    read_records,
    split_by_game,
    text_messages,
    write_sft_data,
)
from spotting.llm.parsing import parse_reply
from ui.cli import main

BURNLEY_ARSENAL = "england_epl/2014-2015/2015-04-11 - 19-30 Burnley 0 - 1 Arsenal"
UNLABELLED = "england_epl/2014-2015/2015-02-21 - 18-00 Chelsea 1 - 1 Burnley"
SOURCE = {"data": str(SAMPLE_ROOT), "echoes_version": "whisper_v2", "text": "original"}

EXPECTED_SYSTEM = (
    "You are a soccer match analyst. You read the live commentary of a match and find the moments\n"
    "where actions happen, using the 17 action classes of SoccerNet. You answer with JSON only."
)
EXPECTED_USER = """Match: Burnley vs Arsenal (england_epl, 2014-2015), half 1.
Commentary from 04:00 to 05:00 of the half, each line starting with the time
its words were spoken (MM:SS of the half):
[04:07-04:10] Aaron Ramsey intentando salir ante Jones.
[04:11-04:15] Correcto, porque contigo bastante Alexis, tiene que participar mucho Ramsey también.
[04:15-04:18] Y me estoy acordando del partido del City que le ganó el VARLEY 1-0 con ese gol de Boyd.
[04:18-04:22] Yo creo que el City aquel día se equivocó porque quiso jugar mucho en largo, quiso ser...
[04:23-04:26] digamos, casi se vistió de VARLEY en ese partido.
[04:26-04:30] Y el Arsenal va a hacerlo contrario, va a tocar y tocar hasta que aparezca el espacio.
[04:31-04:36] Cortado a Mertesacker, ahí está Mesut Özil que pierde ante Jones.
[04:36-04:39] David Jones intentando sacar esa pelota en profundidad.
[04:39-04:44] Qué velocidad también tremenda que termina con el despeje de Ospina.
[04:44-04:46] Qué buena oportunidad llega Barnes.
[04:47-04:50] Y ahí yo creo que Vogue se entraba ya en posición de fuera de juego.
[04:50-04:55] Ha sido él el que ha protagonizado este primer remate interesante del partido en el minuto 5 de juego.
[04:55-05:00] Que ha tenido que salvar a Ospina en una buena acción a la contra por parte del VARLEY.

Find every action of these classes that happens in this part of the half:
Penalty, Kick-off, Goal, Substitution, Offside, Shots on target, Shots off target, Clearance, Ball out of play, \
Throw-in, Foul, Indirect free-kick, Direct free-kick, Corner, Yellow card, Red card, Yellow->red card

Return every action, not only the most important ones, each with the interval of the half
in which it happens: "start" and "end" as MM:SS, about 15 seconds apart, around the moment of
the action. Use the class names exactly as written above. Base every action on the
commentary; if no action happens, return an empty list.
Answer with this JSON and nothing else:
{"actions": [{"label": "<class>", "start": "MM:SS", "end": "MM:SS"}]}
"""
# Ball out of play at 04:08.34 and Throw-in at 04:27.74, each as its scoring window of ±7.5 s.
EXPECTED_ANSWER = (
    '{"actions": [{"label": "Ball out of play", "start": "04:01", "end": "04:16"}, '
    '{"label": "Throw-in", "start": "04:20", "end": "04:35"}]}'
)


@pytest.fixture(scope="module")
def corpus():
    return load_corpus(SAMPLE_ROOT)


def known_chunk():
    match = load_match(SAMPLE_ROOT, BURNLEY_ARSENAL)
    return match, next(c for c in chunk_half(match, 1) if c.start == 240.0)


def test_known_chunk_gives_exactly_the_expected_chat():
    match, chunk = known_chunk()
    assert text_messages(chunk, match) == [
        {"role": "system", "content": EXPECTED_SYSTEM},
        {"role": "user", "content": EXPECTED_USER},
        {"role": "assistant", "content": EXPECTED_ANSWER},
    ]


def test_the_answer_reads_back_as_the_chunks_events():
    match, chunk = known_chunk()
    parsed = parse_reply(text_messages(chunk, match)[-1]["content"], chunk)
    assert parsed.failures == []
    assert [(s.label, s.start, s.end) for s in parsed.spots] == [
        ("Ball out of play", 241.0, 256.0),
        ("Throw-in", 260.0, 275.0),
    ]
    for spot, event in zip(parsed.spots, chunk.events, strict=True):
        assert abs(spot.position_ms - event.position_ms) <= 500  # MM:SS rounding of the window


def test_every_answer_of_the_sample_reads_back_without_a_failure(corpus):
    data = build_sft_data(corpus.matches, DataSettings(keep_empty=1.0))
    matches = {m.id: m for m in corpus.matches}
    for record in data.records["train"] + data.records["valid"]:
        chunk = next(c for c in chunk_half(matches[record["match"]], record["half"]) if c.start == record["start"])
        parsed = parse_reply(record["messages"][-1]["content"], chunk)
        assert parsed.failures == [] and parsed.structured
        # one spot per event, except an event repeated in the same second (the same interval)
        assert sorted({s.label for s in parsed.spots}) == sorted(set(record["labels"]))
        assert len({(e.label, e.position_ms // 1000) for e in chunk.events}) <= len(parsed.spots) <= len(chunk.events)


def test_split_is_by_game_seeded_and_leaves_out_unlabelled_games(corpus):
    data = build_sft_data(corpus.matches, DataSettings())
    train, valid = set(data.games["train"]), set(data.games["valid"])
    assert train and valid and not train & valid
    talking = {m.id for m in corpus.matches if m.has_labels and any(m.segments.values())}
    assert train | valid == talking  # a labelled game without commentary has no text chunk
    assert data.dropped["games without any chunk left"] == sum(m.has_labels for m in corpus.matches) - len(talking)
    assert UNLABELLED not in train | valid and data.dropped["games without labels"] == 1
    for split, games in data.games.items():
        assert {r["match"] for r in data.records[split]} <= set(games)
    assert build_sft_data(corpus.matches, DataSettings()).games == data.games
    assert split_by_game(["a", "b", "c", "d", "e"], 0.2, 1) == split_by_game(["e", "d", "c", "b", "a"], 0.2, 1)
    with pytest.raises(HighlightsError, match="at least 2"):
        split_by_game(["a"], 0.5, 0)


def test_empty_chunks_are_thinned_to_the_share_asked_for(corpus):
    everything = build_sft_data(corpus.matches, DataSettings(keep_empty=1.0))
    none = build_sft_data(corpus.matches, DataSettings(keep_empty=0.0))
    empty_all = everything.empty_count("train") + everything.empty_count("valid")
    assert empty_all > 0 and none.empty_count("train") == none.empty_count("valid") == 0
    assert none.dropped["chunks without actions, thinned"] == empty_all
    with_actions = sum(len(r) for r in none.records.values())
    assert sum(len(r) for r in everything.records.values()) == with_actions + empty_all
    # every chunk with commentary of a labelled game is accounted for
    chunks = [c for m in corpus.matches if m.has_labels for h in (1, 2) for c in chunk_half(m, h)]
    assert len(chunks) == with_actions + empty_all + everything.dropped["chunks without commentary"]
    rows = dict((label, (a, b)) for label, a, b in count_rows(everything))
    assert rows["chunks"] == (len(everything.records["train"]), len(everything.records["valid"]))
    events = sum(len(c.events) for c in chunks if c.segments)
    assert sum(a + b for label, (a, b) in rows.items() if label not in ("chunks", "chunks without actions")) == events


def test_written_folder_reads_back_as_jsonl_datasets_and_manifest(corpus, tmp_path):
    data = build_sft_data(corpus.matches, DataSettings(seed=3))
    write_sft_data(data, tmp_path, SOURCE)
    for split in ("train", "valid"):
        assert read_records(tmp_path, split) == data.records[split]
    dataset = load_from_disk(str(tmp_path / "dataset"))
    assert dataset["train"].num_rows == len(data.records["train"])
    assert dataset["valid"][0]["messages"] == data.records["valid"][0]["messages"]
    manifest = read_manifest(tmp_path)
    assert manifest["games"] == data.games and manifest["source"] == SOURCE
    assert manifest["settings"]["seed"] == 3 and manifest["records"]["train"] == len(data.records["train"])


def test_bad_record_files_name_the_line(tmp_path):
    (tmp_path / "train.jsonl").write_text('{"messages": [{"role": "user", "content": "x"}]}\nnot json\n')
    with pytest.raises(HighlightsError, match="line 1 has no chat ending"):
        read_records(tmp_path, "train")
    (tmp_path / "train.jsonl").write_text("{oops\n")
    with pytest.raises(HighlightsError, match="line 1 is not JSON"):
        read_records(tmp_path, "train")
    with pytest.raises(HighlightsError, match=r"no manifest\.json"):
        read_manifest(tmp_path)


@pytest.mark.parametrize(
    ("settings", "problem"),
    [
        (DataSettings(kind="audio"), "unknown kind"),
        (DataSettings(valid_fraction=1.0), "valid fraction"),
        (DataSettings(keep_empty=1.5), "empty chunks"),
        (DataSettings(kind="video", fps=0), "frames per second"),
    ],
)
def test_bad_settings_are_refused(settings, problem):
    with pytest.raises(HighlightsError, match=problem):
        settings.check()


def test_video_chats_show_the_clip_and_make_one_arrow_type(corpus, tmp_path):
    video = write_video(tmp_path / "half.mkv", seconds=4, fps=2)
    with_video = [dataclasses.replace(m, videos={1: video, 2: video}) for m in corpus.matches if m.id != UNLABELLED]
    without = [m for m in corpus.matches if m.id == UNLABELLED or m.id == BURNLEY_ARSENAL]
    settings = DataSettings(kind="video", fps=0.5, keep_empty=1.0, with_commentary=True)
    data = build_sft_data([*with_video, *without], settings)
    assert data.dropped["games without both halves' video"] == 1 and data.dropped["games without labels"] == 1
    # as the video spotter does, chunks stop where the file does: one 4-second chunk per half
    assert data.dropped["chunks past the end of the video"] > 0
    assert {(r["start"], r["end"]) for r in data.records["train"] + data.records["valid"]} == {(0.0, 4.0)}
    record = next(r for r in data.records["train"] + data.records["valid"] if r["match"] == BURNLEY_ARSENAL)
    system, user, answer = record["messages"]
    assert [m["role"] for m in (system, user, answer)] == ["system", "user", "assistant"]
    video_part, text = user["content"]
    assert video_part == {"type": "video", "path": str(video), "start": record["start"], "end": record["end"]}
    assert "2 frames, 0.5 per second" in text["text"] and "commentary spoken meanwhile" in text["text"]
    assert json.loads(answer["content"][0]["text"])["actions"] is not None
    frames_only = build_sft_data(with_video, DataSettings(kind="video"))
    assert "commentary" not in frames_only.records["train"][0]["messages"][1]["content"][1]["text"]
    # chunks without commentary stay: the frames are there to look at
    assert not frames_only.dropped["chunks without commentary"]
    write_sft_data(data, tmp_path / "sft", SOURCE)
    assert load_from_disk(str(tmp_path / "sft" / "dataset"))["train"].num_rows == len(data.records["train"])


def test_cli_writes_the_folder_and_prints_counts(tmp_path, capsys):
    assert main(["finetune", "data", "--out", str(tmp_path / "sft"), "--keep-empty", "0", "--seed", "1"]) == 0
    printed = capsys.readouterr().out
    assert "Throw-in" in printed and "chunks without actions" in printed
    manifest = read_manifest(tmp_path / "sft")
    assert manifest["settings"]["keep_empty"] == 0.0 and manifest["source"]["data"] == str(SAMPLE_ROOT.resolve())
    assert main(["finetune", "data", "--out", str(tmp_path / "bad"), "--valid-fraction", "2"]) == 2
    assert "valid fraction" in capsys.readouterr().err
