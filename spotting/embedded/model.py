"""The temporal network: commentary heard each second → per-second, per-class action scores.

Two stages in one network. Words: a learned projection of the TF-IDF vector of what each 2-s bin
hears (an embedding of the commentary, under heavy dropout), then a linear convolution over ±14 s
to one score per class (commentary names an action a few seconds before or after it). Context: a
stack of dilated residual 1-D convolutions (dilations 1…32, about ±2 minutes) over those 17 scores,
the clock and the keyword lexicon's hits, which adds what the neighbourhood implies: a kick-off
follows a goal, replays repeat it, a substitution is announced before and after. The context stage
never sees the words, so it cannot memorise games; it learns how the evidence combines over time.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass

import numpy as np
import torch
from scipy import sparse
from torch import nn

from index.classes import LABELS

from .features import SIDE_FEATURES, HalfInput
from .sentences import DIMENSION


@dataclass(frozen=True)
class NetConfig:
    vocabulary: int
    embedding: int = 24
    hidden: int = 32
    dilations: tuple[int, ...] = (1, 2, 4, 8, 16, 32)
    dropout: float = 0.7  # on the commentary's embedding: the main guard against memorising games
    direct_span: int = 7
    sentence_embedding: int = 0  # >0: a learned projection of the sentence encoder's vectors joins the words

    def as_dict(self) -> dict:
        return asdict(self)


INIT_STD = 0.1  # of the word projection's random start


class Residual(nn.Module):
    def __init__(self, channels: int, dilation: int) -> None:
        super().__init__()
        self.conv = nn.Conv1d(channels, channels, kernel_size=3, dilation=dilation, padding=dilation)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x + torch.relu(self.conv(x))


class SpottingNet(nn.Module):
    def __init__(self, config: NetConfig) -> None:
        super().__init__()
        self.config = config
        self.project = nn.Parameter(torch.empty(config.vocabulary, config.embedding))
        nn.init.normal_(self.project, std=INIT_STD)
        self.drop = nn.Dropout(config.dropout)
        if config.sentence_embedding:
            self.sentence_project = nn.Parameter(torch.empty(DIMENSION, config.sentence_embedding))
            nn.init.normal_(self.sentence_project, std=INIT_STD)
        self.inlet = nn.Conv1d(len(LABELS) + SIDE_FEATURES, config.hidden, kernel_size=1)
        self.blocks = nn.Sequential(*(Residual(config.hidden, d) for d in config.dilations))
        self.outlet = nn.Conv1d(config.hidden, len(LABELS), kernel_size=1)
        # a linear path from the words to the classes, with a learned lag of up to ±``direct_span`` bins
        said = config.embedding + config.sentence_embedding
        self.direct = nn.Conv1d(said, len(LABELS), 2 * config.direct_span + 1, padding=config.direct_span)

    def forward(self, halves: list[HalfInput]) -> torch.Tensor:
        """Logits (batch, classes, bins) for halves padded to the longest."""
        length = max(h.bins for h in halves)
        padded = [sparse.vstack([h.text, sparse.csr_matrix((length - h.bins, h.text.shape[1]))]) for h in halves]
        heard = _sparse(sparse.vstack(padded)) @ self.project  # one product for the whole batch
        side = np.stack([np.pad(h.side, ((0, length - h.bins), (0, 0))) for h in halves])
        said = [heard.view(len(halves), length, -1)]
        if self.config.sentence_embedding:
            said.append(self._sentences(halves, length))
        features = torch.cat([self.drop(torch.cat(said, dim=2)), torch.from_numpy(side)], dim=2)
        features = features.transpose(1, 2)
        width = self.config.embedding + self.config.sentence_embedding
        words = self.direct(features[:, :width])  # what the commentary says, per class
        context = torch.cat([words, features[:, width:]], dim=1)
        return words + self.outlet(self.blocks(torch.relu(self.inlet(context))))

    def _sentences(self, halves: list[HalfInput], length: int) -> torch.Tensor:
        """(batch, length, sentence_embedding): each bin's mean projected sentence vector."""
        out = torch.zeros(len(halves), length, self.config.sentence_embedding)
        for i, h in enumerate(halves):
            if h.sentence_bins is not None and h.sentence_bins.shape[1]:
                projected = torch.from_numpy(h.sentences.astype(np.float32)) @ self.sentence_project
                out[i, : h.bins] = _sparse(h.sentence_bins) @ projected
        return out


def _sparse(matrix: sparse.spmatrix) -> torch.Tensor:
    coo = matrix.tocoo()
    indices = torch.from_numpy(np.vstack([coo.row, coo.col]).astype(np.int64))
    values = torch.from_numpy(coo.data.astype(np.float32))
    return torch.sparse_coo_tensor(indices, values, coo.shape, check_invariants=False)


@contextmanager
def one_thread() -> Iterator[None]:
    """Run torch on one thread: on a small shared machine it is faster, and the numbers do not vary."""
    previous = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(previous)
