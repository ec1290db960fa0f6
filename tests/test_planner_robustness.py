"""Whatever is typed, in whatever order, the offline assistant replies with text and never raises."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from agent import Answer, Assistant
from index.corpus import load_corpus
from spotting.registry import make_spotter

PHRASES = [
    "goals", "only the second half", "which of those were Chelsea's?", "the second one", "and corners?",
    "Bayern Dortmund", "the last one", "how many were there?", "summary", "which matches do you have?",
    "after the 60th minute", "in stoppage time", "Chelsea's goals", "the Watford one", "free-kicks",
    "what about the first half?", "number 7", "cards by Arsenal", "goals in Man Utd vs Liverpool", "",
    "both halves", "show me the tackles", "who won?", "between the 80th and the 20th minute", "the 0th one",
]  # fmt: skip


@pytest.fixture(scope="module")
def assistant(sample_root) -> Assistant:
    return Assistant(load_corpus(sample_root), make_spotter("keywords"))


def check(answer: Answer, assistant: Assistant) -> None:
    assert isinstance(answer, Answer) and answer.text.strip()
    assert answer.backend == "planner"
    if answer.match_id is not None:
        assistant.corpus.get(answer.match_id)
    assert all(s.half in (1, 2) for s in answer.spots)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(max_size=300))
def test_any_text_gets_a_reply(assistant, question):
    check(assistant.ask(question, assistant.new_session()), assistant)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    st.lists(st.sampled_from(PHRASES), min_size=1, max_size=6),
    st.sampled_from([None, "england_epl/2015-2016/2015-12-26 - 18-00 Chelsea 2 - 2 Watford"]),
)
def test_any_dialogue_gets_replies(assistant, questions, match_id):
    session = assistant.new_session()
    for question in questions:
        check(assistant.ask(question, session, match_id), assistant)
