"""The score timeline: goals assigned to teams within the final score, goals nobody found, a score that
disagrees with the commentary, and inputs no match could have."""

from __future__ import annotations

import math

import pytest

from index.corpus import match_from_game_id
from spotting.score_timeline import GoalEvidence, Score, build_timeline, final_score, merge_twins
from spotting.scoreline import MentionKind, ScoreMention
from spotting.types import Spot


def goal(half: int, minute: float, lean: float = 0.0, confidence: float = 1.0) -> GoalEvidence:
    seconds = minute * 60
    spot = Spot("Goal", half, seconds - 7.5, seconds + 7.5, int(seconds * 1000), confidence)
    return GoalEvidence(half, seconds, confidence, lean, (spot,))


def said(kind: MentionKind, half: int, minute: float, goals=(0, 0), team: str = "") -> ScoreMention:
    return ScoreMention(kind, half, minute * 60, goals, team)


def teams(timeline) -> list[str]:
    return [g.team for g in timeline.goals if g.found]


def test_the_final_score_decides_between_weak_leans() -> None:
    # Both goals lean home, but the final score is 1-1: the weaker lean is the away goal.
    timeline = build_timeline([goal(1, 10, 2.0), goal(1, 30, 0.8)], (1, 1))
    assert teams(timeline) == ["home", "away"]
    assert str(timeline.half_time) == "1-1"


def test_mentions_place_goals_the_commentary_alone_cannot() -> None:
    goals = [goal(1, 10), goal(1, 30), goal(2, 20)]
    mentions = [
        said(MentionKind.SCORE, 1, 11, (1, 0), "home"),  # "1-0 for Chelsea"
        said(MentionKind.SCORE, 1, 31, (1, 1)),  # "it's 1-1"
        said(MentionKind.LEAD, 2, 21, team="home"),  # "Chelsea back in front"
    ]
    timeline = build_timeline(goals, (2, 1), mentions)
    assert teams(timeline) == ["home", "away", "home"]
    assert all(g.sure for g in timeline.goals)
    assert timeline.score_at_minute(20) == Score(1, 0)
    assert timeline.score_at_minute(50) == Score(1, 1)
    assert timeline.score_at(2, 21 * 60) == Score(2, 1)


def test_a_loose_lead_word_does_not_outweigh_a_surer_goal() -> None:
    # "They lead the league" said at 12' beside a weak peak; the goal the spotter is surer of is at 20'.
    goals = [goal(1, 12, confidence=0.5), goal(1, 20, confidence=0.8)]
    timeline = build_timeline(goals, (1, 0), [said(MentionKind.LEAD, 1, 12.5)])
    assert [g.seconds for g in timeline.goals] == [20 * 60]
    assert [g.seconds for g in timeline.discarded] == [12 * 60]


def test_without_evidence_a_goal_s_team_is_a_guess_and_says_so() -> None:
    timeline = build_timeline([goal(1, 10), goal(2, 10), goal(2, 30)], (2, 1))
    assert not any(g.sure for g in timeline.goals)
    assert not timeline.half_time.certain
    assert timeline.full_time == Score(2, 1)


def test_a_goal_nobody_found_is_put_where_the_commentary_needs_it() -> None:
    # One goal found; the commentary says "2-0" at minute 40 and the final is 2-0.
    timeline = build_timeline([goal(1, 10, 1.0)], (2, 0), [said(MentionKind.SCORE, 1, 40, (2, 0))])
    unseen = [g for g in timeline.goals if not g.found]
    assert len(unseen) == 1 and unseen[0].team == "home"
    assert unseen[0].earliest == (1, 600.0) and (unseen[0].half, unseen[0].seconds) == (1, 2400.0)
    assert timeline.missing == (1, 0)
    assert timeline.score_at_minute(30) == Score(1, 0, unsure_home=1)  # somewhere between 10' and 40'
    assert timeline.score_at_minute(41) == Score(2, 0)
    assert timeline.half_time.certain


def test_goals_the_commentary_never_places_stay_unplaced() -> None:
    timeline = build_timeline([goal(1, 10, 2.0)], (3, 1))
    assert timeline.missing == (2, 1)
    assert timeline.unplaced == (2, 1)
    assert timeline.half_time == Score(1, 0, unsure_home=2, unsure_away=1)
    assert timeline.full_time == Score(3, 1)


def test_more_goals_found_than_the_score_has() -> None:
    # A disallowed goal (found with little confidence) is left off the timeline.
    timeline = build_timeline([goal(1, 10, 1.0), goal(1, 20, 0.5, confidence=0.2), goal(2, 5, -1.0)], (1, 1))
    assert len(timeline.goals) == 2 and len(timeline.discarded) == 1
    assert timeline.discarded[0].seconds == 1200


def test_one_goal_found_twice_is_one_goal() -> None:
    twins = [goal(1, 26.3, 0.5), goal(1, 26.4, 0.5)]
    assert len(merge_twins(twins)) == 1
    timeline = build_timeline(twins, (1, 0))
    assert teams(timeline) == ["home"]
    assert timeline.goals[0].sure and len(timeline.goals[0].spots) == 2


def test_a_final_score_the_commentary_disagrees_with_is_reported() -> None:
    mentions = [said(MentionKind.SCORE, 2, m, (2, 1)) for m in (10, 20, 30, 40)]
    mentions += [said(MentionKind.LEAD, 2, m, team="home") for m in (12, 22, 32)]
    timeline = build_timeline([goal(1, 10, 1.0), goal(1, 30, -1.0), goal(2, 5, 1.0)], (1, 0), mentions)
    assert timeline.final == (1, 0)
    assert "2-1" in timeline.note and "1-0" in timeline.note
    assert timeline.commentary_final == (2, 1)


def test_many_sure_goals_against_the_final_score_are_reported_weak_goal_like_peaks_are_not() -> None:
    sure = build_timeline([goal(1, minute, 1.0) for minute in (5, 15, 25, 35)], (1, 0))
    assert sure.note == "4 goals were found, but the final score 1-0 has 1"
    weak = build_timeline([goal(1, minute, 1.0, confidence=0.6) for minute in (5, 15, 25, 35)], (1, 0))
    assert weak.final == (1, 0) and weak.note == ""


def test_without_a_final_score_the_commentary_decides() -> None:
    timeline = build_timeline([goal(1, 10, 1.5), goal(2, 10, -1.5)], None)
    assert timeline.final == (1, 1)
    assert timeline.note == ""


def test_nothing_at_all() -> None:
    timeline = build_timeline([], (0, 0))
    assert timeline.goals == () and timeline.half_time == Score(0, 0) and timeline.half_time.certain


@pytest.mark.parametrize(
    ("goals", "final"),
    [
        ([GoalEvidence(1, math.nan), goal(7, 10), GoalEvidence(1, math.inf)], (1, 0)),
        ([goal(1, -5.0), goal(2, 500.0)], (-3, 2)),
        ([goal(1, i * 0.5, 1.0) for i in range(200)], (300, 4)),
        ([GoalEvidence(1, 60.0, 5.0, math.nan)], (1, 1)),
    ],
)
def test_absurd_input_gives_a_valid_timeline(goals: list[GoalEvidence], final: tuple[int, int]) -> None:
    timeline = build_timeline(goals, final)
    h, a = timeline.final
    assert 0 <= h <= 25 and 0 <= a <= 25
    assert sum(g.team == "home" for g in timeline.goals) + timeline.unplaced[0] == h
    assert timeline.score_at(1, math.nan) is not None


def test_final_score_is_the_folder_name_s() -> None:
    match = match_from_game_id(
        "spain_laliga/2015-2016/2015-12-20 - 18-00 Real Madrid 1 - 0 Rayo Vallecano", home_score=10, away_score=2
    )
    assert final_score(match) == (1, 0)
