"""Fitting the attribution model's weights on labelled games (Labels-v2's ``team`` of each event).

Two stages, because the goals decide the rest: the Goal model is fitted first, on the commentary
alone (its lean is what the score timeline weighs); then, with each game's timeline decoded from its
labelled goals by that model, every class's model is fitted on the features of its labelled events
(the roster now taught by the goals, "after_goal" from the timeline). Classes with few labelled
events borrow a related class's events (``BORROW``). Used by ``benchmarks/bench_attribution.py`` in
5-fold cross-validation by game, and once on all labelled games for the shipped weights.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence

import numpy as np
from sklearn.linear_model import LogisticRegression

from index.types import Match

from .attribution import NO_TEAM, AttributionModel, ClassWeights, CommentaryReader
from .types import Spot

MIN_EVENTS = 60  # fewer labelled events than this and a class also learns from its BORROW class
BORROW = {"Penalty": "Shots on target", "Red card": "Yellow card", "Yellow->red card": "Yellow card"}
REGULARISATION = 1.0  # scikit-learn's C: ten features, hundreds of events per class
TARGET_ACCURACY = 0.75  # a class answers "which team?" where its fitted games were right this often
MARGINS = (0.0, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4)
MIN_ANSWERED = 10


def labelled_spots(match: Match) -> list[tuple[Spot, str]]:
    """Each labelled event with a team, as a spot at its position, with that team ("home"/"away")."""
    return [
        (Spot(e.label, e.half, e.seconds, e.seconds, e.position_ms, 1.0, backend="labels"), e.team)
        for e in match.all_events()
        if e.team in ("home", "away") and e.label not in NO_TEAM
    ]


def _fit(rows: Sequence[tuple[tuple[float, ...], bool]]) -> ClassWeights | None:
    usable = [(x, y) for x, y in rows if any(x)]
    if len({y for _, y in usable}) < 2:
        return None
    x, y = np.array([x for x, _ in usable]), np.array([y for _, y in usable])
    model = LogisticRegression(C=REGULARISATION, max_iter=1000).fit(x, y)
    return ClassWeights(
        tuple(float(w) for w in model.coef_[0]), float(model.intercept_[0]), _margin(model.predict_proba(x)[:, 1], y)
    )


def _margin(p_home: np.ndarray, home: np.ndarray) -> float:
    """The smallest margin at which the fitted games' answers are right ``TARGET_ACCURACY`` of the time
    (the largest one tried where none is): a wrong team is worse than none."""
    for margin in MARGINS:
        answered = np.abs(p_home - 0.5) >= margin
        if answered.sum() >= MIN_ANSWERED and ((p_home[answered] >= 0.5) == home[answered]).mean() >= TARGET_ACCURACY:
            return margin
    return MARGINS[-1]


def goal_model(readers: Mapping[str, CommentaryReader]) -> AttributionModel:
    """Stage one: the Goal model, on the commentary alone (no timeline, no goal-taught roster)."""
    rows = [
        (reader.evidence(spot).values, team == "home")
        for reader in readers.values()
        for spot, team in labelled_spots(reader.match)
        if spot.label == "Goal"
    ]
    weights = _fit(rows)
    return AttributionModel({"Goal": weights} if weights else {})


def taught_rows(reader: CommentaryReader, model: AttributionModel) -> dict[str, list[tuple[tuple[float, ...], bool]]]:
    """Per class, (features, is home) of the labelled events of one game, read as ``analyse`` reads
    them: timeline from the labelled goals, roster taught by it."""
    labelled = labelled_spots(reader.match)
    timeline = reader.timeline([s for s, _ in labelled if s.label == "Goal"], model)
    roster = reader.taught_roster(timeline)
    rows: dict[str, list] = defaultdict(list)
    for spot, team in labelled:
        rows[spot.label].append((reader.evidence(spot, roster, timeline).values, team == "home"))
    return rows


def fit_model(readers: Mapping[str, CommentaryReader]) -> AttributionModel:
    """Both stages on the labelled games of ``readers`` (game id -> its commentary, read once)."""
    first = goal_model(readers)
    rows: dict[str, list] = defaultdict(list)
    for reader in readers.values():
        for label, found in taught_rows(reader, first).items():
            rows[label].extend(found)
    classes = dict(first.classes)
    for label, found in rows.items():
        if label == "Goal":
            continue
        borrowed = rows.get(BORROW.get(label, ""), []) if len(found) < MIN_EVENTS else []
        weights = _fit([*found, *borrowed])
        if weights is not None:
            classes[label] = weights
    return AttributionModel(classes)
