"""Reading the parts of a question that are not names: halves, minute windows, ordinals, intents.

A question in any of the six languages is first rewritten into the English phrases the rules know
(``rewrite``; the phrase table is ``data/phrases.yaml``); each reader below is then one small rule over
that text. Clubs, matches and actions are read elsewhere, from the question as typed.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from rapidfuzz import fuzz, process

from index.words import fold
from index.yamlfile import read_yaml
from tools.match_dates import MONTHS
from tools.query import Intent

PHRASES = read_yaml(Path(__file__).parent / "data" / "phrases.yaml")

NUMBER_WORDS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
    "ten": 10, "eleven": 11, "twelve": 12, "fifteen": 15, "twenty": 20, "twenty five": 25, "thirty": 30,
    "forty": 40, "forty five": 45,
}  # fmt: skip
ORDINAL_WORDS = {
    "first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7, "eighth": 8,
    "ninth": 9, "tenth": 10, "last": -1, "final": -1, "opening": 1, "late": -1, "later": -1, "earlier": 1,
    "penultimate": -2,
}  # fmt: skip
TIME_NOUNS = frozenset("half halves minute minutes period".split())  # "goals first half": a half, not an ordinal
AROUND_MINUTES = 5  # "around minute 70": the commentary trails the play, so ±5 holds the build-up and aftermath
HALF_LENGTH, MATCH_LENGTH = 45, 90

_NUM = r"(\d{1,3}|" + "|".join(sorted(NUMBER_WORDS, key=len, reverse=True)) + r")"
_TH = r"(?:st|nd|rd|th|')?"
_MIN = r"(?: min(?:ute)?s?|'| mark)?"
_ORDINAL = r"(\d{1,2}(?:st|nd|rd|th)|" + "|".join(ORDINAL_WORDS) + r")"


def number(text: str) -> int:
    return int(text) if text.isdigit() else NUMBER_WORDS[text]


# -- rewriting into the rules' English ------------------------------------------------------------------
@lru_cache(maxsize=1)
def _rewrites() -> tuple[re.Pattern, dict[str, str]]:
    table = {fold(phrase): english for english, phrases in PHRASES["canonical"].items() for phrase in phrases}
    alternatives = "|".join(re.escape(p) for p in sorted(table, key=len, reverse=True))
    return re.compile(rf"(?<![\w'])(?:{alternatives})(?![\w])"), table


def rewrite(question: str) -> str:
    """Lower case, no accents, punctuation other than ' - to spaces, ordinals as "70th", and the other
    languages' phrases as their English ones: "die letzten 10 Minuten" -> "the last 10 minutes"."""
    text = fold(question)
    text = re.sub(r"(?<=[^\W\d])[-'’](?=[^\W\d])", " ", text)  # "half-time", "d'heure", "all'intervallo"
    text = re.sub(r"\b(\d{1,3})(?:eme|ere|er|re|e|o|a|\.(?=\s*[^\d\s]))(?!\w)", r"\1th", text)  # 70e, 70., 70º -> 70th
    text = " ".join(re.sub(r"[^\w'\- ]", " ", text).split())
    pattern, table = _rewrites()
    return " ".join(_spelled(w) for w in pattern.sub(lambda found: table[found[0]], text).split())


_EMOJI = re.compile("|".join(map(re.escape, PHRASES["emoji"])))


def emoji_as_words(question: str) -> str:
    """ "⚽⚽ psg 4-0 guingamp", "#3": each emoji or sign of the table as the word it stands for, apart from the words
    beside it."""
    return _EMOJI.sub(lambda found: f" {PHRASES['emoji'][found[0]]} ", question)


# The words the rules turn on, read through one typo ("secnod half", "minuets"); a typo keeps the first letter.
RULE_WORDS = ("second", "first", "minute", "minutes", "stoppage", "between", "after", "before", "around", "halves",
              "score", "scored", "scores", "scorer", "scorers", "scoring", "scoreline")  # "final scroe": the score


def _spelled(word: str) -> str:
    if len(word) < 5 or word in RULE_WORDS or not word.isalpha():
        return word
    best = process.extractOne(word, [w for w in RULE_WORDS if w[0] == word[0]], scorer=fuzz.ratio, score_cutoff=80)
    return best[0] if best else word


# -- time ------------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class TimeFilter:
    """Halves and minutes a question names. ``half`` 0 means "both halves" said outright."""

    half: int | None = None
    from_minute: float | None = None
    to_minute: float | None = None
    stoppage_time: bool = False
    end_of: int | None = None  # "at half-time" (1), "at the end" (2): where a score is asked

    @property
    def said(self) -> bool:
        return self.half is not None or self.from_minute is not None or self.to_minute is not None or self.stoppage_time


_HALF_WORDS = r"(?:half|halbzeit|halfte|tempo|parte)"  # after a numeral: "2. Halbzeit", "2º tempo" (read "2th")
_HALF_PATTERNS: tuple[tuple[re.Pattern, int], ...] = (
    (re.compile(rf"\b(?:first|1st|1th|opening|1) half\b|\b1(?:st|th) {_HALF_WORDS}\b"
                r"|\b(?:first|1st|opening) 45\b(?! min)"
                r"|\bbefore (?:the )?(?:break|half time|interval)\b|^(?:and )?in the first\W*$"), 1),
    (re.compile(rf"\b(?:second|2nd|2th|2) half\b|\b2(?:nd|th) {_HALF_WORDS}\b|\b(?:second|2nd) 45\b(?! min)"
                r"|\bafter (?:the )?(?:break|half time|interval|restart)\b|^(?:and )?in the second\W*$"), 2),
    (re.compile(r"\b(?:both|either|all) halves\b|\b(?:whole|full|entire) (?:match|game)\b|\ball match\b"), 0),
)  # fmt: skip
_STOPPAGE = re.compile(r"\b(?:stoppage|injury|added(?: on)?|extra) time\b")
_AT_HALF_TIME = re.compile(r"\b(?:at|by) (?:the )?(?:half time|break|interval)\b|\bhalf time score\b|^half time\b")
_AT_THE_END = re.compile(r"\b(?:at|by) (?:the )?(?:end|full time|final whistle)\b|\bfinal score\b|\bfull time\b")
_OF_A_HALF = r"(?= of (?:the )?(?:first|second|1st|2nd) half\b)"  # "the last 15 of the first half"
_LAST_N = re.compile(
    rf"\b(?:last|final|closing) {_NUM} min(?:ute)?s?\b|\b{_NUM} last min(?:ute)?s?\b"
    rf"|\b(?:the )?(?:last|final) (?!one\b){_NUM}\W*$"  # "the last one" after a list is its last item, not a minute
    rf"|\bwith {_NUM} (?:min(?:ute)?s? )?(?:to go|to play|left|remaining)\b"  # "and with 10 to go?"
    rf"|\b(?:last|final|closing) {_NUM}{_OF_A_HALF}"
)
# "the 5 minutes before half time" / "before the end": the last minutes of that half
_BEFORE_A_BREAK = re.compile(
    rf"\b{_NUM} min(?:ute)?s? before (?:the )?(?:(half time|break|interval)|end|full time|final whistle)\b"
)
_FIRST_N = re.compile(  # "the first 10 minutes", "in the first 15" (a bare number at the end)
    rf"\b(?:first|opening) {_NUM} min(?:ute)?s?\b|\b{_NUM} first min(?:ute)?s?\b|\b(?:first|opening) {_NUM}{_OF_A_HALF}"
    rf"|\bin (?:the )?(?:first|opening) (?!one\b|45\b){_NUM}(?:\W*$|(?= (?:of|in|at|from|for|vs|against) ))"
)
_BETWEEN = re.compile(
    rf"\bbetween (?:the )?(?:minutes? )?{_NUM}{_TH}{_MIN} and (?:the )?(?:minutes? )?{_NUM}{_TH}"
    rf"|\bfrom (?:the )?(?:minute )?{_NUM}{_TH}{_MIN} (?:to|until|till) (?:the )?(?:minute )?{_NUM}{_TH}"
    rf"|\b{_NUM} ?(?:-|to) ?{_NUM} ?(?:min(?:ute)?s?|')"
    rf"|\bmin(?:ute)?s? {_NUM} ?(?:-|to|until|till) ?{_NUM}\b"  # "mins 60-75", "now minutes 20 to 45"
    rf"|^(?:and |now |what about |how about )?(?:from )?{_NUM} (?:to|until|till) {_NUM}$"  # "and 70 to 80?"
)
_AROUND = re.compile(rf"\b(?:around|about|near|circa) (?:the )?(?:minute {_NUM}|(?!one\b){_NUM}{_TH}{_MIN})(?! half)\b")
_AFTER = re.compile(
    rf"\b(?:after|from|since|past|beyond|later than) (?:the )?(?:minute {_NUM}|(?!one\b){_NUM}{_TH}{_MIN})(?! half)\b"
)
_BEFORE = re.compile(
    rf"\b(?:before|until|till|up to|earlier than|by) (?:the )?(?:minute {_NUM}|(?!one\b){_NUM}{_TH}{_MIN})(?! half)\b"
)
_AT = re.compile(
    rf"\b(?:in|at|during) (?:the )?(?:minute {_NUM}\b|{_NUM}{_TH} min(?:ute)?\b|{_NUM}')|\bat {_NUM} min(?:ute)?s\b"
    rf"|\bit at {_NUM}\b|^(?:and )?at {_NUM}\W*$"  # "what was it at 75", "and at 60?"
)  # "at 60 minutes" ("aos 60 minutos") is a minute; "in 10 minutes" is not


def time_filter(text: str) -> TimeFilter:
    """Halves, minute windows, stoppage time and "at half-time"/"at the end" in a rewritten question."""
    half = next((value for pattern, value in _HALF_PATTERNS if pattern.search(text)), None)
    end_of = 1 if _AT_HALF_TIME.search(text) else 2 if _AT_THE_END.search(text) else None
    low, high = _minutes(text, half)
    stoppage = bool(_STOPPAGE.search(text))
    if stoppage and half is None and _AT_THE_END.search(text):  # "injury time at the end": the second half's
        half = 2
    return TimeFilter(half, low, high, stoppage, end_of)


def _minutes(text: str, half: int | None) -> tuple[float | None, float | None]:
    """The minute window, by the first rule that reads one (the order settles overlaps)."""
    start_of_half = HALF_LENGTH if half == 2 else 0
    end_of_half = MATCH_LENGTH if half in (2, None) else HALF_LENGTH
    if found := _BEFORE_A_BREAK.search(text):
        return float((HALF_LENGTH if found[2] else MATCH_LENGTH) - number(found[1])), None
    if found := _LAST_N.search(text):
        return float(end_of_half - number(_first(found))), None
    if found := _FIRST_N.search(text):
        return float(start_of_half), float(start_of_half + number(_first(found)))
    if found := _BETWEEN.search(text):
        low, high = (number(g) for g in found.groups() if g is not None)
        return float(min(low, high)), float(max(low, high))
    if found := _AROUND.search(text):
        minute = number(_first(found))
        return float(max(0, minute - AROUND_MINUTES)), float(minute + AROUND_MINUTES)
    after, before = _AFTER.search(text), _BEFORE.search(text)
    if after or before:
        return (float(number(_first(after))) if after else None), (float(number(_first(before))) if before else None)
    if found := _AT.search(text):
        minute = number(_first(found))
        return float(minute - 1), float(minute)
    return None, None


def _first(found: re.Match) -> str:
    return next(g for g in found.groups() if g is not None)


# -- picking from a list ---------------------------------------------------------------------------
_SELECT = re.compile(
    r"^\s*(?:number |no\.? |#)?(\d{1,2})\s*$"  # a bare number, as the reply to "which one?"
    rf"|\b(?:the )?{_ORDINAL} (?:one|clip|video|of (?:those|them|these)|in (?:that|the) list)\b"
    r"|\b(?:number|no\.?|#) ?(\d{1,3})\b"
    r"|\b(?:the )?(earlier|late|later) (?:kick ?off|game|match)\b"  # of two matches on one day
    rf"|^(?:and |what about |show me |open |play |tell me (?:more )?about )?(?:the )?{_ORDINAL}\W*$"
)


_WHO_OF = re.compile(rf"(?<!\bin )\bthe {_ORDINAL}\W*$")  # "who scored the 4th?", "chi ha segnato il secondo?"
ORDINAL_ACTIONS: dict[str, int] = PHRASES["ordinal_actions"]


def who_of(text: str) -> int | None:
    """The ordinal a "who" question ends on ("who scored the 4th?"); not "who scored in the second" (a half)."""
    found = _WHO_OF.search(text)
    return _ordinal_value(found[1]) if found else None


_STEP = re.compile(r"\b(?:the )?(next|previous)(?: one)?\W*$")


def step(text: str) -> int | None:
    """ "and the next one?", "the previous one": one item on from the one just shown (+1 / -1)."""
    found = _STEP.search(text)
    return (1 if found[1] == "next" else -1) if found else None


def selection(text: str) -> int | None:
    """The item a reply picks ("the second one", "number 3", "the last one"): 1-based, -1 for the
    last; None when it picks none."""
    found = _SELECT.search(text)
    return _ordinal_value(_first(found)) if found else None


def _ordinal_value(token: str) -> int:
    if token in ORDINAL_WORDS:
        return ORDINAL_WORDS[token]
    return int(re.sub(r"\D", "", token))


def ordinal_after(words: list[str], index: int) -> int | None:
    """ "who scored first?", "scored last", "goal number 4": "first"/"last"/"number N" at ``index`` (after an action
    word)."""
    if words[index : index + 1] == ["number"] and index + 1 < len(words) and words[index + 1].isdigit():
        return int(words[index + 1])
    if index >= len(words) or words[index] not in ("first", "last"):
        return None
    following = words[index + 1] if index + 1 < len(words) else ""
    return None if following in TIME_NOUNS or following.isdigit() else ORDINAL_WORDS[words[index]]


def ordinal_before(words: list[str], index: int) -> int | None:
    """An ordinal right before word ``index`` ("the first goal", "the 2nd corner"), or None."""
    if index == 0:
        return None
    token = words[index - 1]
    token = _rewrites()[1].get(token, token)  # "el primer gol", "il secondo gol", "le dernier but": the English one
    if index >= 2 and words[index - 2] in MONTHS:  # "may 14th goals": a day of the month
        return None
    if token == "last" and _second_from(words[: index - 1]):  # "the second to last goal", "the second last corner"
        return ORDINAL_WORDS["penultimate"]
    if token in ORDINAL_WORDS or re.fullmatch(r"\d{1,2}(?:st|nd|rd|th)", token):
        return _ordinal_value(token)
    return None


def _second_from(before: list[str]) -> bool:
    """Whether the words before "last" make it the one before the last ("second to", "second")."""
    return before[-2:] == ["second", "to"] or before[-1:] == ["second"]


# -- what is asked ---------------------------------------------------------------------------------
_INTENTS: tuple[tuple[Intent, re.Pattern], ...] = tuple(
    (Intent(name), re.compile("|".join(patterns))) for name, patterns in PHRASES["intents"].items()
)
_COUNTING = re.compile(PHRASES["counting"])
CORRECTION = re.compile(  # "no, sorry", "sorry:", "I mean" (as typed: accents and case read through)
    r"\b(?:" + "|".join(re.escape(p).replace(r"\ ", r",?\s+") for p in PHRASES["corrections"]) + r")\b[\s,:]*",
    re.IGNORECASE,
)
_CONTINUATION = re.compile(PHRASES["continuation"])
_REFERS_BACK = re.compile(PHRASES["refers_back"])
_RESETS = re.compile(PHRASES["resets"])
_REQUEST = re.compile(PHRASES["request"])
_LISTING = re.compile(PHRASES["listing"])
_AFTER_THAT = re.compile(PHRASES["after_that"])


def intent_words(text: str) -> Intent | None:
    """The intent a question's wording states outright (reel, matches, search, who, score, summary)."""
    return next((intent for intent, pattern in _INTENTS if pattern.search(text)), None)


# The search verbs of the six languages before words in quotes: "busca 'Griezmann'", "cherche « Cavani »".
_QUOTED_SEARCH = re.compile(
    r"^\s*(?:find|search|look for|look up|busca|buscar|such nach|suche nach|suche|cherche|chercher|cerca|procura"
    r"|procure)\s+[\"“”«'‘]"
)


def quoted_search(question: str) -> bool:
    """ 'find "penalty shout"': words in quotes after a search verb are looked for in the commentary, as typed."""
    return bool(_QUOTED_SEARCH.search(question.lower()))


_MORE = re.compile(
    r"^(?:and |show |show me |list |give me )?(?:the )?(?:more|others|other ones|rest|next page)"
    r"(?: ones| matches| games| please)?\W*$"
)


def more(text: str) -> bool:
    """Whether a reply to "which one?" asks to see the next candidates ("more", "the others")."""
    return bool(_MORE.search(text))


def counts(text: str) -> bool:
    return bool(_COUNTING.search(text))


_HELP = re.compile(PHRASES["help"])


def asks_help(text: str) -> bool:
    """ "what can you do?", "Was kannst du alles?": a question about the assistant itself, not about a match."""
    return bool(_HELP.search(text))


def continues(text: str) -> bool:
    """Whether a question continues the last one ("and corners?", "what about the first half?")."""
    return bool(_CONTINUATION.search(text))


def refers_back(text: str) -> bool:
    """Whether a question points at the last answer ("which of those ...")."""
    return bool(_REFERS_BACK.search(text))


_SAME_FOR = re.compile(PHRASES["same_for"])


def same_for(text: str) -> bool:
    """Whether a follow-up asks the last question again for someone ("and for metz only?", "same for chelsea")."""
    return bool(_SAME_FOR.search(text))


def lists(text: str) -> bool:
    """Whether a follow-up asks to see the moments it was told about ("list them" after "how many")."""
    return bool(_LISTING.search(text))


def after_that(text: str) -> bool:
    """Whether a follow-up asks for what came after the time the last answer ended at ("who scored after that?")."""
    return bool(_AFTER_THAT.search(text))


_IN_TOTAL = re.compile(PHRASES["in_total"])


def in_total(text: str) -> bool:
    """Whether a count asks for both clubs together ("how many in total?", "¿cuántas en total?")."""
    return bool(_IN_TOTAL.search(text))


def resets(text: str) -> bool:
    """Whether a question asks for the whole match again ("all the cards", "both teams")."""
    return bool(_RESETS.search(text))


_SIDE = re.compile(r"\b(?:the )?(home|away) team\b")
_SIDE_ONE = re.compile(r"\b(?:the )?(home|away) one\b")


def side(text: str) -> str | None:
    """ "the home side's fouls", "the visitors": the club that played at home ("home") or away ("away")."""
    found = _SIDE.search(text)
    return found[1] if found else None


def side_one(text: str) -> str | None:
    """ "the home one", "el de fuera": a reply to "which one?" that picks the match by where it was played."""
    found = _SIDE_ONE.search(text)
    return found[1] if found else None


_ONE = re.compile(r"\b(?:it|that one|this one|that|this|him|that goal|that card)\b")


def refers_to_one(text: str) -> bool:
    """Whether a follow-up is about the one moment just shown ("who scored it?")."""
    return bool(_ONE.search(text))


def readable(question: str) -> bool:
    """Whether the question is written in the Latin script the planner reads (most of its letters)."""
    letters = [c for c in question if c.isalpha()]
    latin = sum(1 for c in letters if "LATIN" in unicodedata.name(c, ""))
    return not letters or latin >= len(letters) / 2


def asks_for_things(text: str) -> bool:
    return bool(_REQUEST.search(text))


_SENTENCE_END = re.compile(r"[.!?]+\s+")


def asked_part(question: str) -> str:
    """Of a question of several sentences, the last one that asks for something and what follows it ("Hi! I'm cutting
    a video for my channel. Could you give me the shots on target...? Thanks!"): what is asked is read there, not in
    the story told before it."""
    ends = [found.end() for found in _SENTENCE_END.finditer(question)]
    for start, stop in reversed(list(zip([0, *ends], [*ends, len(question)], strict=True))):
        if asks_for_things(rewrite(question[start:stop])):
            return question[start:]
    return question


_SEARCH_PREFIX = re.compile(
    r"^.*?\b(?:about|for|mention(?:s|ed)?(?: of)?|talk of|bring(?:s|ing)? up|brought up|on"
    r"|find the moment (?:when|where)?"
    r"|habla (?:de|del|sobre)|spricht (?:über|uber|von)|parle (?:de|du)|parla (?:di|del)|fala (?:de|do|da|sobre))\s+",
    re.IGNORECASE,
)
_IN_THE_COMMENTARY = re.compile(r"\s+(?:in|from|on)\s+(?:the\s+)?commentary$", re.IGNORECASE)
_SEARCH_VERB = re.compile(r"^(?:search|find|look up)\s+", re.IGNORECASE)
# "is dzeko mentioned anywhere?", "was the rain talked about": what comes before the passive verb
_MENTIONED = re.compile(r"^(?:is|was|were|are|has|have)\s+(.+?)\s+(?:been\s+)?(?:mentioned|talked about|brought up)\b",
                        re.IGNORECASE)  # fmt: skip


def search_query(question: str) -> str:
    """The words to search the commentary for: what follows "about"/"for"/"mention", or comes before "mentioned"."""
    if passive := _MENTIONED.match(question.strip()):
        return passive[1]
    stripped, found = _SEARCH_PREFIX.subn("", question.strip(), count=1)
    if not found:  # "search messi": the verb and its word, nothing between
        stripped = _SEARCH_VERB.sub("", stripped, count=1)
    stripped = _IN_THE_COMMENTARY.sub("", stripped.strip(" ?!."))  # "look for aguero in the commentary"
    return stripped or question.strip(" ?!.")
