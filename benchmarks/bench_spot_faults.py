"""Fault benchmark: kill ``highlights spot`` at random points and check that nothing is torn.

A prediction folder holds a complete earlier run (the keyword back end). A new run (the vllm back
end against a fake OpenAI-compatible endpoint on 127.0.0.1, tests/fake_openai.py, answering a
corner per chunk) is started into it and SIGKILLed after a random delay, uniform over the length
of an uninterrupted run. After each kill, every game's two files must be the old run's or the new
run's, byte for byte (each compared with a reference copy), and ``highlights evaluate --json``
must name the same games as the old run's, the new run's or torn; then the same command again
must resume (skipping the games already written) and finish with the new run's files everywhere.

    PYTHONPATH=. python benchmarks/bench_spot_faults.py [--data ../shared/data --split valid] [--kills 20]

Prints a table and writes benchmarks/results/spot_faults.json.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from rich.console import Console
from rich.table import Table

from evaluation.run_manifest import folder_state
from index.atomic import atomic_write_text

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(REPO / "tests"))
from fake_openai import FakeOpenAI, Reply, Request  # noqa: E402

FILES = ("intervals.json", "results_spotting.json")
CHUNK = re.compile(r"Commentary from (\d+):(\d\d) to")


def corner(delay_s: float):
    def reply(request: Request) -> Reply:
        minutes, seconds = CHUNK.search(request.body["messages"][-1]["content"]).groups()
        start = int(minutes) * 60 + int(seconds)
        actions = [{"label": "Corner", "start": f"{(start + 10) // 60}:{(start + 10) % 60:02d}",
                    "end": f"{(start + 20) // 60}:{(start + 20) % 60:02d}"}]  # fmt: skip
        return Reply(content=json.dumps({"actions": actions}), delay=delay_s)

    return reply


def cli(*args: str) -> list[str]:
    return [sys.executable, "-m", "ui.cli", *args]


def hashes(folder: Path) -> dict[str, tuple[str | None, ...]]:
    """game -> the SHA-256 of each of its files (None: absent)."""
    games = {p.parent.relative_to(folder).as_posix() for name in FILES for p in folder.glob(f"*/*/*/{name}")}

    def digest(path: Path) -> str | None:
        return hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else None

    return {game: tuple(digest(folder / game / name) for name in FILES) for game in sorted(games)}


def classify(found: dict, old: dict, new: dict) -> dict[str, str]:
    """game -> old, new, torn (one file of each) or other (anything else: empty, partial, missing);
    ``same``: both runs write the same bytes for this game (no spots in either), so either is right."""
    kinds = {}
    for game in sorted(set(old) | set(new)):
        files = found.get(game, (None, None))
        if old.get(game) == new.get(game) and files == old.get(game):
            kinds[game] = "same"
        elif files == old.get(game):
            kinds[game] = "old"
        elif files == new.get(game):
            kinds[game] = "new"
        elif all(f in (old.get(game, ())[i : i + 1] + new.get(game, ())[i : i + 1]) for i, f in enumerate(files)):
            kinds[game] = "torn"
        else:
            kinds[game] = "other"
    return kinds


def evaluate_says(folder: Path, common: list[str], env: dict, runs: dict[str, str]) -> tuple[dict[str, str], str]:
    """game -> old/new/torn as ``highlights evaluate --json`` reports it (``runs``: run id -> old or
    new), and its verdict."""
    out = folder.parent / f"{folder.name}-evaluate.json"
    subprocess.run(cli("evaluate", str(folder), *common, "--allow-incomplete", "--json", str(out)), env=env,
                   cwd=REPO, check=True, capture_output=True)  # fmt: skip
    run = json.loads(out.read_text())["run"]
    said = {game: "torn" for game in run["changed"]}
    for owner, games in run["games_by_run"].items():
        said |= {game: runs.get(owner, "an unknown run") for game in games}
    return said, run["verdict"]


def run_id(folder: Path) -> str:
    return json.loads((folder / "run_manifest.json").read_text())["current"]


class Bench:
    """The fixed parts of every trial: commands, environment, the two reference runs."""

    def __init__(self, args: argparse.Namespace, work: Path, base_url: str) -> None:
        self.work = work
        self.env = os.environ | {"PYTHONPATH": str(REPO), "HIGHLIGHTS_CACHE": str(work / "cache")}
        self.env.pop("OPENAI_BASE_URL", None)
        common = [*(["--data", str(args.data)] if args.data else []), *(["--split", args.split] if args.split else [])]
        self.evaluated = [*(["--labels", str(args.data)] if args.data else []), *common[2 if args.data else 0 :]]
        self.new_run = cli("spot", "--backend", "vllm", "--base-url", base_url, *common,
                           "--option", "use_cache=false", "--option", "progress=false")  # fmt: skip
        self.run(cli("spot", "--backend", "keywords", *common, str(work / "old")), check=True)
        started = time.perf_counter()
        self.run([*self.new_run, str(work / "new")], check=True)
        self.full_s = time.perf_counter() - started
        self.old, self.new = hashes(work / "old"), hashes(work / "new")
        assert set(self.old) == set(self.new), "both runs must write the same games"
        self.runs = {run_id(work / "old"): "old", run_id(work / "new"): "new"}
        self.new_id = run_id(work / "new")

    def run(self, command: list[str], check: bool = False) -> subprocess.CompletedProcess:
        return subprocess.run(command, env=self.env, cwd=REPO, capture_output=True, text=True, check=check)

    def trial(self, number: int, delay: float) -> dict:
        """Kill a new run into a copy of the old one after ``delay`` s; check; resume; check again."""
        folder = self.work / f"trial-{number}"
        shutil.copytree(self.work / "old", folder)
        process = subprocess.Popen([*self.new_run, str(folder)], env=self.env, cwd=REPO, start_new_session=True,
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
        try:
            process.wait(timeout=delay)
            killed = False
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
            killed = True
        truth = classify(hashes(folder), self.old, self.new)
        said, verdict = evaluate_says(folder, self.evaluated, self.env, self.runs)
        written_by_new = len(folder_state(folder).by_run.get(self.new_id, []))  # what a resume may skip
        started = time.perf_counter()
        resumed = self.run([*self.new_run, str(folder)])
        resume_s = time.perf_counter() - started
        skipped = re.search(r"(\d+) already done by this run", resumed.stderr)
        final = classify(hashes(folder), self.old, self.new)
        shutil.rmtree(folder)
        return {
            "trial": number,
            "kill_after_s": round(delay, 2),
            "killed": killed,
            **{kind: sum(k == kind for k in truth.values()) for kind in KINDS},
            "evaluate_verdict": verdict,
            "evaluate_named": sum(game in said for game in truth),
            "evaluate_right": all(said[g] == kind for g, kind in truth.items() if g in said and kind != "same"),
            "resume_rc": resumed.returncode,
            "resume_skipped": int(skipped[1]) if skipped else None,
            "resume_skipped_right": bool(skipped) and int(skipped[1]) == written_by_new,
            "resume_s": round(resume_s, 1),
            "all_new_after_resume": all(k in ("new", "same") for k in final.values()),
        }


KINDS = ("old", "new", "same", "torn", "other")
COLUMNS = {"trial": "trial", "kill_after_s": "kill s", "old": "old", "new": "new", "same": "same", "torn": "torn",
           "other": "other", "evaluate_verdict": "evaluate says", "evaluate_right": "right",
           "resume_skipped": "resume skips", "resume_rc": "rc", "all_new_after_resume": "all new"}  # fmt: skip


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, help="data folder (default: the shipped sample)")
    parser.add_argument("--split", help="only this split's games (evaluate scores its labelled ones)")
    parser.add_argument("--kills", type=int, default=20)
    parser.add_argument("--delay", type=float, default=0.002, help="the fake endpoint's seconds per reply")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, default=HERE / "results" / "spot_faults.json")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="spot-faults-"))
    rng = random.Random(args.seed)
    console = Console(width=140)  # the whole table in a log file too
    with FakeOpenAI(responder=corner(args.delay)) as server:
        bench = Bench(args, work, server.base_url)
        same = sum(bench.old[g] == bench.new[g] for g in bench.old)
        console.print(f"{len(bench.old)} games ({same} alike in both runs); a whole new run takes {bench.full_s:.1f} s")
        rows = [bench.trial(number, rng.uniform(0, bench.full_s)) for number in range(args.kills)]
    shutil.rmtree(work, ignore_errors=True)
    table = Table(title=f"highlights spot killed at random, {len(bench.old)} games, {bench.full_s:.1f} s a run")
    for header in COLUMNS.values():
        table.add_column(header, justify="right")
    for row in rows:
        table.add_row(*(str(row[c]) for c in COLUMNS))
    console.print(table)
    checks = {
        "every_file_old_or_new": all(r["other"] == 0 for r in rows),
        "evaluate_always_right": all(r["evaluate_right"] for r in rows),
        "resume_skips_exactly_the_written_games": all(r["resume_skipped_right"] for r in rows),
        "every_resume_finishes_with_the_new_run": all(r["resume_rc"] == 0 and r["all_new_after_resume"] for r in rows),
    }
    summary = {
        "command": "PYTHONPATH=. python benchmarks/bench_spot_faults.py " + " ".join(sys.argv[1:]),
        "games": len(bench.old),
        "games_alike_in_both_runs": same,
        "full_run_s": round(bench.full_s, 1),
        "kills": sum(r["killed"] for r in rows),
        "torn_pairs": sum(r["torn"] for r in rows),
        **checks,
        "trials": rows,
    }
    atomic_write_text(args.out, json.dumps(summary, indent=1) + "\n")
    for check, passed in checks.items():
        console.print(f"{check}: {passed}")
    console.print(f"wrote {args.out}")
    return 0 if all(checks.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
