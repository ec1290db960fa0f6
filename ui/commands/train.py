"""``highlights train``: fit the embedded spotter on every labelled game and write the model.

``--out DIR`` is required: nothing is written into the installed package unless asked
(``--out spotting/models/embedded`` rebuilds the shipped model from ``../shared/data``-like folders:
``--data DIR``, or ``--labels DIR --echoes DIR`` for a SoccerNet download beside an Echoes one).
The folder is checked for writing before training starts. Seeded: the same data and options give
the same bytes. The answer policy (``answers.json``: per-class cut-offs and calibration) comes from
cross-validation (``highlights bench``), not from training: ``--answers FILE`` copies one in
(default: the shipped model's).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

from index.echoes import TextChoice
from index.errors import HighlightsError
from spotting.embedded.config import SHIPPED, TrainConfig
from spotting.registry import SPOTTER_TEXT

from .options import add_text_options


def register(commands: argparse._SubParsersAction) -> None:
    train = commands.add_parser("train", help="train the embedded spotter on the labelled games")
    train.add_argument("--data", metavar="DIR", help="data folder with soccernet/ (labels) and echoes/ (commentary)")
    train.add_argument("--labels", metavar="DIR", help="SoccerNet folder with LEAGUE/SEASON/GAME/Labels-v2.json")
    train.add_argument("--echoes", metavar="DIR", help="SoccerNet-Echoes folder with whisper_*/LEAGUE/SEASON/GAME")
    add_text_options(train, SPOTTER_TEXT)
    train.add_argument(
        "--out", type=Path, required=True, help=f"folder to write the model to (the shipped one: {SHIPPED})"
    )
    train.add_argument(
        "--answers",
        type=Path,
        help="answer policy to ship with the model (from highlights bench; default: the shipped model's)",
    )
    train.add_argument("--seed", type=int, default=TrainConfig.seed, help="(default: %(default)s)")
    train.add_argument("--epochs", type=int, default=TrainConfig.epochs, help="(default: %(default)s)")
    train.set_defaults(run=run_train)


def labelled_games(soccernet: Path) -> list[str]:
    from index.corpus import LABELS_FILE

    return sorted(p.parent.relative_to(soccernet).as_posix() for p in soccernet.glob(f"*/*/*/{LABELS_FILE}"))


def unlabelled_games(root: Path, version: str, exclude: list[str]) -> list[str]:
    """The train split's games with commentary and no labels: the model learns from their
    commentary alone (docs/embedded.md). Never the test split, which judges the model."""
    from index.corpus import available_games, split_games

    present = set(available_games(root, version)) - set(exclude)
    return [g for g in split_games(root, "train") if g in present]


def run_train(args: argparse.Namespace) -> int:
    from index.corpus import LABELS_FILE, load_corpus, resolve_data_root
    from spotting.answers import ANSWERS_FILE, AnswerPolicy
    from spotting.embedded.training import train_model

    if args.epochs < 1:
        raise HighlightsError(f"must be at least 1, not {args.epochs}", "--epochs")
    if bool(args.labels) != bool(args.echoes):
        raise HighlightsError("give both --labels and --echoes, or --data", "--labels/--echoes")
    if args.labels and args.data:
        raise HighlightsError("give either --data or --labels with --echoes, not both", "--data")
    config = replace(TrainConfig(), seed=args.seed, epochs=args.epochs)
    if args.answers is not None and not args.answers.is_file():
        raise HighlightsError("no such answer policy file", f"--answers {args.answers}")
    answers = args.answers or SHIPPED / ANSWERS_FILE
    policy = AnswerPolicy.load(answers) if answers.is_file() else None
    check_writable(args.out)
    with tempfile.TemporaryDirectory(prefix="highlights-train-") as scratch:
        root = _joined_root(Path(args.labels), Path(args.echoes), Path(scratch)) if args.labels else None
        root = root or resolve_data_root(args.data)
        games = labelled_games(root / "soccernet")
        if not games:
            raise HighlightsError(f"no labelled games (LEAGUE/SEASON/GAME/{LABELS_FILE})", root / "soccernet")
        games += unlabelled_games(root, args.echoes_version, exclude=games)
        corpus = load_corpus(root, games, args.echoes_version, TextChoice(args.text), progress=True)
        started = time.perf_counter()
        model = train_model(corpus.matches, config, progress=True)
        seconds = time.perf_counter() - started
    model.info |= {"echoes_version": args.echoes_version, "text": args.text}
    model.save(args.out)
    if policy is not None:
        policy.save(args.out / ANSWERS_FILE)
    print(
        f"trained on {model.info['games']} labelled games and the commentary of {model.info['unlabelled_games']} "
        f"more in {seconds:.0f} s ({len(corpus.skipped)} skipped) → {args.out}",
        file=sys.stderr,
    )
    return 0


def check_writable(folder: Path) -> None:
    """Fail before an hour of training, not after it, when the model cannot be written."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=folder, prefix=".write-check-"):
            pass
    except OSError as error:
        raise HighlightsError(f"cannot write the model there: {error.strerror or error}", f"--out {folder}") from None


def _joined_root(labels: Path, echoes: Path, scratch: Path) -> Path:
    """A data folder made of links, for labels and commentary downloaded to different places."""
    for path, flag in ((labels, "--labels"), (echoes, "--echoes")):
        if not path.is_dir():
            raise HighlightsError("folder does not exist", f"{flag} {path}")
    soccernet = labels / "soccernet" if (labels / "soccernet").is_dir() else labels
    echoes = echoes / "echoes" if (echoes / "echoes").is_dir() else echoes
    (scratch / "soccernet").symlink_to(soccernet.resolve(), target_is_directory=True)
    (scratch / "echoes").symlink_to(echoes.resolve(), target_is_directory=True)
    return scratch
