"""The commentary index: building on the shipped sample, search and filters, caching, bad input."""

from __future__ import annotations

import dataclasses
import json
import logging

import numpy as np
import pytest

from index import retrieval
from index.cache import index_dir
from index.corpus import load_corpus
from index.echoes import TextChoice
from index.errors import HighlightsError
from index.index_cache import load_or_build
from index.index_files import MANIFEST, IndexSettings
from index.retrieval import CommentaryIndex, make_faiss_index
from ui.cli import main

WATFORD = "england_epl/2015-2016/2015-12-26 - 18-00 Chelsea 2 - 2 Watford"
BURNLEY = "england_epl/2014-2015/2015-04-11 - 19-30 Burnley 0 - 1 Arsenal"


@pytest.fixture(scope="module")
def corpus(sample_root):
    return load_corpus(sample_root, text=TextChoice.BOTH)


@pytest.fixture(scope="module")
def watford(corpus):
    return corpus.get(WATFORD)


@pytest.fixture(scope="module")
def small(corpus):
    """Two real matches cut to their first three minutes: cheap to embed again and again."""
    return [_first_minutes(corpus.get(WATFORD), 3), _first_minutes(corpus.get(BURNLEY), 3)]


@pytest.fixture(scope="module")
def built(watford, tmp_path_factory):
    """The index of Chelsea 2-2 Watford (English commentary, labelled) in a fresh cache."""
    return load_or_build([watford], tmp_path_factory.mktemp("cache"))


def _first_minutes(match, minutes):
    segments = {h: tuple(s for s in match.half_segments(h) if s.start < minutes * 60) for h in (1, 2)}
    return dataclasses.replace(match, segments=segments)


def _covers(hit, half, seconds, tolerance=5.0):
    return hit.half == half and hit.start - tolerance <= seconds <= hit.end + tolerance


# ---------- search on real commentary ----------
def test_finds_labelled_yellow_cards(built, watford):
    hits = built.search("yellow card", k=5, match_id=WATFORD)
    cards = [e for e in watford.all_events() if e.label == "Yellow card"]
    found = [e for e in cards if any(_covers(h, e.half, e.seconds) for h in hits)]
    # Holebas at 2:35:25 and the booking at 2:42:44 are both said in so many words.
    assert {(e.half, round(e.seconds)) for e in found} >= {(2, 2125), (2, 2564)}


def test_hits_are_sorted_distinct_windows(built):
    hits = built.search("Diego Costa scores", k=8)
    assert len(hits) == 8
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)
    for i, a in enumerate(hits):
        for b in hits[i + 1 :]:
            assert not (a.half == b.half and a.start < b.end and b.start < a.end), "overlapping windows returned"
    assert all(h.match_id == WATFORD and h.text for h in hits)


def test_half_and_time_filters(built):
    second = built.search("goal", k=5, half=2)
    assert second and all(h.half == 2 for h in second)
    span = built.search("goal", k=5, match_id=WATFORD, half=1, start_s=600, end_s=900)
    assert span and all(h.half == 1 and h.end > 600 and h.start < 900 for h in span)
    assert built.search("goal", k=5, match_id=WATFORD, start_s=99_000) == []


def test_filtered_best_hit_is_the_exact_best(built):
    """The best hit under a filter is the highest-scoring document the filter allows."""
    vector = built.embeddings.embed_array(["corner kick"])[0]
    scores = built.index.reconstruct_n(0, built.index.ntotal) @ vector
    allowed = [i for i, d in enumerate(built.documents) if d.half == 2 and d.end > 1200 and d.start < 1800]
    best = built.documents[max(allowed, key=lambda i: scores[i])]
    hit = built.search_vector(vector, 3, match_id=WATFORD, half=2, start_s=1200, end_s=1800)[0]
    assert (hit.half, hit.start) == (best.half, best.start)
    assert hit.score == pytest.approx(float(scores[built.documents.index(best)]), abs=1e-5)


def test_hnsw_index_agrees_with_exact_search(built, monkeypatch):
    vectors = built.index.reconstruct_n(0, built.index.ntotal)
    monkeypatch.setattr(retrieval, "FLAT_LIMIT", 100)
    graph = CommentaryIndex(make_faiss_index(vectors), built.documents, built.settings)
    assert graph.kind == "hnsw" and built.kind == "flat"
    for query in ("yellow card", "penalty", "substitution"):
        vector = built.embeddings.embed_array([query])[0]
        for filters in ({}, {"match_id": WATFORD, "half": 2}, {"half": 1, "start_s": 300, "end_s": 1500}):
            exact = [(h.half, h.start) for h in built.search_vector(vector, 5, **filters)]
            approx = [(h.half, h.start) for h in graph.search_vector(vector, 5, **filters)]
            assert set(approx) == set(exact), (query, filters)


@pytest.mark.parametrize(
    ("filters", "message"),
    [
        ({"match_id": "nowhere/2000/none"}, "no commentary indexed"),
        ({"half": 3}, "half must be 1 or 2"),
        ({"k": 0}, "k must be a positive"),
        ({"start_s": 100, "end_s": 50}, "starts"),
    ],
)
def test_bad_filters_are_user_errors(built, filters, message):
    with pytest.raises(HighlightsError, match=message):
        built.search("goal", **filters)


@pytest.mark.parametrize("query", ["", "   \n", None])
def test_empty_query_is_a_user_error(built, query):
    with pytest.raises(HighlightsError, match="empty search query"):
        built.search(query)


def test_very_long_query_still_answers(built):
    assert len(built.search("goal " * 3000, k=2)) == 2


# ---------- building, saving, caching ----------
def test_empty_corpus_is_a_user_error(watford, tmp_path):
    silent = dataclasses.replace(watford, segments={})
    for matches in ([], [silent]):
        with pytest.raises(HighlightsError, match="no commentary to index"):
            load_or_build(matches, tmp_path)


def test_same_match_twice_is_a_user_error(small):
    with pytest.raises(HighlightsError, match="listed twice"):
        CommentaryIndex.build([small[0], small[0]])


def test_index_reused_when_unchanged_and_rebuilt_when_changed(small, tmp_path):
    first = load_or_build(small, tmp_path)
    build_id = json.loads((first.path / MANIFEST).read_text())["build_id"]
    again = load_or_build(small, tmp_path)
    assert again.path == first.path
    assert json.loads((again.path / MANIFEST).read_text())["build_id"] == build_id  # loaded, not rebuilt

    segment = small[0].half_segments(1)[0]
    edited = dataclasses.replace(segment, text=segment.text + " And a goal!")
    changed = dataclasses.replace(small[0], segments={1: (edited, *small[0].half_segments(1)[1:]), 2: ()})
    rebuilt = load_or_build([changed, small[1]], tmp_path)
    assert rebuilt.path != first.path
    assert any("And a goal!" in d.text for d in rebuilt.documents)

    wider = load_or_build(small, tmp_path, window_s=30)
    assert wider.path not in (first.path, rebuilt.path)
    assert wider.settings == IndexSettings("use-multilingual", 30.0, 30.0)


def test_saved_index_loads_back_identically(small, tmp_path):
    index = CommentaryIndex.build(small, window_s=20, stride_s=20)
    index.save(tmp_path / "ix")
    index.save(tmp_path / "ix")  # a second save replaces the first and leaves no stray files
    assert len(list((tmp_path / "ix").glob("vectors-*.faiss"))) == 1
    loaded = CommentaryIndex.load(tmp_path / "ix")
    assert loaded.documents == index.documents and loaded.settings == index.settings
    assert loaded.search("kick-off", k=3) == index.search("kick-off", k=3)


def test_corrupt_index_file_is_a_clear_error_and_the_cache_rebuilds(small, tmp_path, caplog):
    index = load_or_build(small, tmp_path)
    vectors = next(index.path.glob("vectors-*.faiss"))
    vectors.write_bytes(vectors.read_bytes()[:100])
    with pytest.raises(HighlightsError, match="corrupt") as error:
        CommentaryIndex.load(index.path)
    assert str(vectors) in str(error.value)
    vectors.write_bytes(b"not a faiss index at all")
    with pytest.raises(HighlightsError, match="corrupt"):
        CommentaryIndex.load(index.path)
    with caplog.at_level(logging.WARNING):
        again = load_or_build(small, tmp_path)
    assert "rebuilding" in caplog.text
    assert again.search("kick-off", k=1)


def test_missing_or_mismatched_metadata_is_a_clear_error(small, tmp_path):
    index = CommentaryIndex.build(small)
    folder = index.save(tmp_path / "ix")
    with pytest.raises(HighlightsError, match="no commentary index here"):
        CommentaryIndex.load(tmp_path)
    meta = next(folder.glob("meta-*.json"))
    data = json.loads(meta.read_text())
    data["text"] = data["text"][:-1]
    meta.write_text(json.dumps(data))
    with pytest.raises(HighlightsError, match="differ in length"):
        CommentaryIndex.load(folder)
    meta.unlink()
    with pytest.raises(HighlightsError, match="does not exist"):
        CommentaryIndex.load(folder)


def test_cache_location_follows_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("HIGHLIGHTS_CACHE", str(tmp_path))
    assert index_dir() == tmp_path / "index"


def test_bad_window_settings_are_user_errors(small):
    with pytest.raises(HighlightsError, match="stride"):
        CommentaryIndex.build(small, window_s=10, stride_s=20)


# ---------- embeddings ----------
def test_multilingual_embeddings_are_langchain_embeddings():
    from langchain_core.embeddings import Embeddings

    from index.embeddings import get_embeddings

    model = get_embeddings("use-multilingual")
    assert isinstance(model, Embeddings)
    query = np.array(model.embed_query("yellow card"))
    documents = np.array(
        model.embed_documents(["Tarjeta amarilla para el defensa.", "Gelbe Karte für den Verteidiger.", "Pure Stille."])
    )
    assert query.shape == (512,) and np.allclose(np.linalg.norm(documents, axis=1), 1.0, atol=1e-4)
    spanish, german, unrelated = documents @ query
    assert min(spanish, german) > unrelated + 0.2  # it reads the commentary's own language


def test_minilm_embeddings_load_offline_from_the_package():
    from index.embeddings import get_embeddings

    model = get_embeddings("all-minilm")
    assert model.english_only and model.dimension == 384
    vectors = model.embed_array(["a goal from the penalty spot", "he scores a penalty", "throw-in on the left"])
    assert vectors[0] @ vectors[1] > vectors[0] @ vectors[2]


def test_unknown_embedding_model_is_a_user_error(tmp_path):
    from index.embeddings import get_embeddings

    with pytest.raises(HighlightsError, match="unknown embedding model"):
        get_embeddings("word2vec-from-the-internet")
    with pytest.raises(HighlightsError, match="not a sentence-transformers model folder"):
        get_embeddings(str(tmp_path))


# ---------- command line ----------
def test_cli_builds_then_searches(sample_root, tmp_path, capsys):
    out = tmp_path / "ix"
    game = "england_epl/2015-2016/2015-12-26 - 18-00 Chelsea 2 - 2 Watford"
    data = tmp_path / "data"
    for part in ("echoes/whisper_v2", "soccernet"):
        source = sample_root / part / game
        if source.is_dir():
            (data / part / game).parent.mkdir(parents=True, exist_ok=True)
            (data / part / game).symlink_to(source)
    assert main(["index", "build", "--data", str(data), "--out", str(out), "--window", "60"]) == 0
    assert "1 matches" in capsys.readouterr().out
    assert main(["index", "search", "yellow card", "--index", str(out), "--half", "2", "-k", "2"]) == 0
    assert "yellow card" in capsys.readouterr().out.lower()
    assert main(["index", "search", "", "--index", str(out)]) == 2
    assert "empty search query" in capsys.readouterr().err
