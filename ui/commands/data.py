"""``highlights summary`` and ``highlights data chunks``: what the corpus holds."""

from __future__ import annotations

import argparse
import json
from collections import Counter
from pathlib import Path

from rich.console import Console
from rich.table import Table

from index.atomic import atomic_write_text
from index.cache import cache_root
from index.chunks import DEFAULT_CHUNK_S, chunk_matches
from index.classes import LABELS
from index.corpus import Corpus, available_games, load_corpus, resolve_data_root, split_games
from index.download import ECHOES_URL, download
from index.echoes import TextChoice
from index.errors import HighlightsError

from .options import add_data_options


def register(commands: argparse._SubParsersAction) -> None:
    summary = commands.add_parser("summary", help="summarise the matches of the corpus")
    add_data_options(summary)
    summary.add_argument("--split", help="only this official split (train, valid, test, challenge)")
    summary.set_defaults(run=run_summary)

    data = commands.add_parser("data", help="inspect and prepare the corpus")
    data_commands = data.add_subparsers(dest="data_command", required=True, metavar="ACTION")
    chunks = data_commands.add_parser("chunks", help="write 1-minute action-clip pairs as JSONL")
    add_data_options(chunks)
    chunks.add_argument("--split", help="only this official split")
    chunks.add_argument("--length", type=float, default=DEFAULT_CHUNK_S, help="chunk length in seconds")
    chunks.add_argument("--out", type=Path, help="JSONL file to write (default: print counts only)")
    chunks.set_defaults(run=run_chunks)

    fetch = data_commands.add_parser("download", help="fetch SoccerNet-Echoes and SoccerNet-v2 labels into DIR")
    fetch.add_argument("dir", type=Path, help="folder to fill (then use it with --data DIR or $HIGHLIGHTS_DATA)")
    fetch.add_argument("--split", action="append", help="label splits to fetch (repeatable; default train, valid)")
    fetch.add_argument("--force", action="store_true", help="overwrite files that differ from the download")
    fetch.add_argument("--echoes-url", default=ECHOES_URL, help="git URL of the SoccerNet-Echoes repository")
    fetch.set_defaults(run=run_download)


def load_from_args(args: argparse.Namespace, split: str | None = None) -> Corpus:
    """The corpus a command's ``--data/--split/--echoes-version/--text/--strict`` select
    (``split`` overrides ``--split``)."""
    root = resolve_data_root(args.data)
    split = split or getattr(args, "split", None)
    games = split_games(root, split) if split else None
    if games is not None:
        present = set(available_games(root, args.echoes_version))
        games = [g for g in games if g in present]
        if not games:
            raise HighlightsError(f"none of the {split} games are in this data folder", root)
    return load_corpus(
        root,
        games,
        args.echoes_version,
        TextChoice(args.text),
        strict=args.strict,
        progress=True,
        cache_dir=None if args.no_cache else cache_root() / "corpus",
    )


def run_summary(args: argparse.Namespace) -> int:
    corpus = load_from_args(args)
    table = Table(title=f"{len(corpus.matches)} matches in {corpus.root}")
    for column in ("match", "date", "score", "languages", "segments", "labelled events"):
        table.add_column(column)
    for match in corpus.matches:
        table.add_row(
            match.id.split("/")[0] + " · " + match.title,
            match.date.isoformat(),
            f"{match.home_score}-{match.away_score}" + (" *" if match.score_note else ""),
            "/".join(match.languages.get(h) or "?" for h in (1, 2)),
            str(sum(len(s) for s in match.segments.values())),
            str(len(match.all_events())) if match.has_labels else "-",
        )
    console = Console()
    console.print(table)
    for match in corpus.matches:
        if match.score_note:
            console.print(f"* {match.id}: {match.score_note}")
    _print_skipped(console, corpus)
    return 0


def run_chunks(args: argparse.Namespace) -> int:
    corpus = load_from_args(args)
    labelled = [m for m in corpus.matches if m.has_labels]
    if args.split and not labelled:
        raise HighlightsError(f"the {args.split} split has no labels in this data folder", corpus.root)
    per_class: Counter[str] = Counter()
    chunk_count = with_events = 0
    lines = []
    for chunk in chunk_matches(corpus.matches, args.length):
        chunk_count += 1
        with_events += bool(chunk.events)
        per_class.update(e.label for e in chunk.events)
        if args.out:
            lines.append(json.dumps(chunk_record(chunk), ensure_ascii=False))
    if args.out:
        atomic_write_text(args.out, "\n".join(lines) + "\n")
    console = Console()
    table = Table(title=f"{chunk_count} chunks of {args.length:g} s, {with_events} with at least one event")
    table.add_column("class")
    table.add_column("events", justify="right")
    for label in LABELS:
        table.add_row(label, str(per_class[label]))
    table.add_row("all", str(sum(per_class.values())))
    console.print(table)
    _print_skipped(console, corpus)
    return 0


def run_download(args: argparse.Namespace) -> int:
    reports = download(args.dir, args.split or ("train", "valid"), args.force, args.echoes_url)
    console = Console()
    table = Table(title=f"Downloaded into {args.dir}")
    for column in ("part", "copied", "already there", "kept (differs; --force to overwrite)"):
        table.add_column(column)
    for part, report in reports.items():
        table.add_row(part, str(report.copied), str(report.unchanged), str(len(report.kept)))
    console.print(table)
    console.print(f"Use it with: highlights summary --data {args.dir}")
    return 0


def chunk_record(chunk) -> dict:
    return {
        "match": chunk.match_id,
        "half": chunk.half,
        "start": chunk.start,
        "end": chunk.end,
        "segments": [[s.start, s.end, s.text, s.source] for s in chunk.segments],
        "events": [
            {"label": e.label, "position_ms": e.position_ms, "team": e.team, "visibility": e.visibility}
            for e in chunk.events
        ],
    }


def _print_skipped(console: Console, corpus: Corpus) -> None:
    if corpus.skipped:
        console.print(f"[yellow]{len(corpus.skipped)} games skipped:[/yellow]")
        for game_id, reason in corpus.skipped:
            console.print(f"  {game_id}: {reason}")
