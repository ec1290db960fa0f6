"""``highlights summary``, ``highlights data chunks`` and ``highlights data download``: what the
corpus holds, its 1-minute chunks, and fetching it."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from index.chunks import DEFAULT_CHUNK_S
from index.errors import HighlightsError
from index.settings import DATA_ENV, DOWNLOAD_SPLITS, ECHOES_URL, SPLITS
from ui.tables import Column, TextTable, add_format_option, show

from .options import add_data_options, add_split_option, load_from_args

if TYPE_CHECKING:
    from index.corpus import Corpus


def register(commands: argparse._SubParsersAction) -> None:
    summary = commands.add_parser("summary", help="summarise the matches of the corpus")
    add_data_options(summary)
    add_split_option(summary)
    add_format_option(summary)
    summary.set_defaults(run=run_summary)

    data = commands.add_parser("data", help="inspect and prepare the corpus")
    data_commands = data.add_subparsers(dest="data_command", required=True, metavar="ACTION")
    chunks = data_commands.add_parser("chunks", help="write 1-minute action-clip pairs as JSONL")
    add_data_options(chunks)
    add_split_option(chunks)
    chunks.add_argument(
        "--length", type=float, default=DEFAULT_CHUNK_S, help="chunk length in seconds (default: %(default)s)"
    )
    chunks.add_argument("--out", type=Path, help="JSONL file to write (default: print counts only)")
    add_format_option(chunks)
    chunks.set_defaults(run=run_chunks)

    fetch = data_commands.add_parser("download", help="fetch SoccerNet-Echoes and SoccerNet-v2 labels into DIR")
    fetch.add_argument("dir", type=Path, help=f"folder to fill (then use it with --data DIR or ${DATA_ENV})")
    fetch.add_argument(
        "--split",
        action="append",
        choices=SPLITS,
        help=f"label splits to fetch (repeatable; default: {', '.join(DOWNLOAD_SPLITS)})",
    )
    fetch.add_argument("--force", action="store_true", help="overwrite files that differ from the download")
    fetch.add_argument(
        "--echoes-url", default=ECHOES_URL, help="git URL of the SoccerNet-Echoes repository (default: %(default)s)"
    )
    add_format_option(fetch)
    fetch.set_defaults(run=run_download)


def run_summary(args: argparse.Namespace) -> int:
    corpus = load_from_args(args)
    table = TextTable(
        f"{len(corpus.matches)} matches in {corpus.root}",
        (
            Column("match", text=True),
            Column("date"),
            Column("score"),
            Column("languages"),
            Column("segments"),
            Column("labelled events"),
        ),
    )
    for match in corpus.matches:
        table.add(
            match.id.split("/")[0] + " · " + match.title,
            match.date.isoformat(),
            f"{match.home_score}-{match.away_score}" + (" *" if match.score_note else ""),
            "/".join(match.languages.get(h) or "?" for h in (1, 2)),
            sum(len(s) for s in match.segments.values()),
            len(match.all_events()) if match.has_labels else None,
        )
    table.notes += [f"* {match.id}: {match.score_note}" for match in corpus.matches if match.score_note]
    table.notes += skipped_lines(corpus)
    show(table, args.format)
    return 0


def run_chunks(args: argparse.Namespace) -> int:
    import json
    from collections import Counter

    from index.atomic import atomic_write_text
    from index.chunks import chunk_matches, chunk_to_record
    from index.classes import LABELS

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
            lines.append(json.dumps(chunk_to_record(chunk), ensure_ascii=False))
    if args.out:
        atomic_write_text(args.out, "\n".join(lines) + "\n")
    table = TextTable(
        f"{chunk_count} chunks of {args.length:g} s, {with_events} with at least one event",
        (Column("class", text=True), Column("events")),
    )
    for label in LABELS:
        table.add(label, per_class[label])
    table.add("all", sum(per_class.values()), rule=True)
    table.notes += skipped_lines(corpus)
    show(table, args.format)
    return 0


def run_download(args: argparse.Namespace) -> int:
    from index.download import download

    reports = download(args.dir, args.split or DOWNLOAD_SPLITS, args.force, args.echoes_url)
    table = TextTable(
        f"Downloaded into {args.dir}",
        (Column("part", text=True), Column("copied"), Column("already there"), Column("kept (differs; --force)")),
    )
    for part, report in reports.items():
        table.add(part, report.copied, report.unchanged, len(report.kept))
    table.notes.append(f"Use it with: highlights summary --data {args.dir}")
    show(table, args.format)
    return 0


def skipped_lines(corpus: Corpus) -> list[str]:
    if not corpus.skipped:
        return []
    return [f"{len(corpus.skipped)} games skipped:"] + [f"  {game_id}: {reason}" for game_id, reason in corpus.skipped]
