"""Options shared by several sub-commands, so every command finds data the same way."""

from __future__ import annotations

import argparse
from collections.abc import Callable, Sequence
from typing import Any

from index.corpus import DATA_ENV
from index.echoes import DEFAULT_VERSION, ECHOES_VERSIONS, TextChoice


def add_data_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--data",
        metavar="DIR",
        help=f"data folder laid out like SoccerNet + Echoes (default: ${DATA_ENV}, else the shipped sample)",
    )
    parser.add_argument("--echoes-version", default=DEFAULT_VERSION, choices=ECHOES_VERSIONS, help="Whisper version")
    parser.add_argument(
        "--text",
        default=TextChoice.ORIGINAL.value,
        choices=[c.value for c in TextChoice],
        help="commentary text per half: original language, English translation where one exists, both, "
        "or all (both and the second transcription, whisper_v3)",
    )
    parser.add_argument("--strict", action="store_true", help="stop at the first bad game instead of skipping it")
    parser.add_argument("--no-cache", action="store_true", help="read every file again instead of the corpus cache")


class DeferredParser(argparse.ArgumentParser):
    """A sub-command's parser built only when that sub-command is parsed (``build(kwargs)``), so
    building the whole command line (``highlights --help``) never imports what only it needs. Use as
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
