"""Reusing a built commentary index: one folder per content hash, rebuilt only when inputs change.

The key hashes the index format, the model name, the window settings and every document's match,
half, times and text, so editing one commentary file, switching model or window gives a new index,
and anything else loads the one on disk.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
from collections.abc import Iterable
from dataclasses import asdict
from pathlib import Path

from .atomic import staging_folder
from .cache import index_dir
from .corpus import Corpus
from .documents import Document
from .embedding_models import DEFAULT_MODEL
from .errors import HighlightsError
from .index_files import FORMAT, MANIFEST, IndexSettings
from .retrieval import CommentaryIndex, Progress, documents_for
from .settings import SEARCH_WINDOW_S
from .types import Match

log = logging.getLogger(__name__)


def index_key(documents: Iterable[Document], settings: IndexSettings) -> str:
    """Content hash of what an index would hold (24 hex digits)."""
    digest = hashlib.sha256(json.dumps({"format": FORMAT, **asdict(settings)}, sort_keys=True).encode())
    for doc in documents:
        digest.update(f"{doc.match_id}\t{doc.half}\t{doc.start!r}\t{doc.end!r}\t{doc.text}\n".encode())
    return digest.hexdigest()[:24]


def load_or_build(
    corpus: Corpus | Iterable[Match],
    cache_dir: str | Path | None = None,
    embeddings_name: str = DEFAULT_MODEL,
    window_s: float = SEARCH_WINDOW_S,
    stride_s: float | None = None,
    progress: Progress = False,
) -> CommentaryIndex:
    """The index of ``corpus`` from ``cache_dir/<key>``, built and saved there first if absent or unreadable."""
    settings = IndexSettings.make(embeddings_name, window_s, stride_s)
    matches = corpus.matches if isinstance(corpus, Corpus) else list(corpus)
    documents = documents_for(matches, settings)
    folder = Path(cache_dir) if cache_dir is not None else index_dir()
    target = folder / index_key(documents, settings)
    if (target / MANIFEST).is_file():
        try:
            return CommentaryIndex.load(target)
        except HighlightsError as error:
            log.warning("rebuilding the commentary index: %s", error)
    built = CommentaryIndex.from_documents(documents, settings, progress)
    _save_into(built, target)
    return built


def _save_into(index: CommentaryIndex, target: Path) -> None:
    """Save in a fresh folder beside ``target`` and rename it into place, so a half-written index never
    shows; a cache folder that cannot be written is a warning (the index in memory still answers)."""
    try:
        with staging_folder(target) as staging:
            index.save(staging)
            if target.exists():  # an unreadable old copy, or another process finished first
                shutil.rmtree(target, ignore_errors=True)
            os.replace(staging, target)
            index.path = target
    except OSError as error:
        log.warning("could not cache the commentary index in %s: %s; going on without the cache", target, error)
