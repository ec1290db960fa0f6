"""The parts of the docs that a command can write, written by running it, so they cannot go stale.

A generated block in a Markdown file sits between two markers::

    <!-- generated: NAME (python docs/generate.py; do not edit by hand) -->
    ...
    <!-- end generated: NAME -->

and ``BLOCKS`` says what writes each: the real commands on the shipped sample (``highlights ask``,
``highlights spot`` + ``highlights evaluate``), ``highlights --help``, the settings module, the
stored CLI benchmark. ``python docs/generate.py`` rewrites every block; ``--check`` only says which
are out of date (exit 1); ``--only NAME`` does one. ``tests/test_docs.py`` checks the fast ones.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import re
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from index.atomic import atomic_write_text  # noqa: E402

START = "<!-- generated: {name} (python docs/generate.py; do not edit by hand) -->"
END = "<!-- end generated: {name} -->"
ASK = ("Give me all the goals", "Chelsea 2 - 2 Watford")


def _cli(*argv: str) -> str:
    """What ``highlights ARGV`` prints on stdout, run in this process on the shipped sample."""
    from ui.cli import main

    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(io.StringIO()):
        code = main(list(argv))
    if code:
        raise SystemExit(f"highlights {' '.join(argv)} exited {code}")
    return out.getvalue()


def ask_example() -> str:
    """``highlights ask`` on the shipped sample, and where the labels put the same moments."""
    from index.clock import clock
    from index.corpus import SAMPLE_ROOT, load_corpus
    from tools.toolbox import Toolbox

    question, match = ASK
    answer = _cli("ask", question, "--match", match, "--data", str(SAMPLE_ROOT))
    found = Toolbox(load_corpus(SAMPLE_ROOT), spotter=None).resolve_match(match)
    goals = [e for e in found.all_events() if e.label == "Goal"]
    where = ", ".join(f"{clock(e.seconds)} (half {e.half})" for e in goals)
    return (
        f'```\n$ highlights ask "{question}" --match "{match}"\n{answer.rstrip()}\n```\n\n'
        f"(The labels of this match have {len(goals)} goals, at {where}: the answer is the spotter's, "
        "from the commentary, never the labels'.)"
    )


def in_sample() -> str:
    """``highlights spot`` then ``highlights evaluate`` on the sample's labelled valid games."""
    from index.corpus import SAMPLE_ROOT

    rows = []
    with tempfile.TemporaryDirectory(prefix="docs-") as scratch:
        for backend, about in (
            ("embedded", "in-sample: the shipped model learned from these games (all 100 valid games)"),
            ("keywords", "no training: hand-set words, the same on any game"),
        ):
            out = Path(scratch) / backend
            _cli("spot", "--backend", backend, "--split", "valid", "--data", str(SAMPLE_ROOT), str(out))
            table = json.loads(_cli("evaluate", str(out), "--split", "valid", "--format", "json", "--no-cache"))
            total = table["rows"][-1]
            rows.append(
                f"| {backend} | {table['title'].rsplit(': ', 1)[1]} | {total['loose a-mAP %']:.2f} | "
                f"{total['tight a-mAP %']:.2f} | {total['P']:.3f} / {total['R']:.3f} / {total['F1']:.3f} | {about} |"
            )
    return "\n".join(
        [
            "```bash",
            "highlights spot --backend embedded --split valid OUT_DIR   # the shipped sample: 4 labelled valid games",
            "highlights evaluate OUT_DIR --split valid",
            "```",
            "",
            "| back end | games | loose a-mAP % | tight a-mAP % | interval P / R / F1 (no cut-off) "
            "| what the numbers are |",
            "|---|---:|---:|---:|---:|---|",
            *rows,
        ]
    )


def cli_help() -> str:
    return f"```\n$ highlights --help\n{_cli_help_text().rstrip()}\n```"


def _cli_help_text() -> str:
    from ui.cli import build_parser

    parser = build_parser()
    parser.formatter_class = lambda prog: argparse.HelpFormatter(prog, width=100)
    return parser.format_help()


def settings_table() -> str:
    """Every constant of ``index/settings.py`` with its value and the comment that gives its reason."""
    import index.settings as settings

    rows, comment = [], []
    for line in Path(settings.__file__).read_text(encoding="utf-8").splitlines():
        stripped = line.strip()
        if stripped.startswith("# --"):
            comment = []
        elif stripped.startswith("#"):
            comment.append(stripped.lstrip("# "))
        elif found := re.match(r"([A-Z][A-Z0-9_]*)(?:: [^=]+)? = .*?(?:  # (.*))?$", line):
            name, reason = found[1], found[2] or " ".join(comment)
            value = getattr(settings, name)
            shown = f"`${value}`" if name.endswith("_ENV") else f"`{value!r}`"
            rows.append(f"| `{name}` | {shown} | {reason.replace('|', '/')} |")
        elif not stripped:
            comment = []
    return "\n".join(["| setting | value | why |", "|---|---|---|", *rows])


def cli_timings() -> str:
    """The stored run of ``benchmarks/bench_cli.py``."""
    run = json.loads((ROOT / "benchmarks" / "results" / "cli.json").read_text(encoding="utf-8"))
    ratios, measured = run["ratios"], run["measured"]
    lines = ["| command | runs | mean s | ± sd |", "|---|---:|---:|---:|"]
    lines += [f"| {name} | {m['runs']} | {m['mean_s']:.3f} | {m['sd_s']:.3f} |" for name, m in measured.items()]
    lines += [
        "",
        f"`highlights --help` takes {ratios['help_vs_python']:.1f}× a bare Python start (target ≤ 5×); "
        f"`highlights evaluate` on the 100 valid games is {ratios['official_vs_evaluate']:.1f}× faster than the "
        f"official tool computing the same two average-mAPs ({ratios['official_loose_vs_evaluate']:.1f}× against "
        f"its loose one alone; target ≥ 10×). Timed with {run['timer']} on {run['machine']}.",
    ]
    return "\n".join(lines)


# name -> (file, writer, fast enough for the test suite)
BLOCKS: dict[str, tuple[str, Callable[[], str], bool]] = {
    "ask-goals": ("docs/assistant.md", ask_example, False),
    "in-sample": ("README.md", in_sample, False),
    "cli-help": ("docs/cli.md", cli_help, True),
    "settings": ("docs/cli.md", settings_table, True),
    "cli-timings": ("docs/cli.md", cli_timings, True),
}


def block_pattern(name: str) -> re.Pattern[str]:
    return re.compile(re.escape(START.format(name=name)) + r"\n(.*?)\n?" + re.escape(END.format(name=name)), re.S)


def current(name: str) -> tuple[Path, str, str]:
    """(file, the block as it is there, the block as its writer writes it now)."""
    file, writer, _ = BLOCKS[name]
    path = ROOT / file
    found = block_pattern(name).search(path.read_text(encoding="utf-8"))
    if found is None:
        raise SystemExit(f"{file} has no generated block {name!r}")
    return path, found[1], writer().rstrip()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only say which blocks are out of date (exit 1 if any)")
    parser.add_argument("--only", action="append", choices=sorted(BLOCKS), help="this block only (repeatable)")
    args = parser.parse_args(argv)
    stale = []
    for name in args.only or BLOCKS:
        path, shown, fresh = current(name)
        if shown == fresh:
            continue
        stale.append(name)
        if not args.check:
            block = f"{START.format(name=name)}\n{fresh}\n{END.format(name=name)}"
            text = block_pattern(name).sub(lambda _, block=block: block, path.read_text(encoding="utf-8"))
            atomic_write_text(path, text)
        print(f"{'out of date' if args.check else 'rewrote'}: {name} in {path.relative_to(ROOT)}")
    return 1 if args.check and stale else 0


if __name__ == "__main__":
    sys.exit(main())
