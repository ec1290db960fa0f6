"""The full-corpus question set (tests/data/corpus_questions.yaml): what real users ask of the 550 matches, each
turn with the typed plan a careful human means. The planner must read at least REQUIRED_ACCURACY of the turns
exactly; the failures are printed, so the set says what is left to do."""

from __future__ import annotations

from collections import Counter
from dataclasses import fields
from pathlib import Path

import pytest
from question_cases import Case, load_cases

from agent.plan import Plan
from agent.planner import Planner
from agent.session import Session
from index.cache import cache_root
from index.corpus import Corpus, load_corpus
from spotting.registry import SPOTTER_TEXT, make_spotter
from tools.query import Intent
from tools.toolbox import Toolbox

DATA = Path(__file__).parent / "data" / "corpus_questions.yaml"
REQUIRED_ACCURACY = 0.95
LANGUAGES = ("es", "de", "fr", "it", "pt")
# Intents whose answer is moments of one match: at least half of them should be on labelled (valid-split) games.
MOMENT_INTENTS = {Intent.SPOTS, Intent.COUNT, Intent.REEL, Intent.SELECT, Intent.WHO, Intent.SCORE}


@pytest.fixture(scope="module")
def corpus(shared_data) -> Corpus:
    return load_corpus(shared_data, text=SPOTTER_TEXT, cache_dir=cache_root() / "corpus")


@pytest.fixture(scope="module")
def cases(corpus) -> list[Case]:
    return load_cases(DATA, corpus)


def test_question_set_covers_what_users_ask(cases, corpus):
    singles = [c for c in cases if len(c.turns) == 1]
    dialogues = [c for c in cases if len(c.turns) > 1]
    assert len(singles) >= 320
    assert len(dialogues) >= 65
    assert all(3 <= len(d.turns) <= 5 for d in dialogues)
    for lang in LANGUAGES:
        assert sum(c.lang == lang for c in singles) >= 12, lang
        assert sum(c.lang == lang for c in dialogues) >= 3, lang
    assert sum(c.typo for c in cases) >= 20
    assert {plan.intent for c in cases for _, plan in c.turns} == set(Intent)
    moments = [plan.query.match for c in cases for _, plan in c.turns if plan.intent in MOMENT_INTENTS]
    labelled = sum(corpus.get(match).has_labels for match in moments)
    assert labelled >= len(moments) / 2, f"{labelled} of {len(moments)} moment turns on labelled matches"


def run_case(planner: Planner, case: Case) -> list[str]:
    """What is wrong with each turn's plan ("" for an exact one); the turns are asked in order, as a user would."""
    session = Session(match_id=case.context)
    problems = []
    for question, expected in case.turns:
        plan = planner.plan(question, session)
        problems.append("" if plan == expected else difference(plan, expected))
        if plan.intent is not Intent.SEARCH:  # a search would build the commentary index of 550 games
            planner.ask(question, session)
    return problems


def difference(plan: Plan, expected: Plan) -> str:
    """The fields where ``plan`` is not ``expected``, short enough to read in a list of failures."""
    got, want = _fields(plan), _fields(expected)
    return "; ".join(f"{name}: {got[name]} (expected {want[name]})" for name in want if got[name] != want[name])


def _fields(plan: Plan) -> dict[str, str]:
    values = {"intent": plan.intent.value, "text": repr(plan.text), "then": plan.then and plan.then.value}
    values |= {f.name: repr(getattr(plan.query, f.name)) for f in fields(plan.query)}
    ids = plan.candidates
    values["candidates"] = f"{len(ids)} [{', '.join(ids[:3])}{', ...' if len(ids) > 3 else ''}]" if ids else "none"
    return {name: str(value) for name, value in values.items()}


@pytest.mark.slow  # about a minute: each turn is also answered, which spots every match asked about once
def test_planner_reads_the_corpus_questions(corpus, cases):
    planner = Planner(Toolbox(corpus, make_spotter("keywords")))
    failures, total = [], 0
    by_intent: Counter[str] = Counter()
    for case in cases:
        for (question, expected), problem in zip(case.turns, run_case(planner, case), strict=True):
            total += 1
            if problem:
                by_intent[expected.intent.value] += 1
                failures.append(f"{case.name} [{case.lang}] {question[:100]!r}: {problem}")
    accuracy = 1 - len(failures) / total
    print(f"planner exact on {DATA.name}: {total - len(failures)}/{total} turns = {accuracy:.1%}")
    print("failures by expected intent:", dict(by_intent.most_common()))
    print("\n".join(failures))
    assert accuracy >= REQUIRED_ACCURACY, f"{accuracy:.1%} exact; failures:\n" + "\n".join(failures)
