"""Pictures of an evaluation (PNG through matplotlib's ``Figure``, without pyplot: no display, no
global state, safe in a server).

- ``class_bars``: per-class loose/tight AP and interval F1, to see which actions a back end can find;
- ``map_vs_tolerance``: mAP against the matching tolerance, loose and tight, to see how close in time
  the predictions are;
- ``timeline``: one game, each half a panel, classes as rows, events as ticks and predicted
  intervals as bars shaded by confidence.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
from matplotlib.figure import Figure

from index.classes import LABELS
from index.types import HALVES, Match
from spotting.types import Spot

from .report import Evaluation


def _save(figure: Figure, path: Path) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.stem}.tmp.png")
    figure.savefig(temporary, dpi=110, bbox_inches="tight")
    temporary.replace(path)
    return path


def class_bars(evaluation: Evaluation, path: Path, title: str = "") -> Path:
    """Grouped bars per class: loose AP, tight AP (percent) and interval F1 (percent)."""
    x = np.arange(len(LABELS))
    series = {
        "loose AP": [100 * evaluation.loose.per_class[c] for c in LABELS],
        "tight AP": [100 * evaluation.tight.per_class[c] for c in LABELS],
        f"interval F1 (IoU ≥ {evaluation.intervals.iou_threshold:g})": [
            100 * evaluation.intervals.per_class[c].f1 for c in LABELS
        ],
    }
    figure = Figure(figsize=(12, 4.5))
    axes = figure.subplots()
    width = 0.8 / len(series)
    for i, (name, values) in enumerate(series.items()):
        axes.bar(x + (i - 1) * width, values, width, label=name)
    axes.set_xticks(x, LABELS, rotation=45, ha="right")
    axes.set_ylabel("percent")
    axes.set_title(
        title
        or f"Per class: loose a-mAP {evaluation.loose.percent:.1f} %, tight {evaluation.tight.percent:.1f} %, "
        f"interval F1 {evaluation.intervals.f1:.3f}"
    )
    axes.legend()
    axes.grid(axis="y", alpha=0.3)
    return _save(figure, path)


def map_vs_tolerance(evaluation: Evaluation, path: Path) -> Path:
    """mAP (percent) at each tolerance of the loose and tight metrics."""
    figure = Figure(figsize=(7, 4))
    axes = figure.subplots()
    for report in (evaluation.tight, evaluation.loose):
        axes.plot(
            report.tolerances_s,
            [100 * v for v in report.variants["all"].map_per_delta],
            marker="o",
            label=f"{report.metric} (a-mAP {report.percent:.1f} %)",
        )
    axes.set_xlabel("tolerance ± s")
    axes.set_ylabel("mAP %")
    axes.set_title("mAP against the matching tolerance")
    axes.legend()
    axes.grid(alpha=0.3)
    return _save(figure, path)


def timeline(match: Match, spots: Sequence[Spot], path: Path) -> Path:
    """Predictions against ground truth for one game, one panel per half."""
    figure = Figure(figsize=(14, 9))
    panels = figure.subplots(len(HALVES), 1, sharey=True)
    rows = {label: i for i, label in enumerate(LABELS)}
    for panel, half in zip(panels, HALVES, strict=True):
        for spot in (s for s in spots if s.half == half):
            panel.barh(
                rows[spot.label],
                (spot.end - spot.start) / 60,
                left=spot.start / 60,
                height=0.6,
                color="tab:blue",
                alpha=0.15 + 0.85 * spot.confidence,
            )
        events = match.half_events(half)
        panel.scatter(
            [e.seconds / 60 for e in events],
            [rows[e.label] for e in events],
            marker="|",
            s=120,
            color="tab:red",
            label="ground truth",
        )
        panel.set_yticks(range(len(LABELS)), LABELS, fontsize=7)
        panel.invert_yaxis()
        panel.set_title(f"half {half}")
        panel.set_xlabel("minutes from the start of the half's video")
        panel.grid(axis="x", alpha=0.3)
    panels[0].bar(0, 0, color="tab:blue", label="predicted interval (darker = more confident)")
    panels[0].legend(loc="upper right", fontsize=8)
    figure.suptitle(f"{match.id}")
    figure.tight_layout()
    return _save(figure, path)
