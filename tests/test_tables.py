"""``ui.tables``: every table of the command line reads in a pipe and in an 80-column terminal,
and comes out as CSV, JSON or Markdown for scripts."""

from __future__ import annotations

import csv
import io
import json
import re

import pytest

from ui.cli import main
from ui.tables import Column, TextTable, fitted_widths, show

ANSI = re.compile(r"\x1b\[[0-9;]*m")


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def scores() -> TextTable:
    table = TextTable(
        "runs/pred: 100 games",
        (Column("class", text=True), Column("events"), Column("loose a-mAP %", 2), Column("P", 3), Column("F1", 3)),
    )
    table.add("Yellow->red card", 21447, 23.2318, 0.13712, 0.120999)
    table.add("Goal", 371, None, 0.5, 1.0)
    table.add("all", 21818, 9.9, 0.1, 0.2, rule=True)
    table.notes.append("2 games skipped")
    return table


@pytest.mark.parametrize("columns", [80, 60, 40])
def test_a_narrow_terminal_wraps_headers_and_words_never_numbers(columns, monkeypatch) -> None:
    monkeypatch.setenv("COLUMNS", str(columns))
    out = Terminal()
    show(scores(), out=out)
    text = ANSI.sub("", out.getvalue())
    for number in ("21447", "23.23", "0.137", "0.121", "21818", "9.90"):
        assert number in text
    assert "…" not in text
    if columns >= 60:  # 40 is narrower than the numbers and words: the terminal wraps the lines then
        assert max(len(line) for line in text.splitlines()) <= columns


def test_a_pipe_gets_the_natural_width_and_no_trailing_blanks() -> None:
    out = io.StringIO()
    show(scores(), out=out)
    lines = out.getvalue().splitlines()
    assert lines[0] == "runs/pred: 100 games" and lines[-1] == "2 games skipped"
    assert any("Yellow->red card" in line and "0.137" in line for line in lines)
    assert all(line == line.rstrip() for line in lines)


def test_widths_fit_by_wrapping_headers_first() -> None:
    columns = (Column("class", text=True), Column("loose a-mAP %", 2))
    cells = [["Ball out of play", "10.00"]]
    assert fitted_widths(columns, cells, None) == [16, 13]
    assert fitted_widths(columns, cells, 27) == [16, 6]  # the header wraps before the class name does
    assert fitted_widths(columns, cells, 20) == [10, 5]  # then the words wrap; "10.00" is never cut
    assert fitted_widths(columns, cells, 5) == [5, 5]  # "Ball", "a-mAP", "10.00": no narrower


def test_data_forms_keep_the_numbers_unrounded_and_the_notes_apart() -> None:
    out, err = io.StringIO(), io.StringIO()
    show(scores(), "csv", out, err)
    rows = list(csv.reader(io.StringIO(out.getvalue())))
    assert rows[0] == ["class", "events", "loose a-mAP %", "P", "F1"]
    assert rows[1] == ["Yellow->red card", "21447", "23.2318", "0.13712", "0.120999"] and rows[2][2] == ""
    assert err.getvalue() == "2 games skipped\n"
    out = io.StringIO()
    show(scores(), "json", out, io.StringIO())
    parsed = json.loads(out.getvalue())
    assert parsed["title"] == "runs/pred: 100 games" and parsed["rows"][1] == {
        "class": "Goal",
        "events": 371,
        "loose a-mAP %": None,
        "P": 0.5,
        "F1": 1.0,
    }
    out = io.StringIO()
    show(scores(), "markdown", out)
    assert "| Yellow->red card | 21447 | 23.23 | 0.137 | 0.121 |" in out.getvalue()
    assert "|---|---:|---:|---:|---:|" in out.getvalue()


def test_summary_and_chunks_as_csv(sample_root, capsys) -> None:
    assert main(["summary", "--data", str(sample_root), "--format", "csv", "--no-cache"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert len(rows) == 5 and {"match", "date", "score", "languages", "segments", "labelled events"} == set(rows[0])
    assert main(["data", "chunks", "--data", str(sample_root), "--split", "valid", "--format", "json"]) == 0
    table = json.loads(capsys.readouterr().out)
    assert table["rows"][-1]["class"] == "all"
    assert table["rows"][-1]["events"] == sum(r["events"] for r in table["rows"][:-1])


def test_a_split_outside_the_four_is_refused(sample_root, capsys) -> None:
    with pytest.raises(SystemExit):
        main(["summary", "--data", str(sample_root), "--split", "validation"])
    assert "invalid choice: 'validation'" in capsys.readouterr().err
