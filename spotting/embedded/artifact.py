"""The trained model as files: ``model.json`` (vocabulary, settings) and ``weights.npz``.

Plain JSON and NumPy arrays rather than pickles, so loading a model never runs code from it.
``model.json`` holds the SHA-256 of the ``weights.npz`` it was saved with: a truncated file, or
weights and vocabulary from two different saves, are refused with a message, not a traceback.
"""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import torch

from index.atomic import atomic_write_bytes, atomic_write_text
from index.classes import LABELS
from index.errors import HighlightsError
from index.types import HALVES, Match

from .features import Vocabulary, match_half_input
from .model import NetConfig, SpottingNet

FORMAT = 3  # 2: an ensemble of networks (weights prefixed "member<i>."); 3: + weights hash, score mentions
DEFAULT_WINDOW_S = 20.0


@dataclass
class EmbeddedModel:
    """Vocabulary + networks (an ensemble, averaged) + decoding settings (per-class suppression windows)."""

    vocabulary: Vocabulary
    nets: list[SpottingNet]
    windows_s: list[float] = field(default_factory=lambda: [DEFAULT_WINDOW_S] * len(LABELS))
    info: dict = field(default_factory=dict)  # how it was trained

    @property
    def reads_sentences(self) -> bool:
        return bool(self.nets[0].config.sentence_embedding)

    @torch.no_grad()
    def scores(self, match: Match, halves=HALVES) -> dict[int, tuple]:
        """Per half: (HalfInput, per-second class probabilities of shape (classes, bins))."""
        out = {}
        for half in halves:
            item = match_half_input(match, half, self.vocabulary, self.reads_sentences)
            probabilities = torch.stack([torch.sigmoid(net([item]))[0] for net in self.nets]).mean(0).numpy()
            out[half] = (item, probabilities)
        return out

    def save(self, folder: Path) -> None:
        folder = Path(folder)
        arrays = {
            f"member{i}.{name}": value.detach().numpy()
            for i, net in enumerate(self.nets)
            for name, value in net.state_dict().items()
        }
        arrays["vocabulary.idf"] = self.vocabulary.idf
        buffer = io.BytesIO()
        np.savez_compressed(buffer, **arrays)
        weights = buffer.getvalue()  # numpy stamps every member 1980-01-01: two saves of one model are equal
        atomic_write_bytes(folder / "weights.npz", weights)
        meta = {
            "format": FORMAT,
            "weights_sha256": hashlib.sha256(weights).hexdigest(),
            "labels": list(LABELS),
            "net": self.nets[0].config.as_dict(),
            "members": len(self.nets),
            "windows_s": self.windows_s,
            "info": self.info,
            "terms": self.vocabulary.terms,
        }
        atomic_write_text(folder / "model.json", json.dumps(meta, ensure_ascii=False, indent=0))

    @classmethod
    def load(cls, folder: Path) -> EmbeddedModel:
        folder = Path(folder)
        try:
            meta = json.loads((folder / "model.json").read_text(encoding="utf-8"))
            weights = (folder / "weights.npz").read_bytes()
        except (OSError, ValueError) as error:
            raise HighlightsError(f"cannot read the embedded model: {error}", folder) from None
        if not isinstance(meta, dict) or meta.get("format") != FORMAT or meta.get("labels") != list(LABELS):
            raise HighlightsError("not an embedded model of this version (format or classes differ)", folder)
        if hashlib.sha256(weights).hexdigest() != meta.get("weights_sha256"):
            raise HighlightsError(
                "weights.npz does not match model.json (truncated, or the two files come from different saves); "
                "copy both from one `highlights train` run",
                folder,
            )
        try:
            return cls._from_data(meta, dict(np.load(io.BytesIO(weights), allow_pickle=False)))
        except (KeyError, TypeError, ValueError, RuntimeError, zipfile.BadZipFile) as error:
            raise HighlightsError(f"cannot build the embedded model from its files: {error}", folder) from None

    @classmethod
    def _from_data(cls, meta: dict, arrays: dict[str, np.ndarray]) -> EmbeddedModel:
        net_config = dict(meta["net"])
        net_config["dilations"] = tuple(net_config["dilations"])
        vocabulary = Vocabulary(meta["terms"], arrays.pop("vocabulary.idf"))
        nets = []
        for i in range(meta["members"]):
            net = SpottingNet(NetConfig(**net_config))
            prefix = f"member{i}."
            net.load_state_dict(
                {k[len(prefix) :]: torch.from_numpy(v) for k, v in arrays.items() if k.startswith(prefix)}
            )
            net.eval()
            nets.append(net)
        return cls(vocabulary, nets, meta["windows_s"], meta.get("info", {}))
