"""The embedded commentary spotter: the offline, CPU default back end (see docs/embedded.md)."""

from __future__ import annotations

from collections.abc import Sequence

from index.types import Match

from .artifact import SHIPPED, EmbeddedModel
from .spotter import EmbeddedSpotter
from .training import TrainConfig, train_model

__all__ = ["SHIPPED", "EmbeddedModel", "EmbeddedSpotter", "TrainConfig", "fit", "train_model"]


def fit(train_matches: Sequence[Match], config: TrainConfig | None = None) -> EmbeddedSpotter:
    """A spotter trained on ``train_matches`` (the benchmark runner's cross-validation hook)."""
    return EmbeddedSpotter(model=train_model(train_matches, config or TrainConfig()))
