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
