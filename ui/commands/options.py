"""Options shared by several sub-commands, so every command names one thing one way: the corpus
options (``--data``, ``--echoes-version``, ``--text``, ``--strict``, ``--no-cache``), ``--split``
(always SoccerNet's four splits) and ``--backend``.

Building a parser imports nothing heavy: ``highlights --help`` and every command's ``--help``
answer at once. What a command needs to run is imported by the command when it runs.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from index.echoes import DEFAULT_VERSION, ECHOES_VERSIONS, TextChoice
from index.settings import DATA_ENV, DEFAULT_BACKEND, SPLITS
from spotting.registry import BACKENDS

if TYPE_CHECKING:
    from index.corpus import Corpus


def add_data_options(parser: argparse.ArgumentParser, text: TextChoice = TextChoice.ORIGINAL) -> None:
    """The corpus options; ``text``: the command's default text (shown in its help)."""
    parser.add_argument(
        "--data",
        metavar="DIR",
        help=f"data folder laid out like SoccerNet + Echoes (default: ${DATA_ENV}, else the shipped sample)",
    )
    add_text_options(parser, text)
    parser.add_argument("--strict", action="store_true", help="stop at the first bad game instead of skipping it")
    parser.add_argument("--no-cache", action="store_true", help="read every file again instead of the corpus cache")


def add_text_options(parser: argparse.ArgumentParser, text: TextChoice) -> None:
    """Which commentary: ``--echoes-version`` and ``--text`` (``text``: the command's default)."""
    parser.add_argument(
        "--echoes-version",
        default=DEFAULT_VERSION,
        choices=ECHOES_VERSIONS,
        help="Whisper version of the commentary (default: %(default)s)",
    )
    parser.add_argument(
        "--text",
        default=text.value,
        choices=[c.value for c in TextChoice],
        help="commentary text per half: original language, English translation where one exists, both, "
        "or all (both and the second transcription, whisper_v3); default: %(default)s",
    )


def add_split_option(parser: argparse.ArgumentParser, default: str | None = None, about: str = "") -> None:
    """``--split``: one of SoccerNet's splits, the same choices in every command."""
    shown = f"; default: {default}" if default else ""
    parser.add_argument(
        "--split", default=default, choices=SPLITS, help=f"only the games of this official split{about}{shown}"
    )


def add_backend_option(parser: argparse._ActionsContainer, default: str = DEFAULT_BACKEND, about: str = "") -> None:
    """``--backend``: a spotting back end by name (``spotting.registry``)."""
    parser.add_argument(
        "--backend",
        default=default,
        choices=sorted(BACKENDS),
        help=f"spotting back end{about} (default: %(default)s)",
    )


def load_from_args(args: argparse.Namespace, split: str | None = None) -> Corpus:
    """The corpus a command's ``--data/--split/--echoes-version/--text/--strict/--no-cache`` select
    (``split`` overrides ``--split``)."""
    from index.cache import cache_root
    from index.corpus import available_games, load_corpus, resolve_data_root, split_games
    from index.errors import HighlightsError

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


class DeferredParser(argparse.ArgumentParser):
    """A sub-command's parser built only when that sub-command is parsed (``build(kwargs)``), for a
    parser that a heavy library makes (``HfArgumentParser``). Use as
    ``add_subparsers(parser_class=DeferredParser)``; a sub-command given no ``build`` is a plain parser."""

    def __init__(self, *, build: Callable[[dict[str, Any]], argparse.ArgumentParser] | None = None, **kwargs: Any):
        super().__init__(**kwargs)
        self._build, self._kwargs = build, kwargs
        self._built: argparse.ArgumentParser | None = None

    def parse_known_args(
        self, args: Sequence[str] | None = None, namespace: argparse.Namespace | None = None
    ) -> tuple[argparse.Namespace, list[str]]:
        if self._build is None:
            return super().parse_known_args(args, namespace)
        if self._built is None:
            self._built = self._build(self._kwargs)
        return self._built.parse_known_args(args, namespace)
