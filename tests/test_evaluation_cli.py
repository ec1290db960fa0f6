"""``highlights bench`` and ``highlights evaluate`` end to end on the shipped sample."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import pytest

from ui.cli import main


@pytest.fixture(scope="module")
def bench(sample_root: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("bench")
    code = main(
        ["bench", "--backend", "keywords", "--data", str(sample_root), "--split", "valid", "--folds", "2",
         "--results-dir", str(out / "results"), "--out", str(out / "results.md"), "--predictions", str(out / "pred")]
    )  # fmt: skip
    assert code == 0
    return out


def test_bench_writes_results_md_and_the_json_behind_it(bench: Path, sample_root: Path) -> None:
    page = (bench / "results.md").read_text()
    assert f"`highlights bench --backend keywords --split valid --data {sample_root} --folds 2`" in page
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
        (["bench", "--backend", "nope", "--folds", "2"], "unknown back end 'nope'"),
        (["bench", "--backend", ",", "--folds", "2"], "name at least one back end"),
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


class Terminal(io.StringIO):
    """stdout as a terminal of $COLUMNS columns (rich asks isatty, then $COLUMNS)."""

    def isatty(self) -> bool:
        return True


def _evaluate(bench: Path, sample_root: Path, *extra: str) -> list[str]:
    return ["evaluate", str(bench / "pred" / "keywords"), "--labels", str(sample_root), "--split", "valid", *extra]


def _numbers_shown(text: str) -> list[str]:
    return re.findall(r"\b\d+\.\d{2,3}\b", text)


def test_evaluate_in_a_pipe_shows_every_number_whole(bench, sample_root, tmp_path, capsys) -> None:
    assert main(_evaluate(bench, sample_root, "--json", str(tmp_path / "s.json"))) == 0
    out = capsys.readouterr().out
    scores = json.loads((tmp_path / "s.json").read_text())
    assert "…" not in out
    interval = scores["interval"]
    overall = next(line for line in out.splitlines() if line.split()[:1] == ["all"])
    assert overall.split()[-4:-1] == [f"{interval[k]:.3f}" for k in ("precision", "recall", "f1")]
    assert len(_numbers_shown(out)) == 18 * 6  # 17 classes and "all": a-mAP twice, P, R, F1, F1 overlap


def test_evaluate_fits_an_80_column_terminal(bench, sample_root, monkeypatch, capsys) -> None:
    terminal = Terminal()
    monkeypatch.setenv("COLUMNS", "80")
    monkeypatch.setattr("sys.stdout", terminal)
    assert main(_evaluate(bench, sample_root)) == 0
    shown = re.sub(r"\x1b\[[0-9;]*m", "", terminal.getvalue())
    table = shown.splitlines()[shown.splitlines().index(next(x for x in shown.splitlines() if "games" in x)) + 1 :]
    assert max(len(line) for line in table) <= 80  # the table; a long path above it is the terminal's to wrap
    assert "…" not in shown and len(_numbers_shown(shown)) == 18 * 6
    assert "Yellow->red card" in shown  # the class names are whole too


def test_evaluate_as_csv_json_and_markdown(bench, sample_root, tmp_path, capsys) -> None:
    assert main(_evaluate(bench, sample_root, "--json", str(tmp_path / "s.json"), "--format", "csv")) == 0
    captured = capsys.readouterr()
    rows = list(csv.DictReader(io.StringIO(captured.out)))
    scores = json.loads((tmp_path / "s.json").read_text())
    assert [r["class"] for r in rows][-1] == "all" and len(rows) == 18
    assert float(rows[-1]["F1"]) == pytest.approx(scores["interval"]["f1"])
    assert float(rows[-1]["loose a-mAP %"]) == pytest.approx(scores["loose"])
    assert "completeness unknown" in captured.err and "warning" not in captured.out  # stdout: the data alone

    assert main(_evaluate(bench, sample_root, "--format", "json")) == 0
    table = json.loads(capsys.readouterr().out)
    goal = next(r for r in table["rows"] if r["class"] == "Goal")
    assert goal["events"] == scores["per_class"]["Goal"]["events"]
    assert goal["P"] == pytest.approx(scores["per_class"]["Goal"]["precision"])

    assert main(_evaluate(bench, sample_root, "--format", "markdown")) == 0
    lines = [line for line in capsys.readouterr().out.splitlines() if line.startswith("|")]
    assert lines[0].startswith("| class | events |") and lines[1].startswith("|---|---:|")
    assert len(lines) == 2 + 18


def test_bench_prints_its_table_in_the_asked_form(bench, sample_root, tmp_path, capsys) -> None:
    code = main(
        ["bench", "--backend", "keywords", "--data", str(sample_root), "--folds", "2", "--format", "json",
         "--results-dir", str(tmp_path / "results"), "--out", str(tmp_path / "results.md")]
    )  # fmt: skip
    assert code == 0
    row = json.loads(capsys.readouterr().out)["rows"][0]
    stored = json.loads((tmp_path / "results" / "bench_valid_keywords.json").read_text())
    assert row["back end"] == "keywords" and row["loose a-mAP %"] == pytest.approx(stored["overall"]["loose"])


def test_the_stored_commands_with_backends_still_run(sample_root, tmp_path) -> None:
    """Rows of docs/results.md and the shipped answers.json were written as ``--backends``."""
    code = main(
        ["bench", "--backends", "keywords", "--data", str(sample_root), "--folds", "2",
         "--results-dir", str(tmp_path / "results"), "--out", str(tmp_path / "results.md")]
    )  # fmt: skip
    assert code == 0
