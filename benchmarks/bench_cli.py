"""How fast the command line answers, in one run beside the official SoccerNet tool.

- ``highlights --help`` (and ``highlights evaluate --help``) against a bare ``python -c "import
  argparse"``: target within 5x (a command's help must not load torch, Gradio or LangChain);
- ``highlights evaluate`` end to end (a new process: imports, the 100 valid games' labels, reading
  and checking the 100 prediction folders, both average-mAPs and the interval metric, the table)
  against the official ``SoccerNet.Evaluation.ActionSpotting.evaluate`` on the same files, in a new
  process too, for the two numbers ``evaluate`` prints (loose and tight; loose alone beside it):
  target at least 10x faster.

The predictions are the keyword baseline's over the valid split, written by ``highlights spot``
(``--predictions DIR`` reuses a folder). Timed with hyperfine when it is installed (``apt-get install
hyperfine``), else with repeated subprocess runs; ``python -m ui.cli`` is what the ``highlights``
script runs, from this checkout.

    python benchmarks/bench_cli.py [--data ../shared/data] [--runs 10] [--official-runs 2]

Prints a table and writes ``benchmarks/results/cli.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from index.atomic import atomic_write_text  # noqa: E402

PYTHON = shlex.quote(sys.executable)
HIGHLIGHTS = f"{PYTHON} -m ui.cli"


def official(labels: Path, predictions: Path, metrics: tuple[str, ...]) -> str:
    code = (
        "from SoccerNet.Evaluation.ActionSpotting import evaluate\n"
        f"for metric in {metrics!r}:\n"
        f"    print(metric, evaluate({str(labels)!r}, {str(predictions)!r}, split='valid', metric=metric)['a_mAP'])"
    )
    return f"{PYTHON} -c {shlex.quote(code)}"


def timed(commands: dict[str, str], runs: dict[str, int]) -> dict[str, dict]:
    """Mean, sd, min of each command's wall time, by hyperfine when present."""
    if shutil.which("hyperfine"):
        with tempfile.NamedTemporaryFile(suffix=".json") as export:
            results = []
            for name, command in commands.items():  # one hyperfine per command: each has its own number of runs
                subprocess.run(
                    ["hyperfine", "-N", "--style", "basic", "--warmup", "1" if runs[name] > 2 else "0",
                     "--runs", str(runs[name]), "--export-json", export.name, "--command-name", name, command],
                    check=True, cwd=ROOT, stdout=subprocess.DEVNULL,
                )  # fmt: skip
                results += json.loads(Path(export.name).read_text())["results"]
        return {
            r["command"]: {"mean_s": r["mean"], "sd_s": r["stddev"] or 0.0, "min_s": r["min"], "runs": len(r["times"])}
            for r in results
        }
    measured = {}
    for name, command in commands.items():
        times = []
        for _ in range(runs[name]):
            started = time.perf_counter()
            subprocess.run(shlex.split(command), check=True, cwd=ROOT, capture_output=True)
            times.append(time.perf_counter() - started)
        sd = statistics.stdev(times) if len(times) > 1 else 0.0
        measured[name] = {"mean_s": statistics.mean(times), "sd_s": sd, "min_s": min(times), "runs": len(times)}
    return measured


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    parser.add_argument("--predictions", type=Path, help="a prediction folder of the valid split (default: spot one)")
    parser.add_argument("--runs", type=int, default=10, help="runs of each --help and of python (default: 10)")
    parser.add_argument("--evaluate-runs", type=int, default=5, help="runs of highlights evaluate (default: 5)")
    parser.add_argument("--official-runs", type=int, default=2, help="runs of the official tool (default: 2)")
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results" / "cli.json")
    args = parser.parse_args()
    data = args.data.resolve()
    with tempfile.TemporaryDirectory(prefix="bench-cli-") as scratch:
        predictions = args.predictions
        if predictions is None:
            predictions = Path(scratch) / "keywords"
            spot = f"{HIGHLIGHTS} spot --backend keywords --split valid --data {shlex.quote(str(data))} {predictions}"
            subprocess.run(shlex.split(spot), check=True, cwd=ROOT, capture_output=True)
        evaluate = f"{HIGHLIGHTS} evaluate {predictions} --labels {shlex.quote(str(data))} --split valid"
        commands = {
            'python -c "import argparse"': f"{PYTHON} -c 'import argparse'",
            "highlights --help": f"{HIGHLIGHTS} --help",
            "highlights evaluate --help": f"{HIGHLIGHTS} evaluate --help",
            "highlights evaluate (100 games)": evaluate,
            "official evaluate, loose + tight": official(data / "soccernet", predictions, ("loose", "tight")),
            "official evaluate, loose": official(data / "soccernet", predictions, ("loose",)),
        }
        runs = dict.fromkeys(commands, args.runs)
        runs["highlights evaluate (100 games)"] = args.evaluate_runs
        runs["official evaluate, loose + tight"] = runs["official evaluate, loose"] = args.official_runs
        measured = timed(commands, runs)

    python_s = measured['python -c "import argparse"']["mean_s"]
    ours_s = measured["highlights evaluate (100 games)"]["mean_s"]
    ratios = {
        "help_vs_python": measured["highlights --help"]["mean_s"] / python_s,
        "evaluate_help_vs_python": measured["highlights evaluate --help"]["mean_s"] / python_s,
        "official_vs_evaluate": measured["official evaluate, loose + tight"]["mean_s"] / ours_s,
        "official_loose_vs_evaluate": measured["official evaluate, loose"]["mean_s"] / ours_s,
    }
    print(f"{'command':<36} {'runs':>4} {'mean s':>8} {'± sd':>7} {'min s':>8}")
    for name, m in measured.items():
        print(f"{name:<36} {m['runs']:>4} {m['mean_s']:>8.3f} {m['sd_s']:>7.3f} {m['min_s']:>8.3f}")
    print(
        f"highlights --help = {ratios['help_vs_python']:.2f}x python (target <= 5x); evaluate --help "
        f"{ratios['evaluate_help_vs_python']:.2f}x; official loose + tight = {ratios['official_vs_evaluate']:.1f}x "
        f"highlights evaluate (target >= 10x; loose alone {ratios['official_loose_vs_evaluate']:.1f}x)"
    )
    report = {
        "machine": f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} at the end",
        "timer": "hyperfine" if shutil.which("hyperfine") else "subprocess",
        "commands": commands,
        "measured": measured,
        "ratios": ratios,
        "targets_met": {"help": ratios["help_vs_python"] <= 5, "evaluate": ratios["official_vs_evaluate"] >= 10},
    }
    atomic_write_text(args.out, json.dumps(report, indent=1) + "\n")
    print(f"wrote {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
