"""Offline assistant latency and memory: "all goals in match X" and a follow-up, warm, p50/p95; peak RSS.

Targets (issue 13): match resolution p95 <= 5 ms and a warm answer p95 <= 50 ms on 550 games, peak RSS
<= 1.5 GB. "Warm" means the match has been
spotted once (the first question pays for spotting and is reported on its own line as "cold").
Each timed question names its match, so every run also pays for reading the match out of the
question (fuzzy team names over the whole corpus). Run:

    python benchmarks/bench_assistant.py                          # the shipped sample
    python benchmarks/bench_assistant.py --data ../shared/data    # all 550 games

Prints a table and writes benchmarks/results/assistant.json (or --out).
"""

from __future__ import annotations

import argparse
import json
import platform
import resource
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from agent import Assistant  # noqa: E402
from index.atomic import atomic_write_text  # noqa: E402
from index.corpus import load_corpus, resolve_data_root  # noqa: E402
from spotting.registry import SPOTTER_TEXT  # noqa: E402
from tools.toolbox import default_spotter  # noqa: E402

FOLLOW_UPS = ("only the second half", "which of those were Chelsea's?", "and corners?", "the second one")
# Questions that name their match the ways users do (../shared/user-trials.md), for match resolution on
# the whole corpus: clubs in other languages, scores, dates, venues, typos, several matches that fit.
NAMING = (
    "all the goals in Barcelona vs Real Madrid",
    "Give me all the highlights of free-kicks in Chelsea 2 - 2 Watford",
    "Zeig mir alle Tore von Bayern gegen Schachtar Donezk",
    "corners in the second half of Manchester City 0 - 1 Manchester United",
    "all the goals in Paris SG 2 - 2 Nice",
    "goals in Hoffenheim Dortmund",
    "highlights of Liverpool's 4-3 loss at Bournemouth",
    "free kicks in the last 10 minutes of Napoli 4 - 2 Benfica",
    "what happened around minute 70 in Leicester 2-5 Arsenal?",
    "cards in the Clasico of April 2017",
    "goals in Real Madrid 7-3 Getafe",
    "corners in chelsa vs burnly",
    "los goles del Barça contra el Atlético en 2016",
    "les buts de PSG contre Lyon",
    "the Champions League games of Juventus in the 2016-17 season",
    "was there a penalty in Inter vs Milan?",
    "who scored in Man Utd v Liverpool on 17 January 2016?",
    "what was the score at half-time in Arsenal 2 - 2 Paris SG",
)
TARGETS = {"resolution_p95_ms": 5, "warm_answer_p95_ms": 50, "peak_rss_mb": 1536}


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def timed(function) -> tuple[float, object]:
    start = time.perf_counter()
    result = function()
    return (time.perf_counter() - start) * 1000, result


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kB on Linux


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", help="data folder (default: the shipped sample)")
    parser.add_argument("--backend", default="embedded", help="spotting back end (default: %(default)s)")
    parser.add_argument("--match", default="Chelsea 2 - 2 Watford", help="the match the questions name")
    parser.add_argument("--runs", type=int, default=60)
    parser.add_argument("--out", type=Path, default=HERE / "results" / "assistant.json")
    args = parser.parse_args()

    load_ms, corpus = timed(lambda: load_corpus(resolve_data_root(args.data), text=SPOTTER_TEXT))  # as `ask` loads it
    spotter = default_spotter(args.backend)
    assistant = Assistant(corpus, spotter)
    question = f"all goals in {args.match}"
    cold_ms, first = timed(lambda: assistant.ask(question, assistant.new_session()))
    if first.match_id is None:
        raise SystemExit(f"the question {question!r} names no single match: {first.text}")

    first_question, follow_up = [], {q: [] for q in FOLLOW_UPS}
    for _ in range(args.runs):
        session = assistant.new_session()
        first_question.append(timed(lambda s=session: assistant.ask(question, s))[0])
        for text in FOLLOW_UPS:
            follow_up[text].append(timed(lambda s=session, t=text: assistant.ask(t, s))[0])
    every_follow_up = [ms for values in follow_up.values() for ms in values]

    rows = [("cold: first question (spots the match)", [cold_ms])]
    rows.append((f"warm: {question!r}", first_question))
    rows += [(f"warm follow-up: {text!r}", values) for text, values in follow_up.items()]
    rows.append(("warm follow-ups, all", every_follow_up))
    resolution, warm_answers = [], []
    for text in NAMING:
        assistant.ask(text, assistant.new_session())  # spots the match it names, if one
        for _ in range(args.runs // 4):
            resolution.append(timed(lambda t=text: assistant.planner.plan(t, assistant.new_session()))[0])
            warm_answers.append(timed(lambda t=text: assistant.ask(t, assistant.new_session()))[0])
    rows.append((f"match resolution, {len(NAMING)} naming questions", resolution))
    rows.append((f"warm answer, {len(NAMING)} naming questions", warm_answers))
    print(f"{len(corpus.matches)} matches, spotter {spotter.name}, corpus loaded in {load_ms:.0f} ms")
    print(f"{'question':<62} {'runs':>5} {'p50 ms':>8} {'p95 ms':>8}")
    for name, values in rows:
        print(f"{name:<62} {len(values):>5} {statistics.median(values):>8.1f} {percentile(values, 0.95):>8.1f}")
    rss = peak_rss_mb()
    print(f"peak RSS {rss:.0f} MB")

    report = {
        "machine": f"{platform.machine()}, {platform.python_version()}",
        "matches": len(corpus.matches),
        "spotter": spotter.name,
        "corpus_load_ms": round(load_ms, 1),
        "cold_first_question_ms": round(cold_ms, 1),
        "latency_ms": {
            name: {
                "runs": len(values),
                "p50": round(statistics.median(values), 2),
                "p95": round(percentile(values, 0.95), 2),
            }
            for name, values in rows[1:]
        },
        "peak_rss_mb": round(rss, 1),
        "targets": TARGETS,
    }
    atomic_write_text(args.out, json.dumps(report, indent=2) + "\n")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
