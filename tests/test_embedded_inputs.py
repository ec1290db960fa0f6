"""The embedded model's newer inputs: running-score mentions and the sentence encoder's cached vectors."""

from __future__ import annotations

import numpy as np
import pytest

from index.types import Segment
from spotting.embedded import sentences
from spotting.embedded.features import Vocabulary, half_input
from spotting.score_mentions import mentioned_totals, score_features


@pytest.mark.parametrize(
    ("text", "totals"),
    [
        ("1-0 for PSG", [1]),
        ("Two goals to one", [3]),
        ("Barcelona lead 3 a 0", [3]),
        ("it's two-nil now", [2]),
        ("one-all at the break", [2]),
        ("it is 2:1", [3]),
        ("dos a uno", [3]),
        ("at 45:00 of the half", []),
        ("from 20 to 30 metres", []),
        ("no score here", []),
    ],
)
def test_score_mentions(text, totals):
    assert mentioned_totals(text) == totals


def test_a_new_total_is_flagged_once_and_compared_with_the_final_score():
    said = ["1-0", "still 1-0", "2-0!", "1-0 earlier", "nothing"]
    segments = [Segment(1, 10.0 * i, 10.0 * i + 3, text, "whisper_v2", "en") for i, text in enumerate(said)]
    features = score_features(segments, final_goals=2)
    assert features[:, 0].tolist() == [1, 1, 1, 1, 0]
    assert features[:, 1].tolist() == [1, 0, 1, 0, 0]
    assert features[2, 2] == 1.0 and features[0, 2] == 0.5
    assert not score_features(segments, None)[:, 2].any()


def test_sentence_vectors_are_cached_and_read_back_the_same(tmp_path, monkeypatch):
    monkeypatch.setenv("HIGHLIGHTS_CACHE", str(tmp_path))
    texts = ["What a goal by Cavani!", "Gol de Messi", "x" * 5000]  # a very long one is cut
    first = sentences.sentence_vectors(texts)
    assert first.shape == (3, sentences.DIMENSION) and np.allclose(np.linalg.norm(first, axis=1), 1, atol=1e-2)
    assert len(list((tmp_path / sentences.CACHE_FOLDER).rglob("*.npy"))) == 1
    assert np.array_equal(sentences.sentence_vectors(texts), first)  # from the cache, bit for bit
    assert sentences.sentence_vectors([]).shape == (0, sentences.DIMENSION)
    for path in (tmp_path / sentences.CACHE_FOLDER).rglob("*.npy"):
        path.write_bytes(b"broken")  # a corrupt entry is encoded again
    assert np.array_equal(sentences.sentence_vectors(texts), first)


def test_sentences_of_a_half_follow_its_bins(tmp_path, monkeypatch):
    monkeypatch.setenv("HIGHLIGHTS_CACHE", str(tmp_path))
    segments = [
        Segment(1, 0.0, 3.0, "Goal!", "whisper_v2", "en"),
        Segment(1, 0.5, 3.0, "Goal! (translated)", "whisper_v2_en", "en"),
        Segment(1, 10.0, 12.0, "Corner", "whisper_v3", "en"),
    ]
    vocabulary = Vocabulary.fit(["goal corner"], max_terms=10, min_count=1)
    item = half_input(segments, vocabulary, 1, sentences=True)
    assert item.sentences.shape == (1, sentences.DIMENSION)  # only the first transcription is encoded
    assert item.sentence_bins.shape == (item.bins, 1) and item.sentence_bins[0, 0] == 1.0
    assert item.sentence_bins[6].nnz == 0
    empty = half_input([], vocabulary, 1, sentences=True)
    assert empty.sentences.shape == (0, sentences.DIMENSION)
