"""``highlights finetune data|text|video``: SFT data from the corpus, and LoRA/QLoRA training."""

from __future__ import annotations

import argparse
from pathlib import Path

from rich.console import Console
from rich.table import Table

from index.chunks import DEFAULT_CHUNK_S
from index.errors import HighlightsError
from spotting.finetune.defaults import (
    DEFAULT_BASE,
    DEFAULT_LEARNING_RATE,
    DEFAULT_MAX_LENGTH,
    DEFAULT_TARGET_MODULES,
    KINDS,
    PRECISIONS,
    QUANTIZE,
)

from .data import load_from_args
from .options import add_data_options


def register(commands: argparse._SubParsersAction) -> None:
    finetune = commands.add_parser("finetune", help="fine-tune an LLM or video spotter (LoRA/QLoRA)")
    actions = finetune.add_subparsers(dest="finetune_command", required=True, metavar="ACTION")

    data = actions.add_parser("data", help="write SFT chats from the corpus's chunks, split by game")
    add_data_options(data)
    data.add_argument("--split", help="only the games of this official split")
    data.add_argument("--kind", choices=KINDS, default="text", help="commentary chats or video chats")
    data.add_argument("--out", type=Path, required=True, help="folder to write (JSONL, datasets copy, manifest)")
    data.add_argument("--valid-fraction", type=float, default=0.2, help="share of labelled games held out")
    data.add_argument("--keep-empty", type=float, default=0.5, help="share of chunks without actions kept")
    data.add_argument("--seed", type=int, default=0, help="seed of the game split and the thinning")
    data.add_argument("--length", type=float, default=DEFAULT_CHUNK_S, help="chunk length in seconds")
    data.add_argument("--fps", type=float, help="video: frames per second of a chunk (default: the video spotter's)")
    data.add_argument(
        "--size", type=int, nargs=2, metavar=("W", "H"), help="video: frame size (default: the spotter's)"
    )
    data.add_argument("--with-commentary", action="store_true", help="video: the commentary beside the frames")
    data.set_defaults(run=run_data)

    for kind, about in (("text", "Mistral-7B on commentary"), ("video", "Qwen2-VL on video")):
        parser = actions.add_parser(kind, help=f"LoRA fine-tuning of {about}")
        _training_options(parser, kind)
        parser.set_defaults(run=run_train, kind=kind)


def _training_options(parser: argparse.ArgumentParser, kind: str) -> None:
    parser.add_argument("--sft", type=Path, required=True, help="SFT data folder from `highlights finetune data`")
    parser.add_argument("--out", type=Path, required=True, help="run folder: checkpoints/, adapter/, metrics")
    parser.add_argument(
        "--base",
        default=DEFAULT_BASE[kind],
        help=f"base model: Hugging Face name or folder (default {DEFAULT_BASE[kind]})",
    )
    parser.add_argument("--lora-r", type=int, default=16, help="LoRA rank")
    parser.add_argument("--lora-alpha", type=int, default=32, help="LoRA alpha (scale = alpha / r)")
    parser.add_argument("--lora-dropout", type=float, default=0.05)
    parser.add_argument(
        "--target-modules", default=",".join(DEFAULT_TARGET_MODULES), help="comma-separated module names for LoRA"
    )
    parser.add_argument("--quantize", choices=QUANTIZE, default="none", help="4bit: QLoRA (CUDA + bitsandbytes)")
    parser.add_argument("--precision", choices=PRECISIONS, default="auto", help="auto: bf16 where the GPU has it")
    parser.add_argument("--lr", type=float, default=DEFAULT_LEARNING_RATE[kind], help="peak learning rate")
    parser.add_argument("--epochs", type=float, default=3.0)
    parser.add_argument("--max-steps", type=int, default=-1, help="stop after this many steps (overrides epochs)")
    parser.add_argument("--batch-size", type=int, default=1, help="chunks per device step")
    parser.add_argument("--grad-accum", type=int, default=8, help="steps per optimiser update")
    parser.add_argument("--warmup", type=float, default=0.03, help="warm-up: a share of the steps (< 1) or steps")
    parser.add_argument("--max-length", type=int, default=DEFAULT_MAX_LENGTH[kind], help="tokens per chat at most")
    parser.add_argument("--no-gradient-checkpointing", action="store_true", help="faster, more memory")
    parser.add_argument("--save-steps", type=int, default=0, help="checkpoint every N steps (0: every epoch)")
    parser.add_argument("--logging-steps", type=int, default=10)
    parser.add_argument(
        "--eval-chunks", type=int, default=200, help="held-out chunks answered per epoch, spread evenly (0: all)"
    )
    parser.add_argument("--workers", type=int, default=0, help="data-loader processes (decode video in parallel)")
    parser.add_argument("--max-new-tokens", type=int, default=256, help="answer length at evaluation")
    parser.add_argument("--resume", action="store_true", help="go on from the last checkpoint in --out")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--chat-template", type=Path, help="Jinja chat template replacing the tokenizer's")


def run_data(args: argparse.Namespace) -> int:
    from spotting.finetune.data import DataSettings, build_sft_data, count_rows, write_sft_data

    video = {"fps": args.fps} if args.fps is not None else {}
    video |= {"size": tuple(args.size)} if args.size is not None else {}
    settings = DataSettings(
        kind=args.kind,
        valid_fraction=args.valid_fraction,
        keep_empty=args.keep_empty,
        seed=args.seed,
        chunk_length=args.length,
        with_commentary=args.with_commentary,
        **video,
    )
    settings.check()
    corpus = load_from_args(args)
    data = build_sft_data(corpus.matches, settings)
    source = {"data": str(corpus.root.resolve()), "echoes_version": args.echoes_version, "text": args.text}
    write_sft_data(data, args.out, source)
    games = data.games
    table = Table(title=f"SFT {args.kind} chats: {len(games['train'])} train / {len(games['valid'])} valid games")
    for column in ("class", "train", "valid"):
        table.add_column(column, justify="left" if column == "class" else "right")
    for label, train, valid in count_rows(data):
        table.add_row(label, str(train), str(valid))
    console = Console()
    console.print(table)
    for reason, count in sorted(data.dropped.items()):
        console.print(f"left out: {count} {reason}")
    console.print(f"written to {args.out}")
    return 0


def run_train(args: argparse.Namespace) -> int:
    from evaluation.report import headline_scores
    from spotting.finetune.train import TrainSettings, train

    modules = tuple(m.strip() for m in args.target_modules.split(",") if m.strip())
    if not modules:
        raise HighlightsError("no module names given", "--target-modules")
    if args.chat_template and not args.chat_template.is_file():
        raise HighlightsError("chat template file not found", args.chat_template)
    settings = TrainSettings(
        kind=args.kind,
        data=args.sft,
        out=args.out,
        base=args.base,
        lora_r=args.lora_r,
        lora_alpha=args.lora_alpha,
        lora_dropout=args.lora_dropout,
        target_modules=modules,
        quantize=args.quantize,
        precision=args.precision,
        learning_rate=args.lr,
        epochs=args.epochs,
        max_steps=args.max_steps,
        batch_size=args.batch_size,
        grad_accum=args.grad_accum,
        warmup=args.warmup,
        max_length=args.max_length,
        gradient_checkpointing=not args.no_gradient_checkpointing,
        save_steps=args.save_steps,
        logging_steps=args.logging_steps,
        eval_chunks=args.eval_chunks,
        workers=args.workers,
        max_new_tokens=args.max_new_tokens,
        resume=args.resume,
        seed=args.seed,
        chat_template=args.chat_template,
    )
    result = train(settings, score=headline_scores)
    console = Console()
    if result.heldout:
        table = Table(title="held-out games, after each epoch")
        columns = ("epoch", "chunks", "interval_f1", "average_map_loose", "average_map_tight", "parse_failures")
        for column in columns:
            table.add_column(column, justify="right")
        for row in result.heldout:
            table.add_row(*(f"{row[c]:.3f}" if isinstance(row[c], float) else str(row[c]) for c in columns))
        console.print(table)
    console.print(f"adapter: {result.adapter}")
    console.print(f"serve it: {result.serve_command}")
    return 0
