"""Where the data is, and loading matches from it.

A data folder is laid out like SoccerNet + SoccerNet-Echoes:
``echoes/whisper_*/LEAGUE/SEASON/GAME/{1,2}_asr.json``,
``soccernet/LEAGUE/SEASON/GAME/Labels-v2.json`` and ``soccernet/splits/spotting_*.txt``.
Every command finds it the same way: ``--data DIR``, else ``$HIGHLIGHTS_DATA``, else the sample
shipped with the package.
"""

from __future__ import annotations

import logging
import threading
import weakref
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from tqdm import tqdm

from .cache import cache_key, read_cached, write_cached
from .echoes import DEFAULT_VERSION, SECOND_TRANSCRIPTION, TextChoice, asr_path, load_asr, translation_of
from .errors import HighlightsError, printable
from .labels import load_labels
from .language import detect_language
from .names import parse_game_id
from .own_match import UNKNOWN_SCORE_NOTE, score_given
from .settings import DATA_ENV, SPLITS, env
from .types import HALVES, Event, Match, Segment
from .video import find_videos

log = logging.getLogger(__name__)

SAMPLE_ROOT = Path(__file__).parent / "sample"
LABELS_FILE = "Labels-v2.json"


def resolve_data_root(data: str | Path | None = None) -> Path:
    """The data folder: ``data`` if given, else ``$HIGHLIGHTS_DATA``, else the shipped sample."""
    chosen = data or env(DATA_ENV) or SAMPLE_ROOT
    root = Path(chosen).expanduser()
    if not root.is_dir():
        raise HighlightsError("data folder does not exist", root)
    if not (root / "echoes").is_dir() and not (root / "soccernet").is_dir():
        raise HighlightsError("not a data folder: it has neither echoes/ nor soccernet/", root)
    return root


def split_games(root: Path, split: str) -> list[str]:
    """Game ids of an official split, from ``soccernet/splits`` (or the package's own copy)."""
    if split not in SPLITS:
        raise HighlightsError(f"unknown split {split!r}; expected one of {', '.join(SPLITS)}")
    for folder in (root / "soccernet" / "splits", SAMPLE_ROOT / "soccernet" / "splits"):
        path = folder / f"spotting_{split}.txt"
        if path.is_file():
            return [line.strip() for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    raise HighlightsError(f"no list of the {split} split (spotting_{split}.txt)", root)


def available_games(root: Path, version: str = DEFAULT_VERSION) -> list[str]:
    """Game ids that have commentary in ``version`` or labels under ``root``, sorted."""
    echoes, soccernet = root / "echoes" / version, root / "soccernet"
    games = {p.parent.relative_to(echoes).as_posix() for p in echoes.glob("*/*/*/1_asr.json")}
    games |= {p.parent.relative_to(soccernet).as_posix() for p in soccernet.glob(f"*/*/*/{LABELS_FILE}")}
    return sorted(games)


def labels_path(root: Path, game_id: str) -> Path:
    return root / "soccernet" / game_id / LABELS_FILE


def _half_segments(root: Path, game_id: str, half: int, version: str, text: TextChoice) -> tuple[Segment, ...]:
    echoes = root / "echoes"
    original_path = asr_path(echoes, version, game_id, half)
    translation = translation_of(version)
    translated_path = asr_path(echoes, translation, game_id, half) if translation else None
    has_translation = translated_path is not None and translated_path.is_file()
    if not original_path.is_file() and not has_translation:
        raise HighlightsError(f"half {half} has no commentary in {version}", original_path)
    original = load_asr(original_path, half, version) if original_path.is_file() else ()
    second = ()
    second_path = asr_path(echoes, SECOND_TRANSCRIPTION, game_id, half)
    if text is TextChoice.ALL and version != SECOND_TRANSCRIPTION and second_path.is_file():
        second = load_asr(second_path, half, SECOND_TRANSCRIPTION)
    if text is TextChoice.ORIGINAL or not has_translation:
        return tuple(sorted(original + second, key=lambda s: (s.start, s.source)))
    translated = load_asr(translated_path, half, translation)
    if text is TextChoice.ENGLISH:
        return translated
    return tuple(sorted(original + translated + second, key=lambda s: (s.start, s.source)))


# SoccerNet sometimes labels one goal twice, a second apart; no two real goals are this close
# (the restart alone takes longer).
SAME_GOAL_S = 30.0


def _score_from_labels(events: Iterable[Event]) -> tuple[int, int]:
    """Goals per team implied by the labels, counting duplicate annotations of a goal once."""
    score = {"home": 0, "away": 0}
    last: dict[tuple[int, str], float] = {}
    for event in sorted((e for e in events if e.label == "Goal"), key=lambda e: (e.half, e.position_ms)):
        key = (event.half, event.team)
        if event.team in score and event.seconds - last.get(key, -SAME_GOAL_S - 1) > SAME_GOAL_S:
            score[event.team] += 1
        last[key] = event.seconds
    return score["home"], score["away"]


def _final_score(home: int, away: int, events: dict[int, tuple[Event, ...]]) -> tuple[tuple[int, int], str]:
    """The final score, and a note when the labels disagree with the folder name.

    The labels count goals well but credit an own goal to the side of the player who scored it
    (Montpellier 3-0 Paris SG is labelled 2-1); the folder name has the right split but is sometimes
    simply wrong (Real Madrid 10-2 Rayo Vallecano is named 1-0). So: the same number of goals keeps
    the folder's split; another number takes the labels'.
    """
    labelled = _score_from_labels(e for half in HALVES for e in events.get(half, ()))
    if not events or labelled == (home, away):
        return (home, away), ""
    said = f"folder name says {home}-{away}, labelled goals say {labelled[0]}-{labelled[1]}"
    if sum(labelled) == home + away:
        return (home, away), f"{said}; the same number of goals, so the folder's (an own goal labelled by its scorer)"
    return labelled, f"{said}; using the labels"


def load_match(
    root: Path,
    game_id: str,
    version: str = DEFAULT_VERSION,
    text: TextChoice = TextChoice.ORIGINAL,
    with_labels: bool = True,
) -> Match:
    """Load one game: metadata, both halves' commentary, labels where present, videos."""
    name = parse_game_id(game_id)
    has_commentary = (root / "echoes" / version / game_id).is_dir() or (
        translation_of(version) and (root / "echoes" / f"{version}_en" / game_id).is_dir()
    )
    segments: dict[int, tuple[Segment, ...]] = {}
    languages: dict[int, str] = {}
    if has_commentary:
        for half in HALVES:
            half_segments = _half_segments(root, game_id, half, version, text)
            originals = " ".join(s.text for s in half_segments if not s.source.endswith("_en"))
            languages[half] = detect_language(originals) if originals else "en" if half_segments else ""
            segments[half] = tuple(
                _with_language(s, "en" if s.source.endswith("_en") else languages[half]) for s in half_segments
            )
    events: dict[int, tuple[Event, ...]] = {}
    label_file = labels_path(root, game_id)
    if with_labels and label_file.is_file():
        events = load_labels(label_file)
    if not segments and not events:
        raise HighlightsError(
            f"no commentary ({version}) and no labels for this match", root / "echoes" / version / game_id
        )
    (home_score, away_score), note = _final_score(name.home_score, name.away_score, events)
    if note:
        log.info("%s: %s", game_id, note)  # kept in Match.score_note, shown where the match is
    known = score_given(root, game_id)
    note = note or ("" if known else UNKNOWN_SCORE_NOTE)
    return match_from_game_id(
        game_id,
        home_score=home_score,
        away_score=away_score,
        segments=segments,
        events=events,
        languages=languages,
        videos=find_videos(root, game_id),
        has_labels=bool(events),
        score_note=note,
        score_known=known,
    )


def match_from_game_id(game_id: str, **fields: Any) -> Match:
    """A Match whose metadata comes from its folder name; ``fields`` set (or override) the rest."""
    name = parse_game_id(game_id)
    return Match(id=game_id, **{**asdict(name), **fields})


def _with_language(segment: Segment, language: str) -> Segment:
    return Segment(segment.half, segment.start, segment.end, segment.text, segment.source, language)


Changed = Callable[[Match, frozenset[str]], None]  # a match added, and the ids it replaced (its own included)


@dataclass
class Corpus:
    """Matches loaded from a data folder, and the games that could not be loaded (and why).

    ``add`` makes a match part of it while it is in use (an app's user adds their own match): the
    list is replaced, never changed in place, so a reader iterating ``matches`` keeps a consistent
    list; whoever keeps something per match (spots, a search index) hears of it through ``on_change``.
    """

    root: Path
    matches: list[Match]
    skipped: list[tuple[str, str]] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False, compare=False)
    _listeners: list = field(default_factory=list, init=False, repr=False, compare=False)

    def get(self, game_id: str) -> Match:
        for match in self.matches:
            if match.id == game_id:
                return match
        raise HighlightsError("no such match in the corpus", game_id)

    def add(self, match: Match, replaces: Iterable[str] = ()) -> None:
        """Add ``match``, replacing the match with its id and those in ``replaces`` (thread-safe)."""
        gone = frozenset({match.id, *replaces})
        with self._lock:
            self.matches = [m for m in self.matches if m.id not in gone] + [match]
            self._listeners = [ref for ref in self._listeners if ref() is not None]
            listeners = [ref() for ref in self._listeners]
        for listener in listeners:
            if listener is not None:
                listener(match, gone)

    def on_change(self, listener: Changed) -> None:
        """Call ``listener(match, replaced_ids)`` after each ``add``; held weakly (a bound method of an
        object that is gone is dropped)."""
        ref = weakref.WeakMethod(listener) if hasattr(listener, "__self__") else weakref.ref(listener)
        with self._lock:
            self._listeners.append(ref)


def load_corpus(
    root: Path,
    games: Iterable[str] | None = None,
    version: str = DEFAULT_VERSION,
    text: TextChoice = TextChoice.ORIGINAL,
    strict: bool = False,
    progress: bool = False,
    cache_dir: Path | None = None,
) -> Corpus:
    """Load many games; a bad game is skipped with a warning (and counted) unless ``strict``.

    With ``cache_dir``, a load whose input files are unchanged is read back from the cache.
    """
    game_ids = list(games) if games is not None else available_games(root, version)
    cache_file = cache_dir / f"{cache_key(root, game_ids, version, str(text))}.msgpack" if cache_dir else None
    cached = read_cached(cache_file) if cache_file else None
    if cached and not (strict and cached[1]):
        for game_id, reason in cached[1]:
            log.warning("skipping %s: %s", game_id, reason)
        return Corpus(root=root, matches=cached[0], skipped=cached[1])
    matches, skipped = [], []
    for game_id in tqdm(game_ids, desc="loading matches", unit="game", disable=not progress):
        try:
            matches.append(load_match(root, game_id, version, text))
        except Exception as error:  # one bad file never stops the other games
            problem = error if isinstance(error, HighlightsError) else _unexpected(error, game_id)
            if strict:
                raise problem from None
            log.warning("skipping %s: %s", printable(game_id), printable(str(problem)))
            skipped.append((printable(game_id), printable(str(problem))))
    if cache_file:
        write_cached(cache_file, matches, skipped)
    return Corpus(root=root, matches=matches, skipped=skipped)


def _unexpected(error: Exception, game_id: str) -> HighlightsError:
    """A load failure no check foresaw, as the project's error naming the game and what went wrong."""
    return HighlightsError(f"cannot load ({type(error).__name__}: {error})", printable(game_id))
