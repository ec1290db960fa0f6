"""SoccerNet average-mAP, vectorised, giving the official ``SoccerNet`` package's numbers.

It reproduces ``SoccerNet.Evaluation.ActionSpotting.evaluate`` (version 2, 17 classes) step by
step, including its quirks, so that a score here is the score the official tool would give on the
same ``results_spotting.json`` files:

- Positions are quantised to frames at 2 fps: ``frame = int(2 * (position_ms / 1000))``, clipped to
  the last frame of a 120-minute half. Of several predictions (or labels) of one class in one frame
  the *last* one wins, whatever its confidence.
- Tolerances: a window ``delta`` (s) matches a prediction to an event within ``±delta / 2``. Loose:
  delta = 5, 10, …, 60 s; tight: 1, 2, …, 5 s. No non-maximum suppression.
- Matching, per game half and class: events in time order, each takes the highest-confidence
  prediction still free in its window (the earliest one on a tie).
- Precision/recall at 200 confidence thresholds ``linspace(0, 1, 200)``, 11-point interpolated AP,
  mAP = mean over the 17 classes (classes without events count as 0), average-mAP = trapezoid mean
  over the tolerances.
- Visible/unshown variants keep the predictions whose nearest event of the class (nearest by the
  official midpoint rule) is visible / not shown; a half without events of the class counts as
  "unshown" there, and the overall unshown average-mAP is scaled by 17/13, as in the official code.

All values are fractions in [0, 1] (``MapReport.percent`` gives percent, as papers print them).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from index.classes import LABELS, check_label
from index.errors import HighlightsError
from index.types import HALVES, Match
from spotting.types import Spot

FRAMERATE = 2
HALF_FRAMES = 120 * 60 * FRAMERATE  # the official vectors cover 120 minutes per half
THRESHOLDS = np.linspace(0, 1, 200)
RECALL_LEVELS = np.arange(11) / 10
# Window widths in seconds (a prediction matches within ±delta/2), as in the official evaluate().
DELTAS_S: dict[str, np.ndarray] = {
    "loose": np.arange(12) * 5 + 5,
    "tight": np.arange(5) * 1 + 1,
    **{f"at{d}": np.array([d]) for d in range(1, 6)},
}
VISIBILITIES: tuple[str, ...] = ("all", "visible", "unshown")
UNSHOWN_SCALE = 17 / 13  # the official code rescales the overall unshown a-mAP by this


@dataclass(frozen=True)
class MapScores:
    """One visibility variant: average-mAP, per class, and mAP at each tolerance."""

    a_map: float
    per_class: dict[str, float]
    map_per_delta: tuple[float, ...]


@dataclass(frozen=True)
class MapReport:
    """Average-mAP of one metric (loose/tight/...), all three visibility variants.

    ``a_map`` and ``per_class`` are those of the ``visibility`` asked for; all values are fractions.
    """

    metric: str
    visibility: str
    deltas_s: tuple[float, ...]
    variants: dict[str, MapScores]
    n_predictions: int
    n_events: int

    @property
    def a_map(self) -> float:
        return self.variants[self.visibility].a_map

    @property
    def per_class(self) -> dict[str, float]:
        return self.variants[self.visibility].per_class

    @property
    def percent(self) -> float:
        return 100.0 * self.a_map

    @property
    def tolerances_s(self) -> tuple[float, ...]:
        """The ± tolerance of each delta, in seconds (half the window)."""
        return tuple(d / 2 for d in self.deltas_s)


def _frames(position_ms: np.ndarray) -> np.ndarray:
    # Same float expression as the official code, then truncation and clipping.
    return np.minimum((FRAMERATE * (position_ms / 1000)).astype(np.int64), HALF_FRAMES - 1)


def _last_per_key(keys: np.ndarray, values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Unique sorted keys, each with the value of its last occurrence (the official overwrite)."""
    reversed_keys = keys[::-1]
    unique, first_in_reversed = np.unique(reversed_keys, return_index=True)
    return unique, values[::-1][first_in_reversed]


@dataclass(frozen=True)
class _Vectors:
    """Labels and predictions of all halves as sorted sparse keys ``(class, half-sequence, frame)``."""

    n_sequences: int
    gt_keys: np.ndarray
    gt_values: np.ndarray  # 1 visible, -1 not shown
    pred_keys: np.ndarray
    pred_scores: np.ndarray
    pred_closest: np.ndarray  # visibility of the nearest event of the class in the half, -1 if none


def _vectorise(predictions: Mapping[str, Sequence[Spot]], matches: Sequence[Match]) -> _Vectors:
    n_sequences = len(matches) * len(HALVES)
    gt_class, gt_seq, gt_pos, gt_val = [], [], [], []
    pr_class, pr_seq, pr_pos, pr_score = [], [], [], []
    for m, match in enumerate(matches):
        for h, half in enumerate(HALVES):
            seq = m * len(HALVES) + h
            for event in match.half_events(half):
                gt_class.append(LABELS.index(check_label(event.label, match.id)))
                gt_seq.append(seq)
                gt_pos.append(event.position_ms)
                gt_val.append(-1.0 if event.visibility == "not shown" else 1.0)
        for spot in predictions.get(match.id, ()):
            if spot.half not in HALVES:
                raise HighlightsError(f"prediction in half {spot.half}; halves are 1 and 2", match.id)
            pr_class.append(LABELS.index(check_label(spot.label, match.id)))
            pr_seq.append(m * len(HALVES) + HALVES.index(spot.half))
            pr_pos.append(spot.position_ms)
            pr_score.append(spot.confidence)

    def keys(classes: list[int], seqs: list[int], positions: list[int]) -> np.ndarray:
        group = np.asarray(classes, dtype=np.int64) * n_sequences + np.asarray(seqs, dtype=np.int64)
        return group * HALF_FRAMES + _frames(np.asarray(positions, dtype=np.int64))

    gt_keys, gt_values = _last_per_key(keys(gt_class, gt_seq, gt_pos), np.asarray(gt_val, dtype=float))
    pred_keys, pred_scores = _last_per_key(keys(pr_class, pr_seq, pr_pos), np.asarray(pr_score, dtype=float))
    pred_scores = np.where(pred_scores >= 0, pred_scores, np.nan)  # official: only scores >= 0 count
    keep = ~np.isnan(pred_scores)
    pred_keys, pred_scores = pred_keys[keep], pred_scores[keep]
    return _Vectors(n_sequences, gt_keys, gt_values, pred_keys, pred_scores, _closest(gt_keys, gt_values, pred_keys))


def _closest(gt_keys: np.ndarray, gt_values: np.ndarray, pred_keys: np.ndarray) -> np.ndarray:
    """Visibility of each prediction's nearest event (the official midpoint partition), -1 if none."""
    closest = np.full(len(pred_keys), -1.0)
    if not len(gt_keys) or not len(pred_keys):
        return closest
    gt_group, pred_group = gt_keys // HALF_FRAMES, pred_keys // HALF_FRAMES
    frames = gt_keys % HALF_FRAMES
    same = gt_group[1:] == gt_group[:-1]
    # Boundary between consecutive events of one group: frames >= (a + b) // 2 belong to b.
    boundaries = gt_group[1:][same] * HALF_FRAMES + (frames[:-1][same] + frames[1:][same]) // 2
    first_gt = np.searchsorted(gt_keys, pred_group * HALF_FRAMES, side="left")
    has_gt = (first_gt < len(gt_keys)) & (gt_group[np.minimum(first_gt, len(gt_keys) - 1)] == pred_group)
    index = (
        first_gt
        + np.searchsorted(boundaries, pred_keys, side="right")
        - np.searchsorted(boundaries, pred_group * HALF_FRAMES, side="left")
    )
    closest[has_gt] = gt_values[index[has_gt]]
    return closest


def _ranges_flat(lo: np.ndarray, hi: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Concatenated ``arange(lo[i], hi[i])`` for non-empty ranges, and where each range starts."""
    lengths = hi - lo
    starts = np.concatenate(([0], np.cumsum(lengths)[:-1]))
    flat = np.arange(lengths.sum()) - np.repeat(starts - lo, lengths)
    return flat, starts


def _match(v: _Vectors, delta_frames: float) -> np.ndarray:
    """1 for each prediction matched to an event within ±delta/2 frames (official greedy order)."""
    tp = np.zeros(len(v.pred_keys))
    if not len(v.gt_keys) or not len(v.pred_keys):
        return tp
    half_window = delta_frames / 2
    group, frame = v.gt_keys // HALF_FRAMES, v.gt_keys % HALF_FRAMES
    base = group * HALF_FRAMES
    lo = np.searchsorted(v.pred_keys, base + np.maximum(frame - half_window, 0), side="left")
    hi = np.searchsorted(v.pred_keys, base + np.minimum(frame + half_window, HALF_FRAMES - 1), side="right")
    # Events of one group are sorted by frame; the k-th events of all groups never compete for the same
    # prediction, so each step handles them at once and the official sequential order is kept.
    first_of_group = np.concatenate(([0], np.flatnonzero(group[1:] != group[:-1]) + 1))
    rank = np.arange(len(group)) - np.repeat(first_of_group, np.diff(np.append(first_of_group, len(group))))
    has_candidates = hi > lo
    taken = np.zeros(len(v.pred_keys), dtype=bool)
    for step in range(int(rank.max()) + 1):
        active = np.flatnonzero((rank == step) & has_candidates)
        if not len(active):
            continue
        flat, starts = _ranges_flat(lo[active], hi[active])
        scores = np.where(taken[flat], -np.inf, v.pred_scores[flat])
        best = np.maximum.reduceat(scores, starts)
        lengths = hi[active] - lo[active]
        at_best = np.where(scores == np.repeat(best, lengths), flat, np.iinfo(np.int64).max)
        chosen = np.minimum.reduceat(at_best, starts)[best > -1]
        taken[chosen] = True
        tp[chosen] = 1.0
    return tp


def _average_precision(scores: np.ndarray, tp: np.ndarray, n_gt: int) -> float:
    """11-point interpolated AP over the official 200 confidence thresholds."""
    order = np.argsort(scores, kind="stable")
    sorted_scores = scores[order]
    tp_suffix = np.concatenate((np.cumsum(tp[order][::-1])[::-1], [0.0]))
    first = np.searchsorted(sorted_scores, THRESHOLDS, side="left")
    n_pred = len(scores) - first
    true_pos = tp_suffix[first]
    with np.errstate(divide="ignore", invalid="ignore"):
        precision = np.nan_to_num(true_pos / n_pred)
        recall = np.nan_to_num(true_pos / n_gt)
    at_level = np.where(recall[None, :] >= RECALL_LEVELS[:, None], precision[None, :], 0.0)
    return float(at_level.max(axis=1).sum() / 11)


def _map_per_class(v: _Vectors, tp: np.ndarray) -> dict[str, np.ndarray]:
    """AP per class for each visibility variant at one tolerance."""
    n_classes = len(LABELS)
    gt_class = v.gt_keys // HALF_FRAMES // v.n_sequences
    pred_class = v.pred_keys // HALF_FRAMES // v.n_sequences
    pred_bounds = np.searchsorted(pred_class, np.arange(n_classes + 1))
    out = {name: np.zeros(n_classes) for name in VISIBILITIES}
    n_visible = np.bincount(gt_class[v.gt_values > 0], minlength=n_classes)
    n_unshown = np.bincount(gt_class[v.gt_values < 0], minlength=n_classes)
    for c in range(n_classes):
        part = slice(pred_bounds[c], pred_bounds[c + 1])
        scores, hits, closest = v.pred_scores[part], tp[part], v.pred_closest[part]
        out["all"][c] = _average_precision(scores, hits, int(n_visible[c] + n_unshown[c]))
        visible = closest > 0.5
        out["visible"][c] = _average_precision(scores[visible], hits[visible], int(n_visible[c]))
        unshown = closest < -0.5
        out["unshown"][c] = _average_precision(scores[unshown], hits[unshown], int(n_unshown[c]))
    return out


def _trapezoid_mean(values: np.ndarray) -> np.ndarray:
    """The official integration over tolerances (first axis); a single tolerance is returned as is."""
    if len(values) == 1:
        return values[0]
    return ((values[:-1] + values[1:]) / 2).sum(axis=0) / (len(values) - 1)


def average_map(
    predictions: Mapping[str, Sequence[Spot]],
    matches: Sequence[Match],
    metric: str = "loose",
    visibility: str = "all",
) -> MapReport:
    """SoccerNet average-mAP of ``predictions`` (keyed by match id) against the matches' events.

    Matches without predictions score as having none; predictions of games not in ``matches``
    are ignored. Values are fractions in [0, 1].
    """
    if metric not in DELTAS_S:
        raise HighlightsError(f"unknown average-mAP metric {metric!r}; choose one of {', '.join(DELTAS_S)}")
    if visibility not in VISIBILITIES:
        raise HighlightsError(f"unknown visibility {visibility!r}; choose one of {', '.join(VISIBILITIES)}")
    vectors = _vectorise(predictions, matches)
    deltas = DELTAS_S[metric]
    per_delta = [_map_per_class(vectors, _match(vectors, d * FRAMERATE)) for d in deltas]
    variants = {}
    for name in VISIBILITIES:
        ap = np.array([p[name] for p in per_delta])  # (deltas, classes)
        maps = ap.mean(axis=1)
        a_map = float(_trapezoid_mean(maps))
        if name == "unshown" and len(deltas) > 1:
            a_map *= UNSHOWN_SCALE
        per_class = _trapezoid_mean(ap)
        variants[name] = MapScores(
            a_map=a_map,
            per_class={label: float(per_class[i]) for i, label in enumerate(LABELS)},
            map_per_delta=tuple(float(x) for x in maps),
        )
    return MapReport(
        metric=metric,
        visibility=visibility,
        deltas_s=tuple(float(d) for d in deltas),
        variants=variants,
        n_predictions=len(vectors.pred_keys),
        n_events=len(vectors.gt_keys),
    )
