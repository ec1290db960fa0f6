"""Penalties and red cards told by their episodes: the words that say them and what follows them."""

from __future__ import annotations

import datetime as dt

import pytest

from index.types import Match, Segment
from spotting.episodes import (
    EPISODE_GAP_S,
    KICK_TYPICAL_S,
    LAG_S,
    MAN_SHORT_WITHIN_S,
    episode_spots,
    said_of_else,
)
from spotting.keywords import KeywordSpotter


def _match(*halves: list[tuple[float, str, str]]) -> Match:
    segments = {
        half: tuple(Segment(half, t, t + 2.0, text, "whisper_v2", language) for t, text, language in rows)
        for half, rows in enumerate(halves, start=1)
    }
    return Match("spain_laliga/2016-2017/2017-04-23 - 21-45 Real Madrid 2 - 3 Barcelona", "spain_laliga",
                 "2016-2017", dt.date(2017, 4, 23), None, "Real Madrid", "Barcelona", 2, 3, segments)  # fmt: skip


def _of(match: Match, label: str) -> list:
    return [s for s in episode_spots(match) if s.label == label]


def test_a_penalty_is_placed_at_its_kick_and_is_surer_with_the_kick_said() -> None:
    told = _match([(600.0, "Penalti para el Barcelona.", "es"), (640.0, "Messi, gol, gol, gol", "es")])
    awarded_only = _match([(600.0, "Penalti para el Barcelona.", "es"), (700.0, "Otra vez Messi", "es")])
    (kick,) = _of(told, "Penalty")
    (unsaid,) = _of(awarded_only, "Penalty")
    assert kick.position_ms == round((640.0 - LAG_S) * 1000) and "gol" in kick.evidence
    assert unsaid.position_ms == round((600.0 + KICK_TYPICAL_S) * 1000)
    assert kick.confidence > unsaid.confidence


def test_a_goal_said_before_the_kick_could_be_taken_is_not_its_end() -> None:
    match = _match([(600.0, "Penalty to Chelsea! He scored from the spot last week.", "en"),
                    (603.0, "scored five goals against them", "en"), (660.0, "and he scores", "en")])  # fmt: skip
    (kick,) = _of(match, "Penalty")
    assert kick.position_ms == round((660.0 - LAG_S) * 1000)


def test_a_red_card_is_surer_when_the_ten_men_are_said() -> None:
    left_short = _match([(900.0, "Roja para Sergio Ramos", "es"), (960.0, "El Madrid se queda con diez", "es")])
    alone = _match([(900.0, "Roja para Sergio Ramos", "es")])
    (red,) = _of(left_short, "Red card")
    assert red.position_ms == round((900.0 - LAG_S) * 1000) and "diez" in red.evidence
    assert red.confidence > _of(alone, "Red card")[0].confidence


def test_ten_men_said_too_late_confirm_nothing() -> None:
    late = _match([(100.0, "He is sent off", "en"), (100.0 + MAN_SHORT_WITHIN_S + 60, "down to ten men", "en")])
    soon = _match([(100.0, "He is sent off", "en"), (160.0, "down to ten men", "en")])
    assert _of(late, "Red card")[0].confidence < _of(soon, "Red card")[0].confidence


@pytest.mark.parametrize(
    ("text", "language"),
    [("Ten men now, he's off: red card!", "en"), ("Rote Karte! Nur noch zehn Mann.", "de"),
     ("Carton rouge, ils jouent à dix", "fr"), ("Cartellino rosso, espulso!", "it"),
     ("Cartão vermelho, expulso", "pt"), ("Красная карточка, удаление", "ru")],
)  # fmt: skip
def test_each_language_says_a_red_card(text: str, language: str) -> None:
    assert len(_of(_match([(500.0, text, language)]), "Red card")) == 1


def test_remarks_of_one_moment_are_one_spot_and_a_later_one_another() -> None:
    rows = [(100.0, "red card", "en"), (101.0, "Red card", "en"), (150.0, "he has been sent off", "en"),
            (150.0 + EPISODE_GAP_S + 10, "another red card!", "en")]  # fmt: skip
    spots = _of(_match(rows), "Red card")
    assert [s.position_ms for s in spots] == [round((t - LAG_S) * 1000) for t in (100.0, 150.0 + EPISODE_GAP_S + 10)]
    assert spots[0].confidence > spots[1].confidence  # two remarks (the repeat a second later is one) against one


def test_words_said_of_something_else_are_no_evidence() -> None:
    assert said_of_else("Penalty", Segment(1, 10.0, 12.0, "No penalty, says the referee", "v2", "en"))
    assert said_of_else("Yellow card", Segment(1, 10.0, 12.0, "Aber der Ball ist bei Schwarz-Gelb", "v2", "de"))
    assert not said_of_else("Yellow card", Segment(1, 10.0, 12.0, "Yellow card for Pepe", "v2", "en"))
    appeal = _match([(300.0, "Penalty appeals waved away", "en"), (340.0, "he shoots, saved", "en")])
    assert _of(appeal, "Red card") == [] and _of(appeal, "Penalty") == []
    colours = _match([(300.0, "Aber der Ball ist bei Schwarz-Gelb, gelbe Trikots", "de")])
    assert not [s for s in KeywordSpotter().spot(colours) if s.label == "Yellow card"]


def test_a_second_yellow_is_not_a_red_card() -> None:
    match = _match([(800.0, "Second yellow, and he's sent off!", "en")])
    spots = KeywordSpotter().spot(match)
    assert not [s for s in spots if s.label == "Red card"]
    assert [s for s in spots if s.label == "Yellow->red card"]


def test_no_commentary_and_unknown_languages() -> None:
    assert episode_spots(_match([], [])) == []
    assert episode_spots(_match([(10.0, "", "es")])) == []
    # an unknown language is read with every language's words; one without them finds nothing
    assert len(_of(_match([(500.0, "Tarjeta roja! Expulsado.", "xx")]), "Red card")) == 1
    assert episode_spots(_match([(500.0, "Kırmızı kart!", "tr")])) == []


def test_the_keyword_spotter_lends_episodes_for_the_rare_classes() -> None:
    match = _match([(600.0, "penalty", "en"), (2000.0, "penalty area, penalty box", "en")])
    (penalty,) = [s for s in KeywordSpotter().spot(match) if s.label == "Penalty"]
    assert penalty.position_ms == round((600.0 + KICK_TYPICAL_S) * 1000) and penalty.backend == "keywords"
