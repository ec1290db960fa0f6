"""Goal announcements in the commentary, the goal evidence model over them, and what answers show of goals."""

from __future__ import annotations

import math
from dataclasses import replace

import pytest

from evaluation.answers import fit_goal_evidence
from index.corpus import match_from_game_id
from index.errors import HighlightsError
from index.types import Event, Segment
from spotting.answers import AnswerPolicy, ClassRule
from spotting.goal_words import FEATURES, announcements, announces, features, goal_evidence, new_scores
from spotting.moments import match_moments
from spotting.types import Spot

GAME = "england_epl/2015-2016/2015-08-08 - 19-30 Chelsea 2 - 1 Swansea"
RAYO = "spain_laliga/2015-2016/2015-12-20 - 18-00 Real Madrid 1 - 0 Rayo Vallecano"


def spot(label: str, seconds: float, confidence: float, half: int = 1) -> Spot:
    return Spot(label, half, seconds - 7.5, seconds + 7.5, round(seconds * 1000), confidence)


def said(text: str, language: str = "en", at: float = 0.0, half: int = 1) -> Segment:
    return Segment(half, at, at + 3, text, "whisper_v2" if language != "en" else "whisper_v2_en", language)


@pytest.mark.parametrize(
    ("text", "language"),
    [("He scores!", "en"), ("And it's been bundled in right at the end", "en"), ("¡Gooool de Messi!", "es"),
     ("Tor für Bayern!", "de"), ("But de Cavani !", "fr"), ("Rete di Icardi", "it"), ("And a goal.", "en"),
     ("And the goal of Paris Saint-Germain", "en"), ("¡Gol de Messi!", ""), ("Tor!", "xx")],
)  # fmt: skip
def test_a_goal_is_announced_in_each_language(text, language):
    assert announces(said(text, language))


@pytest.mark.parametrize(
    ("text", "language"),
    [("A goal kick for Swansea", "en"), ("The goalkeeper has it", "en"), ("A shot at goal, wide", "en"),
     ("No goal, offside", "en"), ("But he misses", "en"), ("Tiro a puerta", "es"), ("", "en")],
)  # fmt: skip
def test_what_is_no_goal_is_not_an_announcement(text, language):
    assert not announces(said(text, language))


def test_features_count_announcements_the_kick_off_and_new_score_after_and_a_half_without_commentary_has_none():
    commentary = {
        1: (said("He scores!", at=102.0), said("What a goal!", at=106.0), said("It's 1-0 to Chelsea", at=160.0),
            said("Diego Costa, the scorer, celebrates", at=170.0), said("goal kick", at=600),
            said("Arsenal won 2-0 there last week", at=640.0)),
        2: (),
    }  # fmt: skip
    match = match_from_game_id(GAME, segments=commentary)
    spots = [spot("Goal", 100, 0.5), spot("Kick-off", 190, 0.8), spot("Goal", 600, 0.5), spot("Goal", 100, 0.5, half=2)]
    rows = features(match, spots)
    assert len(rows) == 3 and len(rows[0]) == len(FEATURES)
    assert rows[0][1] == pytest.approx(math.log(3)) and rows[0][2] == 0.8 and rows[0][3] == pytest.approx(math.log(2))
    assert rows[0][4] == pytest.approx(math.log(2))  # the scorer celebrating, 70 s after
    assert rows[1][1:] == (0.0,) * 4  # "goal kick" announces nothing, no kick-off after, an old score
    assert rows[2][1:] == (0.0,) * 4  # the second half has no commentary
    assert [a.seconds for a in announcements(match)] == [102.0, 106.0]


def test_a_score_this_match_never_reached_is_no_new_score():
    """Chelsea 2 - 1 Swansea passes through 1-0, 2-0 or 1-1 and 2-1 (larger number first): a "4-2" or "3-0" said
    in it is another match's or misheard; a match added without its score keeps every score."""
    commentary = {1: (said("It's 1-0 to Chelsea", at=100.0), said("4-2 now", at=300.0),
                      said("3-0 here", at=400.0), said("2-1 Chelsea", at=900.0)), 2: ()}  # fmt: skip
    match = match_from_game_id(GAME, segments=commentary)
    assert [m.goals for m in new_scores(match)] == [(1, 0), (2, 1)]
    unknown = replace(match, score_known=False)
    assert [m.goals for m in new_scores(unknown)] == [(1, 0), (4, 2)]


def test_a_peak_the_commentary_announces_and_a_kick_off_follows_outranks_a_clearer_bare_one():
    commentary = {1: (said("He scores! Chelsea lead", at=1201.0),), 2: ()}
    match = match_from_game_id("england_epl/2015-2016/2015-08-08 - 19-30 Chelsea 1 - 0 Swansea", segments=commentary)
    spots = [spot("Goal", 300, 0.6), spot("Goal", 1200, 0.4), spot("Kick-off", 1290, 0.9)]
    policy = AnswerPolicy(
        {"Goal": ClassRule(cut_off=1.01, floor=0.0)}, goal_evidence=goal_evidence((1.0, 2.0, 2.0, 1.0, 0.0), -1.0)
    )
    shown = [s.position_ms // 1000 for s in match_moments(policy, match, spots).spots if s.label == "Goal"]
    assert shown == [1200]
    assert [
        s.position_ms // 1000 for s in AnswerPolicy(policy.rules).answer(match, spots).spots if s.label == "Goal"
    ] == [300]


def test_goal_evidence_is_learned_from_labelled_games_and_none_without_peaks():
    matches, predictions = [], {}
    for i in range(6):
        goals = [400.0, 1600.0]
        commentary = {1: tuple(said("Goal! He scores!", at=t + 3) for t in goals), 2: ()}
        events = {1: tuple(Event(1, round(t * 1000), "Goal") for t in goals), 2: ()}
        match = match_from_game_id(GAME.replace("Chelsea", f"Club{i}"), segments=commentary, events=events,
                                   has_labels=True)  # fmt: skip
        matches.append(match)
        predictions[match.id] = [spot("Goal", t, 0.3) for t in (*goals, 900, 2200)]
    evidence = fit_goal_evidence(predictions, matches)
    assert evidence is not None and evidence.weights[1] > 0  # an announced peak is a goal here
    assert fit_goal_evidence({}, matches) is None


def test_a_policy_keeps_its_goal_evidence_and_a_bad_one_is_a_clear_error(tmp_path):
    policy = AnswerPolicy({"Goal": ClassRule(0.5, 0.1)}, goal_evidence=goal_evidence((0.5, 1.0, 2.0, 1.0, 0.0), -3.0))
    path = tmp_path / "answers.json"
    policy.save(path)
    assert AnswerPolicy.load(path).goal_evidence == policy.goal_evidence
    assert AnswerPolicy.from_dict(AnswerPolicy(policy.rules).as_dict()).goal_evidence is None  # older files
    bad = policy.as_dict() | {"goal_evidence": {"features": list(FEATURES), "weights": [1.0, "nan", 2.0], "bias": 0}}
    path.write_text(__import__("json").dumps(bad))
    with pytest.raises(HighlightsError, match="answer policy"):
        AnswerPolicy.load(path)


def test_goal_peaks_the_timeline_never_weighs_are_not_shown():
    """More peaks than the score timeline weighs (``MAX_GOALS``) in a 1-0 match: one goal shown, not the rest."""
    match = match_from_game_id("england_epl/2015-2016/2015-08-08 - 19-30 Chelsea 1 - 0 Swansea")
    spots = [spot("Goal", 60.0 * i, 0.5 + 0.01 * (i == 7)) for i in range(1, 40)]
    policy = AnswerPolicy({"Goal": ClassRule(cut_off=1.01, floor=0.0)})
    goals = [s.position_ms // 1000 for s in match_moments(policy, match, spots).spots if s.label == "Goal"]
    assert goals == [420]


def test_a_folder_score_the_commentary_disagrees_with_still_gives_an_answer():
    """The Rayo game's folder says 1-0; its commentary counts on to 10-0. The answer shows the folder's one goal,
    where the commentary says 1-0, with the goal evidence as without it, and the timeline says the two disagree."""
    lines = [(60.0 * i, f"Goal! Real Madrid {i}-0") for i in range(1, 11)]
    commentary = {1: tuple(said(text, at=t + 2) for t, text in lines), 2: ()}
    match = match_from_game_id(RAYO, segments=commentary)
    spots = [spot("Goal", t, 0.4 + 0.01 * k) for k, (t, _) in enumerate(lines)] + [spot("Kick-off", 700, 0.9)]
    evidence = goal_evidence((1.0, 1.0, 1.0, 1.0, 1.0), 0.0)
    for policy in (
        AnswerPolicy({"Goal": ClassRule(1.01, 0.0)}),
        AnswerPolicy({"Goal": ClassRule(1.01, 0.0)}, goal_evidence=evidence),
    ):
        moments = match_moments(policy, match, spots)
        assert [s.position_ms // 1000 for s in moments.spots if s.label == "Goal"] == [60]  # where "1-0" is said
        assert (
            moments.attribution.timeline.note
            == "the commentary's running score ends 10-0, not 1-0 as the match's name says"
        )
