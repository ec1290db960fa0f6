"""What ``pip`` would install for this project in a clean virtual environment, with the ordinary
index only (``pip --isolated``: no pip config, no environment variables): which torch, and how many
nvidia/CUDA packages come with it. Nothing is installed (``--dry-run --report``).

    python benchmarks/check_install.py                       # plain `pip install -e .` and the README's command
    python benchmarks/check_install.py --cpu-wheels /opt/wheels   # + a folder holding torch-*+cpu wheels

The README's command (``-r requirements.txt``) reads PyTorch's CPU index and pins torch's +cpu build on
Linux, so where that index cannot be reached it stops with an error rather than take PyPI's CUDA
build; ``--cpu-wheels DIR`` stands in for the index (the same +cpu wheel beside PyPI's, the same
choice for pip to make). Writes ``benchmarks/results/install.json``.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from index.atomic import atomic_write_text  # noqa: E402

CUDA_PREFIXES = ("nvidia", "cuda", "triton")


def dry_run(python: Path, extra: list[str], report: Path) -> dict:
    command = [str(python), "-m", "pip", "install", "--isolated", "--dry-run", "--ignore-installed", "--retries", "1",
               "--disable-pip-version-check"]  # fmt: skip
    command += ["--report", str(report), *extra, "-e", str(ROOT)]
    done = subprocess.run(command, capture_output=True, text=True, cwd=ROOT)
    if done.returncode != 0:
        lines = done.stderr.strip().splitlines()
        errors = [line for line in lines if line.startswith("ERROR")] or lines[-1:]
        return {"command": " ".join(command[1:]), "ok": False, "error": errors}
    installs = json.loads(report.read_text())["install"]
    names = {i["metadata"]["name"].lower(): i for i in installs}
    torch = names.get("torch")
    return {
        "command": " ".join(command[1:]),
        "ok": True,
        "packages": len(installs),
        "torch": torch["metadata"]["version"] if torch else None,
        "torch_from": torch["download_info"]["url"].split("/")[2] or "file" if torch else None,
        "cuda_packages": sorted(n for n in names if n.startswith(CUDA_PREFIXES)),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cpu-wheels", type=Path, help="a folder of torch +cpu wheels, standing in for the CPU index")
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results" / "install.json")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="check-install-") as scratch:
        folder = Path(scratch)
        venv.create(folder / "venv", with_pip=True)
        python = folder / "venv" / "bin" / "python"
        runs = {
            "pip install -e .": dry_run(python, [], folder / "plain.json"),
            "pip install -r requirements.txt -e . (the README)": dry_run(
                python, ["-r", str(ROOT / "requirements.txt")], folder / "readme.json"
            ),
        }
        if args.cpu_wheels:
            runs[f"the README's, --find-links {args.cpu_wheels} for the CPU index"] = dry_run(
                python,
                ["-r", str(ROOT / "requirements.txt"), "--find-links", str(args.cpu_wheels)],
                folder / "cpu.json",
            )
    print(f"{'command':<70} {'ok':>3} {'packages':>8} {'torch':>12} {'CUDA packages':>13}")
    for name, run in runs.items():
        if run["ok"]:
            print(f"{name:<70} {'yes':>3} {run['packages']:>8} {run['torch']:>12} {len(run['cuda_packages']):>13}")
        else:
            print(f"{name:<70} {'no':>3}  {' '.join(run['error'])[:120]}")
    atomic_write_text(args.out, json.dumps(runs, indent=1) + "\n")
    print(f"wrote {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
