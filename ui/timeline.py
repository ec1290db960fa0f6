"""The answer on a timeline per half: spotted intervals, and the ground truth beneath when labels exist.

A ground-truth event counts as *found* when its window (± the metric's 7.5 s) overlaps an interval of
its class in its half, the lenient reading of the interval metric; a spotted interval that overlaps
no event of its class is drawn hollow. So hits, misses and false alarms are visible at a glance.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import plotly.graph_objects as go
from plotly.subplots import make_subplots

from evaluation.intervals import DEFAULT_HALF_WIDTH_S
from index.classes import LABELS
from index.types import HALVES, Event, Match
from spotting.types import Spot
from tools.formatting import clock, quote
from tools.query import MomentQuery

SPOTTED, TRUTH = "answer", "ground truth"
HALF_TITLES = {1: "First half", 2: "Second half"}
EMPTY = "Ask for some moments: they appear here, on the minute of each half."
MIN_HALF_S = 47 * 60
TICK_S = 10 * 60  # labelled every 10 minutes (they fit on a phone), a grid line every 5
MINOR_TICK_S = 5 * 60
# One colour per class (Plotly's qualitative palettes, extended to 17).
PALETTE = (
    "#636EFA", "#EF553B", "#00CC96", "#AB63FA", "#FFA15A", "#19D3F3", "#FF6692", "#B6E880", "#FF97FF",
    "#FECB52", "#1F77B4", "#8C564B", "#E377C2", "#7F7F7F", "#BCBD22", "#D62728", "#17BECF",
)  # fmt: skip
COLOURS = dict(zip(LABELS, PALETTE, strict=True))


def overlaps(event: Event, spot: Spot) -> bool:
    """Whether ``spot`` covers ``event`` in the lenient reading of the interval metric."""
    return (
        spot.label == event.label
        and spot.half == event.half
        and spot.start < event.seconds + DEFAULT_HALF_WIDTH_S
        and spot.end > event.seconds - DEFAULT_HALF_WIDTH_S
    )


def truth_events(match: Match, labels: Iterable[str], half: int | None = None) -> list[Event]:
    """The match's labelled events of the asked classes (and half)."""
    wanted = set(labels)
    return [e for e in match.all_events() if e.label in wanted and half in (None, e.half)]


def _half_length(match: Match | None, half: int, spots: Sequence[Spot]) -> float:
    ends = [s.end for s in spots if s.half == half]
    if match is not None:
        ends += [seg.end for seg in match.half_segments(half)] + [e.seconds for e in match.half_events(half)]
    return max([MIN_HALF_S, *ends])


def timeline_figure(
    spots: Sequence[Spot],
    match: Match | None,
    query: MomentQuery | None = None,
    selected: Spot | None = None,
) -> go.Figure:
    """One subplot per half; ``query`` says which ground truth was asked for (its classes and half), so
    a class no interval has still shows its misses. ``selected`` is marked with a dotted line."""
    query = query or MomentQuery()
    half = query.half
    classes = [c for c in LABELS if c in {s.label for s in spots} | set(query.classes)]
    events = truth_events(match, classes, half) if match is not None and match.has_labels else []
    rows = [TRUTH, SPOTTED] if match is not None and match.has_labels else [SPOTTED]
    figure = make_subplots(rows=2, cols=1, subplot_titles=[HALF_TITLES[h] for h in HALVES], vertical_spacing=0.2)
    for label in classes:
        for row in HALVES:
            in_half = [s for s in spots if s.label == label and s.half == row]
            truth = [e for e in events if e.label == label and e.half == row]
            _add_spots(figure, in_half, truth, row, judged=rows[0] == TRUTH)
            _add_events(figure, truth, in_half, row)
    if selected is not None:
        figure.add_vline(
            x=(selected.start + selected.end) / 2, line_dash="dot", line_color="#444", row=selected.half, col=1
        )
    for row in HALVES:
        length = _half_length(match, row, spots)
        ticks = list(range(0, int(length) + 1, TICK_S))
        minor = {"tickvals": list(range(0, int(length) + 1, MINOR_TICK_S)), "showgrid": True}
        figure.update_xaxes(
            range=[-30, length + 30], tickvals=ticks, ticktext=[clock(t) for t in ticks], tickangle=0, minor=minor,
            row=row, col=1,
        )  # fmt: skip
        figure.update_yaxes(categoryorder="array", categoryarray=rows, range=[-0.6, len(rows) - 0.4], row=row, col=1)
    if not figure.data:
        figure.update_yaxes(showticklabels=False)
    figure.update_layout(
        height=380,
        margin={"l": 10, "r": 10, "t": 56, "b": 10},
        legend={"orientation": "h", "y": -0.08},
        hovermode="closest",
        template="plotly_white",
        title={"text": _caption(spots, events), "font": {"size": 13}, "x": 0.01},
    )
    return figure


def _caption(spots: Sequence[Spot], events: Sequence[Event]) -> str:
    if not events:
        return f"{len(spots)} intervals (no ground truth for this match)" if spots else EMPTY
    found = sum(any(overlaps(e, s) for s in spots) for e in events)
    return f"{len(spots)} intervals · ground truth: {found} of {len(events)} found<br>(● found, ○ missed, ◇ no event)"


def _add_spots(figure: go.Figure, spots: Sequence[Spot], events: Sequence[Event], half: int, judged: bool) -> None:
    if not spots:
        return
    hits = [any(overlaps(e, s) for e in events) or not judged for s in spots]
    figure.add_trace(
        go.Scatter(
            x=[(s.start + s.end) / 2 for s in spots],
            y=[SPOTTED] * len(spots),
            error_x={"type": "data", "array": [(s.end - s.start) / 2 for s in spots], "thickness": 3, "width": 0},
            mode="markers",
            marker=_marker(spots[0].label, "diamond", hits, 13),
            name=spots[0].label,
            legendgroup=spots[0].label,
            showlegend=not _has_trace(figure, spots[0].label),
            hovertext=[
                f"<b>{s.label}</b> ({clock(s.start)}, {clock(s.end)})<br>confidence {s.confidence:.2f}"
                + (f"<br>{quote(s.evidence, 80)}" if s.evidence else "")
                for s in spots
            ],
            hoverinfo="text",
        ),
        row=half,
        col=1,
    )


def _add_events(figure: go.Figure, events: Sequence[Event], spots: Sequence[Spot], half: int) -> None:
    if not events:
        return
    found = [any(overlaps(e, s) for s in spots) for e in events]
    figure.add_trace(
        go.Scatter(
            x=[e.seconds for e in events],
            y=[TRUTH] * len(events),
            mode="markers",
            marker=_marker(events[0].label, "circle", found, 11),
            name=f"{events[0].label} (ground truth)",
            legendgroup=events[0].label,
            showlegend=False,
            hovertext=[
                f"<b>{e.label}</b> at {clock(e.seconds)} (ground truth)<br>{'found' if hit else 'missed'}"
                for e, hit in zip(events, found, strict=True)
            ],
            hoverinfo="text",
        ),
        row=half,
        col=1,
    )


def _marker(label: str, symbol: str, filled: Sequence[bool], size: int) -> dict:
    """Markers in the class's colour, filled for a hit and hollow otherwise."""
    colour = COLOURS[label]
    symbols = [symbol if full else f"{symbol}-open" for full in filled]
    return {"size": size, "color": colour, "symbol": symbols, "line": {"width": 2, "color": colour}}


def _has_trace(figure: go.Figure, name: str) -> bool:
    return any(trace.name == name for trace in figure.data)
