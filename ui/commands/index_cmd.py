"""``highlights index build`` and ``highlights index search``: the FAISS commentary index."""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from index.cache import index_dir
from index.clock import clock, parse_clock
from index.echoes import TextChoice
from index.embedding_models import DEFAULT_MODEL, MODELS
from index.errors import HighlightsError
from index.settings import SEARCH_WINDOW_S
from index.types import HALVES
from ui.tables import Column, TextTable, add_format_option, show

from .options import add_data_options, add_split_option, load_from_args

QUOTE_CHARS = 240  # of each hit's commentary: a few sentences, enough to tell the moment


def register(commands: argparse._SubParsersAction) -> None:
    index = commands.add_parser("index", help="build and query the commentary search index")
    actions = index.add_subparsers(dest="index_command", required=True, metavar="ACTION")

    build = actions.add_parser("build", help="embed the commentary and save a FAISS index")
    _add_index_options(build)
    build.add_argument("--out", type=Path, help="save the index in this folder (default: the cache, reused)")
    build.set_defaults(run=run_build)

    search = actions.add_parser("search", help="semantic search over the commentary")
    _add_index_options(search)
    search.add_argument("query", help="what to look for, e.g. 'goal' or 'the keeper saves a penalty'")
    search.add_argument("--index", type=Path, help="a folder written by `index build --out` (default: the cache)")
    search.add_argument("--match", help="only this match id (LEAGUE/SEASON/GAME)")
    search.add_argument("--half", type=int, choices=HALVES, help="only this half")
    search.add_argument("--from", dest="start", type=_clock, help="from this time of the half (MM:SS or seconds)")
    search.add_argument("--to", dest="end", type=_clock, help="up to this time of the half (MM:SS or seconds)")
    search.add_argument("-k", type=int, default=5, help="number of results (default: %(default)s)")
    add_format_option(search)
    search.set_defaults(run=run_search)


def _add_index_options(parser: argparse.ArgumentParser) -> None:
    # Both texts are loaded; the index keeps the one its model reads (translations for English-only models).
    add_data_options(parser, text=TextChoice.BOTH)
    add_split_option(parser)
    parser.add_argument(
        "--embeddings",
        default=DEFAULT_MODEL,
        metavar="NAME",
        help=f"embedding model: {', '.join(MODELS)}, or a sentence-transformers folder (default: %(default)s)",
    )
    parser.add_argument(
        "--window", type=float, default=SEARCH_WINDOW_S, help="document window in seconds (default: %(default)s)"
    )
    parser.add_argument("--stride", type=float, help="seconds between window starts (default: the window, no overlap)")
    parser.add_argument("--cache", type=Path, help=f"index cache folder (default: {index_dir()})")


def _clock(value: str) -> float:
    """``MM:SS`` or plain seconds (``index.clock.parse_clock``), as argparse wants its errors."""
    try:
        return parse_clock(value, "--from/--to")
    except HighlightsError:
        raise argparse.ArgumentTypeError(f"not a time: {value!r} (use MM:SS or seconds)") from None


def run_build(args: argparse.Namespace) -> int:
    from index.index_cache import load_or_build
    from index.retrieval import CommentaryIndex

    corpus = load_from_args(args)
    started = time.perf_counter()
    if args.out:
        index = CommentaryIndex.build(corpus.matches, args.embeddings, args.window, args.stride, progress=True)
        folder = index.save(args.out)
    else:
        index = load_or_build(corpus, args.cache, args.embeddings, args.window, args.stride, progress=True)
        folder = index.path
    seconds = time.perf_counter() - started
    summary = f"{len(index)} windows of {len(index.match_ids)} matches, {index.kind} index"
    if folder is None:  # the cache folder could not be written (logged)
        print(f"{summary}, not saved ({seconds:.1f} s)")
        return 1
    size = sum(p.stat().st_size for p in folder.iterdir() if p.is_file())
    print(f"{summary}, {size / 2**20:.1f} MB in {folder} ({seconds:.1f} s)")
    return 0


def run_search(args: argparse.Namespace) -> int:
    from index.index_cache import load_or_build
    from index.retrieval import CommentaryIndex

    if args.index:
        index = CommentaryIndex.load(args.index)
    else:
        corpus = load_from_args(args)
        index = load_or_build(corpus, args.cache, args.embeddings, args.window, args.stride, progress=True)
    if args.match and args.match not in index.match_ids:
        raise HighlightsError("no commentary indexed for this match (give its LEAGUE/SEASON/GAME id)", args.match)
    hits = index.search(args.query, args.k, args.match, args.half, args.start, args.end)
    table = TextTable(
        f"{args.query!r}: {len(hits)} windows, best first" if hits else "no commentary matches these filters",
        (
            Column("score", 2),
            Column("match", text=True),
            Column("half"),
            Column("from"),
            Column("to"),
            Column("commentary", text=True),
        ),
    )
    for hit in hits:
        table.add(
            hit.score, hit.match_id.split("/")[-1], hit.half, clock(hit.start), clock(hit.end), hit.text[:QUOTE_CHARS]
        )
    show(table, args.format)
    return 0
