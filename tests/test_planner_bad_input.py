"""Bad input on the full corpus: each reply says what it understood, never guesses another match, never
raises. (The sample's own cases are in tests/data/questions.yaml; random text in test_planner_robustness.)"""

from __future__ import annotations

import pytest

from agent.planner import Planner
from agent.session import Session
from index.cache import cache_root
from index.corpus import load_corpus
from spotting.registry import SPOTTER_TEXT, make_spotter
from tools.query import Intent
from tools.toolbox import Toolbox

CHELSEA_BURNLEY = "england_epl/2014-2015/2015-02-21 - 18-00 Chelsea 1 - 1 Burnley"


@pytest.fixture(scope="module")
def planner(shared_data) -> Planner:
    corpus = load_corpus(shared_data, text=SPOTTER_TEXT, cache_dir=cache_root() / "corpus")
    return Planner(Toolbox(corpus, make_spotter("keywords")))


def test_an_unknown_club_is_named_and_its_rival_s_matches_offered(planner):
    session = Session()
    answer = planner.ask("all the goals in Atlantis FC vs Chelsea", session)
    assert planner.plan("all the goals in Atlantis FC vs Chelsea", Session()).intent is Intent.UNKNOWN_MATCH
    assert answer.text.startswith("I have no match for 'Atlantis FC vs Chelsea'") and not answer.spots
    assert "Chelsea" in answer.text.split("\n")[1] and answer.match_id is None


def test_a_club_with_no_match_in_the_corpus_is_said(planner):
    answer = planner.ask("goals in Juventus vs Liverpool", Session())
    assert answer.text.startswith("I have no match for 'Juventus vs Liverpool'")
    assert not answer.spots and answer.match_id is None


def test_a_date_with_no_match_lists_the_dates_there_are(planner):
    answer = planner.ask("goals in Chelsea vs Burnley on 2019-05-01", Session())
    assert answer.text.startswith("I have no match for 'Chelsea vs Burnley, 2019-05-01'")
    assert "Chelsea 1 - 1 Burnley (Premier League, 2015-02-21)" in answer.text and not answer.spots


def test_a_reply_that_fits_none_of_the_choices_says_so_and_asks_again(planner):
    session = Session()
    first = planner.ask("all the goals in Barcelona vs Real Madrid", session)
    assert "4 matches fit; which one?" in first.text
    again = planner.ask("the one from 2019", session)
    assert again.text.startswith("None of those fits 'the one from 2019'; which one?")
    assert again.text.count("Barcelona") == 4 and not again.spots
    done = planner.ask("the fourth one", session)
    assert done.match_id.endswith("Real Madrid 2 - 3 Barcelona") and {s.label for s in done.spots} <= {"Goal"}


@pytest.mark.parametrize("question", ["", "   ", "x" * 10_000, "\u0000\u0001", "🙂" * 50])
def test_empty_huge_or_garbage_questions_get_a_reply_and_no_match(planner, question):
    answer = planner.ask(question, Session())
    assert answer.text.strip() and not answer.spots and answer.match_id is None


def test_a_language_the_planner_does_not_read_gets_help_not_a_guess(planner):
    answer = planner.ask("Покажи все голы этого матча", Session(match_id=CHELSEA_BURNLEY))
    assert answer.text.startswith("I did not understand “Покажи все голы этого матча” (I read questions in English")
    assert not answer.spots


def test_more_pages_through_a_long_choice_and_numbers_run_on(planner):
    session = Session()
    first = planner.ask("Bayern goals", session)
    assert first.text.startswith("41 matches fit; which one?") and "\n8. " in first.text and "\n9. " not in first.text
    second = planner.ask("more", session)
    assert "\n9. " in second.text and "\n16. " in second.text and "\n1. " not in second.text
    chosen = planner.ask("the 10th one", session)
    tenth = second.text.split("\n10. ")[1].split("\n")[0]
    assert chosen.match_id is not None and planner.toolbox.corpus.get(chosen.match_id).title in tenth
