"""Both metrics on the same predictions, as one report: a dict for JSON (the command line draws the table).

JSON layout (``highlights evaluate --json``)::

    {"games": 100, "predictions": 16866, "events": 21447,
     "loose": 9.9, "tight": 2.3,                      # average-mAP in percent
     "average_map": {"loose": {"a_mAP": 9.9, "visible": ..., "unshown": ..., "per_class": {...},
                               "tolerances_s": [...], "mAP_per_tolerance": [...]}, "tight": {...}},
     "interval": {"precision": .., "recall": .., "f1": .., "tp": .., "fp": .., "fn": ..,
                  "half_width_s": 7.5, "iou_threshold": 0.5, "min_confidence": 0.0,
                  "overlap": {...same counts at IoU > 0...}, "per_class": {label: {...}}},
     "per_class": {label: {"events": n, "loose": %, "tight": %, "precision": .., "recall": .., "f1": ..}}}

Average-mAP values are percent; interval precision/recall/F1 are fractions.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from index.classes import LABELS
from index.settings import DEFAULT_HALF_WIDTH_S, DEFAULT_IOU
from index.types import Match
from spotting.types import Spot

from .average_map import MapReport, average_map
from .intervals import IntervalReport, filter_confidence, interval_scores


@dataclass(frozen=True)
class Evaluation:
    """Loose and tight average-mAP and the interval scores of one set of predictions."""

    loose: MapReport
    tight: MapReport
    intervals: IntervalReport
    n_games: int
    n_predictions: int
    n_events: int
    events_per_class: dict[str, int]
    min_confidence: float = 0.0


def evaluate_predictions(
    predictions: Mapping[str, Sequence[Spot]],
    matches: Sequence[Match],
    half_width: float = DEFAULT_HALF_WIDTH_S,
    iou_threshold: float = DEFAULT_IOU,
    min_confidence: float = 0.0,
) -> Evaluation:
    """Score ``predictions`` with both metrics. Average-mAP sees every prediction (it sweeps the
    confidence itself); the interval metric only those at or above ``min_confidence``."""
    games = {m.id for m in matches}
    kept = filter_confidence(predictions, min_confidence)
    events = Counter(e.label for m in matches for e in m.all_events())
    return Evaluation(
        loose=average_map(predictions, matches, "loose"),
        tight=average_map(predictions, matches, "tight"),
        intervals=interval_scores(kept, matches, half_width, iou_threshold),
        n_games=len(matches),
        n_predictions=sum(len(spots) for game, spots in kept.items() if game in games),
        n_events=sum(events.values()),
        events_per_class={label: events[label] for label in LABELS},
        min_confidence=min_confidence,
    )


def headline_scores(predictions: Mapping[str, Sequence[Spot]], matches: Sequence[Match]) -> dict[str, float]:
    """Interval P/R/F1 and loose/tight average-mAP (fractions): what a training run logs each epoch."""
    scored = evaluate_predictions(predictions, matches)
    return {
        "interval_precision": scored.intervals.precision,
        "interval_recall": scored.intervals.recall,
        "interval_f1": scored.intervals.f1,
        "average_map_loose": scored.loose.a_map,
        "average_map_tight": scored.tight.a_map,
    }


def _map_dict(report: MapReport) -> dict:
    return {
        "a_mAP": report.percent,
        "visible": 100 * report.variants["visible"].a_map,
        "unshown": 100 * report.variants["unshown"].a_map,
        "per_class": {label: 100 * value for label, value in report.per_class.items()},
        "tolerances_s": list(report.tolerances_s),
        "mAP_per_tolerance": [100 * value for value in report.variants["all"].map_per_delta],
    }


def evaluation_dict(evaluation: Evaluation) -> dict:
    """The JSON-ready numbers (layout in the module docstring)."""
    iv = evaluation.intervals
    return {
        "games": evaluation.n_games,
        "predictions": evaluation.n_predictions,
        "events": evaluation.n_events,
        "loose": evaluation.loose.percent,
        "tight": evaluation.tight.percent,
        "average_map": {"loose": _map_dict(evaluation.loose), "tight": _map_dict(evaluation.tight)},
        "interval": {
            **iv.strict.as_dict(),
            "half_width_s": iv.half_width,
            "iou_threshold": iv.iou_threshold,
            "min_confidence": evaluation.min_confidence,
            "overlap": iv.overlap.as_dict(),
            "per_class": {label: counts.as_dict() for label, counts in iv.per_class.items()},
        },
        "per_class": {
            label: {
                "events": evaluation.events_per_class[label],
                "loose": 100 * evaluation.loose.per_class[label],
                "tight": 100 * evaluation.tight.per_class[label],
                "precision": iv.per_class[label].precision,
                "recall": iv.per_class[label].recall,
                "f1": iv.per_class[label].f1,
            }
            for label in LABELS
        },
    }
