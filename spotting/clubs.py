"""Where a commentary line names one of the two clubs of a match, and which one.

Commentators call a club by any of its forms ("Paris Saint-Germain", "PSG", "los blancos": every
spelling ``index.teams`` knows) and, within one match, by a word of its name the other club does not
share ("Madrid" when Real Madrid play Barcelona, never when they play Atlético). Matching is
case- and accent-blind ("Barca" is "Barça"), except for names that are also everyday words ("Nice",
"Real", ``index.teams.COMMON_WORDS``) and single words of a longer name: those count only when
capitalised.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path

from index.teams import COMMON_WORDS, canonical_team, team_forms
from index.yamlfile import read_yaml

LEXICON_DIR = Path(__file__).parent / "prompts"
WORDS_FILE = LEXICON_DIR / "name_words.yaml"
SIDES: tuple[str, str] = ("home", "away")


def other_side(side: str) -> str:
    """The opponent of "home"/"away"; "" stays ""."""
    return {"home": "away", "away": "home"}.get(side, "")


@cache
def _fold_table() -> dict[int, str]:
    """One lower-case, accent-free character for each Latin character, so offsets survive folding."""
    table = {}
    for code in range(0x250):
        char = chr(code)
        folded = unicodedata.normalize("NFD", char.lower())[:1]
        if len(char.lower()) == 1 and folded and folded != char:
            table[code] = folded
    return table


def fold(text: str) -> str:
    """``text`` lower-cased without accents, character for character (same length, same offsets)."""
    return text.translate(_fold_table())


@cache
def _generic_words() -> frozenset[str]:
    """Words of club names that name no club on their own ("FC", "Saint", "United")."""
    data = read_yaml(WORDS_FILE)
    return frozenset(fold(word) for word in data["generic_name_words"])


@dataclass(frozen=True, slots=True)
class ClubMention:
    """One naming of a club in a text: which side, and where (character offsets)."""

    side: str  # "home" or "away"
    start: int
    end: int


class ClubReader:
    """Finds the two clubs of one match in commentary text."""

    def __init__(self, home: str, away: str) -> None:
        self.home, self.away = canonical_team(home), canonical_team(away)
        forms, derived = _match_forms(home, away)
        self._side = forms
        self._capitalised = _every_day_words() | derived
        alternatives = sorted(forms, key=len, reverse=True)
        body = "|".join(r"[\W_]+".join(re.escape(word) for word in form.split()) for form in alternatives)
        self._pattern = re.compile(rf"(?<!\w)(?:{body})(?!\w)") if alternatives else None
        self._others = _others_pattern(frozenset(w for form in forms for w in form.split()))

    def mentions(self, text: str) -> list[ClubMention]:
        """Every naming of either club in ``text``, in order."""
        if self._pattern is None:
            return []
        found = []
        for hit in self._pattern.finditer(fold(text)):
            form = " ".join(re.split(r"[\W_]+", hit.group(0)))
            if form in self._capitalised and not text[hit.start()].isupper():
                continue
            found.append(ClubMention(self._side[form], hit.start(), hit.end()))
        return found

    def others(self, text: str) -> list[tuple[int, int]]:
        """Where ``text`` names a club that is not one of this match's (offsets): "Arsenal 1-0 down at home
        to Olympiacos" in a Porto match is another match's score. Short and everyday forms count only
        capitalised ("Nice", "OM")."""
        return [hit.span() for hit in self._others.finditer(fold(text))
                if not _needs_capital(hit.group(0)) or text[hit.start()].isupper()]  # fmt: skip


@lru_cache(maxsize=2048)
def club_reader(home: str, away: str) -> ClubReader:
    """The (cached) reader of one pairing of clubs."""
    return ClubReader(home, away)


SHORT_FORM = 4  # "om", "ol", "psv", "roma": read as a club only when capitalised, like everyday words


def _needs_capital(form: str) -> bool:
    return len(form) <= SHORT_FORM or form in _every_day_words()


@cache
def _every_day_words() -> frozenset[str]:
    return frozenset(fold(w) for w in COMMON_WORDS)


@lru_cache(maxsize=256)
def _others_pattern(own_words: frozenset[str]) -> re.Pattern[str]:
    """Every club form ``index.teams`` knows that shares no word with this match's clubs' forms (``own_words``:
    "Madrid" is not another club in a Real Madrid match) and is not a generic name word."""
    data = read_yaml(WORDS_FILE)
    forms = {fold(form) for form in team_forms()} - _generic_words() - {fold(w) for w in data["not_other_clubs"]}
    forms = sorted((f for f in forms if f and not set(f.split()) & own_words), key=len, reverse=True)
    body = "|".join(r"[\W_]+".join(re.escape(word) for word in form.split()) for form in forms)
    return re.compile(rf"(?<!\w)(?:{body})(?!\w)")


def _match_forms(home: str, away: str) -> tuple[dict[str, str], set[str]]:
    """Folded form -> side, for every spelling of the two clubs and each club's own name words; and which
    forms are such words (read only when capitalised: "Ciudad" of "Manchester Ciudad", not "ciudad")."""
    canonical = {"home": canonical_team(home), "away": canonical_team(away)}
    if canonical["home"] == canonical["away"]:
        return {}, set()
    every = team_forms((home, away))
    full: dict[str, str] = {}
    for form, team in every.items():
        for side, name in canonical.items():
            if team == name:
                full[fold(form)] = side
    for side, given in (("home", home), ("away", away)):  # the names as given, in case index.teams lacks them
        full.setdefault(fold(" ".join(re.findall(r"\w+", given))), side)
    words: dict[str, set[str]] = {"home": set(), "away": set()}
    for form, side in full.items():
        words[side].update(w for w in form.split() if len(w) > 2 and w not in _generic_words())
    every_word = {side: {w for form, s in full.items() if s == side for w in form.split()} for side in SIDES}
    # "Madrid" is Real Madrid's against Barcelona, nobody's against Atlético Madrid.
    forms = {form: side for form, side in full.items() if not set(form.split()) <= every_word[other_side(side)]}
    derived = set()
    for side in SIDES:
        for word in words[side] - words[other_side(side)]:
            if word not in forms:
                forms[word] = side
                derived.add(word)
    return {form: side for form, side in forms.items() if form}, derived
