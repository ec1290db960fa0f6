"""Average-mAP: hand-computed cases, and equality with the official SoccerNet package on real labels."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import time
from pathlib import Path

import numpy as np
import pytest

from evaluation.average_map import average_map
from evaluation.ground_truth import load_ground_truth
from evaluation.results_io import write_results
from evaluation.synthetic import near_miss_predictions
from index.classes import LABELS
from index.errors import HighlightsError
from index.types import Event, Match
from spotting.types import Spot

official = pytest.importorskip(
    "SoccerNet.Evaluation.ActionSpotting", reason="the official SoccerNet package is not installed"
)
from SoccerNet.Evaluation.utils import EVENT_DICTIONARY_V2  # noqa: E402


def _match(events: list[Event], game_id: str = "l/s/2015-01-01 - 18-00 A 0 - 0 B") -> Match:
    return Match(
        id=game_id, league="l", season="s", date=dt.date(2015, 1, 1), kickoff=None, home="A", away="B",
        home_score=0, away_score=0, events={h: tuple(e for e in events if e.half == h) for h in (1, 2)},
        has_labels=True,
    )  # fmt: skip


def _spot(label: str, half: int, position_ms: int, confidence: float) -> Spot:
    return Spot(label, half, max(0.0, position_ms / 1000 - 7.5), position_ms / 1000 + 7.5, position_ms, confidence)


def test_perfect_predictions_of_one_class_give_ap_one_and_map_one_seventeenth() -> None:
    match = _match([Event(1, 60_000, "Goal"), Event(2, 120_000, "Goal")])
    spots = {match.id: [_spot("Goal", 1, 60_000, 0.9), _spot("Goal", 2, 120_000, 0.8)]}
    for metric in ("loose", "tight"):
        report = average_map(spots, [match], metric)
        assert report.per_class["Goal"] == pytest.approx(1.0)
        assert report.a_map == pytest.approx(1 / 17)
        assert report.percent == pytest.approx(100 / 17)


def test_a_prediction_three_seconds_off_counts_from_the_five_second_tolerance_on() -> None:
    match = _match([Event(1, 600_000, "Corner")])
    spots = {match.id: [_spot("Corner", 1, 603_000, 0.5)]}
    loose = average_map(spots, [match], "loose")
    # mAP per window: 0 at ±2.5 s, 1/17 from ±5 s on; trapezoid mean over 12 windows = (0.5 + 10) / 11.
    assert loose.per_class["Corner"] == pytest.approx(10.5 / 11)
    assert loose.variants["all"].map_per_delta[0] == 0.0
    assert average_map(spots, [match], "tight").per_class["Corner"] == 0.0


def test_the_last_prediction_of_a_frame_wins_as_in_the_official_tool() -> None:
    match = _match([Event(1, 10_000, "Foul"), Event(1, 400_000, "Foul")])
    # Same class and same 0.5 s frame: the second overwrites the first, however confident the first.
    spots = {match.id: [_spot("Foul", 1, 10_100, 0.9), _spot("Foul", 1, 10_200, 0.1), _spot("Foul", 1, 900_000, 0.5)]}
    report = average_map(spots, [match], "tight")
    assert report.n_predictions == 2
    # Up to 0.1: P = R = 0.5; above it only the false positive is left. 11-point AP = 6 × 0.5 / 11
    # (it would be 6 × 1 / 11 had the confident first prediction been kept).
    assert report.per_class["Foul"] == pytest.approx(3 / 11)


def test_bad_metric_and_visibility_are_user_errors() -> None:
    match = _match([Event(1, 10_000, "Foul")])
    with pytest.raises(HighlightsError, match="metric"):
        average_map({}, [match], "medium")
    with pytest.raises(HighlightsError, match="visibility"):
        average_map({}, [match], "loose", "hidden")


def _random_predictions(matches: list[Match], seed: int, noise_per_game: int) -> dict[str, list[Spot]]:
    """Near-misses and noise with 2-digit confidences (ties, frame collisions, zero confidence), plus a
    prediction at exactly 120 minutes (the official clip)."""
    predictions = near_miss_predictions(matches, seed, noise_per_game, error_s=6.0, confidence_digits=2)
    for spots in predictions.values():
        spots.append(_spot("Kick-off", 2, 7_200_000, 0.0))
    return predictions


def _official(labels: Path, predictions: Path, metric: str, split: str | None) -> dict:
    if split:
        return official.evaluate(str(labels), str(predictions), split=split, metric=metric)
    return official.evaluate(
        str(labels), str(predictions), split=None, metric=metric, dataset=None, EVENT_DICTIONARY=EVENT_DICTIONARY_V2
    )


def _assert_same(ours, theirs: dict) -> None:
    assert abs(ours.a_map - theirs["a_mAP"]) <= 1e-6
    assert abs(ours.variants["visible"].a_map - theirs["a_mAP_visible"]) <= 1e-6
    assert abs(ours.variants["unshown"].a_map - theirs["a_mAP_unshown"]) <= 1e-6
    for name, key in (("all", "a_mAP_per_class"), ("visible", "a_mAP_per_class_visible"),
                      ("unshown", "a_mAP_per_class_unshown")):  # fmt: skip
        ours_per_class = [ours.variants[name].per_class[label] for label in LABELS]
        assert np.max(np.abs(np.array(ours_per_class) - np.array(theirs[key]))) <= 1e-6


def test_same_numbers_as_the_official_tool_on_the_shipped_sample(sample_root: Path, tmp_path: Path) -> None:
    matches = load_ground_truth(sample_root)
    labels = tmp_path / "labels"
    for match in matches:
        (labels / match.id).mkdir(parents=True)
        shutil.copy(sample_root / "soccernet" / match.id / "Labels-v2.json", labels / match.id)
    predictions = _random_predictions(matches, seed=0, noise_per_game=300)
    write_results(tmp_path / "predictions", predictions)
    for metric in ("loose", "tight"):
        _assert_same(
            average_map(predictions, matches, metric), _official(labels, tmp_path / "predictions", metric, None)
        )


@pytest.mark.slow
def test_same_numbers_as_the_official_tool_on_the_100_valid_games(shared_data: Path, tmp_path: Path) -> None:
    matches = load_ground_truth(shared_data, "valid")
    assert len(matches) == 100
    predictions = _random_predictions(matches, seed=7, noise_per_game=20)
    write_results(tmp_path, predictions)
    saved = json.loads((tmp_path / matches[0].id / "results_spotting.json").read_text())
    assert saved["UrlLocal"] == matches[0].id
    for metric in ("loose", "tight"):
        started = time.perf_counter()
        ours = average_map(predictions, matches, metric)
        ours_s = time.perf_counter() - started
        started = time.perf_counter()
        theirs = _official(shared_data / "soccernet", tmp_path, metric, "valid")
        assert ours_s < time.perf_counter() - started
        _assert_same(ours, theirs)
