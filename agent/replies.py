"""Two readings that need the rest of the question understood first: a reply to "which one?", and
the words of a request that nothing understood ("show me the tackles")."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace
from itertools import pairwise

from index.teams import GROUNDS, canonical_team
from index.types import Match
from index.words import fold, word_spans
from tools.actions import is_unsupported
from tools.club_text import TeamMention
from tools.match_dates import masked
from tools.match_text import PLACE_WORDS, MatchQuery
from tools.matches import as_written, matches_for

from .language import search_query
from .reading import ARTICLES, Reading, span_words

TRAILING = frozenset(
    "in of on at during from the a vs v against en de del el la im bei dans di do da no na nel "
    "commentary".split()  # "look up zlatan in the psg 1-3 barca commentary": "zlatan"
)

# Words of a request that carry no content of their own, in the languages the planner reads.
STOP_WORDS = frozenset(
    "a an the all any every of in on at for from by to me us show give find list get were was are is there please "
    "what which when where who how many did do does have has had and or with about some moments moment times time "
    "i you can could would like want see tell this that match game it its their his her them those these only just "
    "happen happened occur occurred also now then more than most half minute minutes first second last "
    "el la los las de del en y dame muestrame todos todas der die das und zeig mir alle le les des du et montre "
    "moi tous toutes il gli di e mostrami tutti o os as do da mostre todos".split()
)


def narrowed(reading: Reading, candidates: Sequence[Match]) -> list[Match] | None:
    """The candidates a reply to "which one?" leaves: picked by number ("the fourth one"), or by what it
    says of the match (a date, a score, the competition, a club). None when the reply is not about
    them: a question of its own ("goals in Chelsea vs Burnley" names other clubs)."""
    said = reading.match
    if (not said.names_match and reading.selection is None) or said.unknown_club:
        return None
    if reading.selection is not None and not said.names_match:
        index = reading.selection - 1 if reading.selection > 0 else len(candidates) + reading.selection
        return [candidates[index]] if 0 <= index < len(candidates) else []
    playing = {canonical_team(t) for m in candidates for t in (m.home, m.away)}
    strangers = [m for m in said.teams if canonical_team(m.team) not in playing]
    if strangers:
        said = _as_ground(reading, said, strangers)
        if said is None:
            return None
    placed = _placed(reading, said)
    return as_written(placed, matches_for(placed, candidates))  # "chelsea v maccabi 4-0": the meeting as written


def _placed(reading: Reading, said: MatchQuery) -> MatchQuery:
    """ "the one in Swansea" among Swansea–Liverpool matches: a club of the candidates named after "in"/"a"/"en"
    is the city it was played in, so the club that was at home."""
    if said.home is not None or said.ground is not None or len(said.team_names) != 1:
        return said
    start = said.teams[0].start
    return replace(said, home=said.teams[0].team) if start and reading.words[start - 1] in PLACE_WORDS else said


def _as_ground(reading: Reading, said: MatchQuery, strangers: list[TeamMention]) -> MatchQuery | None:
    """ "quella a Torino" among Juventus–Napoli matches: a club playing in none of them, named after "at"/"a"/"in"
    with its city's name, is the city where it was played; None when it is a club of another match."""
    grounds: frozenset[str] = frozenset()
    for mention in strangers:
        clubs = GROUNDS.get(" ".join(reading.words[mention.start : mention.stop]))
        if not clubs or mention.start == 0 or reading.words[mention.start - 1] not in PLACE_WORDS:
            return None
        grounds |= clubs
    return replace(said, teams=tuple(m for m in said.teams if m not in strangers), ground=grounds)


def unknown_word(reading: Reading) -> str:
    """The content words of a request that nothing else understood ("dribbles", "nutmegs"); an
    unsupported word of ``tools.actions`` ("tackles") is returned whole."""
    claimed = {i for m in reading.match.teams for i in range(m.start, m.stop)}
    claimed |= {i for m in reading.actions for i in range(m.start, m.stop)}
    left = [i for i, w in enumerate(reading.words) if i not in claimed and w not in STOP_WORDS and not w.isdigit()]
    typed = reading.typed
    pairs = [(i, j) for i, j in pairwise(left) if j == i + 1]  # "goalkeeper distribution"
    spans = word_spans(reading.text)
    for i, j in pairs:
        if is_unsupported(f"{reading.words[i]} {reading.words[j]}"):  # as typed, its hyphen kept ("step-overs")
            return reading.text[spans[i][0] : spans[j][1]] if j < len(spans) else f"{typed[i]} {typed[j]}"
    for i in left:
        if is_unsupported(reading.words[i]):
            return typed[i]
    return " ".join(typed[i] for i in left[-2:])


def search_words(reading: Reading) -> str:
    """What to look for in the commentary: the question's words after "about"/"for", without the words
    that name the match ("Vardy in Leicester 2-5 Arsenal" -> "Vardy")."""
    quoted = re.search(r"[\"“”«»]([^\"“”«»]+)[\"“”«»]|(?<!\w)['‘]([^'‘’]+)['’](?!\w)", reading.text)
    if quoted:  # 'search the commentary for "crossbar"' (or 'rain'): the words in quotes, as they are
        return (quoted[1] or quoted[2]).strip()
    named = {i for m in (*reading.match.teams, *reading.whose) for i in range(m.start, m.stop + m.possessive)}
    named |= span_words(reading.text, reading.match)
    if not named:
        return _without_article(search_query(reading.text))
    spans = word_spans(reading.text)  # the match's words blanked, the rest as typed ("hat-trick" keeps its hyphen)
    left = search_query(masked(reading.text, tuple(spans[i] for i in sorted(named) if i < len(spans))))
    words = [w for w in left.split() if re.search(r"\w", w)]  # not the score's dash or a possessive's apostrophe
    while words and fold(words[-1]) in TRAILING:
        words.pop()
    return _without_article(" ".join(words) or search_query(reading.text))


def _without_article(words: str) -> str:
    """The sets' convention: a search's text is the word looked for, without its article ("the weather" -> "weather",
    "la lluvia" -> "lluvia"):
    the commentary says "rain" as often as "the rain"."""
    first, _, rest = words.partition(" ")
    return rest if rest and fold(first) in ARTICLES else words
