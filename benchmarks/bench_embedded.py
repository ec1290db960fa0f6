"""Benchmark of the embedded spotter: cost (training time, model size, load time, per-match
inference time, peak RSS) beside its 5-fold cross-validated quality on the valid split.

    python benchmarks/bench_embedded.py [--data ../shared/data] [--skip-cv] [--learning-curve]

Prints tables and writes ``benchmarks/results/bench_embedded.json`` (and
``bench_embedded_learning_curve.json``). Quality comes from the same
runner as ``highlights bench`` (folds by game, interval threshold chosen on the other folds).
``--learning-curve`` trains one network per fold on 20, 40, 60 and all 80 of the fold's training
games: how much the scores grow with labelled data (about 10 minutes more).
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

from rich.console import Console
from rich.table import Table

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from evaluation.runner import TRAINABLE, run_backend, score_run  # noqa: E402
from index.atomic import atomic_write_text  # noqa: E402
from index.classes import LABELS  # noqa: E402
from index.corpus import load_corpus, split_games  # noqa: E402
from index.echoes import TextChoice  # noqa: E402
from spotting.embedded.config import SHIPPED  # noqa: E402
from spotting.registry import SPOTTER_TEXT  # noqa: E402

OUT = ROOT / "benchmarks" / "results" / "bench_embedded.json"
CURVE_OUT = ROOT / "benchmarks" / "results" / "bench_embedded_learning_curve.json"

# Run in a fresh interpreter with an empty cache folder, so load time, the cold (sentence vectors
# encoded) and warm (read back from the cache) costs and peak RSS are those of a user's process.
COST_SCRIPT = """
import atexit, json, os, resource, shutil, sys, tempfile, time
os.environ["HIGHLIGHTS_CACHE"] = tempfile.mkdtemp(prefix="bench-embedded-")
atexit.register(shutil.rmtree, os.environ["HIGHLIGHTS_CACHE"], True)
started = time.perf_counter()
from spotting.embedded.spotter import EmbeddedSpotter
imported = time.perf_counter()
spotter = EmbeddedSpotter()
loaded = time.perf_counter()
from index.corpus import load_corpus, split_games
from pathlib import Path
root = Path(sys.argv[1])
from spotting.registry import SPOTTER_TEXT
matches = load_corpus(root, split_games(root, "valid")[: int(sys.argv[2])], text=SPOTTER_TEXT).matches
times, warm = [], []
for match in matches:
    t = time.perf_counter()
    spotter.spot(match)
    times.append(time.perf_counter() - t)
for match in matches:
    t = time.perf_counter()
    spotter.spot(match)
    warm.append(time.perf_counter() - t)
print(json.dumps({
    "import_s": imported - started,
    "load_s": loaded - imported,
    "spot_s": times,
    "warm_s": warm,
    "segments": [sum(len(s) for s in m.segments.values()) for m in matches],
    "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
}))
"""


def cost(data: Path, games: int) -> dict:
    output = subprocess.run(
        [sys.executable, "-c", COST_SCRIPT, str(data), str(games)], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout
    measured = json.loads(output.strip().splitlines()[-1])
    times, warm = measured.pop("spot_s"), measured.pop("warm_s")
    return measured | {
        "games": len(times),
        "spot_cold_mean_s": statistics.fmean(times),
        "spot_cold_max_s": max(times),
        "spot_warm_mean_s": statistics.fmean(warm),
        "spot_warm_max_s": max(warm),
        "all_550_cold_s": 550 * statistics.fmean(times),
        "model_mb": sum(p.stat().st_size for p in SHIPPED.iterdir()) / 2**20,
    }


def narration(data: Path) -> dict:
    """What limits each class: how often its words are said near its events at all.

    For each class: the share of its events with a word of the keyword lexicon (English, on the
    translation or English original) starting within ±30 s, the same share at random times of the
    same halves (the base rate), and the share of its events in halves with almost no speech.
    """
    import re

    import numpy as np

    from spotting.keywords import ENGLISH

    matches = [m for m in load_corpus(data, split_games(data, "valid"), text=TextChoice.BOTH).matches if m.has_labels]
    rng = np.random.default_rng(0)
    found = {label: [0, 0, 0, 0, 0] for label in LABELS}  # events, near, silent, random near, random
    for label, patterns in ENGLISH.items():
        pattern = re.compile("|".join(p for p, _ in patterns), re.IGNORECASE)
        for match in matches:
            for half in (1, 2):
                english = [s for s in match.half_segments(half) if s.source.endswith("_en") or s.language == "en"]
                times = np.array([s.start for s in english if pattern.search(s.text)])
                events = [e.seconds for e in match.half_events(half) if e.label == label]
                silent = len(match.half_segments(half)) < 50
                end = max([s.end for s in match.half_segments(half)] + events + [1.0])
                probes = rng.uniform(0, end, size=20)
                for t in events:
                    found[label][0] += 1
                    found[label][1] += bool(len(times) and np.abs(times - t).min() <= 30)
                    found[label][2] += silent
                for t in probes:
                    found[label][4] += 1
                    found[label][3] += bool(len(times) and np.abs(times - t).min() <= 30)
    return {
        label: {
            "events": n,
            "word_within_30s": near / max(n, 1),
            "base_rate": random_near / max(probes, 1),
            "in_silent_halves": silent / max(n, 1),
        }
        for label, (n, near, silent, random_near, probes) in found.items()
    }


def labelled_valid(data: Path) -> list:
    return [m for m in load_corpus(data, split_games(data, "valid"), text=SPOTTER_TEXT).matches if m.has_labels]


def quality(data: Path) -> tuple[dict, float]:
    matches = labelled_valid(data)
    started = time.perf_counter()
    run = run_backend("embedded", matches)
    seconds = time.perf_counter() - started
    command = "python benchmarks/bench_embedded.py --data " + str(data)
    return score_run(run, matches, command, "valid"), seconds


LEARNING_CURVE_GAMES = (20, 40, 60, 80)


def learning_curve(data: Path) -> list[dict]:
    """Cross-validated scores of one network (seed 0) trained on a seeded sample of n of each fold's
    training games: the trend says what more labelled games (the train split's 300) would buy."""
    import random

    from spotting.embedded.config import TrainConfig
    from spotting.embedded.training import fit

    labelled_only = TrainConfig(members=1, lsa_init=False, student_epochs=0)  # what labels alone buy
    matches = labelled_valid(data)
    rows = []
    for n in LEARNING_CURVE_GAMES:
        name = f"embedded on {n} games"
        TRAINABLE[name] = lambda train, n=n: fit(
            random.Random(0).sample(list(train), min(n, len(train))), labelled_only
        )
        started = time.perf_counter()
        run = run_backend(name, matches)
        scores = score_run(run, matches, "python benchmarks/bench_embedded.py --learning-curve", "valid")
        overall = scores["overall"]
        rows.append(
            {
                "games": n,
                "loose": overall["loose"],
                "tight": overall["tight"],
                "f1": overall["interval"]["f1"],
                "goal_answers": scores["answers"]["per_class"]["Goal"],
                "seconds": time.perf_counter() - started,
            }
        )
        del TRAINABLE[name]
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    parser.add_argument("--games", type=int, default=20, help="games to time inference on")
    parser.add_argument("--skip-cv", action="store_true", help="measure the cost only")
    parser.add_argument("--learning-curve", action="store_true", help="also CV-score training on 20…80 games")
    args = parser.parse_args()
    console = Console()
    result: dict = {"cost": cost(args.data, args.games)}
    table = Table(title="embedded spotter: cost on this machine")
    for key, value in result["cost"].items():
        table.add_row(key, f"{value:.3f}" if isinstance(value, float) else str(value))
    console.print(table)
    result["narration"] = narration(args.data)
    words = Table(title="what limits each class: its words said within ±30 s of its events")
    for column in ("class", "events", "word ±30 s", "at random times", "in silent halves"):
        words.add_column(column)
    for label, row in result["narration"].items():
        words.add_row(
            label,
            str(row["events"]),
            *(f"{100 * row[k]:.0f} %" for k in ("word_within_30s", "base_rate", "in_silent_halves")),
        )
    console.print(words)
    if not args.skip_cv:
        scores, seconds = quality(args.data)
        result |= {"cv": scores, "cv_seconds": seconds}
        folds = Table(title="5-fold CV by game, valid split")
        for column in ("fold", "games", "loose", "tight", "F1", "threshold"):
            folds.add_column(column)
        for fold in scores["per_fold"]:
            folds.add_row(
                *(str(fold[k]) for k in ("fold", "games")),
                *(f"{fold[k]:.2f}" for k in ("loose", "tight")),
                f"{fold['f1']:.3f}",
                f"{fold['threshold']:.3f}",
            )
        mean = scores["fold_mean"]
        folds.add_row(
            "mean", "", f"{mean['loose']['mean']:.2f}", f"{mean['tight']['mean']:.2f}", f"{mean['f1']['mean']:.3f}", ""
        )
        console.print(folds)
        classes = Table(title="per class (pooled out-of-fold predictions)")
        for column in ("class", "loose AP", "tight AP", "interval F1"):
            classes.add_column(column)
        for label in LABELS:
            row = scores["overall"]["per_class"][label]
            classes.add_row(label, f"{row['loose']:.1f}", f"{row['tight']:.1f}", f"{row['f1']:.3f}")
        console.print(classes)
    if args.learning_curve:
        curve_rows = learning_curve(args.data)
        atomic_write_text(CURVE_OUT, json.dumps(curve_rows, indent=1) + "\n")
        curve = Table(title="learning curve: one network, 5-fold CV, n training games per fold")
        for column in ("games", "loose", "tight", "F1", "seconds"):
            curve.add_column(column)
        for row in curve_rows:
            curve.add_row(
                str(row["games"]),
                f"{row['loose']:.2f}",
                f"{row['tight']:.2f}",
                f"{row['f1']:.3f}",
                f"{row['seconds']:.0f}",
            )
        console.print(curve)
    atomic_write_text(OUT, json.dumps(result, indent=1) + "\n")
    console.print(f"wrote {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
