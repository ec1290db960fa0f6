"""A match in a few lines: score, goals with times, cards and substitutions, as the spotter found them."""

from __future__ import annotations

from dataclasses import dataclass

from index.types import Match
from spotting.types import Spot

from .actions import CARDS, ordered
from .formatting import spots_block
from .matches import MatchInfo, match_info

SUMMARY_CLASSES = ordered(("Goal", *CARDS, "Substitution"))  # what a summary lists, in its order


@dataclass(frozen=True, slots=True)
class MatchSummary:
    """What ``match_summary`` returns; ``spotter`` names the back end the moments come from."""

    match: MatchInfo
    score: str
    goals: tuple[Spot, ...]
    cards: tuple[Spot, ...]
    substitutions: tuple[Spot, ...]
    spotter: str
    note: str = ""

    @property
    def spots(self) -> list[Spot]:
        return sorted(self.goals + self.cards + self.substitutions, key=lambda s: (s.half, s.start, s.label))


def summarise(match: Match, spots: list[Spot], spotter: str) -> MatchSummary:
    """The summary of ``match`` from its spots (the final score comes from the match's metadata)."""
    return MatchSummary(
        match=match_info(match),
        score=f"{match.home} {match.home_score} - {match.away_score} {match.away}",
        goals=tuple(s for s in spots if s.label == "Goal"),
        cards=tuple(s for s in spots if s.label in CARDS),
        substitutions=tuple(s for s in spots if s.label == "Substitution"),
        spotter=spotter,
        note=match.score_note,
    )


def summary_text(summary: MatchSummary, match: Match) -> str:
    """The summary as a reader sees it: score line, then each part or a plain "none found"."""
    info = summary.match
    lines = [f"{summary.score} — {info.competition}, {info.season}, {info.date}."]
    if summary.note:
        lines.append(f"(Score note: {summary.note}.)")
    for title, spots in (("Goals", summary.goals), ("Cards", summary.cards), ("Substitutions", summary.substitutions)):
        if spots:
            lines.append(f"{title} ({len(spots)}):")
            lines.append(spots_block(spots, match))
        else:
            lines.append(f"{title}: none found.")
    lines.append(f"(Moments found by the {summary.spotter} spotter from the commentary.)")
    return "\n".join(lines)
