"""``highlights evaluate``: score a folder of ``results_spotting.json`` files (average-mAP and
interval P/R/F1), after checking that the folder is one complete run."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import TYPE_CHECKING

from index.errors import HighlightsError
from index.settings import DEFAULT_HALF_WIDTH_S, DEFAULT_IOU
from ui.tables import Column, TextTable, add_format_option, show

from .options import add_split_option

if TYPE_CHECKING:
    from rich.console import Console

    from evaluation.report import Evaluation
    from evaluation.run_manifest import FolderState


def register(commands: argparse._SubParsersAction) -> None:
    evaluate = commands.add_parser(
        "evaluate", help="score a folder of results_spotting.json files (average-mAP and interval P/R/F1)"
    )
    evaluate.add_argument("predictions", type=Path, metavar="PRED_DIR", help="folder of LEAGUE/SEASON/GAME/ files")
    evaluate.add_argument(
        "--labels",
        metavar="DIR",
        help="data folder (DIR/soccernet/...) or SoccerNet folder (DIR/GAME/Labels-v2.json); "
        "default: --data's rule ($HIGHLIGHTS_DATA, else the shipped sample)",
    )
    add_split_option(evaluate)
    evaluate.add_argument("--json", type=Path, metavar="FILE", help="also write every number as JSON")
    evaluate.add_argument("--plots", type=Path, metavar="DIR", help="draw PNG plots into DIR")
    evaluate.add_argument("--game", help="game for the timeline plot (default: the first one)")
    add_interval_options(evaluate)
    evaluate.add_argument(
        "--min-confidence",
        type=float,
        default=0.0,
        help="interval metric: ignore predictions below this (default: %(default)s)",
    )
    evaluate.add_argument(
        "--allow-incomplete",
        action="store_true",
        help="score a folder whose run manifest says it is incomplete, mixed or changed (warned loudly) "
        "instead of refusing",
    )
    evaluate.add_argument(
        "--no-cache", action="store_true", help="read every label file again instead of the corpus cache"
    )
    add_format_option(evaluate)
    evaluate.set_defaults(run=run_evaluate)


def add_interval_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--half-width",
        type=float,
        default=DEFAULT_HALF_WIDTH_S,
        help="event window half-width in seconds (default: %(default)s)",
    )
    parser.add_argument(
        "--iou", type=float, default=DEFAULT_IOU, help="IoU for an interval to count as a hit (default: %(default)s)"
    )


def check_interval_options(args: argparse.Namespace) -> None:
    if not args.half_width > 0:
        raise HighlightsError(f"must be positive, not {args.half_width}", "--half-width")
    if not 0 < args.iou <= 1:
        raise HighlightsError(f"must be in (0, 1], not {args.iou}", "--iou")


def evaluation_table(evaluation: Evaluation, title: str) -> TextTable:
    """Per-class rows and the overall one, both metrics side by side."""
    from index.classes import LABELS

    table = TextTable(
        title,
        (
            Column("class", text=True),
            Column("events"),
            Column("loose a-mAP %", 2),
            Column("tight a-mAP %", 2),
            Column("P", 3),
            Column("R", 3),
            Column("F1", 3),
            Column("F1 overlap", 3),
        ),
    )
    iv = evaluation.intervals
    for label in LABELS:
        counts = iv.per_class[label]
        table.add(
            label,
            evaluation.events_per_class[label],
            100 * evaluation.loose.per_class[label],
            100 * evaluation.tight.per_class[label],
            counts.precision,
            counts.recall,
            counts.f1,
            iv.overlap_per_class[label].f1,
        )
    table.add(
        "all",
        evaluation.n_events,
        evaluation.loose.percent,
        evaluation.tight.percent,
        iv.precision,
        iv.recall,
        iv.f1,
        iv.overlap.f1,
        rule=True,
    )
    return table


def run_evaluate(args: argparse.Namespace) -> int:
    from rich.console import Console
    from rich.markup import escape

    from evaluation.ground_truth import load_ground_truth
    from evaluation.report import evaluate_predictions, evaluation_dict
    from evaluation.results_io import read_results
    from index.atomic import atomic_write_text
    from index.cache import cache_root
    from index.corpus import resolve_data_root

    check_interval_options(args)
    labels = Path(args.labels) if args.labels else resolve_data_root(None)
    matches = load_ground_truth(labels, args.split, None if args.no_cache else cache_root() / "corpus")
    console = Console(stderr=args.format != "table")  # the data forms keep stdout for the data
    run = _check_run(args, [m.id for m in matches], console)
    read = read_results(args.predictions, matches, args.half_width)
    for line in read.warning_lines():
        console.print(f"[yellow]warning:[/yellow] {escape(line)}", highlight=False)
    evaluation = evaluate_predictions(read.predictions, matches, args.half_width, args.iou, args.min_confidence)
    show(evaluation_table(evaluation, f"{args.predictions}: {len(matches)} games"), args.format)
    if args.json:
        numbers = evaluation_dict(evaluation) | {"warnings": dict(read.warnings), "run": run.as_dict()}
        atomic_write_text(args.json, json.dumps(numbers, indent=1, ensure_ascii=False) + "\n")
    if args.plots:
        _plots(args, matches, read.predictions, evaluation, console)
    return 0


def _plots(
    args: argparse.Namespace, matches: list, predictions: dict, evaluation: Evaluation, console: Console
) -> None:
    from evaluation.plots import class_bars, map_vs_tolerance, timeline

    game = args.game or next((m.id for m in matches if predictions.get(m.id)), matches[0].id)
    match = next((m for m in matches if m.id == game), None)
    if match is None:
        raise HighlightsError("not one of the evaluated games", "--game")
    for path in (
        class_bars(evaluation, args.plots / "per_class.png"),
        map_vs_tolerance(evaluation, args.plots / "map_vs_tolerance.png"),
        timeline(match, predictions.get(game, []), args.plots / "timeline.png"),
    ):
        console.print(f"wrote {path}", highlight=False)


def _check_run(args: argparse.Namespace, games: list[str], console: Console) -> FolderState:
    """The folder's run manifest for the evaluated games: a folder that is not one complete run is
    refused (``--allow-incomplete``: scored under a loud warning); one without a manifest is a warning."""
    from rich.markup import escape

    from evaluation.run_manifest import folder_state

    if not args.predictions.is_dir():
        raise HighlightsError("prediction folder does not exist", args.predictions)
    state = folder_state(args.predictions, games)
    lines = [escape(line) for line in state.lines()]  # game ids may hold [brackets]: not markup
    if state.verdict == "complete":
        console.print(f"run: complete, {lines[0]}", soft_wrap=True)
    elif state.verdict == "unknown":
        console.print(f"[yellow]warning:[/yellow] {lines[0]}", soft_wrap=True)
    elif not args.allow_incomplete:
        raise HighlightsError(
            f"the predictions are not one complete run ({state.verdict}): "
            + "; ".join(state.lines())
            + ". Rerun `highlights spot` to finish the run, or pass --allow-incomplete to score them anyway",
            args.predictions,
        )
    else:
        console.print(f"[bold red]WARNING: the predictions are not one complete run ({state.verdict}):[/bold red]")
        for line in lines:
            console.print(f"[red]  {line}[/red]", soft_wrap=True)
    return state
