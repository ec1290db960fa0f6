"""Team and player of every spot from the commentary: real sample games, constructed commentary, a half
without commentary, absurd spots and broken weights."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest

from index.corpus import load_corpus, match_from_game_id
from index.errors import HighlightsError
from index.types import Segment
from spotting.attribution import AttributionModel, analyse, attribute, load_model, score_timeline, shipped_model
from spotting.attribution_features import FEATURES, MomentEvidence
from spotting.attribution_fit import labelled_spots
from spotting.commentary_text import MatchText
from spotting.registry import SPOTTER_TEXT
from spotting.roster import learn_roster
from spotting.types import Spot

ARSENAL_SPURS = "england_epl/2016-2017/2016-11-06 - 16-30 Arsenal 1 - 1 Tottenham"


@pytest.fixture(scope="module")
def sample(sample_root):
    return {m.home + " - " + m.away: m for m in load_corpus(sample_root, text=SPOTTER_TEXT).matches}


def spot(label: str, half: int, seconds: float, team: str = "") -> Spot:
    return Spot(label, half, seconds - 7.5, seconds + 7.5, int(seconds * 1000), 0.9, team=team)


def lines(half: int, *texts: tuple[float, str]) -> tuple[Segment, ...]:
    return tuple(Segment(half, t, t + 2.0, text, "whisper_v2", "en") for t, text in texts)


def constructed():
    """A made-up Arsenal - Tottenham commentary: who plays where, a goal each, a booking."""
    first = lines(
        1,
        (10.0, "Arsenal start with Ramsey and Özil in midfield."),
        (14.0, "Ramsey for Özil, Özil to Walcott."),
        (20.0, "Tottenham line up with Kane up front, Eriksen behind him."),
        (24.0, "Eriksen finds Kane."),
        (30.0, "Corner for Arsenal, Özil to take it."),
        (600.0, "Ramsey, Walcott, goal from Walcott! 1-0 for Arsenal."),
        (612.0, "Walcott scores his third of the season."),
        (900.0, "Eriksen for Kane, Kane shoots, saved."),
        (1500.0, "Goal from Kane! Tottenham equalise, it is 1-1."),
        (1510.0, "Kane again, what a finish."),
        (2000.0, "Yellow card for Ramsey, a late tackle on Eriksen."),
    )
    return match_from_game_id(ARSENAL_SPURS, segments={1: first, 2: ()}, languages={1: "en", 2: ""})


def test_a_constructed_commentary_gives_teams_and_players() -> None:
    match = constructed()
    roster = learn_roster(MatchText(match))
    assert roster.side("ozil") == roster.side("ramsey") == "home"
    assert roster.side("kane") == roster.side("eriksen") == "away"
    spots = [spot("Goal", 1, 598.0), spot("Goal", 1, 1497.0), spot("Yellow card", 1, 1998.0), spot("Corner", 1, 29)]
    result = analyse(match, spots)
    goal_home, goal_away, card, corner = result.spots
    assert (goal_home.team, goal_home.player) == ("home", "Walcott")
    assert (goal_away.team, goal_away.player) == ("away", "Kane")
    assert card.player == "Ramsey"
    assert corner.player == ""  # players are named for goals, cards and substitutions only
    assert str(result.timeline.half_time) == "1-1" and result.timeline.half_time.certain
    assert result.scorers("away") == [(goal_away, "Kane")]


def test_sample_goals_get_the_labelled_team_and_their_scorers(sample) -> None:
    match = sample["Chelsea - Watford"]
    goals = [(s, team) for s, team in labelled_spots(match) if s.label == "Goal"]
    result = analyse(match, [s for s, _ in goals])
    assert [s.team for s in result.spots] == [team for _, team in goals]
    assert "Costa" in result.spots[0].player
    bayern = sample["Bayern Munich - Dortmund"]
    goals = [(s, team) for s, team in labelled_spots(bayern) if s.label == "Goal"]
    result = analyse(bayern, [s for s, _ in goals])
    assert [s.team for s in result.spots] == [team for _, team in goals]
    assert "Müller" in result.spots[0].player and "Aubameyang" in result.spots[2].player


def test_a_match_without_commentary_guesses_nothing(sample) -> None:
    rayo = sample["Real Madrid - Rayo Vallecano"]
    goals = [s for s, _ in labelled_spots(rayo) if s.label == "Goal"]
    result = analyse(rayo, goals)
    assert all(s.team == "" for s in result.spots)
    assert "12 goals were found" in result.timeline.note
    assert not result.timeline.half_time.certain


def test_a_half_without_commentary(sample) -> None:
    match = sample["Chelsea - Watford"]
    first_only = dataclasses.replace(match, segments={1: match.half_segments(1), 2: ()})
    labelled = labelled_spots(first_only)
    result = analyse(first_only, [s for s, _ in labelled])
    second_half = [a for (s, _), a in zip(labelled, result.spots, strict=True) if s.half == 2]
    assert second_half and all(a.team == "" for a in second_half if a.label != "Goal")
    # 1-1 at half-time and 2-2 at the end: one goal each after the break, but not which is which.
    assert [a.team for a in second_half if a.label == "Goal"] == ["", ""]
    assert str(result.timeline.half_time) == "1-1"
    assert result.timeline.score_at(2, 1000.0).guessed == 1


def test_absurd_spots_keep_their_place() -> None:
    match = constructed()
    odd = [spot("Goal", 1, -50.0), spot("Foul", 3, 10.0), spot("Corner", 1, 1e9), spot("Ball out of play", 1, 600.0)]
    result = attribute(match, odd)
    assert [s.label for s in result] == [s.label for s in odd]
    assert result[3].team == ""  # SoccerNet gives no team to a ball out of play
    assert score_timeline(match, []).final == (1, 1)


def test_a_back_end_s_own_team_is_kept_without_contrary_evidence() -> None:
    match = match_from_game_id(ARSENAL_SPURS)
    assert attribute(match, [spot("Corner", 1, 100.0, team="away")])[0].team == "away"
    assert attribute(match, [spot("Corner", 1, 100.0)])[0].team == ""


def test_the_model_abstains_without_evidence() -> None:
    model = shipped_model()
    assert set(model.classes) >= {"Goal", "Yellow card", "Substitution", "Kick-off"}
    nothing = MomentEvidence((0.0,) * len(FEATURES))
    assert model.side("Corner", nothing) == ""
    assert AttributionModel({}).side("Corner", MomentEvidence((1.0,) * len(FEATURES))) == ""


@pytest.mark.parametrize(
    "content",
    [None, "not json", json.dumps({"features": ["x"], "classes": {}}), json.dumps({"features": list(FEATURES)})],
)
def test_broken_weights_are_a_clear_error(tmp_path: Path, content: str | None) -> None:
    path = tmp_path / "weights.json"
    if content is not None:
        path.write_text(content)
    with pytest.raises(HighlightsError, match="weights"):
        load_model(path)


def test_weights_round_trip(tmp_path: Path) -> None:
    path = tmp_path / "w" / "weights.json"
    shipped_model().save(path)
    assert load_model(path) == shipped_model()


def test_one_goal_found_twice_has_one_team_and_one_scorer() -> None:
    twins = [spot("Goal", 1, 598.0), dataclasses.replace(spot("Goal", 1, 610.0), confidence=0.5)]
    first, second = attribute(constructed(), twins)
    assert (first.team, first.player) == (second.team, second.player) == ("home", "Walcott")
