"""``highlights bench`` and ``highlights evaluate`` end to end on the shipped sample."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ui.cli import main


@pytest.fixture(scope="module")
def bench(sample_root: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("bench")
    code = main(
        ["bench", "--backends", "keywords", "--data", str(sample_root), "--split", "valid", "--folds", "2",
         "--results-dir", str(out / "results"), "--out", str(out / "results.md"), "--predictions", str(out / "pred")]
    )  # fmt: skip
    assert code == 0
    return out


def test_bench_writes_results_md_and_the_json_behind_it(bench: Path, sample_root: Path) -> None:
    page = (bench / "results.md").read_text()
    assert f"`highlights bench --backends keywords --split valid --data {sample_root} --folds 2`" in page
    stored = json.loads((bench / "results" / "bench_valid_keywords.json").read_text())
    assert stored["overall"]["games"] == 4 and stored["folds"] == 2


def test_evaluate_gives_the_bench_numbers_as_json_and_draws_plots(
    bench: Path, sample_root: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(
        ["evaluate", str(bench / "pred" / "keywords"), "--labels", str(sample_root), "--split", "valid",
         "--json", str(tmp_path / "scores.json"), "--plots", str(tmp_path / "plots")]
    )  # fmt: skip
    assert code == 0
    assert "Yellow card" in capsys.readouterr().out
    scores = json.loads((tmp_path / "scores.json").read_text())
    stored = json.loads((bench / "results" / "bench_valid_keywords.json").read_text())
    assert scores["loose"] == pytest.approx(stored["overall"]["loose"])
    assert scores["tight"] == pytest.approx(stored["overall"]["tight"])
    assert {"precision", "recall", "f1"} <= set(scores["interval"])
    assert set(scores["per_class"]["Goal"]) >= {"loose", "tight", "f1"}
    for name in ("per_class.png", "map_vs_tolerance.png", "timeline.png"):
        assert (tmp_path / "plots" / name).read_bytes()[:4] == b"\x89PNG"


def test_evaluate_reads_a_plain_soccernet_labels_folder(bench: Path, sample_root: Path, tmp_path: Path) -> None:
    code = main(
        ["evaluate", str(bench / "pred" / "keywords"), "--labels", str(sample_root / "soccernet"),
         "--json", str(tmp_path / "scores.json"), "--min-confidence", "0.5"]
    )  # fmt: skip
    assert code == 0
    assert json.loads((tmp_path / "scores.json").read_text())["interval"]["min_confidence"] == 0.5


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["bench", "--backends", "nope", "--folds", "2"], "unknown back end 'nope'"),
        (["bench", "--backends", ",", "--folds", "2"], "name at least one back end"),
        (["evaluate", "EMPTY"], "no LEAGUE/SEASON/GAME/results_spotting.json"),
        (["evaluate", "EMPTY", "--iou", "0"], "--iou"),
        (["evaluate", "EMPTY", "--labels", "EMPTY"], "no LEAGUE/SEASON/GAME/Labels-v2.json"),
    ],
)
def test_user_errors_exit_2_with_a_message(
    argv: list[str], message: str, sample_root: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = [str(tmp_path) if a == "EMPTY" else a for a in argv]
    if argv[0] == "bench":
        argv += ["--data", str(sample_root), "--results-dir", str(tmp_path), "--out", str(tmp_path / "r.md")]
    else:
        argv += [] if "--labels" in argv else ["--labels", str(sample_root)]
    assert main(argv) == 2
    assert message in capsys.readouterr().err
