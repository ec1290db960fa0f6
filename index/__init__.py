"""The match corpus: SoccerNet labels, SoccerNet-Echoes commentary, metadata, splits, chunks."""

from .classes import LABELS
from .corpus import Corpus, load_corpus, load_match, resolve_data_root, split_games
from .errors import HighlightsError
from .types import Chunk, Event, Match, Segment

__all__ = [
    "LABELS",
    "Chunk",
    "Corpus",
    "Event",
    "HighlightsError",
    "Match",
    "Segment",
    "load_corpus",
    "load_match",
    "resolve_data_root",
    "split_games",
]
