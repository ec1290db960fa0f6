"""Which clubs a text names, and where: "Bayern gegen Schachtar Donezk", "the toffees v the foxes", "Bayren".

At each word the longest exact spelling of ``index/data/teams.yaml``, a derby's name (two clubs), or a misspelt
long name; everyday words ("nice", "city") only where they plainly name a club. ``tools.match_text`` reads the
rest of what a text says about a match around these mentions.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import NamedTuple

from rapidfuzz import fuzz, process

from index.teams import COMMON_WORDS, DERBIES, GROUNDS, NAME_ENDINGS, NOT_NAMES, PAIRED_ONLY, canonical_team, team_forms
from index.words import fold, normalise, plural_possessives, words_of

from .actions import find_action_mentions, is_unsupported, singular
from .match_dates import MONTHS, TABLE, VERSUS

JOINING = frozenset(normalise(w) for w in TABLE["joining"])
OPENERS = frozenset(normalise(w) for w in TABLE["openers"])
PLACE_WORDS = frozenset(normalise(w) for w in TABLE["place_words"])
MATCH_NOUNS = frozenset(normalise(w) for w in TABLE["match_nouns"])
STRICT_VERSUS = tuple(normalise(w).split() for w in TABLE["strict_versus"])
CLUB_VERBS = frozenset(normalise(w) for w in TABLE["club_verbs"])
LEAGUE_WORDS = frozenset(w for spec in TABLE["competitions"].values() for name in spec["words"]
                         for w in normalise(name).split())  # fmt: skip
FUZZY_MIN_CHARS = 6  # from here one typo is read through ("Bayren", "Napili")
FUZZY_SHORT_CHARS, FUZZY_SHORT_SCORE = 5, 90  # 5 letters: only a letter missing at the end ("Napol")
SINGLE_MIN_CHARS = 4  # a doubled letter is read through from here: "batte" (BATE)
FUZZY_SCORE = 80  # one letter wrong or two swapped in a 6-letter name ("Bayren", "Napili")
WORD_SCORE = 70  # each word of a misspelt name of several words: "Madird" is Madrid, "now" is not Norwich
LONGER_SCORE = 88  # a misspelt longer name over an exact shorter one: "Atletico Madird", not "Atalanta cards"
PAIR_GAP = 3  # words between two clubs that name a match: "the toffees v the foxes", "foxes 2-5 gunners"
DERBY_WORDS = max(len(name.split()) for name in DERBIES)
GROUND_WORDS = max(len(name.split()) for name in GROUNDS)
GROUND_WORDS_SET = frozenset(w for name in GROUNDS for w in name.split())  # never the name of an unknown club
# The words of grounds of several words, no club's typo: "gran canaria" is no "canaris" (Nantes).
LONG_GROUND_WORDS = frozenset(w for name in GROUNDS if " " in name for w in name.split())


@dataclass(frozen=True, slots=True)
class TeamMention:
    """A club named in a text: which words (indices into ``words_of``), and which club (canonical)."""

    start: int
    stop: int
    team: str
    possessive: bool = False  # "Chelsea's": an "s" word follows
    closed: bool = False  # a plural's possessive, its apostrophe closing the name: "the magpies' shots"


# -- clubs ---------------------------------------------------------------------------------------------
class _Typos(NamedTuple):
    """Where a misspelt club name is looked up: the long spellings by first letter (a typo keeps the first
    letter: "Bayren", "Juventis"; "Rangers" is not "Angers"), and every spelling with its doubled letters
    written once (a letter doubled or not: "batte" is BATE, "Barcelonna": a short name has no room for a score)."""

    by_letter: dict[str, tuple[str, ...]]
    single_letters: dict[str, str]
    # a five-letter name with two letters after the first swapped ("lazoi", "milna"): too short for a score
    # (one swap scores 80 in five letters, below the short names' 90)
    swapped: dict[str, str]


@lru_cache(maxsize=8)
def _forms(extra_teams: tuple[str, ...]) -> tuple[dict[str, str], int, _Typos]:
    """Every spelling -> club, the longest spelling's words, and where misspellings are looked up."""
    forms = team_forms(extra_teams)
    longest = max(len(f.split()) for f in forms)
    by_letter: dict[str, list[str]] = {}
    for form in forms:
        if len(form) >= FUZZY_SHORT_CHARS:
            by_letter.setdefault(form[0], []).append(form)
    single = {
        _undoubled(f): team
        for f, team in forms.items()
        if f not in COMMON_WORDS | PAIRED_ONLY and len(f) >= SINGLE_MIN_CHARS
    }
    swapped = {
        typo: team
        for f, team in forms.items()
        if len(f) == FUZZY_SHORT_CHARS and f.isalpha() and f not in COMMON_WORDS | PAIRED_ONLY
        for typo in _swaps(f)
        if typo not in forms and typo not in COMMON_WORDS
    }
    return forms, longest, _Typos({letter: tuple(group) for letter, group in by_letter.items()}, single, swapped)


def _swaps(word: str) -> list[str]:
    """``word`` with each two neighbouring letters after the first swapped (a typo keeps the first letter)."""
    return [word[:i] + word[i + 1] + word[i] + word[i + 2 :] for i in range(1, len(word) - 1) if word[i] != word[i + 1]]


def _undoubled(phrase: str) -> str:
    return re.sub(r"(\w)\1+", r"\1", phrase)


def find_team_mentions(
    text: str, extra_teams: tuple[str, ...] = (), playing: frozenset[str] = frozenset()
) -> list[TeamMention]:
    """Clubs named in ``text``: at each word the longest exact spelling, else a derby's name (two clubs), else
    a one-typo spelling of a long name. A name that is also an everyday word ("nice", "the foxes") counts only
    capitalised, possessive, paired with another club ("the foxes 2-5 gunners", "city villa 4-0") or one of the
    clubs ``playing`` the match in view ("¿y las del madrid?")."""
    forms, longest, fuzzy = _forms(extra_teams)
    original = words_of(text)
    words = [fold(w) for w in original]
    closed = plural_possessives(text)  # "the cherries' games": possessive, so a club
    found: list[TeamMention] = []
    everyday: list[TeamMention] = []  # lower-case everyday words that may name a club
    i = 0
    while i < len(words):
        beside = bool(found) and (found[-1].stop == i or (found[-1].stop == i - 1 and words[i - 1] in VERSUS))
        hits = _derby_at(i, words) or _exact_at(i, words, original, forms, longest, beside, closed)
        if _ends_unknown_name(i, words, original, found):  # "Leeds United": no Manchester United in it
            i += 1
            continue
        if hits:  # "Atletico Madird" is one misspelt club, not Atlético and then Real Madrid
            longer = _fuzzy_at(i, words, original, forms, longest, fuzzy, LONGER_SCORE)
            if longer and longer[0].stop > hits[0].stop and longer[0].team == hits[0].team:
                after = _exact_at(hits[0].stop, words, original, forms, longest)  # "atletico real madrid": two clubs
                hits = hits if after and after[0].team != hits[0].team else longer
        else:
            hits = _split_at(i, words, forms) or _fuzzy_at(i, words, original, forms, longest, fuzzy)
        if not hits and (word := _everyday_at(i, words, forms, longest)):
            everyday.append(word)
        if hits:
            found.extend(hits)
            i = hits[0].stop
        else:
            i += everyday[-1].stop - i if everyday and everyday[-1].start == i else 1
    found = [replace(m, closed=True) if m.stop - 1 in closed else m for m in found]
    return _with_paired_everyday(found, everyday, words, playing)


def _ends_unknown_name(i: int, words: list[str], original: list[str], found: list[TeamMention]) -> bool:
    """Whether the everyday word at ``i`` ("United", "City") ends the capitalised name of a club the corpus does
    not know ("goals of Leeds United", "Leeds United v Chelsea"): a capitalised word before it that is no club, no
    joining word and, first in the question, no word that opens one ("Show United goals")."""
    if words[i] not in COMMON_WORDS or i < 1 or not original[i][0].isupper():
        return False
    before, word = original[i - 1], words[i - 1]
    if i == 1 and (word in OPENERS or find_action_mentions([word])):  # "Show United goals": capitalised as first
        return False
    named = bool(found) and found[-1].stop == i
    return len(before) > 1 and before[0].isupper() and not named and not stops_name(word)


def stops_name(word: str) -> bool:
    """A folded word that is never part of a club's name: a joining or versus word, a month, a competition's
    or a ground's word."""
    return word in JOINING or word in VERSUS or word in MONTHS or word in LEAGUE_WORDS or word in GROUND_WORDS_SET


def _everyday_at(i: int, words: list[str], forms: dict[str, str], longest: int) -> TeamMention | None:
    """The longest spelling at word ``i`` that is an everyday word ("city", "the foxes") or a player's name too."""
    for size in range(min(longest, len(words) - i), 0, -1):
        phrase = " ".join(words[i : i + size])
        if (phrase in COMMON_WORDS or phrase in PAIRED_ONLY) and phrase in forms:
            return _mention(i, size, forms[phrase], words)
    return None


def unknown_name_word(word: str) -> bool:
    """Whether a folded word may be part of the name of a club the corpus does not know ("leeds" in "leeds united v
    arsenal"): no joining, opening, action or other question word."""
    ordinary = stops_name(word) or word in OPENERS | NOT_NAMES or bool(find_action_mentions([word]))
    return word.isalpha() and len(word) > 2 and not ordinary


def _ends_lower_case_name(mention: TeamMention, words: list[str], named: set[int]) -> bool:
    """Whether an everyday word ends an unknown club's name typed in lower case ("leeds united v arsenal")."""
    if words[mention.start] not in NAME_ENDINGS or mention.start == 0 or mention.start - 1 in named:
        return False
    return unknown_name_word(words[mention.start - 1])


def _with_paired_everyday(
    found: list[TeamMention], everyday: list[TeamMention], words: list[str], playing: frozenset[str] = frozenset()
) -> list[TeamMention]:
    """``found`` and the everyday words that sit beside another club, across at most a score, "vs" or "the", right
    after a word that only joins clubs when another club is named ("PSG au Parc contre Bâle"), or right before
    another club's ground ("gunners at turf moor")."""
    kept = list(found)
    named = {i for m in (*found, *everyday) for i in range(m.start, m.stop)}
    for mention in everyday:
        if _ends_lower_case_name(mention, words, named):
            continue
        others = [m for m in (*found, *everyday) if m is not mention and m.team != mention.team]
        facing = bool(others) and mention.start > 0 and [words[mention.start - 1]] in STRICT_VERSUS
        joined = any(_joined(*sorted((mention, other), key=lambda m: m.start), words) for other in others)
        if facing or joined or _visits(mention, words) or mention.team in playing:
            kept.append(mention)
    named = {m.team for m in kept}  # "celta 4-3 barca: fouls committed by celta": an everyday word, a club named again
    kept += [m for m in everyday if m.team in named and m not in kept]
    return sorted(kept, key=lambda m: m.start)


def _visits(mention: TeamMention, words: list[str]) -> bool:
    """Whether a place word and another club's ground follow the mention (past a "game" or a score): "gunners at
    turf moor", "rayo game at the bernabeu"."""
    at = mention.stop + mention.possessive
    while at < len(words) and (words[at] in MATCH_NOUNS or words[at].isdigit()):  # "depor 0-5 at the bernabeu"
        at += 1
    if at >= len(words) or words[at] not in PLACE_WORDS:
        return False
    start = at + 1 + (at + 1 < len(words) and words[at + 1] == "the")
    grounds = (GROUNDS.get(" ".join(words[start : start + size])) for size in range(1, GROUND_WORDS + 1))
    return any(clubs and mention.team not in clubs for clubs in grounds)


def _joined(first: TeamMention, second: TeamMention, words: list[str]) -> bool:
    """Two clubs across at most a score, "vs", "the" or a verb before "vs" ("palace have vs liverpool")."""
    between = words[first.stop + first.possessive : second.start]
    verb = len(between) > 1 and between[0] in CLUB_VERBS and between[1] in VERSUS
    between = between[1:] if verb else between
    return 0 <= len(between) <= PAIR_GAP and all(w.isdigit() or w in VERSUS or w == "the" for w in between)


def _exact_at(
    i: int,
    words: list[str],
    original: list[str],
    forms: dict[str, str],
    longest: int,
    beside: bool = False,
    closed: frozenset[int] = frozenset(),
) -> list:
    """The longest exact spelling at word ``i``; an everyday word ("inter") only capitalised, possessive
    ("inter's", ``closed``: "the cherries' games") or beside another club ("lazio inter")."""
    for size in range(min(longest, len(words) - i), 0, -1):
        phrase = " ".join(words[i : i + size])
        team = forms.get(phrase)
        if team is None:
            continue
        mention = _mention(i, size, team, words)
        if phrase in PAIRED_ONLY:
            return []
        possessive = mention.possessive or i + size - 1 in closed
        if phrase not in COMMON_WORDS or original[i][0].isupper() or possessive or beside:
            return [mention]
    return []


def _derby_at(i: int, words: list[str]) -> list:
    """A derby's name at word ``i``, in the singular or plural ("the clasicos", "Manchester derbies")."""
    for size in range(min(DERBY_WORDS, len(words) - i), 0, -1):
        *head, last = words[i : i + size]
        clubs = DERBIES.get(" ".join((*head, last))) or DERBIES.get(" ".join((*head, singular(last))))
        if clubs:
            return [_mention(i, size, club, words) for club in clubs]
    return []


def _fuzzy_at(i, words, original, forms, longest, fuzzy, cutoff: float = FUZZY_SCORE) -> list:
    for size in range(min(longest, len(words) - i), 0, -1):
        team = _fuzzy_team(" ".join(words[i : i + size]), size, forms, fuzzy, cutoff)
        if team is not None:
            return [_mention(i, size, team, words)]
    return []


def _split_at(i: int, words: list[str], forms: dict[str, str]) -> list[TeamMention]:
    """A one-word name voice typing split in two ("new castle", "totten ham"): the two words written together."""
    if i + 1 >= len(words) or not (words[i].isalpha() and words[i + 1].isalpha()):
        return []
    joined = words[i] + words[i + 1]
    team = forms.get(joined) if joined not in COMMON_WORDS | PAIRED_ONLY else None
    return [_mention(i, 2, team, words)] if team else []


def _mention(i: int, size: int, team: str, words: list[str]) -> TeamMention:
    return TeamMention(i, i + size, team, possessive=i + size < len(words) and words[i + size] == "s")


def _fuzzy_team(
    phrase: str, size: int, forms: dict[str, str], typos: _Typos, cutoff: float = FUZZY_SCORE
) -> str | None:
    """The club a misspelt name means; never across a joining word ("at Bournemouth" is not "AFC Bournemouth") but
    the name's own ("las plamas"), and never a spelling that is itself a name, left out for a reason ("paris"), or an
    action no class holds ("Schwalben" is no Schwarzgelben)."""
    left_out = phrase in NOT_NAMES or is_unsupported(phrase)
    if phrase in forms or left_out or all(w in LONG_GROUND_WORDS for w in phrase.split()):
        return None
    if len(phrase) >= SINGLE_MIN_CHARS and (team := typos.single_letters.get(_undoubled(phrase))):
        return team
    if team := typos.swapped.get(phrase):
        return team
    joining = [w for w in phrase.split()[:: max(1, size - 1)] if w in VERSUS or w in JOINING]
    if len(phrase) < FUZZY_SHORT_CHARS or phrase in MONTHS:
        return None
    if len(phrase) < FUZZY_MIN_CHARS:
        cutoff = max(cutoff, FUZZY_SHORT_SCORE)
    best = process.extractOne(phrase, typos.by_letter.get(phrase[0], ()), scorer=fuzz.ratio, score_cutoff=cutoff)
    if not best or len(best[0].split()) != size:
        return None
    own = best[0].split()[:: max(1, size - 1)]  # "las plamas": the name's own "las", but "the red" is no "the reds"
    rest = " ".join(w for w in best[0].split() if w not in JOINING)
    if joining and (any(w not in own for w in joining) or rest in COMMON_WORDS or len(rest) < FUZZY_MIN_CHARS):
        return None
    pairs = zip(phrase.split(), best[0].split(), strict=True)  # each word near its own: "now city" is no Norwich City
    return forms[best[0]] if all(fuzz.ratio(said, name) >= WORD_SCORE for said, name in pairs) else None


def names_pair(first: TeamMention, second: TeamMention, words: list[str]) -> bool:
    """Whether two club mentions name one match together: next to each other, or joined by "vs",
    "gegen", "–", "and", ... ("Chelsea – Burnley", "Bayern gegen Schachtar", "Hoffenheim Dortmund")."""
    if canonical_team(first.team) == canonical_team(second.team):
        return False
    between = [fold(w) for w in words[first.stop + first.possessive : second.start] if w]  # "" : no word there
    return not between or (len(between) <= 2 and all(w in VERSUS for w in between))
