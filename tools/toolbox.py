"""The tools bound to one corpus, spotter and commentary index: what the agent, the CLI and the UI call.

Each public method is a tool: typed arguments an LLM can fill in, a docstring it can read, a result
that is data (dataclasses of ``Spot``, ``MatchInfo``, ...). Matches can be named loosely ("Chelsea
Burnley", "the Bayern game"); an unknown name or action raises ``HighlightsError`` with suggestions.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from index.cache import reels_dir
from index.corpus import Corpus
from index.errors import HighlightsError
from index.settings import DEFAULT_BACKEND, FALLBACK_BACKEND, REEL_PADDING_S
from index.teams import canonical_team, closest_team
from index.types import HALVES, Match
from spotting.types import Spot, Spotter

from .actions import HIGHLIGHTS, resolve_actions
from .commentary import CommentaryHit, search_hits
from .matches import MAX_CHOICES, MatchIndex, MatchInfo, choice_lines, closest_matches, find_matches, match_info
from .query import MomentQuery
from .spots import SpotCache
from .summary import MatchSummary, summarise

if TYPE_CHECKING:  # the video libraries load only when a reel is made
    from .clips import Reel

log = logging.getLogger(__name__)

# "The highlights" hold the shots on target that were likely ones (calibrated: right at least this often),
# so a match's goals are not buried under twenty saves.
HIGHLIGHT_CHANCE = 0.5
SAME_MOMENT_MS = 15_000  # a shot this close to a goal is the goal's own shot


def default_spotter(name: str = DEFAULT_BACKEND) -> Spotter:
    """The spotter called ``name``; the keyword baseline instead only when the embedded model's
    files are not there (logged), so a fresh checkout still answers."""
    from spotting.registry import make_spotter

    try:
        return make_spotter(name)
    except HighlightsError as error:
        if name != DEFAULT_BACKEND or _embedded_model_present():
            raise
        log.warning("embedded spotter unavailable (%s); answering with the %s baseline", error, FALLBACK_BACKEND)
        return make_spotter(FALLBACK_BACKEND)


def highlight_moments(spots: list[Spot]) -> list[Spot]:
    """What a summary show keeps: every goal, penalty and sending-off, and the clear chances that were not
    themselves a goal (a shot on target seconds before a goal is that goal)."""
    goals = [(g.half, g.position_ms) for g in spots if g.label == "Goal"]

    def shown(spot: Spot) -> bool:
        if spot.label != "Shots on target":
            return True
        near_goal = any(h == spot.half and abs(t - spot.position_ms) <= SAME_MOMENT_MS for h, t in goals)
        return spot.confidence >= HIGHLIGHT_CHANCE and not near_goal

    return [s for s in spots if shown(s)]


def _embedded_model_present() -> bool:
    try:
        from spotting.embedded.config import SHIPPED
    except ImportError:
        return False
    return (SHIPPED / "model.json").is_file()


def _check_half(half: int | None) -> int | None:
    if half is not None and half not in HALVES:
        raise HighlightsError(f"half must be 1 or 2, not {half}")
    return half


class Toolbox:
    """The tools over one corpus. ``spotter`` finds actions; the commentary index is built on first search."""

    def __init__(
        self,
        corpus: Corpus,
        spotter: Spotter,
        commentary_index: Callable[[], object] | None = None,
        cache_dir: Path | None = None,
    ) -> None:
        self.corpus = corpus
        self.spotter = spotter
        self.cache = SpotCache(spotter)
        self._index_factory = commentary_index or (lambda: _load_index(corpus, cache_dir, self._index_progress))
        self._index: object | None = None
        self._index_lock = threading.Lock()
        self._building: threading.Thread | None = None  # the background build, once started
        self._built = (0, 0)  # passages embedded so far, of how many
        self._index_error: HighlightsError | None = None
        self._match_index = MatchIndex(corpus.matches)
        corpus.on_change(self._corpus_changed)

    def _corpus_changed(self, match: Match, replaced: frozenset[str]) -> None:
        """A match was added at run time: index it, forget what was kept about the ones it replaced, and
        rebuild the commentary index (with the new match in it) on the next search."""
        self._match_index = MatchIndex(self.corpus.matches)
        self.cache.forget(replaced)
        with self._index_lock:
            self._index = None
            background = self._building is not None
            self._building = None
        if background:  # a server built it before its users came: it does so again
            self.start_commentary_index()

    @property
    def match_index(self) -> MatchIndex:
        """The corpus's matches indexed by club; rebuilt when the corpus has gained a match."""
        if len(self._match_index) != len(self.corpus.matches):
            self._match_index = MatchIndex(self.corpus.matches)
        return self._match_index

    # -- matches ---------------------------------------------------------------------------------
    def find_matches(self, query: str, limit: int = MAX_CHOICES) -> list[MatchInfo]:
        """Find matches in the corpus from a free-text description: team names (fuzzy; aliases such as
        "Man Utd", "Barca", "PSG", "Bayern"), a date (2015-02-21), a season (2015-2016), a competition
        ("Premier League", "Bundesliga") or a score ("1-1"); an empty query lists every match. Returns id,
        title, date, competition of each."""
        return [match_info(m) for m in find_matches(query, self.match_index)[:limit]]

    def resolve_match(self, match: str) -> Match:
        """The one match that ``match`` (an id or a description) names; a clear error otherwise."""
        index = self.match_index
        if (exact := index.get(match)) is not None:
            return exact
        found = find_matches(match, index)
        if len(found) == 1:
            return found[0]
        if found:
            shown = "\n".join(choice_lines(found[:MAX_CHOICES]))
            more = f"\n(and {len(found) - MAX_CHOICES} more)" if len(found) > MAX_CHOICES else ""
            raise HighlightsError(
                f"{len(found)} matches fit {match!r}; which one? Ask the user, listing them:\n{shown}{more}\n"
            )
        raise HighlightsError(f"no match in the corpus fits {match!r}; {self.suggest_matches(match)}")

    def suggest_matches(self, text: str) -> str:
        close = closest_matches(text, self.corpus.matches)
        if close:
            return "closest: " + "; ".join(match_info(m).describe() for m in close)
        some = "; ".join(match_info(m).describe() for m in self.corpus.matches[:5])
        return f"the corpus has {len(self.corpus.matches)} matches, e.g. {some} (ask 'which matches do you have?')"

    # -- actions ---------------------------------------------------------------------------------
    def resolve(self, query: MomentQuery) -> tuple[Match, MomentQuery]:
        """The match ``query`` names and the query in canonical form (match id, official class names,
        a club of that match); a clear error for an unknown match, action, half or team."""
        if not query.match:
            raise HighlightsError("which match? Name it (e.g. 'Chelsea 2-2 Watford') or pick one from find_matches")
        match = self.resolve_match(query.match)
        canonical = replace(
            query,
            match=match.id,
            classes=resolve_actions(query.classes),
            half=_check_half(query.half),
            team=self.team_of(match, query.team) if query.team else None,
        )
        return match, canonical

    def spot_actions(self, query: MomentQuery) -> list[Spot]:
        """Find the moments of actions in a match from its commentary: the spots ``query`` keeps (its
        classes, half, minutes, stoppage time, team and ordinal). Each spot: label, half, start/end seconds
        from the start of that half, confidence 0-1, the team where known, and the commentary it rests on."""
        match, canonical = self.resolve(query)
        spots = self.cache.spots(match)
        if set(canonical.classes) == set(HIGHLIGHTS):
            spots = highlight_moments(spots)
        return canonical.select(spots, match)

    @staticmethod
    def team_of(match: Match, team: str) -> str:
        """The canonical name of ``team`` (spelled loosely) if it plays in ``match``; an error otherwise."""
        name = canonical_team(team)
        sides = {canonical_team(match.home), canonical_team(match.away)}
        if name not in sides:
            name = closest_team(team, (match.home, match.away)) or name
        if name not in sides:
            teams = f"{match.home} and {match.away}"
            raise HighlightsError(f"{team!r} does not play in {match.title}; the teams are {teams}")
        return name

    def match_summary(self, match: str) -> MatchSummary:
        """Summarise a match (id or description): final score, goals with their times, cards and
        substitutions, as found in the commentary."""
        found = self.resolve_match(match)
        return summarise(found, self.cache.spots(found), self.spotter.name)

    # -- video ---------------------------------------------------------------------------------------
    def make_reel(self, query: MomentQuery, out: str | None = None, padding: float = REEL_PADDING_S) -> Reel:
        """Make one MP4 highlight reel of a match's moments so the user can watch them ("a reel of all the
        goals"): the moments ``query`` keeps, as spot_actions finds them. ``out``: the MP4 to write
        (default: a file in the project's cache folder named after the match and actions). ``padding``:
        seconds shown before and after each moment. Needs the match's video (1_224p.mkv, 2_224p.mkv
        beside its labels). Returns the file, its duration and each clip's place in it."""
        match, canonical = self.resolve(query)
        return self.reel_of(match, canonical.select(self.cache.spots(match), match), out, padding)

    @staticmethod
    def reel_of(
        match: Match, spots: list[Spot], out: str | Path | None = None, padding: float = REEL_PADDING_S
    ) -> Reel:
        """The reel of ``spots`` cut from ``match``'s own videos; a clear error when a half has none."""
        if not spots:
            raise HighlightsError(f"none of those moments was found in {match.title}, so there is nothing to show")
        from .clips import make_highlight_reel, reel_filename

        missing = sorted({spot.half for spot in spots} - set(match.videos))
        if missing:
            half = missing[0]
            raise HighlightsError(
                f"no video for half {half} of {match.title}; put {half}_224p.mkv (or {half}_720p.mkv) "
                "beside its labels or pass a video"
            )
        unique = reel_filename(match.id, (s.label for s in spots), unique=True)  # one file per request
        return make_highlight_reel(match, spots, out=Path(out) if out else reels_dir() / unique, padding=padding)

    # -- commentary ------------------------------------------------------------------------------
    def search_commentary(self, text: str, query: MomentQuery | None = None, k: int = 5) -> list[CommentaryHit]:
        """Search the commentary by meaning (any language) for passages about ``text`` ("the penalty
        save", "a header off the post"), within ``query``'s match, half and minutes when it names them.
        Returns the ``k`` closest passages with times."""
        if not text.strip():
            raise HighlightsError("the search needs some words to look for")
        query = query or MomentQuery()
        match_id = self.resolve_match(query.match).id if query.match else None
        half = _check_half(query.half)
        return search_hits(self.commentary_index(), text, k, match_id, half, query.from_minute, query.to_minute)

    def commentary_index(self):
        """The FAISS commentary index, loaded or built on first use (then kept). While a background build
        (``start_commentary_index``) runs, a ``HighlightsError`` that says how far it got: no request waits."""
        with self._index_lock:
            if self._index is None and self._building is not None:
                raise self._index_error or HighlightsError(self.index_status())
            if self._index is None:
                self._index = self._index_factory()
            return self._index

    def start_commentary_index(self) -> None:
        """Load or build the commentary index in a background thread now (a server's start-up), so that
        no user's first search pays for it."""
        with self._index_lock:
            if self._index is not None or self._building is not None:
                return
            self._index_error = None
            self._building = threading.Thread(target=self._build_index, name="commentary-index", daemon=True)
            self._building.start()

    def _build_index(self) -> None:
        try:
            built = self._index_factory()
        except Exception as error:  # said to every search, and logged once here
            log.exception("the commentary index could not be built")
            problem = error if isinstance(error, HighlightsError) else HighlightsError(f"{type(error).__name__}")
            self._index_error = HighlightsError(f"the commentary search is unavailable: {problem}")
            return
        with self._index_lock:
            if self._building is threading.current_thread():  # not superseded by a corpus change
                self._index = built
        log.info("the commentary index is ready")

    def _index_progress(self, done: int, total: int) -> None:
        self._built = (done, total)

    def index_building(self) -> bool:
        """Whether a background build (``start_commentary_index``) is running."""
        return self._building is not None and self._index is None and self._index_error is None

    def index_failed(self) -> bool:
        return self._index_error is not None

    def index_status(self) -> str:
        """Where the commentary index is, in words: ready, being built (how far), or not built yet."""
        if self._index is not None:
            return "the commentary search is ready"
        if self._index_error is not None:
            return str(self._index_error)
        done, total = self._built
        if self._building is None:
            return "the commentary index is built on the first search"
        far = f" ({100 * done / total:.0f} % of {total:,} passages)" if total else ""
        return f"the commentary search is getting ready{far}; try it again in a minute (everything else works)"


def _load_index(corpus: Corpus, cache_dir: Path | None, progress: Callable[[int, int], None]):
    from index.index_cache import load_or_build

    return load_or_build(corpus, cache_dir, progress=progress)
