"""The embedded spotter's inputs: TF-IDF like scikit-learn's, and safe binning of any timestamps."""

from __future__ import annotations

import math

import numpy as np
import pytest
from sklearn.feature_extraction.text import TfidfVectorizer

from index.types import Segment
from spotting.embedded.features import (
    BIN_S,
    CLOCK_FEATURES,
    MAX_HALF_S,
    MAX_SEGMENT_S,
    Vocabulary,
    half_input,
    normalise,
)

DOCS = [
    "Goal! Vardy scores, 1-0 to Leicester",
    "a yellow card for the foul",
    "corner kick, headed clear",
    "what a goal, 2:1 now",
    "substitution: Kane comes on",
]


def test_normalise_keeps_score_lines_as_one_token():
    assert normalise("It's 2-1! Now 3 : 0") == "it s 2_1 now 3_0"


def test_transform_matches_scikit_learn():
    vocabulary = Vocabulary.fit(DOCS, max_terms=1000, min_count=1)
    reference = TfidfVectorizer(
        preprocessor=normalise, token_pattern=r"\S+", ngram_range=(1, 2), sublinear_tf=True, dtype=np.float32
    ).fit(DOCS)
    texts = [*DOCS, "goal goal goal", "nothing known here", ""]
    ours = vocabulary.transform(texts).toarray()
    theirs = reference.transform(texts).toarray()[:, [reference.vocabulary_[t] for t in vocabulary.terms]]
    np.testing.assert_allclose(ours, theirs, atol=1e-6)


def _segment(start: float, end: float, text: str = "goal for Leicester") -> Segment:
    return Segment(half=1, start=start, end=end, text=text, source="whisper_v2")


@pytest.fixture(scope="module")
def vocabulary() -> Vocabulary:
    return Vocabulary.fit(DOCS, max_terms=1000, min_count=1)


def test_a_half_without_commentary_is_a_short_silent_sequence(vocabulary):
    half = half_input([], vocabulary, 1)
    assert half.bins >= 1 and half.text.shape == (half.bins, len(vocabulary))
    assert half.text.nnz == 0 and np.isfinite(half.side).all()


def test_absurd_timestamps_are_made_safe(vocabulary):
    segments = [
        _segment(-20.0, 5.0),  # negative start
        _segment(100.0, 90.0),  # ends before it starts
        _segment(50.0, 60.0),
        _segment(40.0, 70.0),  # overlaps, out of order
        _segment(10.0, 10_000.0, "a very long yellow card " * 200),  # very long
        _segment(1e12, 1e12 + 5),  # far past any half
        _segment(math.nan, 3.0),
        _segment(30.0, math.inf),
    ]
    half = half_input(segments, vocabulary, 1)
    assert half.bins <= MAX_HALF_S / BIN_S
    assert len(half.segments) == 5  # the far one, the NaN and the infinite one are dropped
    assert np.isfinite(half.text.toarray()).all() and np.isfinite(half.side).all()
    heard = half.text.toarray().any(axis=1)
    assert heard[0]  # the negative start is clipped to 0
    long_span = int((10.0 + MAX_SEGMENT_S) // BIN_S)
    assert not heard[long_span + 1 : int(40 // BIN_S)].any()  # the long segment is cut to MAX_SEGMENT_S


def test_min_bins_stretches_a_half_to_its_last_event(vocabulary):
    assert half_input([_segment(0, 4)], vocabulary, 1, min_bins=900).bins == 900


def test_the_clock_says_which_half_it_is(vocabulary):
    first, second = (half_input([_segment(0, 4)], vocabulary, h).side[:, CLOCK_FEATURES - 1] for h in (1, 2))
    assert (first == 0).all() and (second == 1).all()
