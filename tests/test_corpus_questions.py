"""The full-corpus question sets: what real users ask of the 550 matches, each turn with the typed plan a careful
human means. tests/data/corpus_questions.yaml is the development set (the planner was tuned on it);
tests/data/corpus_questions_heldout.yaml is the first held-out set, written afterwards in new phrasings and follow-ups,
on many matches the development set does not name (the planner was then fixed on it too);
tests/data/corpus_questions_heldout2.yaml is the second, written after those fixes and run once as written, so its
accuracy says how the planner reads new users; tests/data/corpus_questions_heldout3.yaml is the third, written after
the fixes from held-out 2, blind in the same way; tests/data/corpus_questions_heldout4.yaml is the fourth, blind to
the planner and to all three; tests/data/corpus_questions_heldout5.yaml the fifth, blind to the planner and to all four;
tests/data/corpus_questions_heldout6.yaml the sixth, blind to the planner and to all five;
tests/data/corpus_questions_heldout7.yaml the seventh, tests/data/corpus_questions_heldout8.yaml the eighth,
tests/data/corpus_questions_heldout9.yaml the ninth, tests/data/corpus_questions_heldout10.yaml the tenth and
tests/data/corpus_questions_heldout11.yaml the eleventh, and so on to tests/data/corpus_questions_heldout16.yaml, the
sixteenth, and tests/data/corpus_questions_heldout17.yaml, the seventeenth, each blind to the planner and to every set
before it.
The planner must read at least its set's floor (REQUIRED_BY_SET, else REQUIRED_ACCURACY) of each set's turns
exactly; the failures are printed, so each set says what is left to do."""

from __future__ import annotations

from collections import Counter
from dataclasses import fields

import pytest
from question_cases import QUESTION_SETS, Case, load_cases

from agent.plan import Plan
from agent.planner import Planner
from agent.session import Session
from index.cache import cache_root
from index.corpus import Corpus, load_corpus
from spotting.registry import SPOTTER_TEXT, make_spotter
from tools.query import Intent
from tools.toolbox import Toolbox

REQUIRED_ACCURACY = 0.95
# Each set was run once blind and then fixed by general rules (docs/conversation.md): its floor is where that left
# it, rounded down to the percent, so a regression fails; what is left of each is printed.
REQUIRED_BY_SET = {
    "development": 1.0,  # 674/674
    "held out": 1.0,  # first run 86.8 %; now 385/385
    "held out 2": 0.98,  # first run 84.7 %; now 350/354 (d17 written before convention 6)
    "held out 3": 1.0,  # first run 88.0 %; now 351/351
    "held out 4": 1.0,  # first run 336/373 = 90.1 %; now 373/373
    "held out 5": 0.99,  # first run 354/404 = 87.6 %; now 402/404
    "held out 6": 0.99,  # first run 409/446 = 91.7 %, as written; now 444/446 (4 plans corrected)
    "held out 7": 0.99,  # first run 344/370 = 92.97 %, as written; now 368/370 = 99.5 %
    "held out 8": 0.98,  # first run 373/444 = 84.0 %, as written; now 436/444
    "held out 9": 0.98,  # first run 297/322 = 92.2 %, as written; now 317/322
    "held out 10": 1.0,  # first run 230/267 = 86.1 %, as written; now 267/267 (3 plans corrected)
    "held out 11": 0.98,  # first run 200/232 = 86.2 %, as written; now 229/232
    "held out 12": 0.97,  # first run 251/287 = 87.5 %, as written; now 281/287
    "held out 13": 0.95,  # first run 210/253 = 83.0 %, as written; now 242/253
    "held out 14": 0.98,  # first run 233/257 = 90.7 %, as written; now 253/257
    "held out 15": 0.99,  # first run 208/218 = 95.4 %, as written; now 217/218
    "held out 16": 0.97,  # first run 297/326 = 91.1 %, as written; now 319/326
    "held out 17": 0.96,  # first run 313/366 = 85.5 %, as written; now 353/366
}
LANGUAGES = ("es", "de", "fr", "it", "pt")
# Intents whose answer is moments of one match: at least half of them should be on labelled (valid-split) games.
MOMENT_INTENTS = {Intent.SPOTS, Intent.COUNT, Intent.REEL, Intent.SELECT, Intent.WHO, Intent.SCORE}
# What each set holds at least: single questions, dialogues (3-5 turns), questions and dialogues in each other
# language, misspelt cases.
COVERAGE = {
    "development": {"singles": 320, "dialogues": 65, "per_language": (12, 3), "typos": 20},
    "held out": {"singles": 150, "dialogues": 30, "per_language": (10, 2), "typos": 15},
    "held out 2": {"singles": 150, "dialogues": 30, "per_language": (10, 2), "typos": 15},
    "held out 3": {"singles": 200, "dialogues": 35, "per_language": (10, 2), "typos": 15},
    "held out 4": {"singles": 220, "dialogues": 36, "per_language": (12, 3), "typos": 15},
    "held out 5": {"singles": 220, "dialogues": 36, "per_language": (12, 3), "typos": 15},
    "held out 6": {"singles": 220, "dialogues": 36, "per_language": (12, 3), "typos": 15},
    "held out 7": {"singles": 220, "dialogues": 36, "per_language": (12, 3), "typos": 15},
    "held out 8": {"singles": 230, "dialogues": 38, "per_language": (12, 3), "typos": 15},
    "held out 9": {"singles": 200, "dialogues": 30, "per_language": (10, 2), "typos": 12},
    "held out 10": {"singles": 150, "dialogues": 25, "per_language": (8, 2), "typos": 10},
    "held out 11": {"singles": 150, "dialogues": 20, "per_language": (6, 1), "typos": 10},
    "held out 12": {"singles": 150, "dialogues": 20, "per_language": (6, 1), "typos": 10},
    "held out 13": {"singles": 150, "dialogues": 20, "per_language": (6, 1), "typos": 10},
    "held out 14": {"singles": 150, "dialogues": 20, "per_language": (6, 1), "typos": 10},
    "held out 15": {"singles": 150, "dialogues": 20, "per_language": (6, 1), "typos": 12},
    "held out 16": {"singles": 150, "dialogues": 20, "per_language": (6, 1), "typos": 12},
    "held out 17": {"singles": 160, "dialogues": 22, "per_language": (6, 1), "typos": 12},
}


@pytest.fixture(scope="module")
def corpus(shared_data) -> Corpus:
    return load_corpus(shared_data, text=SPOTTER_TEXT, cache_dir=cache_root() / "corpus")


def check_coverage(
    cases: list[Case], corpus: Corpus, singles: int, dialogues: int, per_language: tuple[int, int], typos: int
) -> None:
    """At least that many single questions, dialogues (3-5 turns), questions and dialogues in each other language,
    and misspelt cases; every intent; half of the moment turns on labelled matches."""
    one = [c for c in cases if len(c.turns) == 1]
    several = [c for c in cases if len(c.turns) > 1]
    assert len(one) >= singles
    assert len(several) >= dialogues
    assert all(3 <= len(d.turns) <= 5 for d in several)
    for lang in LANGUAGES:
        assert sum(c.lang == lang for c in one) >= per_language[0], lang
        assert sum(c.lang == lang for c in several) >= per_language[1], lang
    assert sum(c.typo for c in cases) >= typos
    assert {plan.intent for c in cases for _, plan in c.turns} == set(Intent)
    moments = [plan.query.match for c in cases for _, plan in c.turns if plan.intent in MOMENT_INTENTS]
    labelled = sum(corpus.get(match).has_labels for match in moments)
    assert labelled >= len(moments) / 2, f"{labelled} of {len(moments)} moment turns on labelled matches"


@pytest.mark.parametrize("name", QUESTION_SETS)
def test_each_question_set_covers_what_users_ask(corpus, name):
    check_coverage(load_cases(QUESTION_SETS[name], corpus), corpus, **COVERAGE[name])


def run_case(planner: Planner, case: Case) -> list[str]:
    """What is wrong with each turn's plan ("" for an exact one); the turns are asked in order, as a user would."""
    session = Session(match_id=case.context)
    problems = []
    for question, expected in case.turns:
        plan = planner.plan(question, session)
        problems.append("" if plan == expected else difference(plan, expected))
        if plan.intent is not Intent.SEARCH:  # a search would build the commentary index of 550 games
            planner.ask(question, session)
        elif plan.query.match:  # what its answer keeps (Planner._search's match_id): the match searched in
            session.match_id = plan.query.match
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


@pytest.fixture(scope="module")
def planner(corpus) -> Planner:
    """One planner for every set, so a match an earlier set spotted is not spotted again."""
    return Planner(Toolbox(corpus, make_spotter("keywords")))


@pytest.mark.slow  # about a minute a set: each turn is also answered, which spots every match asked about once
@pytest.mark.parametrize("name", QUESTION_SETS)
def test_planner_reads_the_corpus_questions(corpus, planner, name):
    path = QUESTION_SETS[name]
    failures, total = [], 0
    by_intent: Counter[str] = Counter()
    for case in load_cases(path, corpus):
        for (question, expected), problem in zip(case.turns, run_case(planner, case), strict=True):
            total += 1
            if problem:
                by_intent[expected.intent.value] += 1
                failures.append(f"{case.name} [{case.lang}] {question[:100]!r}: {problem}")
    accuracy = 1 - len(failures) / total
    print(f"planner exact on the {name} set ({path.name}): {total - len(failures)}/{total} turns = {accuracy:.1%}")
    print("failures by expected intent:", dict(by_intent.most_common()))
    print("\n".join(failures))
    required = REQUIRED_BY_SET.get(name, REQUIRED_ACCURACY)
    assert accuracy >= required, f"{name}: {accuracy:.1%} exact (required {required:.0%}); failures:\n" + "\n".join(
        failures
    )
