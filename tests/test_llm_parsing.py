"""The reply parser: structured JSON, the free-text forms the research's models wrote, and any
string at all (property tests): valid spots or counted failures, never an exception."""

from __future__ import annotations

import json
import logging

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from index.classes import LABELS
from index.clock import clock
from index.types import Chunk, Segment
from spotting.llm.parsing import (
    CHUNK_SLACK_S,
    FREE_TEXT_CONFIDENCE,
    MINUTE_ONLY_CONFIDENCE,
    label_of,
    parse_reply,
)

# 36:00-37:00 of the second half, with commentary at 36:09 and 36:40.
CHUNK = Chunk(
    match_id="england_epl/2014-2015/2015-02-21 - 18-00 Chelsea 1 - 1 Burnley",
    half=2,
    start=2160.0,
    end=2220.0,
    segments=(
        Segment(2, 2169.0, 2175.0, "Free kick to Chelsea, Hazard stands over it", "whisper_v2", "en"),
        Segment(2, 2200.0, 2206.0, "Corner now after a deflection", "whisper_v2", "en"),
    ),
    events=(),
)


def spots_of(text: str, chunk: Chunk = CHUNK) -> list[tuple[str, float, float]]:
    return [(s.label, s.start, s.end) for s in parse_reply(text, chunk, "test").spots]


@pytest.mark.parametrize(
    ("name", "label"),
    [
        ("Corner", "Corner"),
        ("corners", "Corner"),
        ("Corner kick", "Corner"),
        ("Throw-ins", "Throw-in"),
        ("throw in", "Throw-in"),
        ("free kick", "Indirect free-kick"),  # documented: the far more frequent class
        ("Free-kicks", "Indirect free-kick"),
        ("Direct free kick", "Direct free-kick"),
        ("indirect_free_kick", "Indirect free-kick"),
        ("shots on target", "Shots on target"),
        ("Shot off target", "Shots off target"),
        ("shot", "Shots on target"),
        ("Yellow->red card", "Yellow->red card"),
        ("second yellow", "Yellow->red card"),
        ("booking", "Yellow card"),
        ("Red Cards", "Red card"),
        ("sent off", "Red card"),
        ("KICK-OFF", "Kick-off"),
        ("goal kick", "Ball out of play"),
        ("Goals", "Goal"),
        ("Substitutions", "Substitution"),
        ("offsides", "Offside"),
        ("penalty kick", "Penalty"),
        ("clearances", "Clearance"),
        ("fouls", "Foul"),
        ("banana", None),
    ],
)
def test_label_wording_maps_to_the_17_classes(name, label):
    assert label_of(name) == label


@pytest.mark.parametrize("label", LABELS)
def test_every_class_name_maps_to_itself(label):
    assert label_of(label) == label


def test_structured_reply_is_read_first():
    reply = json.dumps({"actions": [{"label": "Corner", "start": "36:40", "end": "36:55"}]})
    result = parse_reply(reply, CHUNK, "vllm")
    assert result.structured and not result.failures
    (spot,) = result.spots
    assert (spot.label, spot.half, spot.start, spot.end) == ("Corner", 2, 2200.0, 2215.0)
    assert spot.position_ms == 2207500 and spot.confidence == 1.0 and spot.backend == "vllm"
    assert spot.evidence == "Corner now after a deflection"


@pytest.mark.parametrize(
    "reply",
    [
        '```json\n{"actions": [{"label": "corners", "start": "36:40", "end": "36:55"}]}\n```',
        'Sure! Here you go: {"events": [{"type": "Corner", "interval": ["36:40", "36:55"]}]} Hope it helps.',
        '[{"action": "corner", "time": "36:40-36:55"}]',
        '{"label": "Corner", "start": 2200, "end": 2215}',
        '{"actions": [{"label": "Corner", "start": "00:40", "end": "00:55"}]}',  # relative to the chunk
        '{"actions": [{"label": "Corner", "start": "81:40", "end": "81:55"}]}',  # match clock, 2nd half
    ],
)
def test_json_in_other_shapes(reply):
    assert spots_of(reply) == [("Corner", 2200.0, 2215.0)]


def test_json_minute_key_means_minutes():
    assert spots_of('{"actions": [{"label": "Foul", "minute": 36}]}') == [("Foul", 2160.0, 2220.0)]


def test_json_confidence_is_kept_and_clamped():
    actions = [
        {"label": "Goal", "time": "36:40", "confidence": 7},
        {"label": "Foul", "time": "36:10", "confidence": 0.25},
    ]
    reply = json.dumps({"actions": actions})
    confidences = sorted(s.confidence for s in parse_reply(reply, CHUNK).spots)
    assert confidences == [0.25, 1.0]


def test_bad_json_items_are_counted_not_raised():
    reply = json.dumps(
        {
            "actions": [
                {"label": "Corner", "start": "36:40", "end": "36:55"},
                {"label": "Banana", "start": "36:40", "end": "36:55"},
                {"label": "Foul"},
                {"label": "Foul", "start": "10:00", "end": "10:15"},
                "Throw-in at 36:10",
                {"label": "Goal", "start": 1e400},
                {"label": "Goal", "start": 10**500, "end": 1},
            ]
        }
    )
    result = parse_reply(reply, CHUNK)
    assert [s.label for s in result.spots] == ["Corner"]
    assert len(result.failures) == 6
    assert any("Banana" in f for f in result.failures)
    assert any("outside the chunk" in f for f in result.failures)


@pytest.mark.parametrize(
    ("reply", "expected"),
    [
        ("A free-kick occurs at (36:09, 36:24)", [("Indirect free-kick", 2169.0, 2184.0)]),
        ("Corner: 36:40-36:55", [("Corner", 2200.0, 2215.0)]),
        ("Corner from 36:40 to 36:55.", [("Corner", 2200.0, 2215.0)]),
        ("- Corner [36:40 – 36:55]", [("Corner", 2200.0, 2215.0)]),
        ("| Corner | 36:40 | 36:55 |", [("Corner", 2200.0, 2215.0)]),
        ("Corner at 36:40", [("Corner", 2192.5, 2207.5)]),  # a single time: the 15 s around it
        ("Corner at 0:36:40", [("Corner", 2192.5, 2207.5)]),
        ("There is a corner in the 36th minute", [("Corner", 2160.0, 2220.0)]),
        ("Corner, 36'", [("Corner", 2160.0, 2220.0)]),
        ("Corner (minute 81)", [("Corner", 2160.0, 2220.0)]),  # match minute of the 2nd half
        ("Throw-in (00:05, 00:20)", [("Throw-in", 2165.0, 2180.0)]),  # relative to the chunk
        (
            "1. Foul at 36:05-36:15\n2. Free kick (36:09, 36:24); 3. Corners 36:40-36:55",
            [("Foul", 2165.0, 2175.0), ("Indirect free-kick", 2169.0, 2184.0), ("Corner", 2200.0, 2215.0)],
        ),
        ("At 36:40-36:55 there is a corner", [("Corner", 2200.0, 2215.0)]),
        (
            "Foul 36:05-36:15 and then a yellow card 36:20-36:35",
            [("Foul", 2165.0, 2175.0), ("Yellow card", 2180.0, 2195.0)],
        ),
    ],
)
def test_free_text_forms(reply, expected):
    assert sorted(spots_of(reply)) == sorted(expected)


def test_free_text_confidence_is_lower_than_structured_and_minute_only_lower_still():
    assert parse_reply("Corner 36:40-36:55", CHUNK).spots[0].confidence == FREE_TEXT_CONFIDENCE
    assert parse_reply("Corner in the 36th minute", CHUNK).spots[0].confidence == MINUTE_ONLY_CONFIDENCE


def test_intervals_reaching_past_the_chunk_are_cut_to_its_slack():
    assert spots_of("Corner 36:50-37:40") == [("Corner", 2210.0, 2220.0 + CHUNK_SLACK_S)]


@pytest.mark.parametrize(
    ("reply", "failures"),
    [
        ("", 0),
        ("No actions in this chunk.", 0),
        ("none", 0),
        ("Corner", 1),  # a class and no time
        ("something at 36:40", 1),  # a time and no class
        ("Corner at 12:00-12:15", 1),  # outside the chunk, however read
        ("lorem ipsum dolor", 1),
        ("{{{[[[", 1),
        ('{"actions": 7}', 1),
    ],
)
def test_what_cannot_be_read_is_counted(reply, failures):
    result = parse_reply(reply, CHUNK)
    assert result.spots == [] and len(result.failures) == failures


def test_failures_are_logged(caplog):
    with caplog.at_level(logging.INFO, logger="spotting.llm.parsing"):
        parse_reply("Corner and nothing else", CHUNK)
    assert "not understood" in caplog.text and "Corner without a time" in caplog.text


def test_the_same_spot_twice_is_kept_once():
    assert spots_of("Corner 36:40-36:55\nCorner (36:40, 36:55)") == [("Corner", 2200.0, 2215.0)]


# --- properties: any string in, valid spots or counted failures out -------------------------------

CHUNKS = st.builds(
    lambda half, index, length: Chunk("m", half, index * length, (index + 1) * length, (), ()),
    st.sampled_from((1, 2)),
    st.integers(0, 60),
    st.sampled_from((30.0, 60.0, 120.0)),
)
TIMES = st.builds(lambda s: clock(s), st.integers(0, 6000))
PIECES = st.one_of(
    st.sampled_from(
        [*LABELS, "free kick", "corners", "yellow", "minute", "'", "th minute", "+", "-", "to", ",", "(", ")"]
    ),
    st.sampled_from(['{"actions": [', "]}", '{"label": ', '"start": ', '"end": ', '"time": ', '"', ":", "\n", ";"]),
    TIMES,
    st.integers(-100, 10**6).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(str),
    st.text(max_size=12),
)
REPLIES = st.one_of(st.text(max_size=300), st.lists(PIECES, max_size=40).map(" ".join))


def check_result(text: str, chunk: Chunk) -> None:
    result = parse_reply(text, chunk, "prop")
    for spot in result.spots:
        assert spot.label in LABELS
        assert spot.half == chunk.half
        assert 0.0 <= spot.start <= spot.end
        assert chunk.start - CHUNK_SLACK_S <= spot.start and spot.end <= chunk.end + CHUNK_SLACK_S
        assert spot.start * 1000 - 1 <= spot.position_ms <= spot.end * 1000 + 1
        assert 0.0 <= spot.confidence <= 1.0
        assert spot.backend == "prop"
    assert all(isinstance(f, str) and f for f in result.failures)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(REPLIES, CHUNKS)
def test_any_string_gives_valid_spots_or_counted_failures(text, chunk):
    check_result(text, chunk)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.fixed_dictionaries(
            {
                "label": st.one_of(st.sampled_from(LABELS), st.text(max_size=10), st.integers()),
                "start": st.one_of(TIMES, st.floats(allow_nan=True), st.integers(), st.none()),
                "end": st.one_of(TIMES, st.floats(allow_infinity=True), st.booleans(), st.text(max_size=6)),
            }
        ),
        max_size=6,
    ),
    CHUNKS,
)
def test_any_json_actions_give_valid_spots_or_counted_failures(actions, chunk):
    text = json.dumps({"actions": actions})
    result = parse_reply(text, chunk)
    assert result.structured
    # every action is a spot or a failure (identical spots count once)
    assert min(1, len(actions)) <= len(result.spots) + len(result.failures) <= len(actions)
    check_result(text, chunk)
