"""Everyday words for the 17 action classes: "free-kicks", "bookings", "subs", "chances", "highlights".

Both the offline planner (reading a question) and the LLM's tool calls (an ``actions`` argument such
as ``["free kicks"]``) go through here, so both understand the same words, plurals and misspellings.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from rapidfuzz import fuzz, process

from index.classes import LABELS
from index.errors import HighlightsError
from index.words import normalise
from index.yamlfile import read_yaml

ACTIONS_FILE = Path(__file__).parent / "data" / "actions.yaml"


TABLE = read_yaml(ACTIONS_FILE)


def _load_vocabulary(table: dict) -> tuple[dict[str, tuple[str, ...]], dict[str, tuple[str, ...]]]:
    """The groups and phrase -> classes table of ``actions.yaml``; the official names are phrases too."""
    groups = {name: ordered(classes) for name, classes in table["groups"].items()} | {"everything": LABELS}
    vocabulary: dict[str, tuple[str, ...]] = {}
    for key, phrases in table["phrases"].items():
        classes = groups.get(key, (key,))
        unknown = set(classes) - set(LABELS)
        if unknown:
            raise ValueError(f"{ACTIONS_FILE}: {key!r} names no class: {sorted(unknown)}")
        for phrase in phrases:
            vocabulary.setdefault(normalise(phrase), classes)
    for label in LABELS:
        vocabulary.setdefault(normalise(label), (label,))
    return groups, vocabulary


def ordered(classes: Iterable[str]) -> tuple[str, ...]:
    """Classes without repeats, in the official order."""
    chosen = set(classes)
    return tuple(label for label in LABELS if label in chosen)


GROUPS, VOCABULARY = _load_vocabulary(TABLE)
# Asked-for things no class holds -> the classes nearest to what is meant (empty: none is near).
UNSUPPORTED: dict[str, tuple[str, ...]] = {
    normalise(word): GROUPS.get(near, (near,)) if near else () for word, near in TABLE["unsupported"].items()
}
# A word -> (its classes, the words it must follow to be an action).
ONLY_AFTER: dict[str, tuple[tuple[str, ...], frozenset[str]]] = {
    normalise(word): (GROUPS.get(key, (key,)), frozenset(normalise(w) for w in before))
    for word, (key, before) in TABLE["only_after"].items()
}
FREE_KICKS, CARDS, HIGHLIGHTS = GROUPS["free kicks"], GROUPS["cards"], GROUPS["highlights"]

# Fuzzy matching only for words long enough that a typo cannot turn one word into another.
_FUZZY_MIN_LENGTH = 5
_FUZZY_SCORE = 85
_MAX_PHRASE = max(len(p.split()) for p in VOCABULARY)


def singular(word: str) -> str:
    """English plural to singular, for the words the vocabulary holds ("penalties", "subs", "matches")."""
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 4 and word.endswith(("ches", "shes", "sses", "xes")):
        return word[:-2]
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


@dataclass(frozen=True, slots=True)
class ActionMention:
    """Where in a word list a phrase for some classes was found."""

    start: int  # index of the first word
    stop: int  # one past the last word
    phrase: str
    classes: tuple[str, ...]


def _lookup(words: list[str]) -> tuple[str, ...] | None:
    phrase = " ".join(singular(w) for w in words)
    if phrase in VOCABULARY:
        return VOCABULARY[phrase]
    joined = " ".join(words)
    return VOCABULARY.get(joined)


def _after_its_word(words: list[str], i: int, size: int) -> tuple[str, ...] | None:
    """A word that is an action only after one of its words (``ONLY_AFTER``: "le dernier but")."""
    classes, before = ONLY_AFTER.get(words[i], ((), frozenset())) if size == 1 else ((), frozenset())
    return classes if i > 0 and words[i - 1] in before else None


def _plural(phrase: str) -> str:
    head, _, last = phrase.rpartition(" ")
    last = last[:-1] + "ies" if last.endswith("y") else last + ("es" if last.endswith(("ch", "sh", "ss")) else "s")
    return f"{head} {last}".strip()


# Singular and plural spellings, so a misspelt plural ("penalites") is compared with "penalties".
_FUZZY_FORMS: dict[str, str] = {form: key for key in VOCABULARY for form in (key, _plural(key))}
# A typo keeps the first letter: a misspelt phrase is compared with the forms of its letter only (a third of a
# question's reading time went to picking them out of every form).
_FORMS_BY_LETTER: dict[str, list[str]] = {
    letter: [form for form in _FUZZY_FORMS if form[0] == letter] for letter in {form[0] for form in _FUZZY_FORMS}
}


# Words near an action word that mean something else ("score" is not "scored").
NOT_ACTIONS = frozenset(normalise(w) for w in TABLE["not_actions"])


def _fuzzy(words: list[str]) -> tuple[str, ...] | None:
    """The classes a misspelt phrase means; a typo keeps the first letter ("corenrs" is corners, not scorers)."""
    phrase = " ".join(words)
    if len(phrase.replace(" ", "")) < _FUZZY_MIN_LENGTH or phrase in NOT_ACTIONS or is_unsupported(phrase):
        return None
    same_letter = _FORMS_BY_LETTER.get(phrase[0], [])
    best = process.extractOne(phrase, same_letter, scorer=fuzz.ratio, score_cutoff=_FUZZY_SCORE)
    if best is None or len(best[0].split()) != len(words):
        return None
    return VOCABULARY[_FUZZY_FORMS[best[0]]]


def is_unsupported(phrase: str) -> bool:
    """An asked-for thing no class holds ("regates", "tackles", "petits ponts"): never read as its nearest-looking
    action ("remates"); each word of a phrase may be plural, and it may be written as typed ("VAR reviews",
    "step-overs")."""
    phrase = normalise(phrase)
    return bool(phrase) and (phrase in UNSUPPORTED or " ".join(map(singular, phrase.split())) in UNSUPPORTED)


def find_action_mentions(words: list[str], skip: Iterable[int] = ()) -> list[ActionMention]:
    """Greedy longest-first scan of ``words`` for action phrases; exact before fuzzy at each length.

    ``skip``: word indices already claimed by something else (a team name), never read as actions; a phrase no
    class holds ("goal celebrations") is no action of its words either.
    """
    taken = set(skip)
    found: list[ActionMention] = []
    i = 0
    while i < len(words):
        mention = None
        for size in range(min(_MAX_PHRASE, len(words) - i), 0, -1):
            span = range(i, i + size)
            if taken.intersection(span):
                continue
            window = words[i : i + size]
            if size > 1 and is_unsupported(" ".join(window)):
                taken.update(span)
                break
            classes = _lookup(window) or _fuzzy(window) or _after_its_word(words, i, size)
            if classes:
                mention = ActionMention(i, i + size, " ".join(window), classes)
                break
        if mention:
            found.append(mention)
            i = mention.stop
        else:
            i += 1
    return found


def resolve_actions(actions: Iterable[str] | str | None) -> tuple[str, ...]:
    """Class names for a list of words ("goals", "free kicks", "Yellow card"); all 17 for none.

    Raises ``HighlightsError`` naming the unknown word and the closest known ones.
    """
    if actions is None:
        return LABELS
    items = [actions] if isinstance(actions, str) else list(actions)
    if not items:
        return LABELS
    classes: list[str] = []
    for item in items:
        words = normalise(item).split()
        mentions = find_action_mentions(words)
        covered = sum(m.stop - m.start for m in mentions)
        if not mentions or covered < len(words) - 1:
            raise HighlightsError(f"unknown action {item!r}; {suggest_actions(item)}")
        classes.extend(c for m in mentions for c in m.classes)
    return ordered(classes)


def suggest_actions(word: str, limit: int = 3) -> str:
    """A sentence pointing from an unknown word to what is nearest: the class that holds what is meant
    ("tackles": fouls), else the closest spellings; then what can be found."""
    words = "free-kicks, cards, bookings, subs, chances, highlights"
    known = f"I can find: {', '.join(LABELS)}, and words like {words}"
    said = normalise(word)
    nearest = UNSUPPORTED.get(said, UNSUPPORTED.get(" ".join(singular(w) for w in said.split())))
    if nearest is not None:
        instead = f"; the nearest is {' / '.join(nearest)}" if nearest else ""
        return f"SoccerNet's 17 classes have no {word}{instead}. {known}"
    near = process.extract(said, VOCABULARY.keys(), scorer=fuzz.WRatio, limit=limit, score_cutoff=60)
    hint = f"did you mean {' or '.join(repr(n[0]) for n in near)}? " if near else ""
    return f"{hint}{known}"
