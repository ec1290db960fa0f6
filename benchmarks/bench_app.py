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
from concurrent.futures import ThreadPoolExecutor
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


def conversation(url: str, match_name: str) -> list[tuple[float, bool, str]]:
    """One user's three turns: (seconds, answered with intervals, error text) each."""
    client = Client(url, verbose=False)
    turns = []
    for template in TURNS:
        started = time.perf_counter()
        try:
            result = client.predict(template.format(match=match_name), api_name="/ask")
            turns.append((time.perf_counter() - started, isinstance(result.get("intervals"), list), ""))
        except Exception as error:  # a lost or failed turn is what we count
            turns.append((time.perf_counter() - started, False, str(error)[:200]))
    return turns


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--data", help="data folder (default: $HIGHLIGHTS_DATA, else the shipped sample)")
    parser.add_argument("--out", type=Path, default=HERE / "results" / "app.json")
    args = parser.parse_args()

    root = resolve_data_root(args.data)
    matches = [f"{m.home} {m.away} {m.date.isoformat()}" for m in load_corpus(root).matches]
    port = free_port()
    url = f"http://127.0.0.1:{port}/"
    env = {
        **os.environ,
        "GRADIO_SERVER_PORT": str(port),
        "GRADIO_SERVER_NAME": "127.0.0.1",
        "HIGHLIGHTS_DATA": str(root),
    }
    load_before = os.getloadavg()[0]  # other work on the machine slows start-up and latency alike
    launched = time.perf_counter()
    server = subprocess.Popen([sys.executable, "app.py"], cwd=REPO, env=env, stdout=subprocess.DEVNULL)
    try:
        startup_s = wait_until_up(url, server) - launched
        startup_cpu_s = cpu_seconds(server.pid)
        client = Client(url, verbose=False)
        first = time.perf_counter()
        client.predict(TURNS[0].format(match=matches[0]), api_name="/ask")
        first_answer_s = time.perf_counter() - first

        started = time.perf_counter()
        with ThreadPoolExecutor(max_workers=args.users) as pool:
            futures = [pool.submit(conversation, url, matches[i % len(matches)]) for i in range(args.users)]
            results = [future.result() for future in futures]
        wall_s = time.perf_counter() - started
        rss_mb = peak_rss_mb(server.pid)
    finally:
        server.terminate()
        server.wait(timeout=30)

    per_turn = [[user[t] for user in results] for t in range(len(TURNS))]
    answered = sum(ok for user in results for _, ok, _ in user)
    errors = sorted({error for user in results for _, ok, error in user if error})
    report = {
        "users": args.users,
        "turns_per_user": len(TURNS),
        "matches": len(matches),
        "data": str(root),
        "startup_s": round(startup_s, 2),
        "startup_cpu_s": round(startup_cpu_s, 2),
        "first_answer_s": round(first_answer_s, 3),
        "answered": answered,
        "lost": args.users * len(TURNS) - answered,
        "errors": errors,
        "wall_s": round(wall_s, 2),
        "turns": [
            {
                "turn": t + 1,
                "question": TURNS[t],
                "p50_s": round(statistics.median(s for s, _, _ in turn), 3),
                "p95_s": round(percentile([s for s, _, _ in turn], 0.95), 3),
                "max_s": round(max(s for s, _, _ in turn), 3),
            }
            for t, turn in enumerate(per_turn)
        ],
        "server_peak_rss_mb": round(rss_mb, 1),
        "machine": {
            "cpus": os.cpu_count(),
            "load_average_1min_before": round(load_before, 2),
            "python": platform.python_version(),
            "platform": platform.platform(),
        },
    }
    table = Table(title=f"{args.users} users × {len(TURNS)} turns on {len(matches)} matches (127.0.0.1)")
    for column in ("turn", "p50 s", "p95 s", "max s"):
        table.add_column(column, justify="right" if column != "turn" else "left")
    for row in report["turns"]:
        table.add_row(
            f"{row['turn']}. {row['question']}", f"{row['p50_s']:.3f}", f"{row['p95_s']:.3f}", f"{row['max_s']:.3f}"
        )
    console = Console()
    console.print(table)
    console.print(
        f"answered {answered}/{args.users * len(TURNS)}, lost {report['lost']}; "
        f"start-up {startup_s:.1f} s ({startup_cpu_s:.1f} s of CPU); "
        f"first answer {first_answer_s:.2f} s; server peak RSS {rss_mb:.0f} MB; wall {wall_s:.1f} s; "
        f"load average before {load_before:.1f} on {os.cpu_count()} CPUs"
    )
    for error in errors:
        console.print(f"[red]error:[/red] {error}")
    atomic_write_text(args.out, json.dumps(report, indent=2) + "\n")
    return 0 if report["lost"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
