"""Score mentions in the commentary: every language's forms, the club that leads, and what is not a score."""

from __future__ import annotations

import pytest

from index.types import Segment
from spotting.clubs import club_reader, fold
from spotting.scoreline import MentionKind, ScoreMention, score_mentions, segment_mentions


def said(text: str, language: str = "en", home: str = "Paris SG", away: str = "Barcelona") -> list[tuple]:
    found = score_mentions([Segment(1, 60.0, 62.0, text, "whisper_v2", language)], home, away)
    return [(m.kind.value, m.goals, m.team) for m in found]


@pytest.mark.parametrize(
    ("language", "text", "goals"),
    [
        ("en", "It's 2-1 now.", (2, 1)),
        ("en", "And it is two-nil.", (2, 0)),
        ("en", "Two goals to one.", (2, 1)),
        ("en", "Still 0 to 0 here.", (0, 0)),
        ("es", "Ya ganan 3 a 0 los locales.", (3, 0)),
        ("es", "Dos goles a uno en el marcador.", (2, 1)),
        ("de", "Es steht zwei zu eins.", (2, 1)),
        ("de", "Es steht 2:1.", (2, 1)),
        ("fr", "Deux à zéro, quel match.", (2, 0)),
        ("it", "Siamo uno a uno.", (1, 1)),
        ("pt", "Está 2 x 1 no placar.", (2, 1)),
        ("", "3:0", (3, 0)),
    ],
)
def test_numbers_in_each_language(language: str, text: str, goals: tuple[int, int]) -> None:
    assert ("score", goals, "") in said(text, language)


@pytest.mark.parametrize(
    ("language", "text", "home", "away", "expected"),
    [
        ("en", "1-0 for PSG.", "Arsenal", "Paris SG", ("score", (1, 0), "away")),
        ("en", "Paris Saint-Germain takes the advantage", "Arsenal", "Paris SG", ("lead", (0, 0), "away")),
        ("es", "Madrid 1, Barça 2", "Real Madrid", "Barcelona", ("score", (2, 1), "away")),
        ("es", "Se adelanta en el marcador el Real Madrid", "Real Madrid", "Barcelona", ("lead", (0, 0), "home")),
        ("es", "los blancos ganan", "Real Madrid", "Barcelona", ("lead", (0, 0), "home")),
        ("de", "Bayern geht in Führung", "Dortmund", "Bayern Munich", ("lead", (0, 0), "away")),
        ("fr", "Le PSG mène deux à zéro", "Paris SG", "Lyon", ("score", (2, 0), "home")),
        ("it", "La Juve passa in vantaggio", "Napoli", "Juventus", ("lead", (0, 0), "away")),
        ("pt", "2 x 1 para o Benfica", "Benfica", "FC Porto", ("score", (2, 1), "home")),
        ("en", "Real Madrid 2-1 Barcelona", "Real Madrid", "Barcelona", ("score", (2, 1), "home")),
        ("en", "What an equaliser from Barcelona!", "Paris SG", "Barcelona", ("level", (0, 0), "away")),
        ("es", "Empate de Leo Messi", "Real Madrid", "Barcelona", ("level", (0, 0), "")),
        ("de", "Der Ausgleich!", "Dortmund", "Bayern Munich", ("level", (0, 0), "")),
    ],
)
def test_the_club_that_leads(language: str, text: str, home: str, away: str, expected: tuple) -> None:
    assert expected in said(text, language, home, away)


@pytest.mark.parametrize(
    "text",
    [
        "A clear 4-4-2 system.",
        "At the moment it looks like a 4-2-3-1 for Bayern.",
        "He is often alone against 2-3 opponents.",
        "It's been years, even 2-3 years.",
        "They reached the round of 16 after a 3-0 win at St. Pauli.",
        "Arsenal lost 0-2 in the first leg.",
        "A one-two with Messi.",
        "In minute 23:45 of the half.",
        "He takes the lead in the attack.",  # a lead with no club named: nothing to check
    ],
)
def test_what_is_not_a_score(text: str) -> None:
    assert said(text) == []


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("en", "Arsenal 1-0 down at home to Olympiacos."),  # another match, its clubs named
        ("en", "That match finished 1-0 with a late goal."),
        ("en", "Messi looking for the 2-0."),
        ("en", "A chance to put Barcelona ahead."),
        ("en", "It could have been 2-0 by now."),
        ("es", "Ronaldo buscando el 2-0."),
        ("es", "Hacía gol al Sevilla en un 0-3."),
        ("de", "3 zu 1 nach Ecken, das muss nichts heißen."),
        ("fr", "Il aurait pu faire 2-0."),
        ("it", "Occasione per il 2-0!"),
        ("pt", "Ele procura o 2 x 0."),
        ("ru", "которая завершилась победой хозяев со счетом 3-2."),
    ],
)
def test_another_matchs_or_a_wished_for_score_is_not_this_ones(language: str, text: str) -> None:
    assert said(text, language) == []


@pytest.mark.parametrize(
    ("text", "home", "away", "expected"),
    [
        ("Bale! 1-0!", "Real Madrid", "Malaga", ("score", (1, 0), "")),  # a player's name, not FC Basel ("Bâle")
        ("Barcelona 2-1 Paris now.", "Paris SG", "Barcelona", ("score", (2, 1), "away")),
        ("Valencia crosses, 1-1.", "Manchester United", "Swansea", ("score", (1, 1), "")),  # Antonio Valencia
    ],
)
def test_names_that_are_also_other_clubs_keep_the_score(text: str, home: str, away: str, expected: tuple) -> None:
    assert expected in said(text, "en", home, away)


def test_club_reader_finds_other_clubs_only_where_they_are_not_this_matchs() -> None:
    reader = club_reader("Real Madrid", "Atletico Madrid")
    text = "Madrid lead, as Barcelona drew at Lyon and OM lost; om, nice play from Bale."
    assert [text[a:b] for a, b in reader.others(text)] == ["Barcelona", "Lyon", "OM"]


def test_one_mention_heard_in_two_transcriptions_is_kept_once() -> None:
    segments = [
        Segment(1, 100.0, 102.0, "Madrid 1, Barça 2", "whisper_v2", "es"),
        Segment(1, 101.0, 103.0, "Madrid 1, Barça 2", "whisper_v2_en", "en"),
        Segment(1, 300.0, 302.0, "Madrid 1, Barça 2", "whisper_v2", "es"),  # said again, later
    ]
    found = score_mentions(segments, "Real Madrid", "Barcelona")
    assert [m.seconds for m in found] == [100.0, 300.0]
    assert all(m.team == "away" and m.goals == (2, 1) for m in found)


def test_mentions_come_in_time_order_across_halves() -> None:
    segments = [Segment(2, 10.0, 11.0, "2-2", "v", "en"), Segment(1, 50.0, 51.0, "1-0", "v", "en")]
    assert [(m.half, m.goals) for m in score_mentions(segments)] == [(1, (1, 0)), (2, (2, 2))]


@pytest.mark.parametrize(
    ("mention", "home", "away", "agrees"),
    [
        (ScoreMention(MentionKind.SCORE, 1, 0.0, (2, 1)), 1, 2, True),
        (ScoreMention(MentionKind.SCORE, 1, 0.0, (2, 1), "home"), 1, 2, False),
        (ScoreMention(MentionKind.SCORE, 1, 0.0, (2, 1), "away"), 1, 2, True),
        (ScoreMention(MentionKind.SCORE, 1, 0.0, (1, 1), "home"), 1, 1, True),
        (ScoreMention(MentionKind.LEAD, 1, 0.0, team="home"), 1, 0, True),
        (ScoreMention(MentionKind.LEAD, 1, 0.0, team="home"), 1, 1, False),
        (ScoreMention(MentionKind.LEVEL, 1, 0.0), 2, 2, True),
        (ScoreMention(MentionKind.LEVEL, 1, 0.0), 2, 1, False),
    ],
)
def test_agrees(mention: ScoreMention, home: int, away: int, agrees: bool) -> None:
    assert mention.agrees(home, away) is agrees


@pytest.mark.parametrize(
    "text",
    ["", "   ", "99-98", "1-0-1-0-1-0" * 50, "goal " * 2000, "٣-١", "\x00\x01 2-1 \ufffd", "-:-:-:", "1 - - 0"],
)
def test_absurd_text_never_breaks(text: str) -> None:
    for language in ("en", "es", "de", "fr", "it", "pt", "ru", "xx", ""):
        mentions = segment_mentions(Segment(1, 0.0, 1.0, text, "v", language), club_reader("Chelsea", "Burnley"))
        assert all(max(m.goals) <= 15 for m in mentions)


def test_fold_keeps_offsets() -> None:
    text = "Barça – Atlético Mönchengladbach İstanbul"
    assert len(fold(text)) == len(text)
    assert fold("Barça Atlético") == "barca atletico"


def sides(home: str, away: str, text: str) -> list[str]:
    return [m.side for m in club_reader(home, away).mentions(text)]


def test_club_reader_needs_capitals_for_everyday_words() -> None:
    assert sides("Real Madrid", "Barcelona", "El Real y el Barça") == ["home", "away"]
    assert sides("Real Madrid", "Barcelona", "una ocasión real") == []
    assert sides("Real Madrid", "Barcelona", "Madrid presiona") == ["home"]
    assert sides("Real Madrid", "Atletico Madrid", "Madrid presiona") == []  # shared by both clubs
    assert sides("Manchester United", "Manchester City", "la ciudad y City") == ["away"]  # a word: capitalised
    assert sides("Chelsea", "Chelsea", "Chelsea") == []
