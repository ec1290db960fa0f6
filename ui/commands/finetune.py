"""``highlights finetune data|text|video``: SFT data from the corpus, and LoRA/QLoRA training."""

from __future__ import annotations

import argparse
from dataclasses import fields
from functools import partial
from pathlib import Path
from typing import Any

from index.chunks import DEFAULT_CHUNK_S
from spotting.finetune.defaults import DEFAULT_BASE, DEFAULT_LEARNING_RATE, DEFAULT_MAX_LENGTH, KINDS
from ui.tables import Column, TextTable, add_format_option, show

from .options import DeferredParser, add_data_options, add_split_option, load_from_args


def register(commands: argparse._SubParsersAction) -> None:
    finetune = commands.add_parser("finetune", help="fine-tune an LLM or video spotter (LoRA/QLoRA)")
    actions = finetune.add_subparsers(
        dest="finetune_command", required=True, metavar="ACTION", parser_class=DeferredParser
    )

    data = actions.add_parser("data", help="write SFT chats from the corpus's chunks, split by game")
    add_data_options(data)
    add_split_option(data)
    data.add_argument("--kind", choices=KINDS, default="text", help="commentary or video chats (default: %(default)s)")
    data.add_argument("--out", type=Path, required=True, help="folder to write (JSONL, datasets copy, manifest)")
    data.add_argument(
        "--valid-fraction", type=float, default=0.2, help="share of labelled games held out (default: %(default)s)"
    )
    data.add_argument(
        "--keep-empty", type=float, default=0.5, help="share of chunks without actions kept (default: %(default)s)"
    )
    data.add_argument(
        "--seed", type=int, default=0, help="seed of the game split and the thinning (default: %(default)s)"
    )
    data.add_argument(
        "--length", type=float, default=DEFAULT_CHUNK_S, help="chunk length in seconds (default: %(default)s)"
    )
    data.add_argument("--fps", type=float, help="video: frames per second of a chunk (default: the video spotter's)")
    data.add_argument(
        "--size", type=int, nargs=2, metavar=("W", "H"), help="video: frame size (default: the spotter's)"
    )
    data.add_argument("--with-commentary", action="store_true", help="video: the commentary beside the frames")
    add_format_option(data)
    data.set_defaults(run=run_data)

    for kind, about in (("text", "Mistral-7B on commentary"), ("video", "Qwen2-VL on video")):
        actions.add_parser(kind, help=f"LoRA fine-tuning of {about}", build=partial(_training_parser, kind))


def _training_parser(kind: str, options: dict[str, Any]) -> argparse.ArgumentParser:
    """``TrainSettings`` as the command line: one flag per field, its help and default from the field."""
    from transformers import HfArgumentParser

    from spotting.finetune.settings import TrainSettings

    parser = HfArgumentParser(TrainSettings, **options)
    kind_defaults = {"base": DEFAULT_BASE, "learning_rate": DEFAULT_LEARNING_RATE, "max_length": DEFAULT_MAX_LENGTH}
    parser.set_defaults(run=run_train, kind=kind, **{name: values[kind] for name, values in kind_defaults.items()})
    return parser


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
    table = TextTable(
        f"SFT {args.kind} chats: {len(games['train'])} train / {len(games['valid'])} valid games",
        (Column("class", text=True), Column("train"), Column("valid")),
    )
    for label, train, valid in count_rows(data):
        table.add(label, train, valid)
    table.notes += [f"left out: {count} {reason}" for reason, count in sorted(data.dropped.items())]
    table.notes.append(f"written to {args.out}")
    show(table, args.format)
    return 0


def run_train(args: argparse.Namespace) -> int:
    from evaluation.report import headline_scores
    from spotting.finetune.settings import TrainSettings
    from spotting.finetune.train import train

    settings = TrainSettings(**{f.name: getattr(args, f.name) for f in fields(TrainSettings)})
    result = train(settings, score=headline_scores)
    columns = ("epoch", "chunks", "interval_f1", "average_map_loose", "average_map_tight", "parse_failures")
    table = TextTable("held-out games, after each epoch", tuple(Column(name, 3) for name in columns))
    for row in result.heldout:
        table.add(*(row[c] for c in columns))
    table.notes += [f"adapter: {result.adapter}", f"serve it: {result.serve_command}"]
    if result.heldout:
        show(table)
    else:
        print("\n".join(table.notes))
    return 0
