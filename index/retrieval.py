"""A FAISS index over commentary windows: build it, search it with filters, save and load it.

Vectors are unit length, so inner product is cosine similarity. Small corpora get an exact
``IndexFlatIP``; above ``FLAT_LIMIT`` documents an HNSW graph over float16 vectors keeps search
within milliseconds and the file at half the size. Documents are stored in (match, half, start)
order, so a match or half filter is an id range: such searches score the range exactly instead of
asking the approximate graph, which would miss most of a small range.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import faiss
import numpy as np
from tqdm import tqdm

from .documents import Document, is_translation, match_documents
from .embedding_models import DEFAULT_MODEL, is_english_only
from .embeddings import ArrayEmbeddings, get_embeddings
from .errors import HighlightsError
from .index_files import IndexSettings, read_index, write_index
from .settings import SEARCH_WINDOW_S
from .types import HALVES, Match

log = logging.getLogger(__name__)

FLAT_LIMIT = 50_000  # documents; an exact scan of more takes longer than the 20 ms search budget
HNSW_M = 32
HNSW_EF_CONSTRUCTION = 64
HNSW_EF_SEARCH = 512  # 95 % of the exact top 5 on the 550-game index at ~2 ms a query (128: 85 %)
MAX_QUERY_CHARS = 2_000  # both models read far fewer tokens; the rest only costs time
OVERSAMPLE = 10  # a search without a match filter asks the index for this many times k, then filters

Progress = bool | Callable[[int, int], None]


@dataclass(frozen=True, slots=True)
class Hit:
    """One search result: a window of a half (seconds from the start of that half) and its commentary."""

    match_id: str
    half: int
    start: float
    end: float
    text: str
    score: float


class CommentaryIndex:
    """Commentary windows, their vectors and the FAISS index over them."""

    def __init__(self, index: faiss.Index, documents: Sequence[Document], settings: IndexSettings) -> None:
        if index.ntotal != len(documents):
            raise HighlightsError(f"index has {index.ntotal} vectors but {len(documents)} documents")
        self.index = index
        self.documents = list(documents)
        self.settings = settings
        self._embeddings: ArrayEmbeddings | None = None
        self.path: Path | None = None  # the folder it was loaded from or last saved to
        self._half = np.array([d.half for d in documents], dtype=np.int8)
        self._start = np.array([d.start for d in documents], dtype=np.float64)
        self._end = np.array([d.end for d in documents], dtype=np.float64)
        self._match_ranges = _ranges(documents, lambda d: d.match_id)
        self._half_ranges = _ranges(documents, lambda d: (d.match_id, d.half))

    # ---------- building ----------
    @classmethod
    def build(
        cls,
        matches: Iterable[Match],
        embeddings_name: str = DEFAULT_MODEL,
        window_s: float = SEARCH_WINDOW_S,
        stride_s: float | None = None,
        progress: Progress = False,
    ) -> CommentaryIndex:
        """Embed every commentary window of ``matches`` (English translations for an English-only model)."""
        settings = IndexSettings.make(embeddings_name, window_s, stride_s)
        return cls.from_documents(documents_for(matches, settings), settings, progress)

    @classmethod
    def from_documents(
        cls, documents: Sequence[Document], settings: IndexSettings, progress: Progress = False
    ) -> CommentaryIndex:
        if not documents:
            raise HighlightsError("no commentary to index: the matches have no commentary segments")
        embeddings = get_embeddings(settings.embeddings)
        started = time.perf_counter()
        with _progress_reporter(progress, len(documents)) as report:
            vectors = embeddings.embed_array([d.text for d in documents], progress=report)
        index = make_faiss_index(vectors)
        log.info("indexed %d documents in %.1f s", len(documents), time.perf_counter() - started)
        built = cls(index, documents, settings)
        built._embeddings = embeddings
        return built

    @property
    def embeddings(self) -> ArrayEmbeddings:
        """The model that embeds queries; loaded on first search, so loading an index stays fast."""
        if self._embeddings is None:
            self._embeddings = get_embeddings(self.settings.embeddings)
            if self._embeddings.dimension != self.index.d:
                raise HighlightsError(
                    f"model gives {self._embeddings.dimension}-d vectors, index holds {self.index.d}-d",
                    self.settings.embeddings,
                )
        return self._embeddings

    @property
    def kind(self) -> str:
        return "hnsw" if isinstance(self.index, faiss.IndexHNSW) else "flat"

    def __len__(self) -> int:
        return len(self.documents)

    @property
    def match_ids(self) -> list[str]:
        return list(self._match_ranges)

    # ---------- searching ----------
    def search(
        self,
        query: str,
        k: int = 5,
        match_id: str | None = None,
        half: int | None = None,
        start_s: float | None = None,
        end_s: float | None = None,
    ) -> list[Hit]:
        """The ``k`` windows most similar to ``query``, best first, none overlapping another.

        ``match_id`` and ``half`` restrict the search to one match / half; ``start_s``/``end_s`` (seconds
        from the start of the half) keep windows that overlap that span.
        """
        query = (query or "").strip()
        if not query:
            raise HighlightsError("empty search query", "query")
        vector = self.embeddings.embed_array([query[:MAX_QUERY_CHARS]])[0]
        return self.search_vector(vector, k, match_id, half, start_s, end_s)

    def search_vector(
        self,
        vector: np.ndarray,
        k: int = 5,
        match_id: str | None = None,
        half: int | None = None,
        start_s: float | None = None,
        end_s: float | None = None,
    ) -> list[Hit]:
        """``search`` for an already embedded query (unit vector of the index's dimension)."""
        _check_filters(k, half, start_s, end_s)
        vector = np.ascontiguousarray(vector, dtype=np.float32).reshape(-1)
        if vector.shape[0] != self.index.d:
            raise HighlightsError(f"query vector has {vector.shape[0]} dimensions, index {self.index.d}")
        ranges = self._id_ranges(match_id, half)
        if ranges is not None:  # one match: a few hundred windows, scored exactly
            ids, scores = self._score_ranges(vector, ranges)
            keep = self._time_mask(ids, start_s, end_s)
            ids, scores = ids[keep], scores[keep]
            order = np.argsort(-scores, kind="stable")
            return self._select(ids[order], scores[order], k)
        return self._search_index(vector, k, half, start_s, end_s)

    def _id_ranges(self, match_id: str | None, half: int | None) -> list[tuple[int, int]] | None:
        """Document id ranges the match/half filter allows; None when it allows everything."""
        if match_id is not None:
            if match_id not in self._match_ranges:
                raise HighlightsError("no commentary indexed for this match", match_id)
            if half is None:
                return [self._match_ranges[match_id]]
            return [self._half_ranges[(match_id, half)]] if (match_id, half) in self._half_ranges else []
        return None

    def _score_ranges(self, vector: np.ndarray, ranges: list[tuple[int, int]]) -> tuple[np.ndarray, np.ndarray]:
        if not ranges:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
        ids = np.concatenate([np.arange(lo, hi) for lo, hi in ranges])
        vectors = np.concatenate([self.index.reconstruct_n(lo, hi - lo) for lo, hi in ranges])
        return ids, vectors @ vector

    def _time_mask(self, ids: np.ndarray, start_s: float | None, end_s: float | None) -> np.ndarray:
        keep = np.ones(len(ids), dtype=bool)
        if start_s is not None:
            keep &= self._end[ids] > start_s
        if end_s is not None:
            keep &= self._start[ids] < end_s
        return keep

    def _search_index(
        self, vector: np.ndarray, k: int, half: int | None, start_s: float | None, end_s: float | None
    ) -> list[Hit]:
        """Ask the index for more than ``k`` and filter, asking for more until ``k`` survive or all were seen."""
        want = k * OVERSAMPLE
        while True:
            want = min(want, self.index.ntotal)
            # Per-call parameters, not index.hnsw.efSearch: concurrent searches must not race on it.
            params = faiss.SearchParametersHNSW(efSearch=max(HNSW_EF_SEARCH, want)) if self.kind == "hnsw" else None
            scores, ids = self.index.search(vector[None, :], want, params=params)
            scores, ids = scores[0], ids[0]
            keep = ids >= 0
            ids, scores = ids[keep], scores[keep]
            keep = self._time_mask(ids, start_s, end_s)
            if half is not None:
                keep &= self._half[ids] == half
            hits = self._select(ids[keep], scores[keep], k)
            if len(hits) >= k or want >= self.index.ntotal:
                return hits
            want *= 4

    def _select(self, ids: np.ndarray, scores: np.ndarray, k: int) -> list[Hit]:
        """The best ``k`` windows in score order, skipping any that overlaps a better one of the same half."""
        hits: list[Hit] = []
        for doc_id, score in zip(ids.tolist(), scores.tolist(), strict=True):
            doc = self.documents[doc_id]
            if any(
                h.match_id == doc.match_id and h.half == doc.half and h.start < doc.end and doc.start < h.end
                for h in hits
            ):
                continue
            hits.append(Hit(doc.match_id, doc.half, doc.start, doc.end, doc.text, float(score)))
            if len(hits) == k:
                break
        return hits

    # ---------- persistence ----------
    def save(self, directory: str | Path) -> Path:
        """Write the index into ``directory`` (``index.index_files``); a reader never sees a mix of two builds."""
        self.path = write_index(self.index, self.documents, self.settings, self.kind, Path(directory))
        return self.path

    @classmethod
    def load(cls, directory: str | Path) -> CommentaryIndex:
        """Read an index written by ``save``; anything missing, corrupt or inconsistent is a HighlightsError."""
        loaded = cls(*read_index(Path(directory)))
        loaded.path = Path(directory)
        return loaded


def documents_for(matches: Iterable[Match], settings: IndexSettings) -> list[Document]:
    """The windows an index with ``settings`` holds for ``matches``."""
    matches = list(matches)
    ids = [m.id for m in matches]
    if len(set(ids)) != len(ids):
        raise HighlightsError("the same match is listed twice", next(i for i in ids if ids.count(i) > 1))
    english = is_english_only(settings.embeddings)
    if english:
        untranslated = sum(
            1
            for m in matches
            for h in HALVES
            if m.languages.get(h) not in ("", "en", None) and not any(map(is_translation, m.half_segments(h)))
        )
        if untranslated:
            log.warning(
                "%s reads English only, but %d halves are not English and have no translation loaded "
                "(load the corpus with text 'both' or 'english')",
                settings.embeddings,
                untranslated,
            )
    return match_documents(matches, settings.window_s, settings.stride_s, english)


def make_faiss_index(vectors: np.ndarray) -> faiss.Index:
    """Exact inner-product search for small corpora, an HNSW graph (float16 vectors) for large ones."""
    count, dimension = vectors.shape
    if count <= FLAT_LIMIT:
        index = faiss.IndexFlatIP(dimension)
    else:
        index = faiss.IndexHNSWSQ(dimension, faiss.ScalarQuantizer.QT_fp16, HNSW_M, faiss.METRIC_INNER_PRODUCT)
        index.hnsw.efConstruction = HNSW_EF_CONSTRUCTION
        index.hnsw.efSearch = HNSW_EF_SEARCH
        index.train(vectors)
    index.add(vectors)
    return index


def _ranges(documents: Sequence[Document], key: Callable[[Document], object]) -> dict:
    """``{key: (first id, last id + 1)}`` for documents sorted so that equal keys are adjacent."""
    ranges: dict = {}
    for i, doc in enumerate(documents):
        value = key(doc)
        lo, _ = ranges.get(value, (i, i))
        if value in ranges and ranges[value][1] != i:
            raise HighlightsError("documents are not grouped by match and half", str(value))
        ranges[value] = (lo, i + 1)
    return ranges


def _check_filters(k: int, half: int | None, start_s: float | None, end_s: float | None) -> None:
    if not isinstance(k, int) or k < 1:
        raise HighlightsError(f"k must be a positive whole number, not {k!r}", "k")
    if half is not None and half not in HALVES:
        raise HighlightsError(f"half must be 1 or 2, not {half!r}", "half")
    if start_s is not None and end_s is not None and start_s > end_s:
        raise HighlightsError(f"time range starts ({start_s:g} s) after it ends ({end_s:g} s)", "time range")


class _progress_reporter:
    """A tqdm bar (``True``), a ``callback(done, total)``, or nothing; used as ``with ... as report``."""

    def __init__(self, progress: Progress, total: int) -> None:
        self.progress, self.total, self.done, self.bar = progress, total, 0, None

    def __enter__(self) -> Callable[[int], None] | None:
        if self.progress is True:
            self.bar = tqdm(total=self.total, desc="embedding commentary", unit="window")
            return self.bar.update
        if callable(self.progress):
            return self._call
        return None

    def _call(self, count: int) -> None:
        self.done += count
        self.progress(self.done, self.total)

    def __exit__(self, *exc_info: object) -> None:
        if self.bar is not None:
            self.bar.close()
