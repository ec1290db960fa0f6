"""``highlights spot``: run any spotting back end over matches and write predictions in the
evaluation's formats (``results_spotting.json`` + ``intervals.json`` per game), each game as it is
spotted, with the run manifest; exit status 1 when any chunk got no reply (the games are named).
The same command again resumes (``evaluation.spot_run``)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from index.errors import HighlightsError
from index.settings import API_KEY_ENV, BASE_URL_ENV
from spotting.llm.cache import default_cache_dir
from spotting.registry import SPOTTER_TEXT

from .options import add_backend_option, add_data_options, add_split_option, load_from_args

if TYPE_CHECKING:
    from evaluation.run_manifest import RunSettings


def register(commands: argparse._SubParsersAction) -> None:
    spot = commands.add_parser("spot", help="spot actions with a back end and write prediction files")
    add_data_options(spot, text=SPOTTER_TEXT)
    add_backend_option(spot)
    add_split_option(spot)
    spot.add_argument("--match", action="append", metavar="ID", help="only this game (id or part of it); repeatable")
    spot.add_argument(
        "--option",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="an option for the back end's factory, e.g. model_dir=DIR for embedded; repeatable",
    )
    spot.add_argument("--restart", action="store_true", help="spot every game again, even those this run already wrote")
    spot.add_argument("out_dir", type=Path, metavar="OUT_DIR", help="folder to write LEAGUE/SEASON/GAME/*.json into")
    add_llm_options(spot)
    spot.set_defaults(run=run_spot)


# LLM back ends (openai, vllm, transformers; docs/llm.md): set flags become factory options.
LLM_OPTIONS = ("model", "base_url", "api_key_env", "variant", "concurrency", "cache_dir", "adapter")


def add_llm_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("LLM back ends (openai, vllm, transformers)")
    group.add_argument("--model", help="model name (vLLM + LoRA: the adapter's --lora-modules name) or local path")
    group.add_argument("--base-url", help=f"OpenAI-compatible endpoint (default: ${BASE_URL_ENV}, else the back end's)")
    group.add_argument("--api-key-env", metavar="VAR", help=f"variable holding the API key (default: {API_KEY_ENV})")
    group.add_argument("--variant", help="prompt variant: zero-shot (default) or few-shot")
    group.add_argument("--concurrency", type=int, help="requests in flight at once (default: the back end's)")
    group.add_argument("--cache-dir", type=Path, help=f"reply cache (default: {default_cache_dir()})")
    group.add_argument("--adapter", help="peft LoRA adapter folder (transformers back end)")


def llm_options(args: argparse.Namespace) -> dict:
    return {name: getattr(args, name) for name in LLM_OPTIONS if getattr(args, name, None) is not None}


def parse_options(pairs: list[str]) -> dict[str, str]:
    options = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise HighlightsError(f"expected KEY=VALUE, got {pair!r}", "--option")
        options[key.strip()] = value
    return options


def select_matches(matches: list, wanted: list[str] | None) -> list:
    if not wanted:
        return matches
    chosen = []
    for name in wanted:
        found = [m for m in matches if m.id == name] or [m for m in matches if name.lower() in m.id.lower()]
        if not found:
            raise HighlightsError(f"no match {name!r} in this data folder", "--match")
        if len(found) > 1:
            raise HighlightsError(f"{name!r} names {len(found)} matches; give more of the id", "--match")
        chosen.extend(m for m in found if m not in chosen)
    return chosen


def run_settings(args: argparse.Namespace, options: dict, spotter: object) -> RunSettings:
    """What decides this run's output: the same settings again are the same run (and resume)."""
    from evaluation.run_manifest import RunSettings
    from index.corpus import resolve_data_root

    model = getattr(spotter, "model", None)  # an LLM back end's model name, its default included
    return RunSettings(
        backend=args.backend,
        model=str(options.get("model") or (model if isinstance(model, str) else "")),
        options={key: str(value) for key, value in sorted(options.items()) if key != "model"},
        data=str(resolve_data_root(args.data).resolve()),
        text=args.text,
        echoes_version=args.echoes_version,
    )


def run_spot(args: argparse.Namespace) -> int:
    from evaluation.spot_run import report_lines, spot_into
    from spotting.registry import make_spotter

    options = llm_options(args) | parse_options(args.option)
    spotter = make_spotter(args.backend, **options)
    matches = select_matches(load_from_args(args).matches, args.match)
    if not matches:
        raise HighlightsError("no matches to spot", "--data")
    try:
        report = spot_into(args.out_dir, spotter, matches, run_settings(args, options, spotter), args.restart)
    finally:
        if hasattr(spotter, "report"):  # LLM back ends: requests, tokens, cost
            spotter.report()
    print("\n".join(report_lines(report)), file=sys.stderr)
    return 0 if report.complete else 1
