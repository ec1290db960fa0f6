"""Fixtures shared by the test modules: where the data is."""

from __future__ import annotations

from pathlib import Path

import pytest

from index.corpus import SAMPLE_ROOT

REPO = Path(__file__).resolve().parents[1]
SHARED_DATA = REPO.parent / "shared" / "data"


@pytest.fixture(scope="session")
def sample_root() -> Path:
    """The small real sample shipped in the package (5 games)."""
    return SAMPLE_ROOT


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The full real corpus beside the repository; tests that need it skip where it is absent."""
    if not (SHARED_DATA / "echoes").is_dir() or not (SHARED_DATA / "soccernet").is_dir():
        pytest.skip(f"full data not found at {SHARED_DATA} (only the shipped sample is available)")
    return SHARED_DATA


@pytest.fixture(scope="session")
def tiny_whisper_model(tmp_path_factory) -> Path:
    """A tiny random-weight Whisper in faster-whisper's format (tests/tiny_whisper.py), built once."""
    pytest.importorskip("faster_whisper", reason="the asr extra (faster-whisper) is not installed")
    from tiny_whisper import tiny_whisper

    return tiny_whisper(tmp_path_factory.mktemp("tiny-whisper"))
