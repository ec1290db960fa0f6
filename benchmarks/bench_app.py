"""The app under load: N simulated users at once, each a 3-turn conversation through gradio_client.

Starts the Space entry (``python app.py``, port from ``GRADIO_SERVER_PORT``) as its own process on
127.0.0.1 and measures: start-up (process start to the page answering), the first answer after
start-up, then N users in parallel (one ``Client`` each, so one server session each): every turn
answered, none lost, p50/p95 latency per turn, and the server's peak RSS (VmHWM, Linux). Run:

    python benchmarks/bench_app.py                      # 20 users, the shipped sample
    python benchmarks/bench_app.py --users 50 --data ../shared/data

Prints a table and writes benchmarks/results/app.json (or --out).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(REPO))

from gradio_client import Client  # noqa: E402
from rich.console import Console  # noqa: E402
from rich.table import Table  # noqa: E402

from index.atomic import atomic_write_text  # noqa: E402
from index.corpus import load_corpus, resolve_data_root  # noqa: E402

TURNS = ("all the goals in {match}", "only the second half", "and the corners?")
START_TIMEOUT_S = 180
CONNECT_TIMEOUT_S = 60.0


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def peak_rss_mb(pid: int) -> float:
    """The process's peak resident set (VmHWM) in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def cpu_seconds(pid: int) -> float:
    """User + system CPU time the process has used: start-up cost without the waits for a busy machine."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def wait_until_up(url: str, server: subprocess.Popen) -> float:
    started = time.perf_counter()
    while time.perf_counter() - started < START_TIMEOUT_S:
        if server.poll() is not None:
            raise SystemExit(f"the server exited with status {server.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2) as reply:
                if reply.status == 200:
                    return time.perf_counter()
        except OSError:
            time.sleep(0.1)
    raise SystemExit(f"the server did not answer within {START_TIMEOUT_S} s")


def conversation(url: str, match_name: str, **panel: str) -> list[tuple[float, bool, str]]:
    """One user's three turns: (seconds, answered with intervals, error text) each; ``panel``: the back
    end settings ``/ask`` takes (``backend``, ``base_url``, ``model``), the embedded one by default."""
    try:  # a browser waits for the page longer than httpx's 5-s default, and so does this user
        client = Client(url, verbose=False, httpx_kwargs={"timeout": CONNECT_TIMEOUT_S})
    except Exception as error:  # a user who never got the page: every turn lost
        return [(0.0, False, f"could not connect: {str(error)[:200]}")] * len(TURNS)
    turns = []
    for template in TURNS:
        started = time.perf_counter()
        try:
            result = client.predict(template.format(match=match_name), **panel, api_name="/ask")
            turns.append((time.perf_counter() - started, isinstance(result.get("intervals"), list), ""))
        except Exception as error:  # a lost or failed turn is what we count
            turns.append((time.perf_counter() - started, False, str(error)[:200]))
    return turns


def match_names(root: Path) -> list[str]:
    """How a user names each match of the corpus in a question."""
    return [f"{m.home} {m.away} {m.date.isoformat()}" for m in load_corpus(root).matches]


@contextmanager
def serving(root: Path, env: dict[str, str] | None = None) -> Iterator[tuple[str, subprocess.Popen, float]]:
    """The Space entry serving ``root`` on a free port (``env`` added to this environment): its URL, the
    process, and the seconds from launch to the page answering."""
    port = free_port()
    url = f"http://127.0.0.1:{port}/"
    server_env = {
        **os.environ,
        "GRADIO_SERVER_PORT": str(port),
        "GRADIO_SERVER_NAME": "127.0.0.1",
        "HIGHLIGHTS_DATA": str(root),
        **(env or {}),
    }
    launched = time.perf_counter()
    server = subprocess.Popen([sys.executable, "app.py"], cwd=REPO, env=server_env, stdout=subprocess.DEVNULL)
    try:
        yield url, server, wait_until_up(url, server) - launched
    finally:
        server.terminate()
        server.wait(timeout=30)


def run_users(url: str, names: list[str], **panel: str) -> tuple[list[list[tuple[float, bool, str]]], float]:
    """Every user of ``names`` (one each) at once, through its own client: their turns, and the wall time."""
    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=max(1, len(names))) as pool:
        results = list(pool.map(lambda name: conversation(url, name, **panel), names))
    return results, time.perf_counter() - started


def turn_rows(results: list[list[tuple[float, bool, str]]]) -> list[dict]:
    """p50/p95/max seconds of each turn over all users."""
    rows = []
    for t, question in enumerate(TURNS):
        seconds = [user[t][0] for user in results]
        rows.append({
            "turn": t + 1,
            "question": question,
            "p50_s": round(statistics.median(seconds), 3),
            "p95_s": round(percentile(seconds, 0.95), 3),
            "max_s": round(max(seconds), 3),
        })  # fmt: skip
    return rows


def outcome(results: list[list[tuple[float, bool, str]]]) -> dict:
    """Turns answered, lost, and the distinct errors."""
    answered = sum(ok for user in results for _, ok, _ in user)
    errors = sorted({error for user in results for _, _, error in user if error})
    return {"answered": answered, "lost": sum(len(user) for user in results) - answered, "errors": errors}


def turn_table(title: str, rows: list[dict]) -> Table:
    table = Table(title=title)
    for column in ("turn", "p50 s", "p95 s", "max s"):
        table.add_column(column, justify="right" if column != "turn" else "left")
    for row in rows:
        table.add_row(
            f"{row['turn']}. {row['question']}", f"{row['p50_s']:.3f}", f"{row['p95_s']:.3f}", f"{row['max_s']:.3f}"
        )
    return table


def machine(load_before: float) -> dict:
    return {
        "cpus": os.cpu_count(),
        "load_average_1min_before": round(load_before, 2),
        "python": platform.python_version(),
        "platform": platform.platform(),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--data", help="data folder (default: $HIGHLIGHTS_DATA, else the shipped sample)")
    parser.add_argument("--out", type=Path, default=HERE / "results" / "app.json")
    args = parser.parse_args()

    root = resolve_data_root(args.data)
    matches = match_names(root)
    load_before = os.getloadavg()[0]  # other work on the machine slows start-up and latency alike
    with serving(root) as (url, server, startup_s):
        startup_cpu_s = cpu_seconds(server.pid)
        client = Client(url, verbose=False)
        first = time.perf_counter()
        client.predict(TURNS[0].format(match=matches[0]), api_name="/ask")
        first_answer_s = time.perf_counter() - first
        results, wall_s = run_users(url, [matches[i % len(matches)] for i in range(args.users)])
        rss_mb = peak_rss_mb(server.pid)

    counted = outcome(results)
    report = {
        "users": args.users,
        "turns_per_user": len(TURNS),
        "matches": len(matches),
        "data": str(root),
        "startup_s": round(startup_s, 2),
        "startup_cpu_s": round(startup_cpu_s, 2),
        "first_answer_s": round(first_answer_s, 3),
        **counted,
        "wall_s": round(wall_s, 2),
        "turns": turn_rows(results),
        "server_peak_rss_mb": round(rss_mb, 1),
        "machine": machine(load_before),
    }
    console = Console()
    title = f"{args.users} users × {len(TURNS)} turns on {len(matches)} matches (127.0.0.1)"
    console.print(turn_table(title, report["turns"]))
    console.print(
        f"answered {counted['answered']}/{args.users * len(TURNS)}, lost {counted['lost']}; "
        f"start-up {startup_s:.1f} s ({startup_cpu_s:.1f} s of CPU); "
        f"first answer {first_answer_s:.2f} s; server peak RSS {rss_mb:.0f} MB; wall {wall_s:.1f} s; "
        f"load average before {load_before:.1f} on {os.cpu_count()} CPUs"
    )
    for error in counted["errors"]:
        console.print(f"[red]error:[/red] {error}")
    atomic_write_text(args.out, json.dumps(report, indent=2) + "\n")
    return 0 if counted["lost"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
