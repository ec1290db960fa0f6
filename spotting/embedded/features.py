"""A half's commentary → the per-second inputs of the temporal model.

The model sees a half as a sequence of 1-second bins. Each bin holds the segments that are being
spoken during it (as rows of a sparse TF-IDF matrix, projected by the model), and a few clock
features: kick-offs open a half, and the commentary's density says when play is live; the
keyword lexicon's hits per class; running-score mentions (``score_mentions``); and, for models
that read them, the pretrained sentence encoder's vectors of the segments (``sentences``).
Timestamps are taken as they come but made safe: negative times clip to 0, ends before starts are
read as instants, long segments are cut to ``MAX_SEGMENT_S``, and nothing past ``MAX_HALF_S`` is kept.
"""

from __future__ import annotations

import itertools
import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
from scipy import sparse
from scipy.ndimage import uniform_filter1d

from index.classes import LABEL_INDEX, LABELS
from index.types import Match, Segment
from spotting.answers import goals_in_name
from spotting.keywords import ENGLISH, OTHER_LANGUAGES
from spotting.score_mentions import FEATURES as SCORE_FEATURES
from spotting.score_mentions import score_features

from .sentences import DIMENSION, encoded, sentence_vectors

BIN_S = 2.0  # text rarely places an action closer than this; coarser bins make training affordable on 2 cores
MAX_HALF_S = 2 * 60 * 60.0  # SoccerNet's evaluation keeps 120 minutes per half
MAX_SEGMENT_S = 20.0  # a Whisper segment longer than this is a hallucinated or merged one
TAIL_S = 30.0  # bins kept after the last segment: events are narrated after they happen
CLOCK_FEATURES = 7
SIDE_FEATURES = CLOCK_FEATURES + len(LABELS) + SCORE_FEATURES  # clock, keyword channel per class, score mentions

_TOKEN = re.compile(r"\w+", re.UNICODE)


def normalise(text: str) -> str:
    """Lower-case words; a score such as "2-1" or "2:1" becomes the token "2_1"."""
    text = re.sub(r"(\d)\s*[-:–]\s*(\d)", r"\1_\2", text.lower())
    return " ".join(_TOKEN.findall(text))


class Vocabulary:
    """Word 1–2-grams with IDF weights, fitted on training commentary and stored as plain data."""

    def __init__(self, terms: Sequence[str], idf: np.ndarray) -> None:
        self.terms = list(terms)
        self.index = {term: i for i, term in enumerate(self.terms)}
        self.idf = np.asarray(idf, dtype=np.float32)

    def __len__(self) -> int:
        return len(self.terms)

    @classmethod
    def fit(cls, texts: Iterable[str], max_terms: int, min_count: int) -> Vocabulary:
        from sklearn.feature_extraction.text import TfidfVectorizer

        vectorizer = TfidfVectorizer(
            preprocessor=normalise,
            token_pattern=r"\S+",
            ngram_range=(1, 2),
            min_df=min_count,
            max_features=max_terms,
            sublinear_tf=True,
            dtype=np.float32,
        )
        vectorizer.fit(list(texts))
        terms = sorted(vectorizer.vocabulary_, key=vectorizer.vocabulary_.get)
        return cls(terms, vectorizer.idf_)

    def transform(self, texts: Sequence[str]) -> sparse.csr_matrix:
        """Sublinear TF-IDF rows, L2-normalised, as the vectorizer that fitted the vocabulary makes them."""
        rows, cols, values = [], [], []
        for row, text in enumerate(texts):
            words = normalise(text).split()
            counts: dict[int, int] = {}
            for gram in words + [f"{a} {b}" for a, b in itertools.pairwise(words)]:
                column = self.index.get(gram)
                if column is not None:
                    counts[column] = counts.get(column, 0) + 1
            if not counts:
                continue
            weights = np.array([(1.0 + math.log(n)) * self.idf[c] for c, n in counts.items()], dtype=np.float32)
            weights /= np.linalg.norm(weights)
            rows.extend([row] * len(counts))
            cols.extend(counts)
            values.extend(weights.tolist())
        return sparse.csr_matrix((values, (rows, cols)), shape=(len(texts), len(self)), dtype=np.float32)


@dataclass(frozen=True)
class HalfInput:
    """One half, ready for the model: ``bins`` seconds long."""

    bins: int
    text: sparse.csr_matrix  # (bins, vocabulary): the mean TF-IDF vector of the segments a bin hears
    side: np.ndarray  # (bins, SIDE_FEATURES): the clock, the keyword lexicon's hits, score mentions
    segments: tuple[Segment, ...]  # the kept segments, by start time
    sentences: np.ndarray = field(default_factory=lambda: np.zeros((0, DIMENSION), np.float16))  # (encoded, 512)
    sentence_bins: sparse.csr_matrix | None = None  # (bins, encoded): which encoded segments each bin hears


def safe_span(segment: Segment) -> tuple[float, float] | None:
    """A segment's (start, end) made sane, or None when it lies outside any half."""
    start, end = float(segment.start), float(segment.end)
    if not (math.isfinite(start) and math.isfinite(end)):
        return None
    start = max(0.0, start)
    end = min(max(start, end), start + MAX_SEGMENT_S)
    if start >= MAX_HALF_S:
        return None
    return start, min(end, MAX_HALF_S - BIN_S)


def half_input(
    segments: Sequence[Segment],
    vocabulary: Vocabulary,
    half: int,
    min_bins: int = 0,
    final_goals: int | None = None,
    sentences: bool = False,
) -> HalfInput:
    """Bin half ``half``'s segments; ``min_bins`` stretches the half (to cover labelled events in training);
    ``final_goals`` is the folder name's total; ``sentences`` adds the sentence encoder's vectors."""
    kept, spans = [], []
    for segment in segments:
        span = safe_span(segment)
        if span is not None and segment.text.strip():
            kept.append(segment)
            spans.append(span)
    last = max((end for _, end in spans), default=0.0)
    bins = int(min(MAX_HALF_S / BIN_S, max(min_bins, math.ceil((last + TAIL_S) / BIN_S))))
    coverage = _coverage(spans, bins)
    heard = np.asarray(coverage.sum(axis=1)).ravel()
    mean = (sparse.diags(1.0 / np.maximum(heard, 1.0)).astype(np.float32) @ coverage).tocsr()
    side = np.hstack(
        [clock_features(bins, heard, half), mean @ keyword_hits(kept), mean @ score_features(kept, final_goals)]
    )
    extra = {}
    if sentences:
        chosen = encoded(kept)
        cover = coverage[:, chosen]
        reads = np.asarray(cover.sum(axis=1)).ravel()
        extra = {
            "sentences": sentence_vectors([kept[i].text for i in chosen]).astype(np.float16),
            "sentence_bins": (sparse.diags(1.0 / np.maximum(reads, 1.0)).astype(np.float32) @ cover).tocsr(),
        }
    return HalfInput(
        bins=bins,
        text=(mean @ vocabulary.transform([s.text for s in kept])).tocsr(),
        side=side.astype(np.float32),
        segments=tuple(kept),
        **extra,
    )


def match_half_input(match: Match, half: int, vocabulary: Vocabulary, sentences: bool, min_bins: int = 0) -> HalfInput:
    """``half_input`` of a match's half, with the final score of its folder name (never its labels)."""
    return half_input(match.half_segments(half), vocabulary, half, min_bins, goals_in_name(match), sentences)


def _coverage(spans: Sequence[tuple[float, float]], bins: int) -> sparse.csr_matrix:
    """(bins, segments): 1 where a segment is being spoken during a bin."""
    rows, cols = [], []
    for column, (start, end) in enumerate(spans):
        first, stop = int(start // BIN_S), min(bins, int(end // BIN_S) + 1)
        rows.extend(range(first, stop))
        cols.extend([column] * (stop - first))
    return sparse.csr_matrix((np.ones(len(rows), np.float32), (rows, cols)), shape=(bins, len(spans)))


_LEXICONS = {
    language: [
        (LABEL_INDEX[label], re.compile(p, re.IGNORECASE), w) for label, entries in lexicon.items() for p, w in entries
    ]
    for language, lexicon in {"en": ENGLISH, **OTHER_LANGUAGES}.items()
}


def keyword_hits(segments: Sequence[Segment]) -> np.ndarray:
    """(segments, classes): how strongly the hand-written keyword lexicon names each class in each
    segment (several words for one class combine as independent evidence). Written for any
    language, so the context stage gets evidence that needs no training data."""
    hits = np.zeros((len(segments), len(LABELS)), dtype=np.float32)
    for row, segment in enumerate(segments):
        for column, pattern, weight in _LEXICONS.get(segment.language or "en", ()):
            if pattern.search(segment.text):
                hits[row, column] = 1 - (1 - hits[row, column]) * (1 - weight)
    return hits


def clock_features(bins: int, heard: np.ndarray, half: int) -> np.ndarray:
    """Time since the half began (three scales), speech now, speech density over ±30 s, and which
    half it is (substitutions and cards come mostly after the break)."""
    t = np.arange(bins, dtype=np.float32) * BIN_S
    speaking = (heard > 0).astype(np.float32)
    density = uniform_filter1d(speaking, size=int(60 / BIN_S) | 1, mode="constant")
    return np.stack(
        [
            t / 3000.0,
            np.exp(-t / 30.0),
            np.exp(-t / 300.0),
            speaking,
            density,
            np.minimum(heard, 4) / 4.0,
            np.full(bins, half - 1.0),
        ],
        axis=1,
    ).astype(np.float32)
