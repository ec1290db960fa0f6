"""Substitution announcements in the commentary, the substitution evidence model over them, and the policy
that carries it."""

from __future__ import annotations

import json
import math

import pytest

from evaluation.answers import borrow, fit_substitution_evidence
from index.corpus import match_from_game_id
from index.errors import HighlightsError
from index.types import Event, Segment
from spotting.answers import AnswerPolicy, ClassRule, MatchAnswer
from spotting.substitutions import FEATURES, changes, features, reading, substitution_evidence
from spotting.types import Spot

GAME = "england_epl/2015-2016/2016-04-23 - 17-00 Bournemouth 1 - 4 Chelsea"


def spot(seconds: float, confidence: float, half: int = 2, label: str = "Substitution") -> Spot:
    return Spot(label, half, seconds - 7.5, seconds + 7.5, round(seconds * 1000), confidence)


def said(text: str, language: str = "en", at: float = 0.0, half: int = 2) -> Segment:
    return Segment(half, at, at + 3, text, "whisper_v2", language)


@pytest.mark.parametrize(
    ("text", "language"),
    [("Callum Wilson comes on for Josh King", "en"), ("Josh King makes way", "en"), ("Entra Marcelo en su lugar", "es"),
     ("Wechsel bei Hertha: Kurt kommt für Darida", "de"), ("Payet est remplacé par Lanzini", "fr"),
     ("Sostituzione per la Roma: entra El Shaarawy, esce Salah", "it"), ("Substituição no Benfica: sai Gaitán", "pt"),
     ("Замена у Лиона", "ru"), ("Wechsel bei Hertha", ""), ("Cambio en el Madrid", "xx")],
)  # fmt: skip
def test_a_change_is_announced_in_each_language_and_an_unknown_one_is_read_with_all(text, language):
    change = reading(said(text, language))
    assert change is not None and change.announced and change.players == 1


@pytest.mark.parametrize(
    ("text", "language", "players"),
    [("So here comes the double change", "en", 2), ("Wilson on for King, and Afobe on for Gosling", "en", 2),
     ("Doble cambio en el Real Madrid", "es", 2), ("Doppelwechsel bei Bayern", "de", 2),
     ("Triple cambio en el Barça", "es", 3), ("Двойная замена у Зенита", "ru", 2),
     ("on for, on for, on for, on for", "en", 3)],
)  # fmt: skip
def test_a_double_or_triple_change_says_how_many_players(text, language, players):
    assert reading(said(text, language)).players == players


@pytest.mark.parametrize(
    ("text", "language"),
    [("Since he came on he has been brilliant", "en"), ("He could be substituted soon", "en"),
     ("What a change of pace", "en"), ("He's warming up on the touchline", "en"), ("Sale la pelota", "es"),
     ("Seit seiner Einwechslung läuft es", "de"), ("", "en"), ("   ", "fr")],
)  # fmt: skip
def test_a_past_or_might_be_change_or_no_words_is_no_change(text, language):
    assert reading(said(text, language)) is None


def test_a_very_long_segment_is_read_whole():
    assert reading(said("blah " * 20_000 + "and Wilson comes on for King")).announced
    assert reading(said("blah " * 20_000)) is None


def test_features_count_announcements_around_a_peak_and_a_half_without_commentary_has_none():
    texts = {1000.0: "Here comes the double change", 1006.0: "Wilson comes on", 1012.0: "a change in the dugout",
             2500.0: "Replaced by Wilson"}  # fmt: skip
    commentary = {1: (), 2: tuple(said(text, at=at) for at, text in texts.items())}
    match = match_from_game_id(GAME, segments=commentary)
    spots = [spot(1003, 0.5), spot(10, 0.2), spot(1003, 0.5, label="Goal"), spot(1003, 0.5, half=1)]
    rows = features(match, spots)
    assert len(rows) == 3 and all(len(row) == len(FEATURES) for row in rows)
    assert rows[0][1:] == (pytest.approx(math.log(3)), pytest.approx(math.log(2)), 2.0, 0.0)
    assert rows[1][1:] == (0.0, 0.0, 0.0, 1.0)  # nothing said near it; at the second half's restart
    assert rows[2][1:] == (0.0, 0.0, 0.0, 0.0)  # the first half has no commentary
    assert [c.seconds for c in changes(match)] == [1000.0, 1006.0, 1012.0, 2500.0]


def test_an_announced_peak_outranks_a_clearer_bare_one():
    commentary = {1: (), 2: (said("Callum Wilson comes on for Josh King", at=1500.0),)}
    match = match_from_game_id(GAME, segments=commentary)
    policy = AnswerPolicy({"Substitution": ClassRule(0.5)}, substitution_evidence=substitution_evidence(
        (1.0, 3.0, 0.5, 0.5, 0.0), -1.0))  # fmt: skip
    spots = [spot(900, 0.6), spot(1495, 0.4)]
    kept = policy.answer(match, policy.rescored(match, spots)).spots
    assert [s.position_ms // 1000 for s in kept] == [1495]
    assert [s.position_ms // 1000 for s in AnswerPolicy(policy.rules).answer(match, spots).spots] == [900]


def test_substitution_evidence_is_learned_from_labelled_games_and_none_without_peaks():
    matches, predictions = [], {}
    for i in range(6):
        made = [1500.0, 2400.0]
        commentary = {1: (), 2: tuple(said("He comes on for the captain", at=t + 2) for t in made)}
        events = {1: (), 2: tuple(Event(2, round(t * 1000), "Substitution") for t in made)}
        match = match_from_game_id(GAME.replace("Chelsea", f"Club{i}"), segments=commentary, events=events,
                                   has_labels=True)  # fmt: skip
        matches.append(match)
        predictions[match.id] = [spot(t, 0.3) for t in (*made, 600, 1900)]
    evidence = fit_substitution_evidence(predictions, matches)
    assert evidence is not None and evidence.weights[1] > 0  # an announced peak is a change here
    assert fit_substitution_evidence({}, matches) is None


def test_a_policy_keeps_its_substitution_evidence_and_a_bad_one_is_a_clear_error(tmp_path):
    evidence = substitution_evidence((0.5, 1.0, 0.2, 0.3, 0.4), -2.0)
    policy = AnswerPolicy({"Substitution": ClassRule(0.3)}, substitution_evidence=evidence)
    path = tmp_path / "answers.json"
    policy.save(path)
    assert AnswerPolicy.load(path).substitution_evidence == evidence
    assert AnswerPolicy.from_dict(AnswerPolicy(policy.rules).as_dict()).substitution_evidence is None  # older files
    for bad in ({"weights": [1.0, "nan", 2.0, 0.0, 0.0]}, {"features": ["confidence"]}, {"label": "Goal"}):
        path.write_text(json.dumps(policy.as_dict() | {"substitution_evidence": evidence.as_dict() | bad}))
        with pytest.raises(HighlightsError, match="answer policy"):
            AnswerPolicy.load(path)


def test_a_borrowed_substitution_class_is_rescored_by_the_lenders_evidence():
    events = {1: (), 2: (Event(2, 1_500_000, "Substitution"),)}
    match = match_from_game_id(GAME, events=events, has_labels=True)
    own = AnswerPolicy({"Substitution": ClassRule(0.3)}, substitution_evidence=substitution_evidence((1,) * 5, 0.0))
    lender = AnswerPolicy({"Substitution": ClassRule(0.4)}, substitution_evidence=substitution_evidence((2,) * 5, 0.0))
    wrong, right = MatchAnswer([spot(600, 0.9)]), MatchAnswer([spot(1495, 0.9)])
    taken = borrow(own, {match.id: wrong}, lender, {match.id: right}, "keywords", [match])
    assert taken.borrowed == {"Substitution": "keywords"}
    assert taken.substitution_evidence == lender.substitution_evidence
    kept = borrow(own, {match.id: right}, lender, {match.id: wrong}, "keywords", [match])
    assert kept.borrowed == {} and kept.substitution_evidence == own.substitution_evidence
