"""Answer-level metrics, and fitting the answer policy (``spotting.answers``) on held-out games.

Average-mAP ranks every peak; a user sees only what an answer keeps. Here, per class:

- *precision*: the share of kept spots with a labelled event of their class within ±30 s (same half);
- *recall*: the share of labelled events with a kept spot of their class within ±30 s — one spot
  may find several events (one announcement of a double substitution; a goal labelled twice);
- *games without goals*: games with commentary and labelled goals whose answer finds none of them.

``fit_policy`` chooses each class's calibration and cut-off (and, for counted classes, the floor)
that maximise this F1 on the games it is given (never one right less than ``MIN_PRECISION`` of the
time): the runner fits it on the other folds.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

import numpy as np

from index.classes import LABELS
from index.types import HALVES, Match
from spotting import substitutions
from spotting.answers import COUNTED, AnswerPolicy, Calibration, ClassRule, MatchAnswer, goals_in_name
from spotting.answers import DISTINCT_S as _DISTINCT_S
from spotting.goal_words import features, goal_evidence
from spotting.moments import match_moments
from spotting.peak_evidence import PeakEvidence, Reader
from spotting.types import Spot

TOLERANCE_S = 30.0
MAX_KNOTS = 40
CANDIDATES = 48  # cut-offs tried per class (quantiles of the calibrated confidences)
# An answer that is wrong four times in five is worse than none: a cut-off whose precision on the
# fitting games is below this is never chosen (a class with no such cut-off keeps nothing).
MIN_PRECISION = 0.2


def _near(spots: Sequence[Spot], match: Match, label: str) -> tuple[np.ndarray, np.ndarray]:
    """For ``spots`` of ``label``: whether each is right, and the (events, spots) within-30-s matrix."""
    events = [(e.half, e.seconds) for e in match.all_events() if e.label == label]
    if not events or not spots:
        return np.zeros(len(spots), bool), np.zeros((len(events), len(spots)), bool)
    ev_half, ev_t = np.array(events).T
    sp_half = np.array([s.half for s in spots])
    sp_t = np.array([s.position_ms / 1000 for s in spots])
    close = (ev_half[:, None] == sp_half[None]) & (np.abs(ev_t[:, None] - sp_t[None]) <= TOLERANCE_S)
    return close.any(axis=0), close


@dataclass(frozen=True)
class ClassAnswers:
    kept: int
    right: int
    events: int
    found: int

    @property
    def precision(self) -> float:
        return self.right / self.kept if self.kept else 0.0

    @property
    def recall(self) -> float:
        return self.found / self.events if self.events else 0.0

    def as_dict(self) -> dict:
        return {"kept": self.kept, "right": self.right, "events": self.events, "found": self.found,
                "precision": self.precision, "recall": self.recall}  # fmt: skip


def answer_metrics(answers: Mapping[str, MatchAnswer], matches: Sequence[Match]) -> dict:
    """Per-class answer precision/recall within 30 s, games whose labelled goals all go unfound, and
    how often the answer said it found fewer goals than the score (JSON-ready)."""
    totals = {label: [0, 0, 0, 0] for label in LABELS}
    unfound, with_goals, told = [], 0, 0
    for match in matches:
        answer = answers.get(match.id, MatchAnswer([]))
        for label in LABELS:
            spots = [s for s in answer.spots if s.label == label]
            right, close = _near(spots, match, label)
            found = int(close.any(axis=1).sum())
            counts = totals[label]
            counts[0] += len(spots)
            counts[1] += int(right.sum())
            counts[2] += close.shape[0]
            counts[3] += found
            if label == "Goal" and close.shape[0] and any(match.half_segments(h) for h in HALVES):
                with_goals += 1
                if not found:
                    unfound.append(match.id)
        told += answer.shortfall("Goal") is not None
    per_class = {label: ClassAnswers(*counts).as_dict() for label, counts in totals.items()}
    return {
        "tolerance_s": TOLERANCE_S,
        "per_class": per_class,
        "games_with_goals": with_goals,
        "games_goals_unfound": len(unfound),
        "unfound_games": unfound,
        "games_told_fewer_goals": told,
    }


def apply_policy(policy: AnswerPolicy, predictions: Mapping[str, Sequence[Spot]], matches: Sequence[Match]) -> dict:
    """Each game's answer exactly as a user is shown it (``spotting.moments``): the policy's spots, less the
    goals the score timeline rules out."""
    answers = {}
    for match in matches:
        moments = match_moments(policy, match, predictions.get(match.id, ()))
        answers[match.id] = replace(moments.answer, spots=list(moments.spots))
    return answers


# ---------- fitting ----------


def _calibration(confidences: np.ndarray, right: np.ndarray) -> Calibration:
    """Isotonic regression of "right" on the raw confidence, kept as at most ``MAX_KNOTS`` knots."""
    from sklearn.isotonic import IsotonicRegression

    if len(confidences) < 2 or confidences.min() == confidences.max():
        share = float(right.mean()) if len(right) else 0.0
        return Calibration((0.0, 1.0), (share, share))
    iso = IsotonicRegression(y_min=0.0, y_max=1.0, out_of_bounds="clip").fit(confidences, right.astype(float))
    raw, calibrated = np.asarray(iso.X_thresholds_), np.asarray(iso.y_thresholds_)
    if len(raw) > MAX_KNOTS:
        keep = np.unique(np.linspace(0, len(raw) - 1, MAX_KNOTS).round().astype(int))
        raw, calibrated = raw[keep], calibrated[keep]
    raw, first = np.unique(raw, return_index=True)
    calibrated = np.maximum.accumulate(calibrated[first])
    if len(raw) < 2:
        return Calibration((0.0, 1.0), (float(calibrated[0]),) * 2)
    return Calibration(tuple(map(float, raw)), tuple(map(float, calibrated)))


def _f1(right: float, kept: float, found: float, events: float) -> float:
    p = right / kept if kept else 0.0
    r = found / events if events else 0.0
    return 2 * p * r / (p + r) if p + r and p >= MIN_PRECISION else 0.0


def _candidates(values: np.ndarray) -> np.ndarray:
    values = np.unique(values)
    if len(values) > CANDIDATES:
        values = np.unique(np.quantile(values, np.linspace(0, 1, CANDIDATES), method="lower"))
    return np.concatenate([values, [np.inf]])


@dataclass
class _Game:
    """One game's spots of a class, calibrated, with what each one finds."""

    confidence: np.ndarray  # sorted high to low (for counted classes: the distinct ones only)
    right: np.ndarray
    first_finder: np.ndarray  # per event: index of the first spot (in this order) that finds it, or len
    expected: int


def _game(match: Match, label: str, spots: list[Spot], rule: Calibration, counted: bool) -> _Game:
    spots = sorted(spots, key=lambda s: -s.confidence)
    if counted:  # the distinct spots in order: what ``AnswerPolicy`` keeps a prefix of
        distinct: list[Spot] = []
        for spot in spots:
            gap = _DISTINCT_S * 1000
            if all(s.half != spot.half or abs(s.position_ms - spot.position_ms) >= gap for s in distinct):
                distinct.append(spot)
        spots = distinct
    right, close = _near(spots, match, label)
    first = np.where(close.any(axis=1), close.argmax(axis=1), len(spots)) if close.size else np.full(len(close), 0)
    expected = COUNTED[label](goals_in_name(match)) if counted else 0
    return _Game(np.array([rule(s.confidence) for s in spots]), right, first, expected)


def _best_cut_off(games: list[_Game]) -> float:
    confidence = np.concatenate([g.confidence for g in games] + [np.zeros(0)])
    right = np.concatenate([g.right for g in games] + [np.zeros(0, bool)])
    best_found = np.concatenate(
        [np.append(g.confidence, -np.inf)[g.first_finder] if len(g.first_finder) else np.zeros(0) for g in games]
        + [np.zeros(0)]
    )  # per event: the confidence of the best spot that finds it
    best, chosen = 0.0, float("inf")  # nothing worth keeping: keep nothing
    for cut in _candidates(confidence):
        kept = confidence >= cut
        score = _f1(right[kept].sum(), kept.sum(), (best_found >= cut).sum(), len(best_found))
        if score > best:
            best, chosen = score, float(cut)
    return chosen


def _best_counted(games: list[_Game]) -> tuple[float, float]:
    """(floor, cut-off) with the best F1 when each game keeps its expected count above the floor."""
    grid = _candidates(np.concatenate([g.confidence for g in games] + [np.zeros(0)]))
    events = sum(len(g.first_finder) for g in games)
    # per game, over the grid: how many spots clear each value; cumulative right spots; finders sorted
    clearing = [(g.confidence[None, :] >= grid[:, None]).sum(axis=1) for g in games]
    cum_right = [np.concatenate([[0], np.cumsum(g.right)]) for g in games]
    finders = [np.sort(g.first_finder) for g in games]
    best, chosen = 0.0, (float("inf"), float("inf"))
    for i, floor in enumerate(grid):
        right = kept = found = np.zeros(len(grid))
        for g, n, cum, first in zip(games, clearing, cum_right, finders, strict=True):
            prefix = min(int(n[i]), g.expected)
            k = np.maximum(prefix, n) if prefix == g.expected else np.full(len(grid), prefix)
            kept = kept + k
            right = right + cum[k]
            found = found + np.searchsorted(first, k, side="left")
        p = np.divide(right, kept, out=np.zeros(len(grid)), where=kept > 0)
        r = found / events if events else np.zeros(len(grid))
        f1 = np.divide(2 * p * r, p + r, out=np.zeros(len(grid)), where=(p + r > 0) & (p >= MIN_PRECISION))
        j = int(f1.argmax())
        if f1[j] > best:
            best, chosen = float(f1[j]), (float(floor), float(grid[j]))
    return chosen


def fit_policy(predictions: Mapping[str, Sequence[Spot]], matches: Sequence[Match], source: str = "") -> AnswerPolicy:
    """Per class: calibration and the answer-F1-best cut-off (and floor, for counted classes) on these games,
    the goals' by the goal evidence fitted on them first, the substitutions' by the substitution evidence."""
    evidence = fit_goal_evidence(predictions, matches)
    if evidence is not None:
        predictions = {m.id: evidence.rescored(m, predictions.get(m.id, ())) for m in matches}
    changes = fit_substitution_evidence(predictions, matches)
    if changes is not None:
        predictions = {m.id: changes.rescored(m, predictions.get(m.id, ())) for m in matches}
    rules = {}
    for label in LABELS:
        per_game = [(m, [s for s in predictions.get(m.id, ()) if s.label == label]) for m in matches]
        confidences = np.array([s.confidence for _, spots in per_game for s in spots])
        right = np.concatenate([_near(spots, m, label)[0] for m, spots in per_game] + [np.zeros(0, bool)])
        calibration = _calibration(confidences, right)
        counted = label in COUNTED
        games = [_game(m, label, spots, calibration, counted) for m, spots in per_game]
        if counted:
            floor, cut = _best_counted(games)
            rules[label] = ClassRule(_finite(cut), _finite(floor), calibration)
        else:
            rules[label] = ClassRule(_finite(_best_cut_off(games)), None, calibration)
    return AnswerPolicy(rules, 0.0, source, goal_evidence=evidence, substitution_evidence=changes)


def fit_goal_evidence(predictions: Mapping[str, Sequence[Spot]], matches: Sequence[Match]) -> PeakEvidence | None:
    """The logistic model of a Goal peak being right (a labelled goal within 30 s) on these games' peaks;
    None when they have no peak of either kind to learn from."""
    fitted = _logistic(predictions, matches, "Goal", features)
    return goal_evidence(*fitted) if fitted else None


def fit_substitution_evidence(
    predictions: Mapping[str, Sequence[Spot]], matches: Sequence[Match]
) -> PeakEvidence | None:
    """The logistic model of a Substitution peak being right, over what the commentary around it says of a
    change (``spotting.substitutions``); None when these games have no peak of either kind to learn from."""
    fitted = _logistic(predictions, matches, "Substitution", substitutions.features)
    return substitutions.substitution_evidence(*fitted) if fitted else None


def _logistic(
    predictions: Mapping[str, Sequence[Spot]], matches: Sequence[Match], label: str, read: Reader
) -> tuple[tuple[float, ...], float] | None:
    """(weights, bias) of a logistic regression of ``label`` peaks being right on the features ``read`` gives."""
    from sklearn.linear_model import LogisticRegression

    rows, right = [], []
    for match in matches:
        spots = list(predictions.get(match.id, ()))
        rows += read(match, spots)
        right += list(_near([s for s in spots if s.label == label], match, label)[0])
    if len(set(right)) < 2:
        return None
    model = LogisticRegression().fit(np.array(rows), np.array(right))
    return tuple(map(float, model.coef_[0])), float(model.intercept_[0])


def _finite(value: float) -> float:
    """An infinite cut-off (keep nothing) stored as one above every calibrated confidence."""
    return value if np.isfinite(value) else 1.01


def borrow(
    own: AnswerPolicy,
    own_answers: Mapping[str, MatchAnswer],
    lender: AnswerPolicy,
    lender_answers: Mapping[str, MatchAnswer],
    lender_name: str,
    matches: Sequence[Match],
) -> AnswerPolicy:
    """``own`` with the classes whose answers were better from ``lender`` on ``matches`` (answer F1, and right
    at least ``MIN_PRECISION`` of the time) taken from it: its rule, and its spots at answer time."""
    mine = answer_metrics(own_answers, matches)["per_class"]
    theirs = answer_metrics(lender_answers, matches)["per_class"]
    fit = {label for label in LABELS if label not in COUNTED and theirs[label]["precision"] >= MIN_PRECISION}
    better = {label for label in fit if _row_f1(theirs[label]) > _row_f1(mine[label])}
    rules = {**own.rules, **{label: lender.rules[label] for label in better if label in lender.rules}}
    borrowed = dict.fromkeys(sorted(better, key=LABELS.index), lender_name)
    # a borrowed class's spots are rescored as its rule was fitted: by the lender's evidence
    changes = lender.substitution_evidence if "Substitution" in better else own.substitution_evidence
    return replace(own, rules=rules, borrowed=borrowed, substitution_evidence=changes)


def _row_f1(row: Mapping) -> float:
    p, r = row["precision"], row["recall"]
    return 2 * p * r / (p + r) if p + r else 0.0
