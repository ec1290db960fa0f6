"""The one error type a user can cause, with a message that says what and where."""

from __future__ import annotations

from pathlib import Path


class HighlightsError(Exception):
    """A problem with user input (a file, a match name, a question, a model reply).

    The UI and CLI show ``str(error)`` and never a traceback, so the message must name
    the thing that is wrong (``where``: a file, a match id, a flag) and the problem.
    """

    def __init__(self, problem: str, where: str | Path | None = None) -> None:
        self.problem = problem
        self.where = str(where) if where is not None else None
        super().__init__(f"{self.where}: {problem}" if self.where else problem)


def printable(text: str) -> str:
    """``text`` as UTF-8 can hold it: a path of bytes that are not UTF-8 (Python reads those as lone
    surrogates) shows them as ``\\udcXX`` escapes instead of failing where it is printed or cached."""
    return text.encode("utf-8", "backslashreplace").decode("utf-8")
