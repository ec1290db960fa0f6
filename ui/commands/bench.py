"""``highlights bench``: run spotting back ends over a split (5-fold cross-validation by game where
a back end trains), score them, store the results and rewrite ``docs/results.md``."""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from index.errors import HighlightsError
from index.settings import N_FOLDS
from spotting.registry import SPOTTER_TEXT
from ui.tables import Column, TextTable, add_format_option, show

from .options import add_data_options, add_split_option, load_from_args

log = logging.getLogger(__name__)

# The split a trained back end also learns from in cross-validation; never the test split.
EXTRA_TRAINING_SPLIT = "train"


def register(commands: argparse._SubParsersAction) -> None:
    bench = commands.add_parser("bench", help="run spotting back ends over a split and write docs/results.md")
    add_data_options(bench, text=SPOTTER_TEXT)
    bench.add_argument(
        "--backend",
        action="append",
        metavar="NAME[,NAME]",
        help="back end to run (repeatable, or comma-separated: keywords,embedded; default: keywords)",
    )
    # The commands stored with earlier results (docs/results.md, the shipped answers.json) say --backends.
    bench.add_argument("--backends", action="append", dest="backend", help=argparse.SUPPRESS)
    add_split_option(bench, "valid", " (must be labelled)")
    bench.add_argument(
        "--folds", type=int, default=N_FOLDS, help="cross-validation folds, by game (default: %(default)s)"
    )
    bench.add_argument(
        "--extra-training",
        default=EXTRA_TRAINING_SPLIT,
        choices=[EXTRA_TRAINING_SPLIT, "none"],
        help="a split every fold of a trained back end also learns from: its labels where present, "
        "else its commentary alone (default: %(default)s; never scored)",
    )
    bench.add_argument(
        "--results-dir",
        type=Path,
        default=Path("benchmarks/results"),
        help="per-back-end JSON (default: %(default)s)",
    )
    bench.add_argument(
        "--out", type=Path, default=Path("docs/results.md"), help="the Markdown table to write (default: %(default)s)"
    )
    bench.add_argument("--predictions", type=Path, metavar="DIR", help="also write each back end's predictions")
    add_format_option(bench)
    bench.set_defaults(run=run_bench)


def backend_names(values: list[str] | None) -> list[str]:
    """``--backend a --backend b,c`` → ``[a, b, c]``; keywords when none is named."""
    names = [name.strip() for value in (values or ["keywords"]) for name in value.split(",") if name.strip()]
    if not names:
        raise HighlightsError("name at least one back end", "--backend")
    return list(dict.fromkeys(names))


def bench_command(args: argparse.Namespace, backend: str) -> str:
    """The command that reproduces one back end's row (stored with its result)."""
    parts = ["highlights bench", f"--backend {backend}", f"--split {args.split}"]
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
    from evaluation.results_io import write_results
    from evaluation.results_md import save_result, write_results_md
    from evaluation.runner import TRAINABLE, run_backend, score_run

    backends = backend_names(args.backend)
    matches = [m for m in load_from_args(args).matches if m.has_labels]
    if not matches:
        raise HighlightsError(f"no labelled games of the {args.split} split in this data folder", "--data")
    extra = _extra_training(args, matches) if any(b in TRAINABLE for b in backends) else []
    table = TextTable(
        f"{len(matches)} {args.split} games",
        (
            Column("back end", text=True),
            Column("loose a-mAP %", 2),
            Column("tight a-mAP %", 2),
            Column("interval F1", 3),
            Column("Goal R", 2),
            Column("Goal P", 2),
            Column("games no goal found"),
            Column("seconds", 0),
        ),
    )
    for backend in backends:
        run = run_backend(backend, matches, args.folds, extra if backend in TRAINABLE else ())
        if run.failed:  # scored, and said: those chunks count as predicting nothing
            chunks = sum(len(c) for c in run.failed.values())
            print(
                f"WARNING: {backend}: {chunks} chunks of {len(run.failed)} games got no reply; "
                "they are scored as predicting nothing (failed_chunks in the result)",
                file=sys.stderr,
            )
        if args.predictions:
            write_results(args.predictions / backend, run.predictions, [m.id for m in matches])
        result = score_run(run, matches, bench_command(args, backend), args.split)
        save_result(args.results_dir, result)
        overall, answers = result["overall"], result["answers"]
        goal = answers["per_class"]["Goal"]
        table.add(
            backend,
            overall["loose"],
            overall["tight"],
            overall["interval"]["f1"],
            goal["recall"],
            goal["precision"],
            f"{answers['games_goals_unfound']} of {answers['games_with_goals']}",
            run.seconds,
        )
    path = write_results_md(args.out, args.results_dir, args.split)
    table.notes.append(f"wrote {path}")
    show(table, args.format)
    return 0
