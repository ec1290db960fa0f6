"""Retrieval benchmark: recall@5 of commentary search for labelled moments, build cost, search latency.

Recall (valid split, labels): for every labelled match and action class, one search for a plain
phrase of that class ("goal", "yellow card", ...) filtered to that match, k=5. An event at time t
of half h counts as found when a hit of that half covers it: ``hit.start - TOL <= t <= hit.end + TOL``
with TOL = 5 s, the "contains" rule. Because a 60 s chunk covers three times what a 20 s window does,
a second rule judges every document size alike: the hit's centre lies within 30 s of t ("centre").
Chance is what 5 random, non-overlapping documents would cover under the contains rule.

Full index (--full): all games of one Whisper version with ``use-multilingual`` (original text):
build time, documents, size on disk, and search latency (p50/p95 over many queries and filters,
with and without embedding the query), plus how often the approximate index returns the exact top 5.

    python benchmarks/bench_retrieval.py --recall                     # both models, chunks and windows
    python benchmarks/bench_retrieval.py --recall --games 30 --models all-minilm
    python benchmarks/bench_retrieval.py --full
Results are merged into benchmarks/results/retrieval.json.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import time
from collections import defaultdict
from pathlib import Path

import numpy as np
import torch
from rich.console import Console
from rich.table import Table
from tqdm import tqdm

from index.atomic import atomic_write_text
from index.classes import LABELS
from index.corpus import available_games, load_corpus, split_games
from index.echoes import TextChoice
from index.embeddings import get_embeddings
from index.index_cache import index_key, load_or_build
from index.index_files import IndexSettings
from index.retrieval import CommentaryIndex, documents_for, make_faiss_index

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results" / "retrieval.json"
DATA = HERE.parent.parent / "shared" / "data"
TOL_S = 5.0
CENTRE_S = 30.0
K = 5

# One everyday phrase per class, as a user would type it.
QUERIES: dict[str, str] = {
    "Penalty": "penalty",
    "Kick-off": "kick-off",
    "Goal": "goal",
    "Substitution": "substitution",
    "Offside": "offside",
    "Shots on target": "shot on target, saved by the goalkeeper",
    "Shots off target": "shot wide of the goal",
    "Clearance": "clearance",
    "Ball out of play": "the ball goes out of play",
    "Throw-in": "throw-in",
    "Foul": "foul",
    "Indirect free-kick": "free kick",
    "Direct free-kick": "free kick",
    "Corner": "corner",
    "Yellow card": "yellow card",
    "Red card": "red card, sent off",
    "Yellow->red card": "second yellow card, sent off",
}
# Classes with a handful of events per game, where 5 hits can cover them all.
FILTERS = ("none", "match", "match+half", "half+minutes")
KEY_MOMENTS = ("Goal", "Penalty", "Red card", "Yellow->red card", "Yellow card", "Substitution")


def covered(hit, t: float, rule: str) -> bool:
    if rule == "contains":
        return hit.start - TOL_S <= t <= hit.end + TOL_S
    return abs((hit.start + hit.end) / 2 - t) <= CENTRE_S


def recall_at_k(index: CommentaryIndex, matches) -> dict:
    """Per-class found/total under both rules, one search per match and class."""
    vectors = dict(zip(QUERIES.values(), index.embeddings.embed_array(list(QUERIES.values())), strict=True))
    found = {rule: defaultdict(int) for rule in ("contains", "centre")}
    total: dict[str, int] = defaultdict(int)
    chance = defaultdict(float)
    indexed = set(index.match_ids)
    latencies = []
    for match in matches:
        if match.id not in indexed:
            continue
        for label in LABELS:
            events = [e for e in match.all_events() if e.label == label]
            if not events:
                continue
            started = time.perf_counter()
            hits = index.search_vector(vectors[QUERIES[label]], K, match_id=match.id)
            latencies.append(time.perf_counter() - started)
            total[label] += len(events)
            for event in events:
                for rule in found:
                    found[rule][label] += any(h.half == event.half and covered(h, event.seconds, rule) for h in hits)
                length = sum(_half_length(match, h) for h in (1, 2)) or 1.0
                chance[label] += min(1.0, K * (index.settings.window_s + 2 * TOL_S) / length)
    return {
        "total": dict(total),
        "found": {rule: dict(v) for rule, v in found.items()},
        "chance": dict(chance),
        "search_ms_p50": 1000 * statistics.median(latencies),
    }


def _half_length(match, half: int) -> float:
    return max((s.end for s in match.half_segments(half)), default=0.0)


def summarise(counts: dict) -> dict:
    def rate(rule: str, labels) -> float:
        hits = sum(counts["found"][rule].get(label, 0) for label in labels)
        return hits / max(1, sum(counts["total"].get(label, 0) for label in labels))

    chance_key = sum(counts["chance"].get(label, 0) for label in KEY_MOMENTS)
    chance_all = sum(counts["chance"].values())
    return {
        "goal_contains": rate("contains", ["Goal"]),
        "goal_centre": rate("centre", ["Goal"]),
        "key_contains": rate("contains", KEY_MOMENTS),
        "key_centre": rate("centre", KEY_MOMENTS),
        "all_contains": rate("contains", LABELS),
        "all_centre": rate("centre", LABELS),
        "key_chance": chance_key / max(1, sum(counts["total"].get(label, 0) for label in KEY_MOMENTS)),
        "all_chance": chance_all / max(1, sum(counts["total"].values())),
        "per_class_contains": {label: rate("contains", [label]) for label in LABELS if counts["total"].get(label)},
    }


def run_recall(root: Path, models: list[str], configs: list[tuple[float, float]], games: int | None) -> list[dict]:
    ids = [g for g in split_games(root, "valid") if g in set(available_games(root))]
    if games:
        ids = sorted(random.Random(0).sample(ids, games))
    corpus = load_corpus(root, ids, text=TextChoice.BOTH, progress=True)
    matches = [m for m in corpus.matches if m.has_labels]
    rows = []
    for model in models:
        for window, stride in configs:
            started = time.perf_counter()
            index = CommentaryIndex.build(matches, model, window, stride, progress=True)
            build_s = time.perf_counter() - started
            counts = recall_at_k(index, matches)
            rows.append(
                {
                    "model": model,
                    "window_s": window,
                    "stride_s": stride,
                    "games": len(matches),
                    "documents": len(index),
                    "build_s": build_s,
                    "docs_per_s": len(index) / build_s,
                    "events": sum(counts["total"].values()),
                    **summarise(counts),
                    "counts": counts,
                }
            )
            print_recall(rows[-1:])
    return rows


def percentile(values: list[float], q: float) -> float:
    return float(np.percentile(np.asarray(values) * 1000, q))


def run_full(root: Path, model: str, window: float, stride: float | None, cache: Path, sample: int | None) -> dict:
    """Build the index of every game (or, with ``sample``, embed that many games and scale up), then time searches.

    Scaling up: the embedding time is extrapolated by characters embedded per second; the index itself
    is built, saved and searched at full size, with every document's real text and metadata, its vectors
    being the sample's real vectors repeated with a little noise (so latency and size are real, while
    ANN agreement is only measured on a real full build).
    """
    started = time.perf_counter()
    corpus = load_corpus(root, text=TextChoice.ORIGINAL, progress=True)
    load_s = time.perf_counter() - started
    settings = IndexSettings.make(model, window, stride)
    documents = documents_for(corpus.matches, settings)
    total_chars = sum(len(d.text) for d in documents)
    if sample is None:
        folder = cache / index_key(documents, settings)
        reused = folder.is_dir()
        started = time.perf_counter()
        index = load_or_build(corpus, cache, model, window, stride, progress=True)
        build_s = embed_s = time.perf_counter() - started
        add_s = save_s = None
    else:
        reused = False
        games = set(random.Random(2).sample(sorted({d.match_id for d in documents}), sample))
        part = [d for d in documents if d.match_id in games]
        started = time.perf_counter()
        real = get_embeddings(model).embed_array([d.text for d in part], progress=tqdm(total=len(part)).update)
        chars_per_s = sum(len(d.text) for d in part) / (time.perf_counter() - started)
        embed_s = total_chars / chars_per_s
        noise = np.random.default_rng(0).normal(0, 0.01, (len(documents), real.shape[1])).astype(np.float32)
        vectors = real[np.arange(len(documents)) % len(real)] + noise
        vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
        started = time.perf_counter()
        index = CommentaryIndex(make_faiss_index(vectors), documents, settings)
        add_s = time.perf_counter() - started
        folder = cache / "scaled"
        started = time.perf_counter()
        index.save(folder)
        save_s = time.perf_counter() - started
        build_s = embed_s + add_s + save_s
    size = sum(p.stat().st_size for p in folder.iterdir())
    started = time.perf_counter()
    CommentaryIndex.load(folder)
    load_index_s = time.perf_counter() - started

    rng = random.Random(1)
    phrases = [*dict.fromkeys(QUERIES.values()), "great save", "what a goal by the striker", "injury"]
    ids = index.match_ids
    cases = []
    for i in range(400):
        phrase = phrases[i % len(phrases)]
        kind = FILTERS[i % 4]
        match_id = rng.choice(ids) if "match" in kind else None
        half = rng.choice((1, 2)) if "half" in kind else None
        start_s = rng.uniform(0, 2000) if "minutes" in kind else None
        cases.append((phrase, match_id, half, start_s, None if start_s is None else start_s + 900))
    index.search("warm up")
    timings: dict[str, list[float]] = defaultdict(list)
    query_vectors: dict[str, np.ndarray] = {}
    for i, (phrase, match_id, half, start_s, end_s) in enumerate(cases):
        began = time.perf_counter()
        index.search(phrase, K, match_id, half, start_s, end_s)
        timings["end_to_end"].append(time.perf_counter() - began)
        vector = query_vectors.setdefault(phrase, index.embeddings.embed_array([phrase])[0])
        began = time.perf_counter()
        index.search_vector(vector, K, match_id, half, start_s, end_s)
        timings[f"index_{FILTERS[i % 4]}"].append(time.perf_counter() - began)
    agreement = ann_agreement(index, list(query_vectors.values())) if sample is None else None
    return {
        "sampled_games": sample,
        "total_chars": total_chars,
        "embed_s": embed_s,
        "index_add_s": add_s,
        "save_s": save_s,
        "model": model,
        "window_s": settings.window_s,
        "stride_s": settings.stride_s,
        "games": len(corpus.matches),
        "skipped": len(corpus.skipped),
        "documents": len(index),
        "kind": index.kind,
        "corpus_load_s": load_s,
        "build_s": build_s,
        "reused_cache": reused,
        "load_index_s": load_index_s,
        "size_mb": size / 2**20,
        "latency_ms": {
            name: {"p50": percentile(v, 50), "p95": percentile(v, 95), "n": len(v)} for name, v in timings.items()
        },
        "ann_top5_overlap": agreement,
    }


def ann_agreement(index: CommentaryIndex, vectors: list[np.ndarray]) -> float:
    """Share of the exact top-5 documents that unfiltered searches return."""
    if index.kind == "flat":
        return 1.0
    count, dim = index.index.ntotal, index.index.d
    all_vectors = index.index.reconstruct_n(0, count).reshape(count, dim)
    overlap = []
    for vector in vectors:
        exact = {
            (d.match_id, d.half, d.start) for d in (index.documents[i] for i in np.argsort(-(all_vectors @ vector))[:K])
        }
        found = {(h.match_id, h.half, h.start) for h in index.search_vector(vector, K)}
        overlap.append(len(exact & found) / K)
    return float(np.mean(overlap))


def print_recall(rows: list[dict]) -> None:
    table = Table(title=f"recall@{K}, valid split, one search per match and class (filtered to the match)")
    for column in ("model", "docs", "games", "goal", "key moments", "all events", "chance (key/all)", "docs/s"):
        table.add_column(column, justify="right")
    for row in rows:
        table.add_row(
            row["model"],
            f"{row['window_s']:g}/{row['stride_s']:g} s: {row['documents']}",
            str(row["games"]),
            f"{row['goal_contains']:.3f} / {row['goal_centre']:.3f}",
            f"{row['key_contains']:.3f} / {row['key_centre']:.3f}",
            f"{row['all_contains']:.3f} / {row['all_centre']:.3f}",
            f"{row['key_chance']:.3f} / {row['all_chance']:.3f}",
            f"{row['docs_per_s']:.0f}",
        )
    Console(width=160).print(table)
    print("cells: contains (±5 s) / centre (±30 s)")


def print_full(row: dict) -> None:
    table = Table(title=f"full index: {row['games']} games, {row['documents']} documents, {row['kind']}")
    table.add_column("measure")
    table.add_column("value", justify="right")
    how = " (cache reused)" if row["reused_cache"] else ""
    if row["reused_cache"] and row.get("first_build_s"):
        how = f" (cache reused; the build that made it took {row['first_build_s']:.0f} s)"
    if row["sampled_games"]:
        how = f" (embedding extrapolated from {row['sampled_games']} games)"
        table.add_row("embed s (extrapolated by characters)", f"{row['embed_s']:.0f}")
        table.add_row("index add s / save s", f"{row['index_add_s']:.1f} / {row['save_s']:.1f}")
    table.add_row("build (embed + index + save) s", f"{row['build_s']:.1f}{how}")
    table.add_row("load saved index s", f"{row['load_index_s']:.2f}")
    table.add_row("size on disk MB", f"{row['size_mb']:.1f}")
    for name, stats in row["latency_ms"].items():
        table.add_row(f"search {name} p50 / p95 ms", f"{stats['p50']:.2f} / {stats['p95']:.2f}")
    if row["ann_top5_overlap"] is not None:
        table.add_row("ANN top-5 overlap with exact", f"{row['ann_top5_overlap']:.3f}")
    Console(width=160).print(table)


def main() -> None:
    torch.set_num_threads(1)  # the benchmark machine is shared: one thread each was faster than two (measured)
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--recall", action="store_true", help="recall@5 on the valid split")
    parser.add_argument("--models", default="use-multilingual,all-minilm")
    parser.add_argument("--configs", default="60:60,20:10", help="window:stride pairs in seconds")
    parser.add_argument("--games", type=int, help="a fixed random subset of this many valid games")
    parser.add_argument("--full", action="store_true", help="build and time the index of all games")
    parser.add_argument("--full-model", default="use-multilingual")
    parser.add_argument("--window", type=float, default=20.0)
    parser.add_argument("--stride", type=float)
    parser.add_argument("--sample-games", type=int, help="--full: embed only this many games and scale up")
    parser.add_argument("--cache", type=Path, default=HERE.parent / ".cache" / "bench_index")
    args = parser.parse_args()
    results: dict = {}
    if args.recall:
        configs = [tuple(float(x) for x in pair.split(":")) for pair in args.configs.split(",")]
        rows = run_recall(args.data, args.models.split(","), configs, args.games)
        if len(rows) > 1:
            print_recall(rows)
        results[f"recall_games{args.games or 'all'}"] = rows
    if args.full:
        row = run_full(args.data, args.full_model, args.window, args.stride, args.cache, args.sample_games)
        key = "full_scaled" if args.sample_games else "full"
        earlier = (json.loads(RESULTS.read_text()) if RESULTS.is_file() else {}).get(key, {}).get(row["model"], {})
        # A run that reused the cached index keeps the time of the build that made it.
        same = earlier.get("documents") == row["documents"]
        row["first_build_s"] = earlier.get("first_build_s") if row["reused_cache"] and same else row["build_s"]
        results[key] = {row["model"]: row}
        print_full(row)
    save_results(results)


def save_results(new: dict) -> None:
    """Merge into the results file read just now, so runs of different parts do not undo each other."""
    results = json.loads(RESULTS.read_text()) if RESULTS.is_file() else {}
    for key, value in new.items():
        if key.startswith("recall"):
            merged = {(r["model"], r["window_s"], r["stride_s"]): r for r in results.get(key, []) + value}
            results[key] = list(merged.values())
        else:
            results.setdefault(key, {}).update(value)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_text(RESULTS, json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
