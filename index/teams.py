"""Team names as people say them: "Man Utd", "Barca", "PSG", "Bayern", and SoccerNet's own variants.

SoccerNet's folder names spell some clubs two ways ("Bayern" and "Bayern Munich", "Atl. Madrid"
and "Atletico Madrid"); every spelling and alias maps to one canonical name, so "Bayern" finds
both spellings' games.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from rapidfuzz import fuzz, process

from .words import normalise
from .yamlfile import read_yaml

TEAMS_FILE = Path(__file__).parent / "data" / "teams.yaml"


TABLE = read_yaml(TEAMS_FILE)
# canonical name -> other spellings (SoccerNet's variants, everyday and other-language names)
ALIASES: dict[str, tuple[str, ...]] = {str(name): tuple(map(str, a or ())) for name, a in TABLE["clubs"].items()}
COMMON_WORDS = frozenset(normalise(w) for w in TABLE["everyday_words"])
PAIRED_ONLY = frozenset(normalise(w) for w in TABLE["paired_only"])  # a club only beside another club
NOT_NAMES = frozenset(normalise(w) for w in TABLE["not_names"])  # no club, misspelt or unknown
NAME_ENDINGS = frozenset(normalise(w) for w in TABLE["name_endings"])  # "leeds united": an unknown club
# a city or ground (folded) -> the clubs that play at home there
GROUNDS: dict[str, frozenset[str]] = {}
for _club, _places in TABLE["grounds"].items():
    for _place in _places:
        GROUNDS[normalise(_place)] = GROUNDS.get(normalise(_place), frozenset()) | {_club}
# a fans' name for a meeting (folded) -> its two clubs
DERBIES: dict[str, tuple[str, str]] = {normalise(name): tuple(clubs) for name, clubs in TABLE["derbies"].items()}



def _local_rivals() -> dict[str, frozenset[str]]:
    """Each club's rivals in a derby of its own city (the two share a city or ground in ``GROUNDS``): what a bare
    "the derby" beside one club means ("lazio's goals in the april 2017 derby", "the derby at the etihad")."""
    places: dict[str, set[str]] = {}
    for place, clubs in GROUNDS.items():
        for club in clubs:
            places.setdefault(club, set()).add(place)
    rivals: dict[str, frozenset[str]] = {}
    for first, second in set(DERBIES.values()):
        if places.get(first, set()) & places.get(second, set()):
            rivals[first] = rivals.get(first, frozenset()) | {second}
            rivals[second] = rivals.get(second, frozenset()) | {first}
    return rivals


LOCAL_RIVALS = _local_rivals()

_BY_FORM: dict[str, str] = {}
for _canonical, _forms in ALIASES.items():
    for _form in (_canonical, *_forms):
        _BY_FORM.setdefault(normalise(_form), _canonical)


@lru_cache(maxsize=4096)
def canonical_team(name: str) -> str:
    """The one name for a club however it is spelled; an unknown name is returned as given."""
    return _BY_FORM.get(normalise(name), name)


def team_forms(extra: tuple[str, ...] = ()) -> dict[str, str]:
    """Every known spelling (normalised) -> canonical name, plus ``extra`` names (a corpus's own)."""
    forms = dict(_BY_FORM)
    for name in extra:
        forms.setdefault(normalise(name), canonical_team(name))
    return forms


def closest_team(name: str, extra: tuple[str, ...] = (), score_cutoff: float = 80) -> str | None:
    """Canonical name of the club ``name`` most likely misspells, or None."""
    forms = team_forms(extra)
    best = process.extractOne(normalise(name), forms.keys(), scorer=fuzz.ratio, score_cutoff=score_cutoff)
    return forms[best[0]] if best else None
