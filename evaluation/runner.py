"""The benchmark runner behind ``highlights bench``: every back end, same games, same metrics.

A back end that trains registers its fit function here, one line, as ``"module:function"``
(imported only when benchmarked)::

    TRAINABLE["embedded"] = "spotting.embedded.training:fit"

where ``fit(train_matches: Sequence[Match]) -> Spotter`` (the function itself works too). It is then run with 5-fold
cross-validation by game: each game is spotted by a model fitted on the other four folds. Back ends
that do not train come from ``spotting.registry`` by name and spot every game as they are.

Folds are fixed by game id (games ordered by the SHA-256 of their id, dealt round-robin), so
every back end and every run sees the same split. The interval metric needs a confidence cut-off:
for each fold it is the F1-best one on the other folds' games (``best_threshold``), never on the
fold itself. Average-mAP sweeps the confidence and takes every prediction.
"""

from __future__ import annotations

import hashlib
import importlib
import logging
import statistics
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace

from tqdm import tqdm

from index.errors import HighlightsError
from index.settings import N_FOLDS
from index.types import Match
from spotting.answers import AnswerPolicy
from spotting.registry import BACKENDS, make_spotter
from spotting.types import Spot, Spotter, spot_game

from .answers import answer_metrics, apply_policy, borrow, fit_policy
from .intervals import best_threshold, filter_confidence
from .report import evaluate_predictions, evaluation_dict

log = logging.getLogger(__name__)

# name -> "module:function" (or the function), function(train_matches) -> Spotter. See the module docstring.
TRAINABLE: dict[str, str | Callable[[Sequence[Match]], Spotter]] = {"embedded": "spotting.embedded.training:fit"}
LENDER = "keywords"  # the back end whose better classes an answer borrows: untrained, so no fold sees its games


def fold_of(game_ids: Sequence[str], n_folds: int = N_FOLDS) -> dict[str, int]:
    """Fold of each game: deterministic from the ids alone, folds differing in size by at most one."""
    if n_folds < 2:
        raise HighlightsError(f"cross-validation needs at least 2 folds, not {n_folds}")
    ordered = sorted(set(game_ids), key=lambda g: hashlib.sha256(g.encode("utf-8")).hexdigest())
    if len(ordered) < n_folds:
        raise HighlightsError(f"{len(ordered)} games cannot be split into {n_folds} folds")
    return {game: i % n_folds for i, game in enumerate(ordered)}


def _import(target: str | Callable) -> Callable:
    if callable(target):
        return target
    module_name, function_name = target.split(":")
    return getattr(importlib.import_module(module_name), function_name)


@dataclass
class BackendRun:
    """Out-of-fold predictions of one back end for every game."""

    backend: str
    predictions: dict[str, list[Spot]]
    folds: dict[str, int]
    trained: bool
    seconds: float
    failed: dict[str, tuple[str, ...]] = field(default_factory=dict)  # game -> chunks that got no reply


def _spot_all(spotter: Spotter, matches: Sequence[Match], desc: str, failed: dict) -> dict[str, list[Spot]]:
    """Every game's spots; the chunks an LLM back end got no reply for are collected in ``failed``."""
    predictions = {}
    for match in tqdm(matches, desc=desc, unit="game", leave=False):
        result = spot_game(spotter, match)
        predictions[match.id] = result.spots
        if result.failed:
            failed[match.id] = result.failed
    return predictions


def run_backend(
    name: str, matches: Sequence[Match], n_folds: int = N_FOLDS, extra_training: Sequence[Match] = ()
) -> BackendRun:
    """Spot every game with back end ``name``; cross-validated by game where it trains.

    ``extra_training``: games outside the scored ones that every fold also trains on (the train
    split: its labels where present, else its commentary alone). They are never spotted or scored.
    """
    scored = {m.id for m in matches}
    if any(m.id in scored for m in extra_training):
        raise HighlightsError("a scored game is also in the extra training games", name)
    if name not in TRAINABLE and name not in BACKENDS:
        known = ", ".join(sorted(set(TRAINABLE) | set(BACKENDS)))
        raise HighlightsError(f"unknown back end {name!r}; choose one of {known}", "--backends")
    folds = fold_of([m.id for m in matches], n_folds)
    started = time.perf_counter()
    predictions: dict[str, list[Spot]] = {}
    failed: dict[str, tuple[str, ...]] = {}
    if name in TRAINABLE:
        fit = _import(TRAINABLE[name])
        for k in range(n_folds):
            train = [m for m in matches if folds[m.id] != k]
            test = [m for m in matches if folds[m.id] == k]
            log.info("%s: fold %d, fitting on %d games", name, k, len(train))
            predictions |= _spot_all(fit([*train, *extra_training]), test, f"{name} fold {k}", failed)
    else:
        predictions = _spot_all(make_spotter(name), matches, name, failed)
    seconds = time.perf_counter() - started
    return BackendRun(name, predictions, folds, name in TRAINABLE, seconds, failed)


def _policy(
    predictions: Mapping[str, Sequence[Spot]], lender: Mapping[str, Sequence[Spot]] | None, matches: Sequence[Match]
) -> AnswerPolicy:
    """The answer policy fitted on ``matches``, with the lender's classes where its answers were better."""
    own = fit_policy(predictions, matches)
    if lender is None:
        return own
    theirs = fit_policy(lender, matches)
    mine = {m.id: own.answer(m, own.rescored(m, predictions.get(m.id, ()))) for m in matches}
    lent = {m.id: theirs.answer(m, theirs.rescored(m, lender.get(m.id, ()))) for m in matches}
    return borrow(own, mine, theirs, lent, LENDER, matches)


def _mean_sd(values: list[float]) -> dict[str, float]:
    return {"mean": statistics.fmean(values), "sd": statistics.stdev(values) if len(values) > 1 else 0.0}


def score_run(run: BackendRun, matches: Sequence[Match], command: str, split: str) -> dict:
    """Per-fold and pooled scores of a run, JSON-ready: what ``docs/results.md`` is made of.

    The answers of each fold use the policy fitted on the other folds, borrowing from the keyword lexicon
    (``LENDER``: no training, seconds to run) the classes whose answers were better from it on those folds."""
    n_folds = max(run.folds.values()) + 1
    lender = None if run.backend == LENDER else run_backend(LENDER, matches).predictions
    thresholds, per_fold, kept, answers = {}, [], {}, {}
    for k in range(n_folds):
        fold = [m for m in matches if run.folds[m.id] == k]
        others = [m for m in matches if run.folds[m.id] != k]
        thresholds[k] = best_threshold(run.predictions, others)
        scores = evaluation_dict(evaluate_predictions(run.predictions, fold, min_confidence=thresholds[k]))
        policy = _policy(run.predictions, lender, others)
        fold_answers = apply_policy(policy, run.predictions, fold)
        answers |= fold_answers
        per_fold.append(
            {
                "fold": k,
                "games": len(fold),
                "loose": scores["loose"],
                "tight": scores["tight"],
                "threshold": thresholds[k],
                **{key: scores["interval"][key] for key in ("precision", "recall", "f1")},
                "answers": answer_metrics(fold_answers, fold),
            }
        )
        kept |= filter_confidence({m.id: run.predictions.get(m.id, []) for m in fold}, thresholds[k])
    pooled = evaluation_dict(evaluate_predictions(run.predictions, matches))
    # Interval scores pooled over the folds, each fold at its own out-of-fold threshold.
    pooled_intervals = evaluation_dict(evaluate_predictions(kept, matches))
    cut_offs = {"min_confidence": None, "thresholds": list(thresholds.values())}
    pooled["interval"] = pooled_intervals["interval"] | cut_offs
    for label, values in pooled["per_class"].items():
        values |= {key: pooled_intervals["per_class"][label][key] for key in ("precision", "recall", "f1")}
    return {
        "backend": run.backend,
        "split": split,
        "command": command,
        "trained": run.trained,
        "folds": n_folds,
        "spot_seconds": round(run.seconds, 1),
        "failed_chunks": sum(len(chunks) for chunks in run.failed.values()),
        "overall": pooled,
        # what answers keep, each fold with the policy fitted on the other folds
        "answers": answer_metrics(answers, matches),
        # the policy fitted on every game's out-of-fold predictions: what the shipped model answers with
        "answer_policy": replace(
            _policy(run.predictions, lender, matches), source=f"{command}: fitted on out-of-fold spots"
        ).as_dict(),
        "per_fold": per_fold,
        "fold_mean": {
            key: _mean_sd([f[key] for f in per_fold]) for key in ("loose", "tight", "precision", "recall", "f1")
        },
    }
