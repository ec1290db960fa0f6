"""Training throughput of the LoRA fine-tuning on this machine's CPU: tokens per second.

Random-weight models built from configs (the tests' tiny ones, and a "small" Mistral with
hidden size 256 and 4 layers), trained on SFT chats from the shipped sample through the same
``spotting.finetune.train.train`` a user runs (LoRA r=16 on every projection, gradient
checkpointing, batch 1, no held-out evaluation). Throughput counts every non-padding token of the
chats (prompt and answer: all go through the forward and backward passes); the machine's load
average is recorded beside it, since other work on a shared CPU slows it down. The GPU figure for
Mistral-7B / Qwen2-VL-2B needs a CUDA machine; this script runs there unchanged with
``--configs`` of your choice, but no GPU number is measured here. Run:

    python benchmarks/bench_finetune.py                 # tiny-text, small-text, tiny-video; 8 steps each
    python benchmarks/bench_finetune.py --steps 20 --configs small-text

Prints a table and writes benchmarks/results/finetune.json (or --out).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path[:0] = [str(REPO), str(REPO / "tests")]

import torch  # noqa: E402
from rich.console import Console  # noqa: E402
from rich.table import Table  # noqa: E402
from tiny_models import tiny_mistral, tiny_qwen2_vl, write_video  # noqa: E402

from index.atomic import atomic_write_text  # noqa: E402
from index.corpus import SAMPLE_ROOT, load_corpus  # noqa: E402
from spotting.finetune.data import DataSettings, build_sft_data, write_sft_data  # noqa: E402
from spotting.finetune.settings import TrainSettings  # noqa: E402
from spotting.finetune.train import train  # noqa: E402

SOURCE = {"data": str(SAMPLE_ROOT), "echoes_version": "whisper_v2", "text": "original"}
SMALL = {"hidden_size": 256, "intermediate_size": 768, "num_hidden_layers": 4, "num_attention_heads": 8}
CONFIGS = ("tiny-text", "small-text", "tiny-video")


def texts_of(records: list[dict]) -> list[str]:
    contents = [m["content"] for r in records for m in r["messages"]]
    return [c if isinstance(c, str) else " ".join(p.get("text") or "" for p in c) for c in contents]


def sft_folder(work: Path, config: str, steps: int) -> tuple[Path, list[dict]]:
    """Chats for ``steps`` steps (no valid split: nothing is evaluated while timing)."""
    matches = load_corpus(SAMPLE_ROOT).matches
    if config.endswith("video"):
        video = write_video(work / "half.mkv", seconds=60, fps=2)
        matches = [dataclasses.replace(m, videos={1: video, 2: video}) for m in matches]
        settings = DataSettings(kind="video", fps=1.0, size=(96, 64), keep_empty=1.0)
        data = build_sft_data(matches, settings)
        records = [r for r in data.records["train"] if r["start"] == 0.0]  # the 60 s the clip has
    else:
        data = build_sft_data(matches, DataSettings(keep_empty=0.0))
        records = data.records["train"]
    records = (records * steps)[:steps]
    write_sft_data(dataclasses.replace(data, records={"train": records, "valid": []}), work / "sft", SOURCE)
    return work / "sft", records


def run(config: str, steps: int, work: Path) -> dict:
    sft, records = sft_folder(work, config, steps)
    kind = "video" if config.endswith("video") else "text"
    if kind == "video":
        base = tiny_qwen2_vl(work / "base", texts_of(records))
    else:
        sizes = SMALL if config == "small-text" else {}
        base = tiny_mistral(work / "base", texts_of(records), chat_template=None, **sizes)
    settings = TrainSettings(
        kind=kind,
        sft=sft,
        out=work / "run",
        base=str(base),
        max_steps=steps,
        grad_accum=1,
        logging_steps=1,
        extra={"include_num_input_tokens_seen": "non_padding", "save_strategy": "no"},
    )
    started, cpu_started = time.perf_counter(), time.process_time()
    result = train(settings)
    wall, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    summary = result.log_history[-1]
    tokens = max(h.get("num_input_tokens_seen", 0) for h in result.log_history)
    parameters = sum(p.numel() for p in _model_parameters(base, kind))
    return {
        "config": config,
        "parameters": parameters,
        "steps": steps,
        "tokens": int(tokens),
        "tokens_per_step": tokens / steps,
        "train_seconds": summary["train_runtime"],
        "tokens_per_second": tokens / summary["train_runtime"],
        "wall_seconds_with_loading": wall,
        "cpu_seconds_with_loading": cpu,  # all threads; against wall, it shows how much of the CPU we had
        "load_average_after": os.getloadavg()[0],
    }


def _model_parameters(base: Path, kind: str):
    from spotting.finetune.model import model_class

    return model_class(kind).from_pretrained(base).parameters()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=8)
    parser.add_argument("--configs", nargs="+", choices=CONFIGS, default=list(CONFIGS))
    parser.add_argument("--out", type=Path, default=HERE / "results" / "finetune.json")
    args = parser.parse_args()
    rows = []
    for config in args.configs:
        with tempfile.TemporaryDirectory() as work:
            rows.append(run(config, args.steps, Path(work)))
    device = torch.cuda.get_device_name() if torch.cuda.is_available() else f"CPU, {torch.get_num_threads()} threads"
    table = Table(title=f"LoRA training throughput ({device})")
    for column in ("config", "parameters", "tokens/step", "train s", "tokens/s", "load avg"):
        table.add_column(column, justify="right")
    for row in rows:
        table.add_row(
            row["config"],
            f"{row['parameters']:,}",
            f"{row['tokens_per_step']:.0f}",
            f"{row['train_seconds']:.1f}",
            f"{row['tokens_per_second']:.0f}",
            f"{row['load_average_after']:.1f}",
        )
    Console().print(table)
    report = {
        "machine": {"platform": platform.platform(), "device": device},
        "note": "random-weight models from configs; Mistral-7B / Qwen2-VL-2B themselves were not timed",
        "runs": rows,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_text(args.out, json.dumps(report, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
