"""The keyword lexicon baseline on the shipped sample's real commentary."""

from __future__ import annotations

from pathlib import Path

import pytest

from evaluation.average_map import average_map
from index.classes import LABELS
from index.corpus import load_corpus
from index.echoes import TextChoice
from index.types import Match, Segment
from spotting.keywords import DEFAULT_LAG_S, KeywordSpotter
from spotting.registry import make_spotter


@pytest.fixture(scope="module")
def matches(sample_root: Path) -> list[Match]:
    return [m for m in load_corpus(sample_root, text=TextChoice.BOTH).matches if any(m.segments.values())]


@pytest.fixture(scope="module")
def spots(matches: list[Match]) -> dict[str, list]:
    spotter = KeywordSpotter()
    return {m.id: spotter.spot(m) for m in matches}


def test_registered_by_name() -> None:
    spotter = make_spotter("keywords")
    assert isinstance(spotter, KeywordSpotter) and spotter.name == "keywords"


def test_spots_are_well_formed(matches: list[Match], spots: dict[str, list]) -> None:
    for match in matches:
        assert spots[match.id], match.id
        for spot in spots[match.id]:
            assert spot.label in LABELS and spot.half in (1, 2) and 0 < spot.confidence <= 1
            assert spot.start <= spot.position_ms / 1000 <= spot.end
            assert spot.backend == "keywords" and spot.evidence


def test_hits_of_one_class_are_merged(matches: list[Match], spots: dict[str, list]) -> None:
    spotter = KeywordSpotter()
    for game_spots in spots.values():
        for i, a in enumerate(game_spots):
            for b in game_spots[i + 1 :]:
                if (a.label, a.half) == (b.label, b.half):
                    assert abs(a.position_ms - b.position_ms) > spotter.merge_s * 1000


def test_halves_filter(matches: list[Match]) -> None:
    assert {s.half for s in KeywordSpotter().spot(matches[0], halves=(2,))} == {2}


def test_a_goal_call_is_spotted_just_before_the_segment() -> None:
    segment = Segment(1, 300.0, 303.0, "And it's in the back of the net!", "whisper_v2", "en")
    spots = KeywordSpotter()._hits(segment)
    goal = next(s for s in spots if s.label == "Goal")
    assert goal.position_ms == round((300.0 - DEFAULT_LAG_S) * 1000)
    assert goal.evidence == segment.text


def test_untranslated_commentary_uses_its_own_language() -> None:
    spanish = Segment(2, 100.0, 102.0, "¡Gol de Cristiano!", "whisper_v2", "es")
    german = Segment(2, 100.0, 102.0, "Gelbe Karte für Hummels", "whisper_v2", "de")
    assert {s.label for s in KeywordSpotter()._hits(spanish)} == {"Goal"}
    assert "Yellow card" in {s.label for s in KeywordSpotter()._hits(german)}
    # English words do not fire on French commentary: "but" is a goal only in French.
    assert "Goal" in {s.label for s in KeywordSpotter()._hits(Segment(1, 5, 6, "But !", "whisper_v2", "fr"))}
    assert not KeywordSpotter()._hits(Segment(1, 5, 6, "but then", "whisper_v2", "en"))


def test_scores_above_zero_on_the_sample(matches: list[Match], spots: dict[str, list]) -> None:
    labelled = [m for m in matches if m.has_labels]
    assert average_map(spots, labelled, "loose").a_map > 0.03
