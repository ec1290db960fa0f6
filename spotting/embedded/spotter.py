"""``EmbeddedSpotter``: the offline default back end, the shipped model behind the ``Spotter`` interface."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from pathlib import Path

from index.classes import LABELS
from index.errors import HighlightsError
from index.types import HALVES, Match

from ..answers import ANSWERS_FILE, AnswerPolicy
from ..types import Spot
from .artifact import EmbeddedModel
from .config import SHIPPED
from .decoding import half_spots
from .model import one_thread

NAME = "embedded"
# One cut-off for every class, for a model without its own answer policy (one trained in memory, or
# a folder without answers.json): the interval-F1-best cut-off of the previous 5-fold cross-validation.
ANSWER_THRESHOLD = 0.36


class EmbeddedSpotter:
    """Spots all 17 classes in a match's commentary with a trained temporal model, on the CPU.

    ``EmbeddedSpotter()`` loads the model shipped in the package; ``EmbeddedSpotter(path)`` loads
    one written by ``highlights train``; ``EmbeddedSpotter(model=...)`` wraps one in memory.
    Every peak is returned with its raw confidence (average-mAP ranks them all); ``answer_policy``
    (``spotting.answers``: per-class calibration and cut-offs, the goal count of the final score),
    read from the model folder's ``answers.json``, says what an answer to a user keeps.
    """

    name = NAME

    def __init__(self, model_dir: str | Path | None = None, model: EmbeddedModel | None = None) -> None:
        self.answer_policy = AnswerPolicy.single(ANSWER_THRESHOLD)
        if model is None:
            folder = Path(model_dir) if model_dir else SHIPPED
            if not (folder / "model.json").is_file():
                raise HighlightsError("no embedded model here (expected model.json and weights.npz)", folder)
            model = EmbeddedModel.load(folder)
            if (folder / ANSWERS_FILE).is_file():
                self.answer_policy = AnswerPolicy.load(folder / ANSWERS_FILE)
        self.model = model
        self._lock = threading.Lock()  # torch modules are not safe to run from two threads at once

    threshold = ANSWER_THRESHOLD

    def spot(self, match: Match, halves: Sequence[int] = HALVES) -> list[Spot]:
        for half in halves:
            if half not in HALVES:
                raise HighlightsError(f"no half {half!r}; a match has halves 1 and 2", match.id)
        with self._lock, one_thread():
            scored = self.model.scores(match, halves)
        spots = [
            spot
            for half, (item, scores) in scored.items()
            for spot in half_spots(half, item, scores, self.model.windows_s, NAME)
        ]
        return sorted(spots, key=lambda s: (s.half, s.position_ms, LABELS.index(s.label)))
