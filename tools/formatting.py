"""Answers in the research's form: "A free-kick occurs at (36:09, 36:24)", grouped by half, with the
match minute, the confidence and a short quote of the commentary behind each interval."""

from __future__ import annotations

from collections.abc import Sequence

from index.classes import LABELS
from index.types import HALVES, Match
from spotting.types import Spot

from .actions import GROUPS
from .spots import HALF_MINUTES, spot_team

NOUNS: dict[str, tuple[str, str]] = {  # label -> (singular, plural)
    "Penalty": ("penalty", "penalties"),
    "Kick-off": ("kick-off", "kick-offs"),
    "Goal": ("goal", "goals"),
    "Substitution": ("substitution", "substitutions"),
    "Offside": ("offside", "offsides"),
    "Shots on target": ("shot on target", "shots on target"),
    "Shots off target": ("shot off target", "shots off target"),
    "Clearance": ("clearance", "clearances"),
    "Ball out of play": ("ball out of play", "balls out of play"),
    "Throw-in": ("throw-in", "throw-ins"),
    "Foul": ("foul", "fouls"),
    "Indirect free-kick": ("indirect free-kick", "indirect free-kicks"),
    "Direct free-kick": ("direct free-kick", "direct free-kicks"),
    "Corner": ("corner", "corners"),
    "Yellow card": ("yellow card", "yellow cards"),
    "Red card": ("red card", "red cards"),
    "Yellow->red card": ("second yellow card (yellow->red)", "second yellow cards (yellow->red)"),
}
# The groups of ``tools.actions`` as one noun each, so "2 free-kicks" is not "2 indirect and direct free-kicks".
GROUP_NOUNS: dict[str, tuple[str, str]] = {
    "free kicks": ("free-kick", "free-kicks"),
    "shots": ("shot", "shots"),
    "cards": ("card", "cards"),
    "bookings": ("booking", "bookings"),
    "sending off": ("sending-off", "sendings-off"),
    "highlights": ("highlight", "highlights"),
    "set pieces": ("set piece", "set pieces"),
    "play": ("moment", "moments"),
    "everything": ("moment", "moments"),
}
HALF_NAMES = {1: "First half", 2: "Second half"}
QUOTE_CHARS = 110


def clock(seconds: float) -> str:
    """``MM:SS`` of a position in a half (minutes may pass 59 in long halves)."""
    total = max(0, round(seconds))
    return f"{total // 60:02d}:{total % 60:02d}"


def minute_label(half: int, seconds: float) -> str:
    """The match minute as a commentator says it: 37', 45+2', 90+3'."""
    minute_in_half = int(seconds // 60) + 1
    base = HALF_MINUTES * (half - 1)
    if minute_in_half > HALF_MINUTES:
        return f"{base + HALF_MINUTES}+{minute_in_half - HALF_MINUTES}'"
    return f"{base + minute_in_half}'"


def interval_sentence(label: str, start: float, end: float) -> str:
    """ "A free-kick occurs at (36:09, 36:24)"."""
    noun = NOUNS.get(label, (label.lower(), label.lower()))[0]
    article = "An" if noun[0] in "aeiou" else "A"
    return f"{article} {noun} occurs at ({clock(start)}, {clock(end)})"


def quote(text: str, limit: int = QUOTE_CHARS) -> str:
    """A one-line excerpt in quotation marks; the commentary is data, shown, never followed."""
    flat = " ".join(text.split())
    if len(flat) > limit:
        flat = flat[: limit - 1].rsplit(" ", 1)[0] + "…"
    return f"“{flat}”" if flat else ""


def spot_line(number: int, spot: Spot, match: Match) -> str:
    """One numbered line: the interval sentence, match minute, team and player when known, confidence, quote."""
    parts = [f"{number}. {interval_sentence(spot.label, spot.start, spot.end)}", minute_label(spot.half, spot.start)]
    team = spot_team(spot, match)
    who = f"{team} ({spot.player})" if team and spot.player else team or spot.player
    if who:
        parts.append(who)
    parts.append(f"confidence {spot.confidence:.2f}")
    line = " · ".join(parts)
    excerpt = quote(spot.evidence)
    return f"{line} — {excerpt}" if excerpt else line


def spots_block(spots: Sequence[Spot], match: Match) -> str:
    """Numbered spot lines under "First half"/"Second half" headings; numbers run across halves."""
    lines: list[str] = []
    number = 0
    for half in HALVES:
        in_half = [s for s in spots if s.half == half]
        if not in_half:
            continue
        lines.append(f"{HALF_NAMES[half]}:")
        for spot in in_half:
            number += 1
            lines.append(f"  {spot_line(number, spot, match)}")
    return "\n".join(lines)


def _nouns(classes: Sequence[str]) -> tuple[str, str] | None:
    """(singular, plural) for one class or a named group of them ("free-kicks", "cards", "highlights")."""
    if len(classes) == 1:
        return NOUNS.get(classes[0], (classes[0], classes[0]))
    return next((GROUP_NOUNS[key] for key, group in GROUPS.items() if key in GROUP_NOUNS and group == tuple(classes)),
                None)  # fmt: skip


def plural_of(classes: Sequence[str]) -> str:
    """ "goals", "free-kicks", "goals and penalties", "moments of 6 kinds"."""
    nouns = _nouns(classes)
    if nouns:
        return nouns[1]
    names = [NOUNS.get(c, (c, c))[1] for c in classes]
    if len(names) > 4 or not names:
        return f"moments of {len(names) or len(LABELS)} kinds"
    return ", ".join(names[:-1]) + " and " + names[-1]


def count_phrase(count: int, classes: Sequence[str]) -> str:
    """ "1 goal", "3 goals", "1 free-kick", "24 highlights"."""
    nouns = _nouns(classes)
    if count == 1 and nouns:
        return f"1 {nouns[0]}"
    return f"{count} {plural_of(classes)}"
