"""The one word form names and phrases are matched in, shared by every layer that reads text.

Team names (``index.teams``), action words (``tools.actions``) and the planner's reading of a question
all split and lower-case text the same way, so a phrase found in one is found in the others.
"""

from __future__ import annotations

import re

_WORD = re.compile(r"[0-9A-Za-zÀ-ÖØ-öø-ÿ]+")


def words_of(text: str) -> list[str]:
    """The words of ``text`` in their original case; hyphens, apostrophes and "->" split words."""
    return _WORD.findall(text)


def normalise(text: str) -> str:
    """Lower-case words joined by single spaces: the form every phrase is matched in."""
    return " ".join(w.lower() for w in words_of(text))
