"""Score a cross-validation run again from its saved out-of-fold predictions, without training anything.

`highlights bench --predictions DIR` saves every game's out-of-fold spots; the answer rules that come after
the spotter (the per-class policy fitted on the other folds, the score timeline that drops and places goals:
``spotting.moments``) can change without the networks changing. This re-runs exactly the runner's scoring
(``evaluation.runner.score_run``) over those predictions, so what users are shown is measured the same way
the bench measures it, in minutes instead of the bench's training time.

    highlights bench --backends embedded --split valid --data ../shared/data --predictions /tmp/cv
    python benchmarks/rescore_cv.py --data ../shared/data --predictions /tmp/cv/embedded
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from evaluation.results_io import read_game  # noqa: E402
from evaluation.results_md import result_path, save_result, write_results_md  # noqa: E402
from evaluation.runner import N_FOLDS, BackendRun, fold_of, score_run  # noqa: E402
from index.cache import cache_root  # noqa: E402
from index.corpus import load_corpus, resolve_data_root, split_games  # noqa: E402
from spotting.registry import SPOTTER_TEXT  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", help="data folder (use ../shared/data)")
    parser.add_argument("--predictions", type=Path, required=True, help="a back end's folder of saved predictions")
    parser.add_argument("--backend", default="embedded", help="the back end they are of (default: %(default)s)")
    parser.add_argument("--split", default="valid")
    parser.add_argument("--results-dir", type=Path, default=HERE / "results")
    parser.add_argument("--out", type=Path, default=HERE.parent / "docs" / "results.md")
    args = parser.parse_args()

    root = resolve_data_root(args.data)
    corpus = load_corpus(root, split_games(root, args.split), text=SPOTTER_TEXT, cache_dir=cache_root() / "corpus")
    matches = [m for m in corpus.matches if m.has_labels]
    predictions = {m.id: read_game(args.predictions / m.id, m.id) for m in matches}
    before_path = result_path(args.results_dir, args.split, args.backend)
    before = json.loads(before_path.read_text()) if before_path.is_file() else {}
    run = BackendRun(args.backend, predictions, fold_of([m.id for m in matches], N_FOLDS), True,
                     before.get("spot_seconds", 0.0))  # fmt: skip
    rescored = f"python benchmarks/rescore_cv.py --data {args.data} --predictions {args.predictions}"
    trained_by = before.get("command", "").split(", rescored by")[0]
    command = f"{trained_by}, rescored by {rescored}" if trained_by else rescored
    result = score_run(run, matches, command, args.split)
    save_result(args.results_dir, result)
    write_results_md(args.out, args.results_dir, args.split)
    answers = result["answers"]["per_class"]
    for label in ("Goal", "Yellow card", "Substitution", "Penalty", "Red card", "Kick-off"):
        row = answers[label]
        print(f"{label:<14} recall {row['recall']:.2f} precision {row['precision']:.2f} ({row['kept']} kept)")
    print(f"games whose labelled goals all go unfound: {result['answers']['games_goals_unfound']}")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
