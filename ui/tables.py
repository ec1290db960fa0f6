"""The tables the command line prints, in the form asked for (``--format``).

- ``table``: for people. In a terminal it fits the window: text columns wrap, numbers are never
  cut (``0.…``) and headers wrap between words. In a pipe or a file nothing wraps lines, so the
  table keeps its natural width there.
- ``csv``, ``json``, ``markdown``: for scripts and documents, with the numbers unrounded (CSV,
  JSON) or as the table shows them (Markdown). Notes (skipped games, warnings) go to stderr then,
  so stdout holds the data alone.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import IO

FORMATS = ("table", "csv", "json", "markdown")
Value = str | int | float | None


@dataclass(frozen=True, slots=True)
class Column:
    """A column: its header, and how a number in it is shown (``digits`` after the point)."""

    name: str
    digits: int | None = None  # a float shown with this many decimals; None: as it is
    text: bool = False  # words, left-aligned, wrapped in a narrow terminal (else right-aligned)

    def show(self, value: Value) -> str:
        if value is None:
            return "-"
        if isinstance(value, float) and self.digits is not None:
            return f"{value:.{self.digits}f}"
        return str(value)


@dataclass
class TextTable:
    """A title, columns, rows of values (numbers kept as numbers), rules before some rows."""

    title: str
    columns: tuple[Column, ...]
    rows: list[tuple[Value, ...]] = field(default_factory=list)
    rules: set[int] = field(default_factory=set)  # indexes of rows drawn after a rule (totals)
    notes: list[str] = field(default_factory=list)  # lines said after the table

    def add(self, *values: Value, rule: bool = False) -> None:
        if len(values) != len(self.columns):
            raise ValueError(f"{len(values)} values for {len(self.columns)} columns")
        if rule:
            self.rules.add(len(self.rows))
        self.rows.append(values)

    def records(self) -> list[dict[str, Value]]:
        return [dict(zip((c.name for c in self.columns), row, strict=True)) for row in self.rows]


def add_format_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--format",
        choices=FORMATS,
        default="table",
        help="how to print the table: for people, or as CSV, JSON or Markdown (default: %(default)s)",
    )


def show(table: TextTable, form: str = "table", out: IO[str] | None = None, err: IO[str] | None = None) -> None:
    """Print ``table`` to ``out`` (stdout) in ``form``; its notes follow it, or go to ``err`` (stderr)
    for the data forms."""
    out = out or sys.stdout
    if form == "table":
        _rich(table, out)
        return
    text = {"csv": to_csv, "json": to_json, "markdown": to_markdown}[form](table)
    out.write(text)
    if table.notes and form != "markdown":
        (err or sys.stderr).write("\n".join(table.notes) + "\n")
    elif table.notes:
        out.write("\n" + "\n".join(table.notes) + "\n")


def to_csv(table: TextTable) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(c.name for c in table.columns)
    writer.writerows(["" if v is None else v for v in row] for row in table.rows)
    return buffer.getvalue()


def to_json(table: TextTable) -> str:
    return json.dumps({"title": table.title, "rows": table.records()}, ensure_ascii=False, indent=1) + "\n"


def to_markdown(table: TextTable) -> str:
    def line(cells: Sequence[str]) -> str:
        return "| " + " | ".join(cell.replace("|", "\\|") for cell in cells) + " |"

    lines = [f"**{table.title}**", ""] if table.title else []
    lines.append(line([c.name for c in table.columns]))
    lines.append("|" + "|".join("---" if c.text else "---:" for c in table.columns) + "|")
    lines.extend(line([c.show(v) for c, v in zip(table.columns, row, strict=True)]) for row in table.rows)
    return "\n".join(lines) + "\n"


def _rich(table: TextTable, out: IO[str]) -> None:
    from rich import box
    from rich.console import Console
    from rich.table import Table

    cells = [[c.show(v) for c, v in zip(table.columns, row, strict=True)] for row in table.rows]
    terminal = _is_terminal(out)
    room = Console(file=out).width if terminal else None
    widths = fitted_widths(table.columns, cells, room)
    shown = Table(box=box.SIMPLE_HEAD, show_edge=False)
    for column, width in zip(table.columns, widths, strict=True):
        shown.add_column(column.name, justify="left" if column.text else "right", width=width, overflow="fold")
    for index, row in enumerate(cells):
        if index in table.rules:
            shown.add_section()
        shown.add_row(*row)
    # Drawn into a buffer, so that no line ends in the padding rich fills it to.
    buffer = io.StringIO()
    width = max(room or 0, sum(widths) + _overhead(widths))
    Console(file=buffer, width=width, force_terminal=terminal, highlight=False).print(shown)
    lines = [table.title] if table.title else []
    lines += [line.rstrip() for line in buffer.getvalue().rstrip().splitlines()]
    out.write("\n".join([*lines, *table.notes]) + "\n")


def fitted_widths(columns: Sequence[Column], cells: Sequence[Sequence[str]], room: int | None) -> list[int]:
    """Column widths that fit ``room`` characters (None: no limit): the natural widths, less what the
    widest columns give up, headers first (they wrap between words), then text cells; never below a
    column's longest word or any of its numbers (then the terminal wraps the lines instead)."""
    natural = [max([len(c.name), *(len(row[i]) for row in cells)]) for i, c in enumerate(columns)]
    header_words = [max(len(w) for w in c.name.split()) if c.name.strip() else 0 for c in columns]
    whole_cells = [max([h, *(len(row[i]) for row in cells)]) for i, h in enumerate(header_words)]
    cell_words = [
        max([h, *(len(w) for row in cells for w in (row[i].split() if c.text else [row[i]]))])
        for i, (c, h) in enumerate(zip(columns, header_words, strict=True))
    ]
    widths = list(natural)
    if room is None:
        return widths
    for floor in (whole_cells, cell_words):
        excess = sum(widths) + _overhead(widths) - room
        while excess > 0:
            slack = [w - f for w, f in zip(widths, floor, strict=True)]
            widest = max(range(len(widths)), key=lambda i: (slack[i], widths[i]))
            if slack[widest] <= 0:
                break
            widths[widest] -= 1
            excess -= 1
    return widths


def _overhead(widths: Sequence[int]) -> int:
    """What the box adds to the columns' widths: one space either side of each, a rule between."""
    return 3 * len(widths) - 1


def _is_terminal(out: IO[str]) -> bool:
    isatty = getattr(out, "isatty", None)
    return bool(isatty and isatty())
