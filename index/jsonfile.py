"""Reading a JSON file with errors that name the file and the problem."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from .errors import HighlightsError


def read_json(path: Path) -> Any:
    """Parse ``path`` as UTF-8 JSON; any failure is a HighlightsError naming the file."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise HighlightsError("file does not exist", path) from None
    except OSError as error:
        raise HighlightsError(f"cannot read file ({error.strerror})", path) from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise HighlightsError(f"not UTF-8 text (bad byte at offset {error.start})", path) from None
    if not text.strip():
        raise HighlightsError("file is empty", path)
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise HighlightsError(
            f"malformed JSON at line {error.lineno}, column {error.colno}: {error.msg}", path
        ) from None
