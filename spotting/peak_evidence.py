"""How sure one class's spotter peaks are once the commentary around them is read: a logistic model over
features a reader computes for each peak (``spotting.substitutions`` reads substitutions' announcements).

The answer policy fits it on the games it is fitted on (``evaluation.answers.fit_policy``) and an answer
keeps the class's peaks by its probability (``AnswerPolicy.rescored``). Stored as data in the policy's
JSON: the feature names, weights and bias; the reader is code, named by the class it rescores.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace

from index.types import Match

from .types import Spot

# what a reader gives for a match's spots: one row of features per spot of its class, in their order
Reader = Callable[[Match, Sequence[Spot]], list[tuple[float, ...]]]


@dataclass(frozen=True)
class PeakEvidence:
    """Logistic weights over ``names`` (the features ``read`` gives): the probability that a ``label`` peak
    is right (an event of its class within 30 s)."""

    label: str
    names: tuple[str, ...]
    read: Reader = field(compare=False, repr=False)
    weights: tuple[float, ...]
    bias: float

    def rescored(self, match: Match, spots: Sequence[Spot]) -> list[Spot]:
        """``spots`` with each ``label`` spot's confidence the model's probability (other spots as they are)."""
        rows = iter(self.read(match, spots))
        out = []
        for spot in spots:
            if spot.label == self.label:
                z = self.bias + sum(w * x for w, x in zip(self.weights, next(rows), strict=True))
                spot = replace(spot, confidence=1.0 / (1.0 + math.exp(-z)))
            out.append(spot)
        return out

    def as_dict(self) -> dict:
        return {"label": self.label, "features": list(self.names), "weights": list(self.weights), "bias": self.bias}

    @classmethod
    def from_dict(cls, data: Mapping, label: str, names: Sequence[str], read: Reader) -> PeakEvidence:
        """The model ``as_dict`` wrote for ``label`` over ``names``; ValueError when it is not one."""
        if data.get("label") != label or list(data["features"]) != list(names) or len(data["weights"]) != len(names):
            expected = f"expected {label} over {list(names)}"
            raise ValueError(f"{data.get('label')} evidence over {data['features']}, {expected}")
        weights = tuple(float(w) for w in data["weights"])
        if not all(map(math.isfinite, (*weights, float(data["bias"])))):
            raise ValueError(f"{label} evidence weights must be finite")
        return cls(label, tuple(names), read, weights, float(data["bias"]))


def logit(p: float) -> float:
    """log(p / (1 - p)), ``p`` kept off 0 and 1: a peak's confidence as a feature of a logistic model."""
    p = min(1.0 - 1e-4, max(1e-4, p))
    return math.log(p / (1.0 - p))
