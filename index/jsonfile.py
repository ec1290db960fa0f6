"""Reading a JSON file with errors that name the file and the problem.

Any file a user hands over can be hostile: nesting deep enough to exhaust the parser's stack is a
clear error, and ``\\ud800``-style escapes of half a UTF-16 pair (valid JSON, but not text that
UTF-8 can hold) are replaced with U+FFFD, so no cache or index that encodes the text later fails.
"""

from __future__ import annotations

import json
import logging
import re
from pathlib import Path
from typing import Any

from .errors import HighlightsError

log = logging.getLogger(__name__)

# A surrogate escape in the raw text (checked first: the repair walk runs only when one is there).
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")
# What json.loads leaves of one: valid pairs are joined into one character, so any left is unpaired.
_SURROGATE = re.compile("[\ud800-\udfff]")
REPLACEMENT = "\ufffd"


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
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise HighlightsError(
            f"malformed JSON at line {error.lineno}, column {error.colno}: {error.msg}", path
        ) from None
    except RecursionError:
        raise HighlightsError("JSON nested too deeply to be a data file", path) from None
    if _SURROGATE_ESCAPE.search(text):
        data, replaced = _replace_surrogates(data)
        if replaced:
            log.warning("%s: replaced %d unpaired UTF-16 surrogate escape(s) with U+FFFD", path, replaced)
    return data


def _replace_surrogates(data: Any) -> tuple[Any, int]:
    """``data`` with unpaired surrogates in every string (keys too) replaced, and how many were."""
    count = 0

    def clean(text: str) -> str:
        nonlocal count
        text, n = _SURROGATE.subn(REPLACEMENT, text)
        count += n
        return text

    if isinstance(data, str):
        return clean(data), count
    stack = [data]  # iterative: json.loads accepts nesting deeper than Python's own recursion allows
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            for key in list(item):
                value = item[key]
                if isinstance(key, str) and _SURROGATE.search(key):
                    del item[key]
                    key = clean(key)
                item[key] = clean(value) if isinstance(value, str) else value
                if isinstance(value, (dict, list)):
                    stack.append(value)
        elif isinstance(item, list):
            for i, value in enumerate(item):
                if isinstance(value, str):
                    item[i] = clean(value)
                elif isinstance(value, (dict, list)):
                    stack.append(value)
    return data, count
