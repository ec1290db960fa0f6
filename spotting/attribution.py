"""The team and the player of every moment of a match, and its score timeline, from its commentary.

One call per match (``analyse``; ``attribute`` and ``score_timeline`` are its two halves):
1. read who is named in every line (``commentary_text``) and learn which club each name plays for
   (``roster``); read the running score the commentary says (``scoreline``);
2. weigh the evidence around each goal found (a per-class logistic model over ``attribution_features``)
   and decode the goals together with the final score into a score timeline (``score_timeline``);
3. let the goals teach the roster (a name said at a home goal is a home player), then give every spot
   its team: a goal the team the timeline gives it, any other moment its class model's answer when it
   leans clearly enough (else ""), and goals, cards and substitutions the player(s) the commentary names.

The model's weights are data (``models/attribution/weights.json``), fitted on the valid split's labels
by ``spotting.attribution_fit`` and measured with 5-fold cross-validation by game in
``benchmarks/bench_attribution.py`` (``docs/attribution.md``).
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import cache
from pathlib import Path

from index.atomic import atomic_write_text
from index.errors import HighlightsError
from index.types import HALVES, Match

from .attribution_features import FEATURES, MomentEvidence, moment_evidence, players_of
from .commentary_text import MatchText
from .roster import Roster, learn_roster
from .score_timeline import GoalEvidence, ScoreTimeline, build_timeline, final_score
from .scoreline import ScoreMention, score_mentions
from .types import Spot

MODEL_FILE = Path(__file__).parent / "models" / "attribution" / "weights.json"
NO_TEAM = frozenset({"Ball out of play"})  # SoccerNet gives these "not applicable"
MARGIN = 0.15  # a moment gets a team only when p(home) >= 0.5 + margin (or <= 0.5 - margin); per class when fitted
BACKEND_LEAN = 1.0  # a back end's own home/away, as log-odds, when its spot comes with one
GOAL_SEED = 3.0  # how much a name said at a goal of settled team counts towards its club


@dataclass(frozen=True, slots=True)
class ClassWeights:
    weights: tuple[float, ...]
    bias: float = 0.0
    margin: float = MARGIN  # how far from an even chance its answer must be (chosen when fitted)


@dataclass(frozen=True)
class AttributionModel:
    """Per class, logistic weights over ``FEATURES``: log-odds that a moment is the home team's."""

    classes: Mapping[str, ClassWeights]

    def lean(self, label: str, evidence: MomentEvidence) -> float:
        """Log-odds home vs away; 0 for a class without weights or a moment without evidence."""
        weights = self.classes.get(label)
        if weights is None or evidence.empty:
            return 0.0
        return weights.bias + sum(w * x for w, x in zip(weights.weights, evidence.values, strict=True))

    def side(self, label: str, evidence: MomentEvidence, prior: float = 0.0) -> str:
        if label in NO_TEAM or (evidence.empty and not prior):
            return ""
        weights = self.classes.get(label)
        margin = weights.margin if weights else MARGIN
        p = 1.0 / (1.0 + math.exp(-(self.lean(label, evidence) + prior)))
        return "home" if p >= 0.5 + margin else "away" if p <= 0.5 - margin else ""

    def to_json(self) -> dict:
        classes = {k: {"weights": list(v.weights), "bias": v.bias, "margin": v.margin} for k, v in self.classes.items()}
        return {"features": list(FEATURES), "classes": dict(sorted(classes.items()))}

    def save(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write_text(path, json.dumps(self.to_json(), indent=1) + "\n")


def load_model(path: Path = MODEL_FILE) -> AttributionModel:
    """The weights at ``path``; a missing or malformed file is a clear error."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if data["features"] != list(FEATURES):
            raise HighlightsError(f"weights are for features {data['features']}, not {list(FEATURES)}", path)
        classes = {
            label: ClassWeights(tuple(map(float, entry["weights"])), float(entry["bias"]), float(entry["margin"]))
            for label, entry in data["classes"].items()
        }
        if any(len(c.weights) != len(FEATURES) for c in classes.values()):
            raise HighlightsError("a class has the wrong number of weights", path)
        return AttributionModel(classes)
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise HighlightsError(f"cannot read the attribution weights ({error})", path) from None


@cache
def shipped_model() -> AttributionModel:
    return load_model(MODEL_FILE)


@dataclass(frozen=True)
class MatchAttribution:
    """Everything a match's commentary says about who: spots with team and player, the score timeline,
    the learned roster and the score mentions."""

    spots: tuple[Spot, ...]
    timeline: ScoreTimeline
    roster: Roster
    mentions: tuple[ScoreMention, ...] = field(default=())

    def scorers(self, team: str | None = None) -> list[tuple[Spot, str]]:
        """(goal spot, its player) for the goals of ``team`` ("home"/"away"; None: both), in time order."""
        return [(s, s.player) for s in self.spots if s.label == "Goal" and s.team and team in (None, s.team)]


class CommentaryReader:
    """One match's commentary, read once: its lines and names, the running score it says, and the
    roster learned from the commentary alone. Reusable: nothing here depends on the spots."""

    def __init__(self, match: Match) -> None:
        self.match = match
        self.text = MatchText(match)
        self.mentions = tuple(
            score_mentions((s for half in HALVES for s in match.half_segments(half)), match.home, match.away)
        )
        self.roster = learn_roster(self.text)

    def evidence(self, spot: Spot, roster: Roster | None = None, timeline: ScoreTimeline | None = None):
        """The features and player of ``spot`` (``roster``: a better one than the commentary-only one)."""
        seconds = spot.position_ms / 1000.0
        return moment_evidence(
            self.text, roster or self.roster, spot.label, spot.half, seconds, self.mentions, timeline
        )

    def timeline(self, goals: Sequence[Spot], model: AttributionModel) -> ScoreTimeline:
        """The score timeline from ``goals``, each leaning as the Goal model reads its commentary."""
        evidence = []
        for goal in sorted(goals, key=lambda g: (g.half, g.position_ms)):
            lean = model.lean("Goal", self.evidence(goal)) + _prior(goal)
            evidence.append(GoalEvidence(goal.half, goal.position_ms / 1000.0, goal.confidence, lean, (goal,)))
        return build_timeline(evidence, final_score(self.match), self.mentions)

    def taught_roster(self, timeline: ScoreTimeline) -> Roster:
        """The roster once the goals have taught it: names said at goals of settled team lean that way."""
        seeds: dict[str, float] = {}
        for goal in timeline.goals:
            if goal.found and goal.sure:
                for key in players_of(self.evidence(goal.spots[0]), self.roster, "Goal", goal.team)[1]:
                    seeds[key] = seeds.get(key, 0.0) + (GOAL_SEED if goal.team == "home" else -GOAL_SEED)
        return learn_roster(self.text, seeds)


def _prior(spot: Spot) -> float:
    return BACKEND_LEAN if spot.team == "home" else -BACKEND_LEAN if spot.team == "away" else 0.0


def analyse(
    match: Match, spots: Iterable[Spot], model: AttributionModel | None = None, reader: CommentaryReader | None = None
) -> MatchAttribution:
    """Team and player of every spot, and the score timeline of the match (see the module docstring).
    ``reader``: the match's commentary already read (it is reusable)."""
    model = model or shipped_model()
    spots = list(spots)
    reader = reader or CommentaryReader(match)
    timeline = reader.timeline([s for s in spots if s.label == "Goal"], model)
    roster = reader.taught_roster(timeline)
    on_timeline = {id(spot): g for g in timeline.goals for spot in g.spots}
    attributed = []
    for spot in spots:
        placed = on_timeline.get(id(spot))
        # One goal found twice: both spots read the surest one's commentary, so they name one scorer.
        reading = max(placed.spots, key=lambda s: s.confidence) if placed is not None else spot
        evidence = reader.evidence(reading, roster, timeline)
        if placed is not None:
            team = placed.team if placed.sure else ""
        else:
            team = model.side(spot.label, evidence, _prior(spot))
        player = players_of(evidence, roster, spot.label, team)[0]
        attributed.append(replace(spot, team=team, player=player or spot.player))
    return MatchAttribution(tuple(attributed), timeline, roster, reader.mentions)


def attribute(match: Match, spots: Iterable[Spot], model: AttributionModel | None = None) -> list[Spot]:
    """``spots`` with ``team`` ("home"/"away"/"") and ``player`` filled from the commentary."""
    return list(analyse(match, spots, model).spots)


def score_timeline(match: Match, goals: Iterable[Spot], model: AttributionModel | None = None) -> ScoreTimeline:
    """The score timeline of ``match`` from its ``goals`` (Goal spots), its commentary and final score."""
    return analyse(match, [g for g in goals if g.label == "Goal"], model).timeline
