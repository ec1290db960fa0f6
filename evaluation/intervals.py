"""The research's interval metric, made precise: P/R/F1 of predicted intervals by IoU.

Each ground-truth event at t becomes the window [t - half_width, t + half_width] (clipped at 0).
Within each game, half and class, predicted intervals and event windows are matched one to one,
greedily by IoU (highest first; ties by event, then prediction order). A matched pair with
IoU >= ``iou_threshold`` is a true positive; the *overlap* variant counts every matched pair with
IoU > 0, the lenient reading the research's numbers are closest to. All predictions are scored as
given; ``best_threshold`` picks the confidence cut-off that maximises F1 (tune it on other games).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from index.classes import LABELS
from index.settings import DEFAULT_HALF_WIDTH_S, DEFAULT_IOU
from index.types import Match
from spotting.types import Spot

MAX_CANDIDATE_THRESHOLDS = 64


@dataclass(frozen=True)
class Counts:
    """True/false positives and misses, with the rates they give (0 where undefined)."""

    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def __add__(self, other: Counts) -> Counts:
        return Counts(self.tp + other.tp, self.fp + other.fp, self.fn + other.fn)

    def as_dict(self) -> dict[str, float]:
        return {"tp": self.tp, "fp": self.fp, "fn": self.fn, "precision": self.precision, "recall": self.recall,
                "f1": self.f1}  # fmt: skip


@dataclass(frozen=True)
class IntervalReport:
    """Micro and per-class scores at IoU >= threshold (``strict``) and at any overlap (``overlap``)."""

    half_width: float
    iou_threshold: float
    strict: Counts
    overlap: Counts
    per_class: dict[str, Counts] = field(default_factory=dict)
    overlap_per_class: dict[str, Counts] = field(default_factory=dict)

    @property
    def precision(self) -> float:
        return self.strict.precision

    @property
    def recall(self) -> float:
        return self.strict.recall

    @property
    def f1(self) -> float:
        return self.strict.f1


@dataclass(frozen=True)
class _Group:
    """One game half and class: the IoU of every (event window, prediction) pair."""

    label: str
    n_events: int
    confidences: np.ndarray
    iou: np.ndarray  # (events, predictions)


def _iou(gt: np.ndarray, pred: np.ndarray) -> np.ndarray:
    overlap = np.minimum(gt[:, None, 1], pred[None, :, 1]) - np.maximum(gt[:, None, 0], pred[None, :, 0])
    inter = np.clip(overlap, 0, None)
    union = (gt[:, None, 1] - gt[:, None, 0]) + (pred[None, :, 1] - pred[None, :, 0]) - inter
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(union > 0, inter / union, 0.0)


def _groups(predictions: Mapping[str, Sequence[Spot]], matches: Sequence[Match], half_width: float) -> list[_Group]:
    groups = []
    for match in matches:
        events: dict[tuple[int, str], list[list[float]]] = defaultdict(list)
        for event in match.all_events():
            events[event.half, event.label].append([max(0.0, event.seconds - half_width), event.seconds + half_width])
        spots: dict[tuple[int, str], list[Spot]] = defaultdict(list)
        for spot in predictions.get(match.id, ()):
            spots[spot.half, spot.label].append(spot)
        for key in sorted(set(events) | set(spots)):
            gt = np.array(events.get(key, []), dtype=float).reshape(-1, 2)
            pred = np.array([[s.start, s.end] for s in spots.get(key, [])], dtype=float).reshape(-1, 2)
            confidences = np.array([s.confidence for s in spots.get(key, [])], dtype=float)
            groups.append(_Group(key[1], len(gt), confidences, _iou(gt, pred)))
    return groups


def _greedy(iou: np.ndarray) -> list[float]:
    """IoUs of the one-to-one pairs chosen greedily, highest IoU first."""
    events, preds = np.nonzero(iou > 0)
    order = np.lexsort((preds, events, -iou[events, preds]))
    used_events, used_preds, chosen = set(), set(), []
    for i in order:
        e, p = events[i], preds[i]
        if e not in used_events and p not in used_preds:
            used_events.add(e)
            used_preds.add(p)
            chosen.append(float(iou[e, p]))
    return chosen


def _score(groups: list[_Group], iou_threshold: float, half_width: float, min_confidence: float) -> IntervalReport:
    strict: dict[str, Counts] = {label: Counts() for label in LABELS}
    overlap: dict[str, Counts] = {label: Counts() for label in LABELS}
    for group in groups:
        kept = group.confidences >= min_confidence
        n_pred = int(kept.sum())
        matched = _greedy(group.iou[:, kept])
        hits = sum(iou >= iou_threshold for iou in matched)
        strict[group.label] += Counts(hits, n_pred - hits, group.n_events - hits)
        overlap[group.label] += Counts(len(matched), n_pred - len(matched), group.n_events - len(matched))
    return IntervalReport(
        half_width=half_width,
        iou_threshold=iou_threshold,
        strict=sum(strict.values(), Counts()),
        overlap=sum(overlap.values(), Counts()),
        per_class=strict,
        overlap_per_class=overlap,
    )


def interval_scores(
    predictions: Mapping[str, Sequence[Spot]],
    matches: Sequence[Match],
    half_width: float = DEFAULT_HALF_WIDTH_S,
    iou_threshold: float = DEFAULT_IOU,
    min_confidence: float = 0.0,
) -> IntervalReport:
    """Interval P/R/F1 of ``predictions`` (keyed by match id) against the matches' events.

    Predictions below ``min_confidence`` and those of games not in ``matches`` are left out.
    """
    return _score(_groups(predictions, matches, half_width), iou_threshold, half_width, min_confidence)


def best_threshold(
    predictions: Mapping[str, Sequence[Spot]],
    matches: Sequence[Match],
    half_width: float = DEFAULT_HALF_WIDTH_S,
    iou_threshold: float = DEFAULT_IOU,
) -> float:
    """The confidence cut-off that maximises interval F1 on these games (the highest one on a tie).

    Candidates are the predictions' confidences (their quantiles when there are many); 0.0 when
    there are no predictions.
    """
    groups = _groups(predictions, matches, half_width)
    confidences = np.unique(np.concatenate([g.confidences for g in groups] + [np.zeros(0)]))
    if not len(confidences):
        return 0.0
    if len(confidences) > MAX_CANDIDATE_THRESHOLDS:
        confidences = np.unique(np.quantile(confidences, np.linspace(0, 1, MAX_CANDIDATE_THRESHOLDS), method="lower"))
    scores = [_score(groups, iou_threshold, half_width, float(c)).f1 for c in confidences]
    best = max(scores)
    return float(max(c for c, s in zip(confidences, scores, strict=True) if s == best))


def filter_confidence(predictions: Mapping[str, Sequence[Spot]], threshold: float) -> dict[str, list[Spot]]:
    """Only the predictions at or above ``threshold``."""
    return {game: [s for s in spots if s.confidence >= threshold] for game, spots in predictions.items()}
