"""The one word form names and phrases are matched in, shared by every layer that reads text.

Team names (``index.teams``), action words (``tools.actions``) and the planner's reading of a question
all split, lower-case and fold text the same way, so a phrase found in one is found in the others.
Accents are folded ("München" = "Munchen", "córner" = "corner") because people type them or not.
"""

from __future__ import annotations

import re
import unicodedata

_WORD = re.compile(r"[^\W_]+")
_FOLDED = {"ß": "ss", "ø": "o", "æ": "ae", "œ": "oe", "ł": "l", "đ": "d", "ı": "i"}


def words_of(text: str) -> list[str]:
    """The words of ``text`` in their original case; hyphens, apostrophes and "->" split words."""
    return _WORD.findall(text)


def word_spans(text: str) -> list[tuple[int, int]]:
    """Where each of ``words_of(text)`` sits in ``text`` (character offsets)."""
    return [found.span() for found in _WORD.finditer(text)]


APOSTROPHES = frozenset("'’")  # what closes a plural's possessive: "the magpies' shots"


_QUOTE_OPENS = re.compile(r"(?:^|\s)['’‘]")


def plural_possessives(text: str) -> frozenset[int]:
    """The indices (into ``words_of(text)``) of the words ending in "s" that an apostrophe closes ("the red devils'
    shots"): a plural's possessive, not the end of a quote ("find 'the reds'")."""
    return frozenset(
        i
        for i, (start, stop) in enumerate(word_spans(text))
        if text[stop - 1 : stop].casefold() == "s"
        and text[stop : stop + 1] in APOSTROPHES
        and not text[stop + 1 : stop + 2].isalnum()
        and not _QUOTE_OPENS.search(text[:start])
    )


def fold(word: str) -> str:
    """Lower case without accents: "Beşiktaş" -> "besiktas", "Straße" -> "strasse"."""
    lowered = "".join(_FOLDED.get(c, c) for c in word.casefold())
    return "".join(c for c in unicodedata.normalize("NFKD", lowered) if not unicodedata.combining(c))


def normalise(text: str) -> str:
    """Folded words joined by single spaces: the form every phrase is matched in."""
    return " ".join(fold(w) for w in words_of(text))
