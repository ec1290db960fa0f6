"""What an answer keeps (spotting.answers) and the answer-level metrics and policy fit (evaluation.answers)."""

from __future__ import annotations

import json

import pytest

from evaluation.answers import answer_metrics, apply_policy, fit_policy
from index.corpus import match_from_game_id
from index.errors import HighlightsError
from index.types import Event, Segment
from spotting.answers import AnswerPolicy, Calibration, ClassRule, MatchAnswer, goals_in_name
from spotting.moments import match_moments
from spotting.types import Spot

GAME = "england_epl/2015-2016/2015-08-08 - 19-30 Chelsea 2 - 1 Swansea"
COMMENTARY = {1: (Segment(1, 1.0, 3.0, "kick-off", "whisper_v2", "en"),), 2: ()}


def spot(label: str, seconds: float, confidence: float, half: int = 1) -> Spot:
    return Spot(label, half, seconds - 7.5, seconds + 7.5, round(seconds * 1000), confidence)


def event(label: str, seconds: float, half: int = 1) -> Event:
    return Event(half, round(seconds * 1000), label)


def goal_policy(floor: float = 0.1, cut_off: float = 0.9) -> AnswerPolicy:
    return AnswerPolicy({"Goal": ClassRule(cut_off, floor)}, default_cut_off=0.5)


def test_goals_as_many_as_the_folder_score_clearest_first():
    match = match_from_game_id(GAME, home_score=9, away_score=9)  # labels' score is never used
    assert goals_in_name(match) == 3
    spots = [spot("Goal", t, c) for t, c in [(100, 0.3), (120, 0.25), (600, 0.2), (900, 0.4), (1500, 0.15)]]
    answer = goal_policy().answer(match, spots)
    kept = [s.position_ms // 1000 for s in answer.spots]
    assert kept == [100, 600, 900]  # 120 s is the 100-s goal said again; 1500 s is a fourth goal the score denies
    assert answer.shortfalls == ()


def test_fewer_goals_than_the_score_is_said():
    match = match_from_game_id(GAME)
    answer = goal_policy(floor=0.3).answer(match, [spot("Goal", 100, 0.5), spot("Goal", 700, 0.2)])
    assert len(answer.spots) == 1
    assert answer.shortfall("Goal").expected == 3 and answer.shortfall("Goal").found == 1
    nothing = goal_policy().answer(match, [])
    assert nothing.shortfall("Goal").found == 0


def test_a_folder_score_that_undercounts_keeps_the_sure_goals_beyond_it():
    match = match_from_game_id("spain_laliga/2015-2016/2015-12-20 - 18-00 Real Madrid 1 - 0 Rayo Vallecano")
    spots = [spot("Goal", 100.0 * i, 0.99 - 0.005 * i) for i in range(1, 11)] + [spot("Goal", 2000, 0.5)]
    answer = goal_policy().answer(match, spots)
    assert len(answer.spots) == 10 and answer.shortfalls == ()
    nil = match_from_game_id("england_epl/2015-2016/2015-08-08 - 19-30 Chelsea 0 - 0 Swansea")
    assert goal_policy().answer(nil, [spot("Goal", 100, 0.5)]).spots == []


def test_other_classes_keep_their_cut_off_with_calibrated_confidence():
    calibration = Calibration((0.0, 0.2, 1.0), (0.0, 0.8, 1.0))
    policy = AnswerPolicy({"Corner": ClassRule(0.5, None, calibration)}, default_cut_off=0.3)
    answer = policy.answer(match_from_game_id(GAME), [spot("Corner", 50, 0.1), spot("Corner", 90, 0.2),
                                                      spot("Foul", 60, 0.35), spot("Foul", 70, 0.25)])  # fmt: skip
    assert [(s.label, round(s.confidence, 3)) for s in answer.spots] == [("Foul", 0.35), ("Corner", 0.8)]


def test_a_policy_round_trips_and_a_bad_file_is_a_clear_error(tmp_path):
    policy = AnswerPolicy({"Goal": ClassRule(0.7, 0.2, Calibration((0.0, 0.5), (0.1, 0.9)))}, 0.3, "test")
    policy.save(tmp_path / "answers.json")
    assert AnswerPolicy.load(tmp_path / "answers.json") == policy
    for bad in ("{", json.dumps({"format": 99}), json.dumps({"format": 1, "default_cut_off": 0, "rules": {"Goal": {
            "cut_off": 1, "raw": [0.5, 0.1], "calibrated": [0, 1]}}})):  # fmt: skip
        (tmp_path / "bad.json").write_text(bad)
        with pytest.raises(HighlightsError, match="answer policy"):
            AnswerPolicy.load(tmp_path / "bad.json")


def _labelled(goals: list[float], cards: list[float]):
    events = tuple(event("Goal", t) for t in goals) + tuple(event("Yellow card", t) for t in cards)
    return match_from_game_id(GAME, segments=COMMENTARY, events={1: events, 2: ()}, has_labels=True)


def test_answer_metrics_within_30_seconds_and_games_without_goals():
    match = _labelled([100, 101, 600, 900], [300])  # 100/101: one goal labelled twice
    answer = MatchAnswer([spot("Goal", 110, 0.9), spot("Goal", 2000, 0.9), spot("Yellow card", 340, 0.9)])
    silent = match_from_game_id(GAME.replace("Chelsea", "Everton"), events={1: (event("Goal", 50),)}, has_labels=True)
    metrics = answer_metrics({match.id: answer}, [match, silent])
    goal = metrics["per_class"]["Goal"]
    assert (goal["kept"], goal["right"], goal["events"], goal["found"]) == (2, 1, 5, 2)
    assert metrics["per_class"]["Yellow card"]["found"] == 0  # 40 s late
    assert metrics["games_with_goals"] == 1 and metrics["games_goals_unfound"] == 0  # no commentary: not counted
    missed = answer_metrics({match.id: MatchAnswer([spot("Goal", 2000, 0.9)])}, [match])
    assert missed["games_goals_unfound"] == 1 and missed["unfound_games"] == [match.id]


def test_fit_policy_learns_a_cut_off_and_a_floor_that_pay():
    matches, predictions = [], {}
    for i in range(6):
        match = _labelled([200, 1200, 2200], [500, 1500])
        match = match_from_game_id(GAME.replace("Chelsea", f"Club{i}"), segments=COMMENTARY,
                                   events=match.events, has_labels=True)  # fmt: skip
        matches.append(match)
        true = [spot("Goal", t + 5, 0.3 + 0.05 * i) for t in (200, 1200, 2200)]
        noise = [spot("Goal", t, 0.2) for t in (700, 1700)] + [spot("Yellow card", t, 0.6) for t in (505, 1490)]
        predictions[match.id] = true + noise + [spot("Yellow card", t, 0.3) for t in (900, 1900)]
    policy = fit_policy(predictions, matches)
    assert policy.rules["Goal"].floor is not None
    answers = apply_policy(policy, predictions, matches)
    metrics = answer_metrics(answers, matches)
    for label in ("Goal", "Yellow card"):
        assert metrics["per_class"][label]["recall"] == 1.0 and metrics["per_class"][label]["precision"] == 1.0
    assert 0.0 <= policy.rules["Goal"].calibration(0.35) <= 1.0


def test_what_a_user_is_shown_leaves_out_goals_the_running_score_rules_out():
    """The policy keeps goals by count; the score timeline then drops the one the commentary's own running
    score places nowhere, and the evaluation scores exactly what the user is shown."""
    lines = [
        (300.0, "Goal for Chelsea! Chelsea lead 1-0."),
        (900.0, "What a goal! Swansea are level, 1-1."),
        (1500.0, "And Chelsea lead again, 2-1!"),
        (2000.0, "goal kick, nothing on"),
    ]
    commentary = {1: tuple(Segment(1, t, t + 4, text, "whisper_v2", "en") for t, text in lines), 2: ()}
    match = match_from_game_id(GAME, segments=commentary)
    spots = [spot("Goal", t + 2, c) for t, c in [(300, 0.9), (900, 0.9), (1500, 0.9), (2000, 0.85)]]
    policy = AnswerPolicy({"Goal": ClassRule(cut_off=0.5, floor=0.0)}, default_cut_off=0.5)
    moments = match_moments(policy, match, spots)
    shown = [s.position_ms // 1000 for s in moments.spots if s.label == "Goal"]
    assert len(moments.answer.spots) >= len(shown) and 2002 not in shown and {302, 902, 1502} <= set(shown)
    assert [s.team for s in moments.spots if s.label == "Goal"] == ["home", "away", "home"]
    evaluated = apply_policy(policy, {match.id: spots}, [match])[match.id]
    assert [s.position_ms // 1000 for s in evaluated.spots] == shown


def test_a_goal_found_twice_is_shown_once_by_its_clearest_spot():
    """Two peaks 20 s apart over one goal's commentary are one goal on the score timeline: a 2-1 match
    shows three goals, each at its clearest spot, not four."""
    lines = [
        (300.0, "Goal for Chelsea! Chelsea lead 1-0."),
        (900.0, "What a goal! Swansea are level, 1-1."),
        (1500.0, "And Chelsea lead again, 2-1!"),
    ]
    commentary = {1: tuple(Segment(1, t, t + 4, text, "whisper_v2", "en") for t, text in lines), 2: ()}
    match = match_from_game_id(GAME, segments=commentary)
    spots = [spot("Goal", t, c) for t, c in [(302, 0.9), (902, 0.9), (922, 0.6), (1502, 0.9)]]
    policy = AnswerPolicy({"Goal": ClassRule(cut_off=0.5, floor=0.0)}, default_cut_off=0.5)
    moments = match_moments(policy, match, spots)
    goals = [(s.position_ms // 1000, s.confidence) for s in moments.spots if s.label == "Goal"]
    assert goals == [(302, 0.9), (902, 0.9), (1502, 0.9)]


def test_a_lent_class_said_several_times_is_one_moment():
    """The lexicon spots every remark ("yellow card… he's booked"): one class's spots within 20 s of each
    other are one moment, its clearest; another class, another half or a later booking stay."""
    from spotting.moments import one_per_remark

    spots = [spot("Yellow card", 600, 0.4), spot("Yellow card", 612, 0.7), spot("Yellow card", 630, 0.5),
             spot("Foul", 605, 0.6), spot("Yellow card", 612, 0.3, half=2), spot("Yellow card", 700, 0.2)]  # fmt: skip
    kept = [(s.label, s.half, s.position_ms // 1000, s.confidence) for s in one_per_remark(spots)]
    assert kept == [("Foul", 1, 605, 0.6), ("Yellow card", 1, 612, 0.7), ("Yellow card", 1, 700, 0.2),
                    ("Yellow card", 2, 612, 0.3)]  # fmt: skip
