"""What the embedded spotter's training is told, and where the shipped model lives: importable
without torch, so the command line shows the recipe's defaults at once."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from index.classes import LABELS

SHIPPED = Path(__file__).resolve().parents[1] / "models" / "embedded"


@dataclass(frozen=True)
class TrainConfig:
    seed: int = 0
    # An ensemble: networks trained with seeds seed, seed + 1, …, curves averaged. One since the sentence
    # encoder joined: the answer policy must be fitted on out-of-fold spots of exactly the shipped recipe,
    # and a 5-fold run of three students did not fit the shared 2-core machine (docs/embedded.md).
    members: int = 1
    epochs: int = 30
    batch: int = 8
    learning_rate: float = 1e-2
    weight_decay: float = 1e-2
    target_sigma_s: float = 6.0  # width of the soft target around each labelled event
    positive_weight: float = 4.0
    max_terms: int = 4000  # a small vocabulary generalises across games; 20 000 terms memorised them
    min_halves: int = 20  # a term must occur in this many training halves
    student_epochs: int = 0  # epochs over labelled + teacher-scored games (0: no student, the teacher is the model)
    lsa_init: bool = True  # start the word projection from the LSA of the commentary, labelled or not
    # NetConfig overrides; the sentence encoder's 16-d projection: Goal loose AP 26.5 -> 32.6 (docs/embedded.md)
    net: dict = field(default_factory=lambda: {"sentence_embedding": 16})
    windows_s: tuple[float, ...] = (20.0,) * len(LABELS)  # per-class suppression window of the decoder
