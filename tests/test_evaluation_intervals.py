"""Interval P/R/F1: IoU arithmetic, one-to-one greedy matching, and the F1-best confidence cut-off."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from evaluation.ground_truth import load_ground_truth
from evaluation.intervals import best_threshold, filter_confidence, interval_scores
from index.types import Event, Match
from spotting.types import Spot

GAME = "l/s/2015-01-01 - 18-00 A 0 - 0 B"


def _match(*events: Event) -> Match:
    return Match(
        id=GAME, league="l", season="s", date=dt.date(2015, 1, 1), kickoff=None, home="A", away="B",
        home_score=0, away_score=0, events={h: tuple(e for e in events if e.half == h) for h in (1, 2)},
        has_labels=True,
    )  # fmt: skip


def _at(label: str, centre_s: float, half: int = 1, confidence: float = 0.5, width: float = 15.0) -> Spot:
    return Spot(label, half, centre_s - width / 2, centre_s + width / 2, int(centre_s * 1000), confidence)


def test_exact_window_is_a_hit() -> None:
    report = interval_scores({GAME: [_at("Goal", 100)]}, [_match(Event(1, 100_000, "Goal"))])
    assert (report.strict.tp, report.strict.fp, report.strict.fn) == (1, 0, 0)
    assert report.f1 == 1.0 and report.per_class["Goal"].f1 == 1.0


def test_iou_one_half_is_a_hit_and_just_below_is_a_miss_but_overlaps() -> None:
    match = _match(Event(1, 100_000, "Goal"))
    # Two 15 s windows 5 s apart: IoU = 10 / 20 = 0.5 exactly.
    assert interval_scores({GAME: [_at("Goal", 105)]}, [match]).strict.tp == 1
    six_off = interval_scores({GAME: [_at("Goal", 106)]}, [match])  # IoU = 9 / 21
    assert (six_off.strict.tp, six_off.strict.fp, six_off.strict.fn) == (0, 1, 1)
    assert six_off.overlap.tp == 1 and six_off.overlap.f1 == 1.0
    assert interval_scores({GAME: [_at("Goal", 106)]}, [match], iou_threshold=0.4).strict.tp == 1


def test_matching_is_one_to_one_and_takes_the_best_iou_first() -> None:
    match = _match(Event(1, 100_000, "Foul"), Event(1, 110_000, "Foul"))
    # The prediction at 104 s fits both events; greedy gives it to the closer one (100 s), so the
    # prediction at 111 s takes the event at 110 s: two hits.
    report = interval_scores({GAME: [_at("Foul", 104), _at("Foul", 111)]}, [match])
    assert (report.strict.tp, report.strict.fp, report.strict.fn) == (2, 0, 0)
    twice = interval_scores({GAME: [_at("Foul", 100), _at("Foul", 100.5)]}, [_match(Event(1, 100_000, "Foul"))])
    assert (twice.strict.tp, twice.strict.fp, twice.strict.fn) == (1, 1, 0)


def test_class_and_half_must_agree() -> None:
    match = _match(Event(1, 100_000, "Goal"))
    wrong = interval_scores({GAME: [_at("Corner", 100), _at("Goal", 100, half=2)]}, [match])
    assert (wrong.strict.tp, wrong.strict.fp, wrong.strict.fn) == (0, 2, 1)
    assert wrong.per_class["Corner"].fp == 1 and wrong.per_class["Goal"].fn == 1


def test_event_windows_are_clipped_at_the_start_of_the_half() -> None:
    match = _match(Event(1, 2_000, "Kick-off"))  # window [0, 9.5]
    assert interval_scores({GAME: [Spot("Kick-off", 1, 0.0, 9.5, 2_000, 1.0)]}, [match]).strict.tp == 1


def test_best_threshold_drops_the_unconfident_false_positive() -> None:
    match = _match(Event(1, 100_000, "Goal"), Event(1, 500_000, "Goal"))
    spots = {
        GAME: [_at("Goal", 100, confidence=0.9), _at("Goal", 500, confidence=0.6), _at("Goal", 900, confidence=0.3)]
    }
    threshold = best_threshold(spots, [match])
    assert threshold == 0.6
    assert interval_scores(filter_confidence(spots, threshold), [match]).f1 == 1.0
    assert interval_scores(spots, [match], min_confidence=threshold).f1 == 1.0
    assert best_threshold({}, [match]) == 0.0


def test_no_predictions_scores_zero_without_dividing_by_zero(sample_root: Path) -> None:
    matches = load_ground_truth(sample_root, "valid")
    report = interval_scores({}, matches)
    assert report.strict.fn == sum(len(m.all_events()) for m in matches)
    assert (report.precision, report.recall, report.f1) == (0.0, 0.0, 0.0)


def test_event_times_as_predictions_score_perfectly_on_real_labels(sample_root: Path) -> None:
    matches = load_ground_truth(sample_root, "valid")
    spots = {m.id: [_at(e.label, e.seconds, e.half) for e in m.all_events()] for m in matches}
    report = interval_scores(spots, matches)
    # Clipped windows at the very start of a half make IoU < 1 but still >= 0.5.
    assert report.f1 == pytest.approx(1.0)
