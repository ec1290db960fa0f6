"""The 17 SoccerNet-v2 action classes, in the official package's order."""

from __future__ import annotations

from .errors import HighlightsError

# Same order as SoccerNet.Evaluation.utils.EVENT_DICTIONARY_V2, so class indices agree
# with the official evaluation.
LABELS: tuple[str, ...] = (
    "Penalty",
    "Kick-off",
    "Goal",
    "Substitution",
    "Offside",
    "Shots on target",
    "Shots off target",
    "Clearance",
    "Ball out of play",
    "Throw-in",
    "Foul",
    "Indirect free-kick",
    "Direct free-kick",
    "Corner",
    "Yellow card",
    "Red card",
    "Yellow->red card",
)
LABEL_INDEX: dict[str, int] = {label: i for i, label in enumerate(LABELS)}


def check_label(label: str, where: str | None = None) -> str:
    """Return ``label`` if it is one of the 17 classes, else raise a clear error."""
    if label not in LABEL_INDEX:
        raise HighlightsError(f"unknown action label {label!r}; expected one of {', '.join(LABELS)}", where)
    return label
