"""``highlights spot`` and ``highlights train`` on the shipped sample, through the real CLI."""

from __future__ import annotations

import json

from evaluation.results_io import read_results
from index.corpus import SAMPLE_ROOT, load_corpus
from ui.cli import main


def test_spot_writes_files_the_evaluation_reads(tmp_path, capsys):
    out = tmp_path / "pred"
    assert (
        main(
            ["spot", "--backend", "embedded", "--data", str(SAMPLE_ROOT), "--match", "Burnley 0 - 1 Arsenal", str(out)]
        )
        == 0
    )
    files = list(out.glob("*/*/*/results_spotting.json"))
    assert len(files) == 1 and (files[0].parent / "intervals.json").is_file()
    matches = [m for m in load_corpus(SAMPLE_ROOT).matches if "Burnley 0 - 1 Arsenal" in m.id]
    read = read_results(out, matches)
    spots = read.predictions[matches[0].id]
    assert spots and all(s.backend == "embedded" for s in spots)
    assert "spots in 1 games" in capsys.readouterr().err


def test_spot_rejects_unknown_matches_and_malformed_options(tmp_path, capsys):
    assert main(["spot", "--data", str(SAMPLE_ROOT), "--match", "Barcelona", str(tmp_path)]) == 2
    assert "no match 'Barcelona'" in capsys.readouterr().err
    assert main(["spot", "--data", str(SAMPLE_ROOT), "--option", "model_dir", str(tmp_path)]) == 2
    assert "KEY=VALUE" in capsys.readouterr().err
    assert main(["spot", "--data", str(SAMPLE_ROOT), "--option", f"model_dir={tmp_path}", str(tmp_path)]) == 2
    assert "no embedded model" in capsys.readouterr().err


def test_train_from_separate_labels_and_echoes_then_spot_with_it(tmp_path, capsys):
    model = tmp_path / "model"
    argv = ["train", "--labels", str(SAMPLE_ROOT / "soccernet"), "--echoes", str(SAMPLE_ROOT / "echoes")]
    assert main([*argv, "--epochs", "1", "--out", str(model)]) == 0
    meta = json.loads((model / "model.json").read_text())
    assert meta["info"]["games"] == 4 and meta["info"]["config"]["epochs"] == 1
    assert meta["info"]["unlabelled_games"] == 1  # the sample's train-split game, commentary only
    out = tmp_path / "pred"
    assert (
        main(["spot", "--data", str(SAMPLE_ROOT), "--option", f"model_dir={model}", "--match", "Watford", str(out)])
        == 0
    )
    assert list(out.glob("*/*/*/results_spotting.json"))


def test_train_needs_labels_and_echoes_together(tmp_path, capsys):
    assert main(["train", "--labels", str(tmp_path), "--out", str(tmp_path / "m")]) == 2
    assert "--echoes" in capsys.readouterr().err
    assert main(["train", "--labels", str(tmp_path / "nope"), "--echoes", str(tmp_path), "--out", str(tmp_path)]) == 2
    assert "does not exist" in capsys.readouterr().err
    assert main(["train", "--data", str(SAMPLE_ROOT), "--epochs", "0", "--out", str(tmp_path)]) == 2


def test_train_needs_an_out_folder_it_can_write(tmp_path, capsys):
    import pytest

    with pytest.raises(SystemExit):
        main(["train", "--data", str(SAMPLE_ROOT)])  # never into the installed package unless asked
    assert "--out" in capsys.readouterr().err
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    assert main(["train", "--data", str(SAMPLE_ROOT), "--out", str(blocker / "model")]) == 2
    assert "cannot write the model there" in capsys.readouterr().err
    missing = tmp_path / "no-policy.json"
    assert main(["train", "--data", str(SAMPLE_ROOT), "--answers", str(missing), "--out", str(tmp_path / "m")]) == 2
    assert "no such answer policy" in capsys.readouterr().err
