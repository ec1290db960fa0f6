"""LLM spotter benchmarks that need no model weights and no key.

1. Ceiling of the answer format: every chunk's labels written as ``format_answer`` writes them (the
   reply a perfect LLM would give), read back by ``parse_reply`` and scored by the evaluation,
   on the labelled games. It shows what the chunk/interval format itself costs: the LLM rows of
   docs/results.md can only be lower. Two rows: only the chunks that have commentary (what the
   spotters ask about) and every chunk.
2. Throughput of the OpenAI-compatible spotter's request pool against a local OpenAI-schema
   server (tests/fake_openai.py) answering after a simulated latency, per concurrency.
3. Parser speed on structured and free-text replies.

    python benchmarks/bench_llm.py [--data ../shared/data] [--latency 0.2] [--concurrency 1,4,16]
Prints tables and writes benchmarks/results/llm.json.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import re
import sys
import tempfile
import time
from pathlib import Path

from rich.console import Console
from rich.table import Table

from evaluation.report import evaluate_predictions
from index.atomic import atomic_write_text
from index.chunks import chunk_half
from index.clock import clock
from index.corpus import SAMPLE_ROOT, available_games, load_corpus, split_games
from index.echoes import TextChoice
from index.settings import DEFAULT_HALF_WIDTH_S
from index.types import HALVES, Match
from spotting.llm.openai_spotter import OpenAISpotter
from spotting.llm.parsing import parse_reply
from spotting.llm.prompting import format_answer

HERE = Path(__file__).resolve().parent
SHARED = HERE.parents[1] / "shared" / "data"
sys.path.insert(0, str(HERE.parent / "tests"))
from fake_openai import FakeOpenAI, Reply, Request  # noqa: E402


def labelled_games(root: Path) -> list[Match]:
    games = set(split_games(root, "valid")) & set(available_games(root))
    corpus = load_corpus(root, sorted(games), text=TextChoice.BOTH, progress=True)
    return [m for m in corpus.matches if m.has_labels]


def ceiling(matches: list[Match]) -> list[dict]:
    rows = []
    for name, keep in (("chunks with commentary", lambda c: bool(c.segments)), ("every chunk", lambda c: True)):
        predictions = {}
        for match in matches:
            chunks = [c for half in HALVES for c in chunk_half(match, half) if keep(c)]
            predictions[match.id] = [s for c in chunks for s in parse_reply(format_answer(c, c.events), c).spots]
        scores = evaluate_predictions(predictions, matches)
        rows.append(
            {
                "chunks": name,
                "predictions": scores.n_predictions,
                "events": scores.n_events,
                "interval_precision": scores.intervals.precision,
                "interval_recall": scores.intervals.recall,
                "interval_f1": scores.intervals.f1,
                "map_loose": scores.loose.a_map,
                "map_tight": scores.tight.a_map,
            }
        )
    return rows


def throughput(match: Match, latency: float, concurrencies: list[int]) -> list[dict]:
    """Chunks per second of one half through the pool, the server answering after ``latency`` s."""
    half = dataclasses.replace(match, segments={1: match.half_segments(1), 2: ()})
    starts = re.compile(r"Commentary from (\d+):(\d\d) to")

    def answer(request: Request) -> Reply:
        minutes, seconds = starts.search(request.body["messages"][-1]["content"]).groups()
        start = int(minutes) * 60 + int(seconds)
        action = {"label": "Corner", "start": clock(start + 10), "end": clock(start + 25)}
        return Reply(content=json.dumps({"actions": [action]}), delay=latency)

    rows = []
    with FakeOpenAI(responder=answer) as server, tempfile.TemporaryDirectory() as cache:
        for concurrency in concurrencies:
            spotter = OpenAISpotter(
                "bench",
                base_url=server.base_url,
                api_key="none",
                concurrency=concurrency,
                cache_dir=cache,
                use_cache=False,
                progress=False,
            )
            started = time.perf_counter()
            spots = spotter.spot(half, halves=(1,))
            seconds = time.perf_counter() - started
            rows.append(
                {
                    "concurrency": concurrency,
                    "chunks": spotter.usage.requests,
                    "seconds": seconds,
                    "chunks_per_s": spotter.usage.requests / seconds,
                    "peak_in_flight": server.max_in_flight,
                    "spots": len(spots),
                }
            )
            server.max_in_flight = 0
    return rows


def parser_speed(matches: list[Match]) -> list[dict]:
    chunks = [c for m in matches[:20] for half in HALVES for c in chunk_half(m, half) if c.events]
    forms = {
        "structured JSON": lambda c: format_answer(c, c.events),
        "free text": lambda c: "\n".join(
            f"{i + 1}. A {e.label.lower()} occurs at "
            f"({clock(e.seconds - DEFAULT_HALF_WIDTH_S)}, {clock(e.seconds + DEFAULT_HALF_WIDTH_S)})."
            for i, e in enumerate(c.events)
        ),
    }
    rows = []
    for name, write in forms.items():
        replies = [(write(c), c) for c in chunks]
        started = time.perf_counter()
        spots = sum(len(parse_reply(text, chunk).spots) for text, chunk in replies)
        seconds = time.perf_counter() - started
        rows.append(
            {"reply form": name, "replies": len(replies), "spots": spots, "replies_per_s": len(replies) / seconds}
        )
    return rows


def table(title: str, rows: list[dict]) -> Table:
    out = Table(title=title)
    for column in rows[0]:
        out.add_column(column, justify="left" if isinstance(rows[0][column], str) else "right")
    for row in rows:
        out.add_row(*(f"{v:.3f}" if isinstance(v, float) else str(v) for v in row.values()))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=SHARED if SHARED.is_dir() else SAMPLE_ROOT)
    parser.add_argument("--latency", type=float, default=0.2, help="simulated seconds per reply")
    parser.add_argument("--concurrency", default="1,4,16")
    parser.add_argument("--out", type=Path, default=HERE / "results" / "llm.json")
    args = parser.parse_args()
    console = Console(width=150)
    matches = labelled_games(args.data)
    results = {
        "data": str(args.data.resolve()),
        "games": len(matches),
        "ceiling": ceiling(matches),
        "throughput": {
            "latency_s": args.latency,
            "game": matches[0].id,
            "rows": throughput(matches[0], args.latency, [int(c) for c in args.concurrency.split(",")]),
        },
        "parser": parser_speed(matches),
    }
    console.print(table(f"Ceiling of the answer format ({len(matches)} labelled games)", results["ceiling"]))
    console.print(
        table(
            f"Pool throughput, {args.latency:g} s per reply, 1st half of {matches[0].title}",
            results["throughput"]["rows"],
        )
    )
    console.print(table("Parser speed", results["parser"]))
    atomic_write_text(args.out, json.dumps(results, indent=2) + "\n")
    console.print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
