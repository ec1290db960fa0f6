"""``highlights evaluate`` (score a prediction folder) and ``highlights bench`` (run back ends and score them)."""

from __future__ import annotations

import argparse
import json
import logging
import sys
from pathlib import Path

from rich.console import Console
from rich.markup import escape

from evaluation.ground_truth import load_ground_truth
from evaluation.intervals import DEFAULT_HALF_WIDTH_S, DEFAULT_IOU
from evaluation.plots import class_bars, map_vs_tolerance, timeline
from evaluation.report import evaluate_predictions, evaluation_dict, evaluation_table
from evaluation.results_io import read_results, write_results
from evaluation.results_md import save_result, write_results_md
from evaluation.run_manifest import FolderState, folder_state
from evaluation.runner import N_FOLDS, TRAINABLE, run_backend, score_run
from index.atomic import atomic_write_text
from index.corpus import SPLITS, resolve_data_root
from index.errors import HighlightsError
from spotting.registry import SPOTTER_TEXT

from .data import load_from_args
from .options import add_data_options

log = logging.getLogger(__name__)


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
    evaluate.add_argument("--split", choices=SPLITS, help="only the games of this split")
    evaluate.add_argument("--json", type=Path, metavar="FILE", help="also write the numbers as JSON")
    evaluate.add_argument("--plots", type=Path, metavar="DIR", help="draw PNG plots into DIR")
    evaluate.add_argument("--game", help="game for the timeline plot (default: the first one)")
    _add_interval_options(evaluate)
    evaluate.add_argument(
        "--min-confidence", type=float, default=0.0, help="interval metric: ignore predictions below this"
    )
    evaluate.add_argument(
        "--allow-incomplete",
        action="store_true",
        help="score a folder whose run manifest says it is incomplete, mixed or changed (warned loudly) "
        "instead of refusing",
    )
    evaluate.set_defaults(run=run_evaluate)

    bench = commands.add_parser("bench", help="run spotting back ends over a split and write docs/results.md")
    add_data_options(bench)
    bench.set_defaults(text=SPOTTER_TEXT.value)
    bench.add_argument("--backends", default="keywords", help="comma-separated back ends, e.g. keywords,embedded")
    bench.add_argument("--split", default="valid", choices=SPLITS, help="games to run on (must be labelled)")
    bench.add_argument("--folds", type=int, default=N_FOLDS, help="cross-validation folds, by game")
    bench.add_argument(
        "--extra-training",
        default=EXTRA_TRAINING_SPLIT,
        choices=[EXTRA_TRAINING_SPLIT, "none"],
        help="a split every fold of a trained back end also learns from: its labels where present, "
        "else its commentary alone (default: %(default)s; never scored)",
    )
    bench.add_argument("--results-dir", type=Path, default=Path("benchmarks/results"), help="per-back-end JSON")
    bench.add_argument("--out", type=Path, default=Path("docs/results.md"), help="the Markdown table to write")
    bench.add_argument("--predictions", type=Path, metavar="DIR", help="also write each back end's predictions")
    bench.set_defaults(run=run_bench)


def _add_interval_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--half-width", type=float, default=DEFAULT_HALF_WIDTH_S, help="event window half-width in seconds"
    )
    parser.add_argument("--iou", type=float, default=DEFAULT_IOU, help="IoU for an interval to count as a hit")


def _check_interval_options(args: argparse.Namespace) -> None:
    if not args.half_width > 0:
        raise HighlightsError(f"must be positive, not {args.half_width}", "--half-width")
    if not 0 < args.iou <= 1:
        raise HighlightsError(f"must be in (0, 1], not {args.iou}", "--iou")


def run_evaluate(args: argparse.Namespace) -> int:
    _check_interval_options(args)
    matches = load_ground_truth(Path(args.labels) if args.labels else resolve_data_root(None), args.split)
    console = Console()
    run = _check_run(args, [m.id for m in matches], console)
    read = read_results(args.predictions, matches, args.half_width)
    for line in read.warning_lines():
        console.print(f"[yellow]warning:[/yellow] {line}")
    evaluation = evaluate_predictions(read.predictions, matches, args.half_width, args.iou, args.min_confidence)
    console.print(evaluation_table(evaluation, f"{args.predictions}: {len(matches)} games"))
    if args.json:
        numbers = evaluation_dict(evaluation) | {"warnings": dict(read.warnings), "run": run.as_dict()}
        atomic_write_text(args.json, json.dumps(numbers, indent=1, ensure_ascii=False) + "\n")
    if args.plots:
        game = args.game or next((m.id for m in matches if read.predictions.get(m.id)), matches[0].id)
        match = next((m for m in matches if m.id == game), None)
        if match is None:
            raise HighlightsError("not one of the evaluated games", "--game")
        for path in (
            class_bars(evaluation, args.plots / "per_class.png"),
            map_vs_tolerance(evaluation, args.plots / "map_vs_tolerance.png"),
            timeline(match, read.predictions.get(game, []), args.plots / "timeline.png"),
        ):
            console.print(f"wrote {path}")
    return 0


def _check_run(args: argparse.Namespace, games: list[str], console: Console) -> FolderState:
    """The folder's run manifest for the evaluated games: a folder that is not one complete run is
    refused (``--allow-incomplete``: scored under a loud warning); one without a manifest is a warning."""
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
            + "; ".join(lines)
            + ". Rerun `highlights spot` to finish the run, or pass --allow-incomplete to score them anyway",
            args.predictions,
        )
    else:
        console.print(f"[bold red]WARNING: the predictions are not one complete run ({state.verdict}):[/bold red]")
        for line in lines:
            console.print(f"[red]  {line}[/red]", soft_wrap=True)
    return state


def _command(args: argparse.Namespace, backend: str) -> str:
    parts = ["highlights bench", f"--backends {backend}", f"--split {args.split}"]
    if args.data:
        parts.append(f"--data {args.data}")
    if args.text != SPOTTER_TEXT.value:
        parts.append(f"--text {args.text}")
    if args.echoes_version != "whisper_v2":
        parts.append(f"--echoes-version {args.echoes_version}")
    if args.folds != N_FOLDS:
        parts.append(f"--folds {args.folds}")
    if args.extra_training != EXTRA_TRAINING_SPLIT:
        parts.append(f"--extra-training {args.extra_training}")
    return " ".join(parts)


# The split a trained back end also learns from in cross-validation; never the test split.
EXTRA_TRAINING_SPLIT = "train"


def _extra_training(args: argparse.Namespace, scored: list) -> list:
    """The extra training games present in the data folder (none when they are the scored split)."""
    if args.extra_training == "none" or args.extra_training == args.split:
        return []
    try:
        extra = load_from_args(args, args.extra_training).matches
    except HighlightsError as error:
        log.info("no extra training games: %s", error)
        return []
    ids = {m.id for m in scored}
    return [m for m in extra if m.id not in ids]


def run_bench(args: argparse.Namespace) -> int:
    backends = [name.strip() for name in args.backends.split(",") if name.strip()]
    if not backends:
        raise HighlightsError("name at least one back end", "--backends")
    matches = [m for m in load_from_args(args).matches if m.has_labels]
    if not matches:
        raise HighlightsError(f"no labelled games of the {args.split} split in this data folder", "--data")
    extra = _extra_training(args, matches) if any(b in TRAINABLE for b in backends) else []
    console = Console()
    for backend in backends:
        run = run_backend(backend, matches, args.folds, extra if backend in TRAINABLE else ())
        if run.failed:  # scored, and said: those chunks count as predicting nothing
            chunks = sum(len(c) for c in run.failed.values())
            console.print(
                f"[bold red]WARNING: {backend}: {chunks} chunks of {len(run.failed)} games got no reply; "
                "they are scored as predicting nothing (failed_chunks in the result)[/bold red]"
            )
        if args.predictions:
            write_results(args.predictions / backend, run.predictions, [m.id for m in matches])
        result = score_run(run, matches, _command(args, backend), args.split)
        save_result(args.results_dir, result)
        overall, answers = result["overall"], result["answers"]
        goal = answers["per_class"]["Goal"]
        console.print(
            f"{backend}: loose {overall['loose']:.2f} %, tight {overall['tight']:.2f} %, "
            f"interval F1 {overall['interval']['f1']:.3f} over {overall['games']} games ({run.seconds:.0f} s); "
            f"answers: Goal recall {goal['recall']:.2f} at precision {goal['precision']:.2f}, "
            f"{answers['games_goals_unfound']} of {answers['games_with_goals']} games with no labelled goal found"
        )
    path = write_results_md(args.out, args.results_dir, args.split)
    print(f"wrote {path}", file=sys.stderr)
    return 0
