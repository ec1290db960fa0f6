"""What the answer rules after the spotter cost one match, the first time it is asked about: the goal and
substitution evidence, the attribution and the score timeline (``spotting.moments.match_moments``) on the spots a
cross-validation run saved, so the spotter's own cost (``bench_embedded.py``) is left out. The answer is computed
once per match and kept in memory (``tools.spots.SpotCache``), so this is a per-match cost, not a per-question one.

    python benchmarks/bench_answer_rules.py --data ../shared/data --predictions /tmp/cv_predictions/embedded

Prints the mean and the slowest, and writes benchmarks/results/answer_rules.json (or --out).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from evaluation.results_io import read_game  # noqa: E402
from index.atomic import atomic_write_text  # noqa: E402
from index.cache import cache_root  # noqa: E402
from index.corpus import load_corpus, resolve_data_root, split_games  # noqa: E402
from spotting.answers import AnswerPolicy  # noqa: E402
from spotting.moments import match_moments  # noqa: E402
from spotting.registry import SPOTTER_TEXT  # noqa: E402

POLICY = HERE.parent / "spotting" / "models" / "embedded" / "answers.json"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", help="data folder (use ../shared/data)")
    parser.add_argument("--predictions", type=Path, required=True, help="a back end's folder of saved predictions")
    parser.add_argument("--games", type=int, default=20, help="how many valid games (default: %(default)s)")
    parser.add_argument("--out", type=Path, default=HERE / "results" / "answer_rules.json")
    args = parser.parse_args()

    root = resolve_data_root(args.data)
    games = split_games(root, "valid")[: args.games]
    corpus = load_corpus(root, games, text=SPOTTER_TEXT, cache_dir=cache_root() / "corpus")
    policy = AnswerPolicy.load(POLICY)
    seconds = []
    for match in corpus.matches:
        spots = read_game(args.predictions / match.id, match.id)
        start = time.perf_counter()
        match_moments(policy, match, spots)
        seconds.append(time.perf_counter() - start)
    report = {"games": len(seconds), "mean_s": round(statistics.mean(seconds), 3), "max_s": round(max(seconds), 3)}
    mean, slowest = report["mean_s"], report["max_s"]
    print(f"answer rules, one match: mean {mean:.2f} s, slowest {slowest:.2f} s ({len(seconds)} games)")
    atomic_write_text(args.out, json.dumps(report, indent=2) + "\n")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
