"""Predictions made from the ground truth, for checking a metric implementation against another.

Near-misses of about half of the events (Gaussian time error, a fifth with a wrong class) plus
uniform noise over both halves. Confidences are rounded to ``confidence_digits`` so that ties and
frame collisions occur, the corners where two implementations of average-mAP would part.
Never a result: these predictions know the answers.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from index.classes import LABELS
from index.settings import DEFAULT_HALF_WIDTH_S
from index.types import Match
from spotting.types import Spot

MAX_NOISE_MS = 2_900_000


def near_miss_predictions(
    matches: Sequence[Match],
    seed: int = 0,
    noise_per_game: int = 200,
    error_s: float = 8.0,
    confidence_digits: int = 3,
    half_width: float = DEFAULT_HALF_WIDTH_S,
) -> dict[str, list[Spot]]:
    rng = np.random.default_rng(seed)

    def spot(label: str, half: int, position_ms: int, confidence: float) -> Spot:
        seconds = position_ms / 1000
        return Spot(label, half, max(0.0, seconds - half_width), seconds + half_width, position_ms, confidence)

    predictions = {}
    for match in matches:
        spots = []
        for event in match.all_events():
            if rng.random() < 0.5:
                position = max(0, int(event.position_ms + rng.normal(0, error_s * 1000)))
                label = event.label if rng.random() < 0.8 else LABELS[rng.integers(len(LABELS))]
                spots.append(spot(label, event.half, position, float(np.round(rng.random(), confidence_digits))))
        for _ in range(noise_per_game):
            label, half = LABELS[rng.integers(len(LABELS))], int(rng.integers(1, 3))
            spots.append(spot(label, half, int(rng.integers(0, MAX_NOISE_MS)), float(rng.random())))
        predictions[match.id] = spots
    return predictions
