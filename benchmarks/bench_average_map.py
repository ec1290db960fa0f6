"""Average-mAP: this project's vectorised implementation against the official SoccerNet one.

Same predictions, same process, the 100 valid games of ../shared/data, loose and tight:
  - the keyword baseline's predictions (a real back end), and
  - dense random predictions (near-misses of every other event, some mislabelled, plus uniform
    noise: about 300 per game), which stress the matching.
The official ``SoccerNet.Evaluation.ActionSpotting.evaluate`` reads the predictions from
``results_spotting.json`` files; ours is timed from memory and, separately, including reading and
validating the same files. Numbers must agree to 1e-6 (overall, visible, unshown and per class).

    python benchmarks/bench_average_map.py [--data ../shared/data] [--repeat 3]
Prints a table and writes benchmarks/results/average_map.json.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from rich.console import Console
from rich.table import Table
from SoccerNet.Evaluation.ActionSpotting import evaluate as official_evaluate

from evaluation.average_map import MapReport, average_map
from evaluation.ground_truth import load_ground_truth
from evaluation.results_io import read_results, write_results
from evaluation.synthetic import near_miss_predictions
from index.atomic import atomic_write_text
from index.classes import LABELS
from index.corpus import load_corpus
from index.echoes import TextChoice
from spotting.keywords import KeywordSpotter

HERE = Path(__file__).resolve().parent


def timed(function: Callable[[], object], repeat: int) -> tuple[object, float, float]:
    """Result, best wall seconds and best CPU seconds over ``repeat`` runs."""
    walls, cpus = [], []
    for _ in range(repeat):
        wall, cpu = time.perf_counter(), time.process_time()
        result = function()
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    return result, min(walls), min(cpus)


def max_difference(ours: MapReport, theirs: dict) -> float:
    pairs = [
        (ours.a_map, theirs["a_mAP"]),
        (ours.variants["visible"].a_map, theirs["a_mAP_visible"]),
        (ours.variants["unshown"].a_map, theirs["a_mAP_unshown"]),
    ]
    for name, key in (("all", "a_mAP_per_class"), ("visible", "a_mAP_per_class_visible"),
                      ("unshown", "a_mAP_per_class_unshown")):  # fmt: skip
        pairs += [(ours.variants[name].per_class[label], theirs[key][i]) for i, label in enumerate(LABELS)]
    return max(abs(a - b) for a, b in pairs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=HERE.parent.parent / "shared" / "data")
    parser.add_argument("--repeat", type=int, default=3, help="runs of ours (best is kept); the official runs once")
    parser.add_argument("--out", type=Path, default=HERE / "results" / "average_map.json")
    args = parser.parse_args()

    matches = load_ground_truth(args.data, "valid")
    with_text = load_corpus(args.data, [m.id for m in matches], text=TextChoice.BOTH).matches
    spotter = KeywordSpotter()
    sets = {
        "keywords": {m.id: spotter.spot(m) for m in with_text},
        "random": near_miss_predictions(matches),
    }
    rows = []
    for name, predictions in sets.items():
        with tempfile.TemporaryDirectory() as folder:
            write_results(Path(folder), predictions)
            for metric in ("loose", "tight"):
                ours, ours_s, ours_cpu = timed(lambda p=predictions, m=metric: average_map(p, matches, m), args.repeat)
                _, files_s, _ = timed(
                    lambda m=metric: average_map(read_results(Path(folder), matches).predictions, matches, m),
                    args.repeat,
                )
                with contextlib.redirect_stderr(io.StringIO()):  # the official tool's progress bars
                    theirs, official_s, official_cpu = timed(
                        lambda m=metric: official_evaluate(
                            str(args.data / "soccernet"), folder, split="valid", metric=m
                        ),
                        1,
                    )
                rows.append(
                    {
                        "predictions": name,
                        "n_predictions": sum(len(s) for s in predictions.values()),
                        "metric": metric,
                        "ours_a_mAP_pct": ours.percent,
                        "official_a_mAP_pct": 100 * theirs["a_mAP"],
                        "max_abs_difference": max_difference(ours, theirs),
                        "ours_s": ours_s,
                        "ours_with_files_s": files_s,
                        "official_s": official_s,
                        "ours_cpu_s": ours_cpu,
                        "official_cpu_s": official_cpu,
                        "speed_up": official_s / ours_s,
                        "speed_up_with_files": official_s / files_s,
                    }
                )

    table = Table(title=f"average-mAP over {len(matches)} valid games: ours vs official SoccerNet")
    columns = ("predictions", "metric", "ours %", "official %", "max |Δ|", "ours s", "ours+files s", "official s",
               "speed-up", "speed-up incl. files", "CPU s ours / official", "CPU speed-up")  # fmt: skip
    for column in columns:
        table.add_column(column, justify="right")
    for r in rows:
        table.add_row(
            f"{r['predictions']} ({r['n_predictions']})", r["metric"], f"{r['ours_a_mAP_pct']:.4f}",
            f"{r['official_a_mAP_pct']:.4f}", f"{r['max_abs_difference']:.1e}", f"{r['ours_s']:.3f}",
            f"{r['ours_with_files_s']:.3f}", f"{r['official_s']:.2f}", f"{r['speed_up']:.0f}×",
            f"{r['speed_up_with_files']:.0f}×", f"{r['ours_cpu_s']:.3f} / {r['official_cpu_s']:.2f}",
            f"{r['official_cpu_s'] / r['ours_cpu_s']:.0f}×",
        )  # fmt: skip
    Console(width=170).print(table)
    atomic_write_text(args.out, json.dumps({"games": len(matches), "rows": rows}, indent=1) + "\n")
    print(f"wrote {args.out}")
    if max(r["max_abs_difference"] for r in rows) > 1e-6:
        raise SystemExit("numbers differ from the official tool")


if __name__ == "__main__":
    main()
