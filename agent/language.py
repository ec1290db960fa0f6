"""Reading the parts of a question that are not names: halves, minute ranges, ordinals, intents.

Pure functions over the question's text; ``agent.plan`` puts them together with the tools' readers
of teams, matches and actions.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

NUMBER_WORDS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
    "ten": 10, "eleven": 11, "twelve": 12, "fifteen": 15, "twenty": 20, "twenty five": 25, "thirty": 30,
    "forty": 40, "forty five": 45,
}  # fmt: skip
ORDINAL_WORDS = {
    "first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7, "eighth": 8,
    "ninth": 9, "tenth": 10, "last": -1, "final": -1,
}  # fmt: skip
_NUM = r"(\d{1,3}|" + "|".join(sorted(NUMBER_WORDS, key=len, reverse=True)) + r")"
_TH = r"(?:st|nd|rd|th)?"
_ORDINAL = r"(\d{1,2}(?:st|nd|rd|th)|" + "|".join(ORDINAL_WORDS) + r")"


def number(text: str) -> int:
    return int(text) if text.isdigit() else NUMBER_WORDS[text]


@dataclass(frozen=True, slots=True)
class TimeFilter:
    """Halves and minutes a question names. ``half`` 0 means "both halves" said explicitly."""

    half: int | None = None
    from_minute: float | None = None
    to_minute: float | None = None
    stoppage_time: bool = False

    @property
    def said(self) -> bool:
        return self.half is not None or self.from_minute is not None or self.to_minute is not None or self.stoppage_time


_HALF_PATTERNS: tuple[tuple[re.Pattern, int], ...] = (
    (re.compile(r"\b(?:first|1st|opening|1) half\b|\bbefore (?:the )?(?:break|half ?time|interval)\b"), 1),
    (re.compile(r"\b(?:second|2nd|2) half\b|\bafter (?:the )?(?:break|half ?time|interval|restart)\b"), 2),
    (re.compile(r"\b(?:erste[nr]?|primera|primer|premi[eè]re|primo) (?:halbzeit|parte|tiempo|mi temps|tempo)\b"), 1),
    (re.compile(r"\b(?:zweite[nr]?|segunda|segundo|seconde?|secondo) (?:halbzeit|parte|tiempo|mi temps|tempo)\b"), 2),
    (re.compile(r"\b(?:both|either|all) halves\b|\b(?:whole|full|entire) (?:match|game)\b|\ball match\b"), 0),
)
_STOPPAGE = re.compile(r"\b(?:stoppage|injury|added|extra) time\b|\bnachspielzeit\b|\btiempo (?:de )?descuento\b")
_LAST_N = re.compile(rf"\b(?:last|final|closing) {_NUM} min(?:ute)?s?\b")
_FIRST_N = re.compile(rf"\b(?:first|opening) {_NUM} min(?:ute)?s?\b")
_BETWEEN = re.compile(
    rf"\bbetween (?:the )?(?:minutes? )?{_NUM}{_TH}(?: min(?:ute)?s?)? and (?:the )?{_NUM}{_TH}\b"
    rf"|\bfrom (?:the )?(?:minute )?{_NUM}{_TH}(?: min(?:ute)?s?)? (?:to|until|till) (?:the )?{_NUM}{_TH}\b"
    rf"|\b{_NUM} ?(?:-|to) ?{_NUM} ?(?:min(?:ute)?s?|')"
)
_AFTER = re.compile(
    rf"\b(?:after|from|since|past|beyond|later than) (?:the )?(?:minute )?{_NUM}{_TH}"
    rf"(?: min(?:ute)?s?|'| mark)?(?! half)\b"
)
_BEFORE = re.compile(
    rf"\b(?:before|until|till|up to|earlier than|by) (?:the )?(?:minute )?{_NUM}{_TH}"
    rf"(?: min(?:ute)?s?|'| mark)?(?! half)\b"
)
_AT = re.compile(rf"\b(?:in|at|during|around) (?:the )?(?:minute {_NUM}\b|{_NUM}{_TH} min(?:ute)?\b|{_NUM}')")


def time_filter(text: str) -> TimeFilter:
    """Halves, minute ranges and stoppage time in a lower-case question (hyphens kept)."""
    half = None
    for pattern, value in _HALF_PATTERNS:
        if pattern.search(text):
            half = value
            break
    stoppage = bool(_STOPPAGE.search(text))
    span = _minutes(text, half)
    return TimeFilter(half, span[0], span[1], stoppage)


def _minutes(text: str, half: int | None) -> tuple[float | None, float | None]:
    start_of_half = 45 if half == 2 else 0
    end_of_half = 90 if half in (2, None) else 45
    if found := _LAST_N.search(text):
        return float(end_of_half - number(found[1])), None
    if found := _FIRST_N.search(text):
        return float(start_of_half), float(start_of_half + number(found[1]))
    if found := _BETWEEN.search(text):
        low, high = (number(g) for g in found.groups() if g is not None)
        return float(min(low, high)), float(max(low, high))
    after = _AFTER.search(text)
    before = _BEFORE.search(text)
    if after or before:
        return (float(number(after[1])) if after else None), (float(number(before[1])) if before else None)
    if found := _AT.search(text):
        minute = number(next(g for g in found.groups() if g is not None))
        return float(minute - 1), float(minute)
    return None, None


_SELECT = re.compile(
    rf"\b(?:the )?{_ORDINAL} (?:one|of (?:those|them|these)|in (?:that|the) list)\b"
    r"|\b(?:number|no\.?|#) ?(\d{1,3})\b"
    rf"|^(?:and |what about |show me |tell me (?:more )?about )?the {_ORDINAL}\W*$"
)


def selection(text: str) -> int | None:
    """The item of the last answer a follow-up picks ("the second one", "number 3", "the last one"):
    1-based, -1 for the last; None when it picks none."""
    found = _SELECT.search(text)
    if not found:
        return None
    token = next(g for g in found.groups() if g is not None)
    return _ordinal_value(token)


def _ordinal_value(token: str) -> int:
    if token in ORDINAL_WORDS:
        return ORDINAL_WORDS[token]
    return int(re.sub(r"\D", "", token))


def ordinal_before(words: list[str], index: int) -> int | None:
    """An ordinal right before word ``index`` ("the first goal", "the 2nd corner"), or None."""
    if index == 0:
        return None
    token = words[index - 1]
    if token in ORDINAL_WORDS or re.fullmatch(r"\d{1,2}(?:st|nd|rd|th)", token):
        return _ordinal_value(token)
    return None


_INTENTS: tuple[tuple[str, re.Pattern], ...] = (
    (
        "reel",
        re.compile(
            r"\b(?:highlights? )?reel\b|\b(?:video ?)?clips?\b|\bvideos? (?:of|with)\b|\bcompilation\b|\bmontage\b"
            r"|\b(?:watch|play) (?:the |all the |those |them|these)\b|\bhighlights? videos?\b"
        ),
    ),
    (
        "matches",
        re.compile(
            r"\b(?:which|what|list|show|all)(?: the| all| of the)? (?:matches|games)\b"
            r"|\b(?:matches|games) (?:do you have|are there|are available|can you)\b|\bavailable (?:matches|games)\b"
        ),
    ),
    (
        "search",
        re.compile(
            r"\bwhat (?:did|does|do) (?:the )?(?:commentators?|commentary|pundits?) (?:say|said|think)\b"
            r"|\b(?:search|look) (?:the commentary )?for\b|\bsearch (?:the )?commentary\b"
            r"|\bcommentary (?:about|on|mentions?)\b|\bmention(?:s|ed)?\b|\b(?:talk|talked|talking|said|say) about\b"
            r"|\bfind the moment\b|\bwhen (?:did|does) (?:the )?commentators?\b"
        ),
    ),
    (
        "summary",
        re.compile(
            r"\bsumm(?:ary|arise|arize|ari[sz]e)\b|\brecap\b|\boverview\b|\bwhat happened\b|\bwho won\b"
            r"|\b(?:the|final) score\b|\bresult\b|\bhow did .* (?:go|end)\b|\bresumen\b|\bzusammenfassung\b"
        ),
    ),
)


def intent_words(text: str) -> str | None:
    """The intent a question's wording states outright (reel, matches, search, summary), else None."""
    for intent, pattern in _INTENTS:
        if pattern.search(text):
            return intent
    return None


_SEARCH_PREFIX = re.compile(
    r"^.*?\b(?:about|for|mention(?:s|ed)?|on|find the moment (?:when|where)?)\s+", re.IGNORECASE
)


def search_query(question: str) -> str:
    """The words to search the commentary for: what follows "about"/"for"/"mention"."""
    stripped = _SEARCH_PREFIX.sub("", question.strip(), count=1).strip(" ?!.")
    return stripped or question.strip(" ?!.")


_CONTINUATION = re.compile(r"^(?:and|also|plus|what about|how about|now|then|same for|and what about)\b")
_REFERS_BACK = re.compile(
    r"\b(?:those|these|them|that list|of them|among them|the same)\b|^(?:which|who) (?:were|was)\b"
)
_REQUEST = re.compile(
    r"\b(?:show|give|find|list|get|any|all|every|where|when|how many|were there|was there|did|highlight)\b"
)


def continues(text: str) -> bool:
    """Whether a question continues the last one ("and corners?", "what about the first half?")."""
    return bool(_CONTINUATION.search(text))


def refers_back(text: str) -> bool:
    """Whether a question points at the last answer ("which of those ...")."""
    return bool(_REFERS_BACK.search(text))


def asks_for_things(text: str) -> bool:
    return bool(_REQUEST.search(text))


def counts(text: str) -> bool:
    return bool(re.search(r"\bhow many\b|\bnumber of\b|\bcount\b", text))
