"""Downloading data: resumable copies that never overwrite, and clear errors without a network.

The Echoes "remote" is a real git repository made in the test (file:// URL); the labels
endpoint is a closed port on 127.0.0.1, as unreachable as the internet is from CI.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import pytest

from index.download import copy_tree, fetch_echoes

BURNLEY_ARSENAL = "england_epl/2014-2015/2015-04-11 - 19-30 Burnley 0 - 1 Arsenal"
CLOSED_PORT_URL = "http://127.0.0.1:9"


@pytest.fixture
def echoes_remote(tmp_path, sample_root):
    """A git repository laid out like SoccerNet/sn-echoes, holding the sample's commentary."""
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    repo = tmp_path / "sn-echoes"
    shutil.copytree(sample_root / "echoes", repo / "Dataset")
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@t",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@t",
    }
    for args in (["init", "-q"], ["add", "."], ["commit", "-qm", "echoes"]):
        subprocess.run(["git", *args], cwd=repo, check=True, env=env)
    return repo.as_uri()


def highlights(*args: str, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "ui.cli", *args], capture_output=True, text=True, env={**os.environ, **env}
    )


def test_unreachable_echoes_repository_is_a_clear_error(tmp_path):
    result = highlights("data", "download", str(tmp_path / "data"), "--echoes-url", f"{CLOSED_PORT_URL}/sn-echoes.git")
    assert result.returncode == 2
    assert "git fetch failed" in result.stderr and "network" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "data" / "echoes").exists()


def test_unreachable_labels_endpoint_is_a_clear_error_after_echoes(tmp_path, echoes_remote):
    pytest.importorskip("SoccerNet.Downloader")
    target = tmp_path / "data"
    result = highlights("data", "download", str(target), "--echoes-url", echoes_remote, HF_ENDPOINT=CLOSED_PORT_URL)
    assert result.returncode == 2, result.stderr
    assert "cannot download SoccerNet labels" in result.stderr and "Traceback" not in result.stderr
    assert (target / "echoes" / "whisper_v2" / BURNLEY_ARSENAL / "1_asr.json").is_file()
    assert (target / "soccernet" / "splits" / "spotting_valid.txt").is_file()


def test_fetch_resumes_and_copy_never_overwrites_without_force(tmp_path, echoes_remote, sample_root):
    staging = tmp_path / "staging"
    dataset = fetch_echoes(staging, echoes_remote)
    again = fetch_echoes(staging, echoes_remote)  # a second run fetches into the same clone
    assert again == dataset
    target = tmp_path / "echoes"
    first = copy_tree(dataset, target)
    assert first.copied == sum(1 for p in (sample_root / "echoes").rglob("*") if p.is_file())
    edited = target / "whisper_v2" / BURNLEY_ARSENAL / "1_asr.json"
    edited.write_text('{"segments": {}}')
    second = copy_tree(dataset, target)
    assert second.copied == 0 and second.kept == [edited]
    assert second.unchanged == first.copied - 1
    assert edited.read_text() == '{"segments": {}}'
    forced = copy_tree(dataset, target, force=True)
    assert forced.copied == 1
    assert edited.read_bytes() == (dataset / "whisper_v2" / BURNLEY_ARSENAL / "1_asr.json").read_bytes()
