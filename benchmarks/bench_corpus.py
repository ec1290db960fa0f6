"""Corpus benchmark: load all games of ../shared/data and cut them into chunks.

Each phase runs in a fresh subprocess so its wall time and peak RSS are its own:
  1. cold load of every game (one Whisper version) plus the labels, and chunking;
  2. the same load again, read back from the project's corpus cache;
and the commentary-language heuristic is compared with ``langdetect`` on every half.

    python benchmarks/bench_corpus.py [--data ../shared/data] [--version whisper_v2]
Prints a table and writes benchmarks/results/corpus.json.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from rich.console import Console
from rich.table import Table

from index.atomic import atomic_write_text
from index.corpus import load_corpus
from index.language import detect_language

HERE = Path(__file__).resolve().parent
PHASE = """
import json, resource, sys, time
from pathlib import Path
from index.chunks import chunk_matches
from index.corpus import load_corpus
root, version, cache = Path(sys.argv[1]), sys.argv[2], Path(sys.argv[3])
start = time.perf_counter()
corpus = load_corpus(root, version=version, cache_dir=cache)
loaded = time.perf_counter()
chunks = list(chunk_matches(corpus.matches))
done = time.perf_counter()
print(json.dumps({
    "games": len(corpus.matches), "skipped": len(corpus.skipped),
    "labelled": sum(m.has_labels for m in corpus.matches),
    "segments": sum(len(s) for m in corpus.matches for s in m.segments.values()),
    "events": sum(len(m.all_events()) for m in corpus.matches), "chunks": len(chunks),
    "load_s": loaded - start, "chunk_s": done - loaded, "total_s": done - start,
    "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
}))
"""


def run_phase(root: Path, version: str, cache: Path) -> dict:
    result = subprocess.run(
        [sys.executable, "-c", PHASE, str(root), version, str(cache)], capture_output=True, text=True, check=True
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def language_agreement(root: Path, version: str) -> dict:
    """How often the function-word heuristic agrees with langdetect on a half's original text."""
    from langdetect import DetectorFactory, detect

    DetectorFactory.seed = 0
    corpus = load_corpus(root, version=version)
    agree = total = 0
    ours_s = theirs_s = 0.0
    for match in corpus.matches:
        for segments in match.segments.values():
            text = " ".join(s.text for s in segments)[:4000]
            if len(text.split()) < 20:
                continue
            start = time.perf_counter()
            ours = detect_language(text)
            ours_s += time.perf_counter() - start
            start = time.perf_counter()
            theirs = detect(text)
            theirs_s += time.perf_counter() - start
            total += 1
            agree += ours == theirs
    return {"halves": total, "agreement": agree / total, "heuristic_s": ours_s, "langdetect_s": theirs_s}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=HERE.parent.parent / "shared" / "data")
    parser.add_argument("--version", default="whisper_v2")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as cache:
        cold = run_phase(args.data, args.version, Path(cache))
        warm = run_phase(args.data, args.version, Path(cache))
    languages = language_agreement(args.data, args.version)
    table = Table(title=f"Corpus load: {cold['games']} games ({args.version}), {cold['labelled']} labelled")
    for column in ("phase", "load s", "chunk s", "total s", "peak RSS MB", "target"):
        table.add_column(column, justify="right")
    table.add_row(
        "cold",
        f"{cold['load_s']:.2f}",
        f"{cold['chunk_s']:.2f}",
        f"{cold['total_s']:.2f}",
        f"{cold['peak_rss_mb']:.0f}",
        "≤ 15 s, ≤ 1024 MB",
    )
    table.add_row(
        "from cache",
        f"{warm['load_s']:.2f}",
        f"{warm['chunk_s']:.2f}",
        f"{warm['total_s']:.2f}",
        f"{warm['peak_rss_mb']:.0f}",
        "load ≤ 2 s",
    )
    console = Console()
    console.print(table)
    console.print(
        f"{cold['segments']} segments, {cold['events']} events, {cold['chunks']} chunks, {cold['skipped']} skipped; "
        f"language heuristic agrees with langdetect on {languages['agreement']:.1%} of {languages['halves']} halves "
        f"({languages['heuristic_s']:.2f} s vs {languages['langdetect_s']:.2f} s)"
    )
    report = {"data": str(args.data), "version": args.version, "cold": cold, "cached": warm, "language": languages}
    atomic_write_text(HERE / "results" / "corpus.json", json.dumps(report, indent=2) + "\n")


if __name__ == "__main__":
    main()
