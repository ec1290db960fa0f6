"""The benchmark runner: folds by game, cross-validation without leaks, scores and docs/results.md."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import pytest

from evaluation.ground_truth import load_ground_truth
from evaluation.results_md import RESEARCH_BEST_F1, load_results, policy_path, render, save_result
from evaluation.runner import TRAINABLE, fold_of, run_backend, score_run
from index.corpus import load_corpus
from index.echoes import TextChoice
from index.errors import HighlightsError
from index.types import Match
from spotting.answers import AnswerPolicy
from spotting.keywords import KeywordSpotter


@pytest.fixture(scope="module")
def matches(sample_root: Path) -> list[Match]:
    games = [m.id for m in load_ground_truth(sample_root, "valid")]
    return load_corpus(sample_root, games, text=TextChoice.BOTH).matches


def test_folds_are_fixed_by_game_id_and_balanced() -> None:
    games = [f"l/s/2015-01-{d:02d} - 18-00 A 0 - 0 B" for d in range(1, 24)]
    folds = fold_of(games)
    assert folds == fold_of(list(reversed(games)))
    sizes = [list(folds.values()).count(k) for k in range(5)]
    assert max(sizes) - min(sizes) <= 1 and sum(sizes) == 23
    assert fold_of(games[:10], 2) != {g: 0 for g in games[:10]}
    with pytest.raises(HighlightsError, match="cannot be split"):
        fold_of(games[:3], 5)
    with pytest.raises(HighlightsError, match="at least 2 folds"):
        fold_of(games, 1)


def test_a_trainable_back_end_never_sees_the_games_it_spots(
    matches: list[Match], monkeypatch: pytest.MonkeyPatch
) -> None:
    fitted_on: list[set[str]] = []

    def fit(train: Sequence[Match]) -> KeywordSpotter:
        fitted_on.append({m.id for m in train})
        return KeywordSpotter()

    monkeypatch.setitem(TRAINABLE, "keywords-cv", fit)
    run = run_backend("keywords-cv", matches, n_folds=2)
    assert run.trained and len(fitted_on) == 2
    for k, train in enumerate(fitted_on):
        held_out = {g for g, fold in run.folds.items() if fold == k}
        assert held_out and not held_out & train and held_out | train == {m.id for m in matches}
    assert set(run.predictions) == {m.id for m in matches}


def test_extra_training_games_reach_every_fold_and_are_never_scored(
    matches: list[Match], monkeypatch: pytest.MonkeyPatch
) -> None:
    scored, extra = matches[:-1], matches[-1:]
    fitted_on: list[set[str]] = []

    def fit(train: Sequence[Match]) -> KeywordSpotter:
        fitted_on.append({m.id for m in train})
        return KeywordSpotter()

    monkeypatch.setitem(TRAINABLE, "keywords-cv", fit)
    run = run_backend("keywords-cv", scored, n_folds=2, extra_training=extra)
    assert all(extra[0].id in train for train in fitted_on)
    assert set(run.predictions) == {m.id for m in scored}
    with pytest.raises(HighlightsError, match="also in the extra training"):
        run_backend("keywords-cv", scored, n_folds=2, extra_training=scored[:1])


def test_unknown_back_end_is_a_user_error(matches: list[Match]) -> None:
    with pytest.raises(HighlightsError, match="unknown back end 'nope'"):
        run_backend("nope", matches)


def test_scores_per_fold_pool_into_the_overall_counts(matches: list[Match], tmp_path: Path) -> None:
    run = run_backend("keywords", matches, n_folds=2)
    result = score_run(run, matches, "highlights bench --backends keywords", "valid")
    assert [f["games"] for f in result["per_fold"]] == [2, 2]
    interval = result["overall"]["interval"]
    assert interval["thresholds"] == [f["threshold"] for f in result["per_fold"]]
    per_class_tp = sum(c["tp"] for c in interval["per_class"].values())
    assert per_class_tp == interval["tp"] and interval["tp"] > 0
    assert 0 < result["overall"]["loose"] < 100
    assert result["fold_mean"]["loose"]["mean"] == pytest.approx(sum(f["loose"] for f in result["per_fold"]) / 2)

    save_result(tmp_path, result)
    stored = load_results(tmp_path, "valid")
    assert stored == [json.loads(json.dumps(result))]
    page = render(stored, "valid")
    assert "`highlights bench --backends keywords`" in page
    assert str(RESEARCH_BEST_F1) in page and "o4-mini" in page
    assert page.count("| keywords |") == 2  # the main table and the answers table
    assert "Goal R / P" in page and "games with no labelled goal found" in page


def test_answer_metrics_per_fold_pool_and_the_policy_is_saved(matches: list[Match], tmp_path: Path) -> None:
    run = run_backend("keywords", matches, n_folds=2)
    result = score_run(run, matches, "highlights bench --backends keywords", "valid")
    pooled = result["answers"]["per_class"]
    for label, counts in pooled.items():
        assert counts["kept"] == sum(f["answers"]["per_class"][label]["kept"] for f in result["per_fold"]), label
        assert counts["events"] == sum(1 for m in matches for e in m.all_events() if e.label == label)
    assert result["answers"]["games_with_goals"] >= result["answers"]["games_goals_unfound"]
    save_result(tmp_path, result)
    policy = AnswerPolicy.load(policy_path(tmp_path, "valid", "keywords"))
    assert set(policy.rules) == set(pooled) and "out-of-fold" in policy.source


def test_a_broken_stored_result_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "bench_valid_x.json").write_text('{"backend": "x"}')
    with pytest.raises(HighlightsError, match="not a stored benchmark result"):
        load_results(tmp_path, "valid")
    with pytest.raises(HighlightsError, match="no stored benchmark results"):
        render([], "valid")
