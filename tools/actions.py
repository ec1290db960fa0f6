"""Everyday words for the 17 action classes: "free-kicks", "bookings", "subs", "chances", "highlights".

Both the offline planner (reading a question) and the LLM's tool calls (an ``actions`` argument such
as ``["free kicks"]``) go through here, so both understand the same words, plurals and misspellings.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from rapidfuzz import fuzz, process

from index.classes import LABELS
from index.errors import HighlightsError
from index.words import normalise

FREE_KICKS = ("Indirect free-kick", "Direct free-kick")
SHOTS = ("Shots on target", "Shots off target")
CARDS = ("Yellow card", "Red card", "Yellow->red card")
SENDING_OFF = ("Red card", "Yellow->red card")
# What a viewer means by "the highlights": the moments a summary show would not leave out.
HIGHLIGHTS = ("Penalty", "Goal", "Shots on target", "Red card", "Yellow->red card")
SET_PIECES = ("Indirect free-kick", "Direct free-kick", "Corner")

# Phrase (lower case, singular, words separated by one space) -> classes.
VOCABULARY: dict[str, tuple[str, ...]] = {
    "penalty": ("Penalty",),
    "penalty kick": ("Penalty",),
    "pen": ("Penalty",),
    "spot kick": ("Penalty",),
    "kick off": ("Kick-off",),
    "kickoff": ("Kick-off",),
    "goal": ("Goal",),
    "scored": ("Goal",),
    "scorer": ("Goal",),
    "equaliser": ("Goal",),
    "equalizer": ("Goal",),
    "substitution": ("Substitution",),
    "sub": ("Substitution",),
    "substitute": ("Substitution",),
    "replacement": ("Substitution",),
    "offside": ("Offside",),
    "shot on target": ("Shots on target",),
    "shot on goal": ("Shots on target",),
    "save": ("Shots on target",),
    "shot off target": ("Shots off target",),
    "off target": ("Shots off target",),
    "on target": ("Shots on target",),
    "shot wide": ("Shots off target",),
    "shot": SHOTS,
    "chance": SHOTS,
    "attempt": SHOTS,
    "opportunity": SHOTS,
    "clearance": ("Clearance",),
    "ball out of play": ("Ball out of play",),
    "out of play": ("Ball out of play",),
    "ball out": ("Ball out of play",),
    "throw in": ("Throw-in",),
    "throwin": ("Throw-in",),
    "foul": ("Foul",),
    "indirect free kick": ("Indirect free-kick",),
    "indirect freekick": ("Indirect free-kick",),
    "direct free kick": ("Direct free-kick",),
    "direct freekick": ("Direct free-kick",),
    "free kick": FREE_KICKS,
    "freekick": FREE_KICKS,
    "set piece": SET_PIECES,
    "corner": ("Corner",),
    "corner kick": ("Corner",),
    "yellow card": ("Yellow card",),
    "yellow": ("Yellow card",),
    "caution": ("Yellow card",),
    "booking": ("Yellow card", "Yellow->red card"),
    "booked": ("Yellow card", "Yellow->red card"),
    "card": CARDS,
    "red card": SENDING_OFF,
    "red": SENDING_OFF,
    "sending off": SENDING_OFF,
    "sent off": SENDING_OFF,
    "dismissal": SENDING_OFF,
    "second yellow": ("Yellow->red card",),
    "second yellow card": ("Yellow->red card",),
    "yellow red card": ("Yellow->red card",),
    "yellow to red card": ("Yellow->red card",),
    "highlight": HIGHLIGHTS,
    "key moment": HIGHLIGHTS,
    "big moment": HIGHLIGHTS,
    "best moment": HIGHLIGHTS,
    "best bit": HIGHLIGHTS,
    "action": LABELS,
    "event": LABELS,
    "everything": LABELS,
}
# A few words of the commentary's other languages, for questions asked in them.
FOREIGN: dict[str, tuple[str, ...]] = {
    "gol": ("Goal",), "goles": ("Goal",), "golazo": ("Goal",), "tor": ("Goal",), "tore": ("Goal",),
    "buts": ("Goal",), "reti": ("Goal",), "penalti": ("Penalty",), "penaltis": ("Penalty",),
    "elfmeter": ("Penalty",), "rigore": ("Penalty",), "rigori": ("Penalty",), "tarjeta": CARDS,
    "tarjetas": CARDS, "karte": CARDS, "karten": CARDS, "cartellino": CARDS, "cartellini": CARDS,
    "tarjeta amarilla": ("Yellow card",), "gelbe karte": ("Yellow card",), "carton jaune": ("Yellow card",),
    "tarjeta roja": SENDING_OFF, "rote karte": SENDING_OFF, "carton rouge": SENDING_OFF, "ecke": ("Corner",),
    "ecken": ("Corner",), "córner": ("Corner",), "córners": ("Corner",), "saque de esquina": ("Corner",),
    "falta": ("Foul",), "faltas": ("Foul",), "faute": ("Foul",), "fallo": ("Foul",), "freistoß": FREE_KICKS,
    "freistoss": FREE_KICKS, "tiro libre": FREE_KICKS, "coup franc": FREE_KICKS, "punizione": FREE_KICKS,
    "cambio": ("Substitution",), "cambios": ("Substitution",), "wechsel": ("Substitution",),
    "remplacement": ("Substitution",), "sostituzione": ("Substitution",), "abseits": ("Offside",),
    "fuera de juego": ("Offside",), "hors jeu": ("Offside",), "fuorigioco": ("Offside",),
    "saque de banda": ("Throw-in",), "einwurf": ("Throw-in",),
}  # fmt: skip
VOCABULARY.update(FOREIGN)
# The official names themselves are words too ("Shots on target", "Yellow->red card").
for _label in LABELS:
    VOCABULARY.setdefault(re.sub(r"[^a-z]+", " ", _label.lower()).strip(), (_label,))

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


def _plural(phrase: str) -> str:
    head, _, last = phrase.rpartition(" ")
    last = last[:-1] + "ies" if last.endswith("y") else last + ("es" if last.endswith(("ch", "sh", "ss")) else "s")
    return f"{head} {last}".strip()


# Singular and plural spellings, so a misspelt plural ("penalites") is compared with "penalties".
_FUZZY_FORMS: dict[str, str] = {form: key for key in VOCABULARY for form in (key, _plural(key))}


# Words near an action word that mean something else ("score" is not "scored").
NOT_ACTIONS = frozenset({"score", "scores", "scoreline", "scoring", "shoot", "goalie", "goalkeeper"})


def _fuzzy(words: list[str]) -> tuple[str, ...] | None:
    phrase = " ".join(words)
    if len(phrase.replace(" ", "")) < _FUZZY_MIN_LENGTH or phrase in NOT_ACTIONS:
        return None
    best = process.extractOne(phrase, _FUZZY_FORMS.keys(), scorer=fuzz.ratio, score_cutoff=_FUZZY_SCORE)
    if best is None or len(best[0].split()) != len(words):
        return None
    return VOCABULARY[_FUZZY_FORMS[best[0]]]


def find_action_mentions(words: list[str], skip: Iterable[int] = ()) -> list[ActionMention]:
    """Greedy longest-first scan of ``words`` for action phrases; exact before fuzzy at each length.

    ``skip``: word indices already claimed by something else (a team name), never read as actions.
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
            classes = _lookup(window) or _fuzzy(window)
            if classes:
                mention = ActionMention(i, i + size, " ".join(window), classes)
                break
        if mention:
            found.append(mention)
            i = mention.stop
        else:
            i += 1
    return found


def ordered(classes: Iterable[str]) -> tuple[str, ...]:
    """Classes without repeats, in the official order."""
    chosen = set(classes)
    return tuple(label for label in LABELS if label in chosen)


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
    """A sentence pointing from an unknown word to the nearest known ones, and the full list."""
    near = process.extract(normalise(word), VOCABULARY.keys(), scorer=fuzz.WRatio, limit=limit, score_cutoff=60)
    hint = f"did you mean {' or '.join(repr(n[0]) for n in near)}? " if near else ""
    words = "free-kicks, cards, bookings, subs, chances, highlights"
    return f"{hint}I can find: {', '.join(LABELS)}, and words like {words}"
