"""Prompts for the LLM spotters: messages, the answer format, the schema, few-shot examples."""

from __future__ import annotations

import json

import jsonschema
import pytest

from index.chunks import chunk_from_record, chunk_half, chunk_to_record
from index.classes import LABELS
from index.clock import clock
from index.corpus import available_games, load_match
from index.errors import HighlightsError
from index.types import Chunk
from spotting.llm.parsing import parse_reply
from spotting.llm.prompting import (
    RESPONSE_SCHEMA,
    build_messages,
    format_answer,
    select_examples,
    shipped_examples,
    variants,
)
from spotting.types import Spot


@pytest.fixture(scope="module")
def match(sample_root):
    labelled = [load_match(sample_root, g) for g in available_games(sample_root)]
    return next(m for m in labelled if m.has_labels)


@pytest.fixture(scope="module")
def busy_chunk(match) -> Chunk:
    return max(chunk_half(match, 2), key=lambda c: len(c.events))


def test_format_time_is_minutes_and_seconds_of_the_half():
    assert clock(0) == "00:00"
    assert clock(2169.4) == "36:09"
    assert clock(47 * 60 + 5) == "47:05"  # stoppage time stays in minutes
    assert clock(-3) == "00:00"


def test_zero_shot_messages_hold_the_system_role_and_the_chunk_commentary_with_times(match, busy_chunk):
    messages = build_messages(busy_chunk, match)
    assert [m["role"] for m in messages] == ["system", "user"]
    user = messages[1]["content"]
    assert f"{match.home} vs {match.away}" in user
    assert f"half {busy_chunk.half}" in user
    for segment in busy_chunk.segments:
        assert f"[{clock(segment.start)}-{clock(segment.end)}] {segment.text}" in user
    assert all(label in user for label in LABELS)
    assert '{"actions": [{"label": "<class>", "start": "MM:SS", "end": "MM:SS"}]}' in user


def test_few_shot_shows_worked_examples_from_other_games_only(match, busy_chunk):
    messages = build_messages(busy_chunk, match, "few-shot")
    roles = [m["role"] for m in messages]
    assert roles == ["system", "user", "assistant", "user", "assistant", "user", "assistant", "user"]
    for answer in messages[2:-1:2]:
        assert json.loads(answer["content"])["actions"]  # examples carry their actions
    # an example game never sees its own chunks as examples
    own = shipped_examples()[0]
    shown = build_messages(own, match, "few-shot")
    assert own.text not in " ".join(m["content"] for m in shown[1:-1])
    assert {c.match_id for c in shipped_examples(exclude_match=own.match_id)}.isdisjoint({own.match_id})


def test_caller_examples_replace_the_shipped_ones(match, busy_chunk):
    mine = [c for c in chunk_half(match, 1) if c.events][:3]
    messages = build_messages(busy_chunk, match, "few-shot", mine)
    assert messages[2]["content"] == format_answer(mine[0], mine[0].events)


def test_unknown_variant_is_a_clear_error(match, busy_chunk):
    assert set(variants()) >= {"zero-shot", "few-shot"}
    with pytest.raises(HighlightsError, match="unknown prompt variant 'three-shot'"):
        build_messages(busy_chunk, match, "three-shot")


def test_answer_fits_the_schema_and_parses_back_to_the_events(busy_chunk):
    answer = format_answer(busy_chunk, busy_chunk.events)
    jsonschema.validate(json.loads(answer), RESPONSE_SCHEMA)
    result = parse_reply(answer, busy_chunk)
    assert result.structured and not result.failures
    actions = {(a["label"], a["start"], a["end"]) for a in json.loads(answer)["actions"]}
    assert len(actions) > 1
    assert sorted(s.label for s in result.spots) == sorted(label for label, _, _ in actions)
    for spot in result.spots:  # the anchor is the event to the second (a window cut at 00:00 moves it)
        assert any(
            e.label == spot.label and (abs(e.position_ms - spot.position_ms) <= 1000 or e.seconds < 7.5)
            for e in busy_chunk.events
        )


def test_answer_from_spots_keeps_their_intervals(busy_chunk):
    spot = Spot("Corner", busy_chunk.half, busy_chunk.start + 10, busy_chunk.start + 25, 0, 0.7)
    answer = json.loads(format_answer(busy_chunk, [spot]))
    assert answer == {"actions": [{"label": "Corner", "start": clock(spot.start), "end": clock(spot.end)}]}


def test_empty_answer_is_an_empty_list(busy_chunk):
    assert format_answer(busy_chunk, []) == '{"actions": []}'
    assert parse_reply('{"actions": []}', busy_chunk).spots == []


def test_chunk_records_round_trip(busy_chunk):
    assert chunk_from_record(json.loads(json.dumps(chunk_to_record(busy_chunk)))) == busy_chunk


def test_select_examples_covers_many_classes(match):
    chunks = [c for half in (1, 2) for c in chunk_half(match, half)]
    chosen = select_examples(chunks, 3)
    assert len(chosen) == 3 and len(set(chosen)) == 3
    assert all(c.events and c.segments for c in chosen)
    first_classes = {e.label for e in chosen[0].events}
    assert len(first_classes) == max(len({e.label for e in c.events}) for c in chunks if c.segments)
