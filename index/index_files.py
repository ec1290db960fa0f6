"""A commentary index on disk: the FAISS vectors, the documents, and last the manifest naming both.

The files of a build carry its id, and the manifest is written last (atomically), so a reader sees
one whole build or the one before; the files of the previous build are deleted after. Anything
missing, corrupt or inconsistent reads as a HighlightsError that says to rebuild.
"""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

import faiss

from .atomic import atomic_write_text
from .documents import Document
from .embedding_models import DEFAULT_MODEL
from .errors import HighlightsError
from .jsonfile import read_json
from .settings import SEARCH_WINDOW_S

FORMAT = 1
MANIFEST = "manifest.json"


@dataclass(frozen=True)
class IndexSettings:
    """Everything besides the commentary that decides what an index holds."""

    embeddings: str = DEFAULT_MODEL
    window_s: float = SEARCH_WINDOW_S
    stride_s: float = SEARCH_WINDOW_S

    @classmethod
    def make(cls, embeddings: str, window_s: float, stride_s: float | None) -> IndexSettings:
        """Settings with the stride defaulting to the window: back-to-back windows retrieved as well as
        half-overlapping ones in the benchmark (docs/retrieval.md) at half the cost."""
        return cls(embeddings, float(window_s), float(stride_s if stride_s is not None else window_s))


def write_index(
    index: faiss.Index, documents: Sequence[Document], settings: IndexSettings, kind: str, directory: Path
) -> Path:
    """Write vectors, documents and (last) the manifest naming them into ``directory``."""
    directory.mkdir(parents=True, exist_ok=True)
    previous = _previous_files(directory)
    build_id = uuid.uuid4().hex[:12]
    vectors_name, meta_name = f"vectors-{build_id}.faiss", f"meta-{build_id}.json"
    temporary = directory / f".{vectors_name}.tmp"
    try:
        faiss.write_index(index, str(temporary))
        os.replace(temporary, directory / vectors_name)
    finally:
        temporary.unlink(missing_ok=True)
    match_ids = list(dict.fromkeys(d.match_id for d in documents))
    position = {m: i for i, m in enumerate(match_ids)}
    meta = {
        "build_id": build_id,
        "matches": match_ids,
        "match": [position[d.match_id] for d in documents],
        "half": [d.half for d in documents],
        "start": [d.start for d in documents],
        "end": [d.end for d in documents],
        "text": [d.text for d in documents],
    }
    atomic_write_text(directory / meta_name, json.dumps(meta, ensure_ascii=False))
    manifest = {
        "format": FORMAT,
        "build_id": build_id,
        "vectors": vectors_name,
        "meta": meta_name,
        "kind": kind,
        "dimension": index.d,
        "documents": len(documents),
        "matches": len(match_ids),
        "settings": asdict(settings),
    }
    atomic_write_text(directory / MANIFEST, json.dumps(manifest, indent=1))
    for name in previous - {vectors_name, meta_name}:
        (directory / name).unlink(missing_ok=True)
    return directory


def read_index(directory: Path) -> tuple[faiss.Index, list[Document], IndexSettings]:
    """The vectors, documents and settings ``write_index`` wrote into ``directory``."""
    if not (directory / MANIFEST).is_file():
        raise HighlightsError(
            "no commentary index here (no manifest.json); build one with `highlights index build`", directory
        )
    manifest = read_json(directory / MANIFEST)
    try:
        if manifest["format"] != FORMAT:
            raise HighlightsError(f"index format {manifest['format']} is not {FORMAT}; rebuild it", directory)
        settings = IndexSettings(**manifest["settings"])
        vectors_path, meta_path = directory / manifest["vectors"], directory / manifest["meta"]
        build_id = manifest["build_id"]
    except (KeyError, TypeError) as error:
        raise HighlightsError(f"malformed manifest ({error!r})", directory / MANIFEST) from None
    if not vectors_path.is_file():
        raise HighlightsError("index vectors file is missing; rebuild with `highlights index build`", vectors_path)
    try:
        index = faiss.read_index(str(vectors_path))
    except (RuntimeError, MemoryError) as error:
        first_line = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        raise HighlightsError(
            f"index vectors file is corrupt ({first_line[:200]}); rebuild with `highlights index build`",
            vectors_path,
        ) from None
    documents = _documents_from_meta(read_json(meta_path), build_id, meta_path)
    if index.ntotal != len(documents) or index.d != manifest.get("dimension"):
        raise HighlightsError(
            f"index holds {index.ntotal} vectors of {index.d} dimensions, metadata {len(documents)} documents; "
            "rebuild with `highlights index build`",
            directory,
        )
    return index, documents, settings


def _previous_files(directory: Path) -> set[str]:
    """Files the current manifest names, to delete once a new manifest replaces it."""
    try:
        manifest = json.loads((directory / MANIFEST).read_text(encoding="utf-8"))
        return {str(manifest["vectors"]), str(manifest["meta"])}
    except (OSError, ValueError, KeyError, TypeError):
        return set()


def _documents_from_meta(meta: object, build_id: str, path: Path) -> list[Document]:
    try:
        if meta["build_id"] != build_id:
            raise HighlightsError("metadata belongs to another build than the manifest; rebuild", path)
        matches = meta["matches"]
        columns = (meta["match"], meta["half"], meta["start"], meta["end"], meta["text"])
        if len({len(c) for c in columns}) != 1:
            raise HighlightsError("metadata columns differ in length", path)
        return [
            Document(matches[m], int(h), float(s), float(e), str(t)) for m, h, s, e, t in zip(*columns, strict=True)
        ]
    except (KeyError, TypeError, IndexError, ValueError) as error:
        raise HighlightsError(f"malformed index metadata ({error!r})", path) from None
