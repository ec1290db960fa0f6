"""Prediction files: the official format round trip, and every kind of bad input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from evaluation.ground_truth import load_ground_truth
from evaluation.results_io import INTERVALS_FILE, RESULTS_FILE, read_results, write_results
from index.clock import game_time
from index.errors import HighlightsError
from index.types import Match
from spotting.types import Spot


@pytest.fixture(scope="module")
def matches(sample_root: Path) -> list[Match]:
    return load_ground_truth(sample_root, "valid")


def _spots() -> list[Spot]:
    return [
        Spot("Goal", 1, 600.0, 615.0, 607_500, 0.9, "what a goal", "keywords", "home", "Diego Costa"),
        Spot("Corner", 2, 0.0, 9.0, 1_500, 0.25, "corner", "keywords"),
    ]


def _write(folder: Path, matches: list[Match]) -> None:
    write_results(folder, {m.id: _spots() for m in matches})


def _edit(folder: Path, game_id: str, edit, name: str = RESULTS_FILE) -> None:
    path = folder / game_id / name
    data = json.loads(path.read_text())
    edit(data)
    path.write_text(json.dumps(data))


def test_round_trip_keeps_every_field_and_the_official_layout(matches: list[Match], tmp_path: Path) -> None:
    _write(tmp_path, matches)
    official = json.loads((tmp_path / matches[0].id / RESULTS_FILE).read_text())
    assert official["UrlLocal"] == matches[0].id
    assert official["predictions"][0] == {
        "gameTime": "1 - 10:07", "label": "Goal", "position": "607500", "half": "1", "confidence": "0.9",
    }  # fmt: skip
    read = read_results(tmp_path, matches)
    assert not read.warnings
    assert read.predictions == {m.id: _spots() for m in matches}


def test_without_intervals_a_prediction_is_its_position_plus_minus_the_half_width(
    matches: list[Match], tmp_path: Path
) -> None:
    _write(tmp_path, matches[:1])
    (tmp_path / matches[0].id / INTERVALS_FILE).unlink()
    spots = read_results(tmp_path, matches[:1], half_width=5.0).predictions[matches[0].id]
    assert (spots[0].start, spots[0].end) == (602.5, 612.5)
    assert (spots[1].start, spots[1].end) == (0.0, 6.5)  # clipped at the start of the half


def test_numbers_instead_of_strings_are_read_too(matches: list[Match], tmp_path: Path) -> None:
    _write(tmp_path, matches[:1])
    (tmp_path / matches[0].id / INTERVALS_FILE).unlink()

    def as_numbers(data: dict) -> None:
        for item in data["predictions"]:
            item |= {"position": int(item["position"]), "half": int(item["half"]), "confidence": 0.5}

    _edit(tmp_path, matches[0].id, as_numbers)
    assert read_results(tmp_path, matches[:1]).predictions[matches[0].id][0].confidence == 0.5


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda p: p.update(label="Goalz"), "unknown action label 'Goalz'"),
        (lambda p: p.pop("confidence"), "lacks confidence"),
        (lambda p: p.pop("position"), "lacks position"),
        (lambda p: p.update(confidence="1.5"), "outside \\[0, 1\\]"),
        (lambda p: p.update(confidence=-0.1), "outside \\[0, 1\\]"),
        (lambda p: p.update(confidence="NaN"), "not a finite number"),
        (lambda p: p.update(confidence="high"), "not a number"),
        (lambda p: p.update(half="3"), "not 1 or 2"),
        (lambda p: p.update(position="12.5"), "whole number of ms"),
        (lambda p: p.update(position="-1000"), "whole number of ms"),
        (lambda p: p.update(position=str(8_000_000)), "120 min"),
    ],
)
def test_a_bad_prediction_is_an_error_naming_file_and_index(
    matches: list[Match], tmp_path: Path, change, message: str
) -> None:
    _write(tmp_path, matches[:1])
    _edit(tmp_path, matches[0].id, lambda data: change(data["predictions"][1]))
    with pytest.raises(HighlightsError, match=message) as error:
        read_results(tmp_path, matches[:1])
    assert f"{RESULTS_FILE} prediction 1" in str(error.value)


def test_a_file_without_a_predictions_list_is_an_error(matches: list[Match], tmp_path: Path) -> None:
    _write(tmp_path, matches[:1])
    (tmp_path / matches[0].id / RESULTS_FILE).write_text('{"UrlLocal": "x"}')
    with pytest.raises(HighlightsError, match="no 'predictions' list"):
        read_results(tmp_path, matches[:1])


def test_intervals_that_disagree_with_the_official_file_are_an_error(matches: list[Match], tmp_path: Path) -> None:
    _write(tmp_path, matches[:1])
    _edit(tmp_path, matches[0].id, lambda data: data["intervals"][0].update(confidence=0.1), INTERVALS_FILE)
    with pytest.raises(HighlightsError, match=r"disagrees with results_spotting\.json"):
        read_results(tmp_path, matches[:1])


def test_an_interval_ending_before_it_starts_is_an_error(matches: list[Match], tmp_path: Path) -> None:
    _write(tmp_path, matches[:1])
    _edit(tmp_path, matches[0].id, lambda data: data["intervals"][0].update(end=10.0), INTERVALS_FILE)
    with pytest.raises(HighlightsError, match="not 0 <= start <= end"):
        read_results(tmp_path, matches[:1])


def test_predictions_past_the_end_of_the_half_are_a_counted_warning(matches: list[Match], tmp_path: Path) -> None:
    game = matches[0]
    late_ms = int((max(e.seconds for e in game.half_events(2)) + 600) * 1000)
    late = [Spot("Foul", 2, 0.0, 10.0, late_ms, 0.5), Spot("Foul", 2, 0.0, 10.0, late_ms + 60_000, 0.5)]
    write_results(tmp_path, {game.id: [*_spots(), *late]})
    read = read_results(tmp_path, [game])
    assert read.warnings["predictions past the end of their half"] == 2
    assert game_time(2, late_ms) in read.warning_lines()[0]


def test_duplicate_predictions_are_a_counted_warning(matches: list[Match], tmp_path: Path) -> None:
    duplicate = Spot("Goal", 1, 600.0, 615.0, 607_700, 0.5)  # same 0.5 s frame as the first spot
    write_results(tmp_path, {matches[0].id: [*_spots(), duplicate, duplicate]})
    read = read_results(tmp_path, matches[:1])
    assert sum(n for kind, n in read.warnings.items() if kind.startswith("duplicate")) == 2


def test_games_missing_from_the_folder_are_a_counted_warning_and_score_empty(
    matches: list[Match], tmp_path: Path
) -> None:
    _write(tmp_path, matches[:1])
    read = read_results(tmp_path, matches)
    assert read.warnings["games without a prediction file (scored as no predictions)"] == len(matches) - 1
    assert all(read.predictions[m.id] == [] for m in matches[1:])


def test_files_of_other_games_are_ignored_with_a_warning(matches: list[Match], tmp_path: Path) -> None:
    _write(tmp_path, matches)
    read = read_results(tmp_path, matches[:2])
    assert set(read.predictions) == {m.id for m in matches[:2]}
    assert read.warnings["prediction files for games that are not evaluated (ignored)"] == len(matches) - 2
    other = tmp_path / "other"
    write_results(other, {"x/y/2015-01-01 - 18-00 A 0 - 0 B": _spots()})
    with pytest.raises(HighlightsError, match="none of the prediction files"):
        read_results(other, matches)


def test_an_empty_or_missing_folder_is_an_error(matches: list[Match], tmp_path: Path) -> None:
    with pytest.raises(HighlightsError, match=r"no LEAGUE/SEASON/GAME/results_spotting\.json"):
        read_results(tmp_path, matches)
    with pytest.raises(HighlightsError, match="does not exist"):
        read_results(tmp_path / "nowhere", matches)
