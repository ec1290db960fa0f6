"""Fitting the temporal network: seeded, so the same data gives the same model.

Labelled games are few (100 in the valid split) and the scores grow with every game added
(docs/embedded.md, learning curve), while SoccerNet-Echoes has commentary for 550. So matches
without labels are used too, twice: the word projection starts from the LSA of all their
commentary, and each member is a student trained on the labelled games plus the unlabelled ones
as its teacher (the same network trained on the labelled games alone) scores them.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Sequence
from dataclasses import asdict, dataclass

import numpy as np
import torch
from scipy import sparse
from tqdm import tqdm

from index.classes import LABEL_INDEX, LABELS
from index.errors import HighlightsError
from index.types import HALVES, Match

from .artifact import EmbeddedModel
from .config import TrainConfig
from .features import BIN_S, HalfInput, Vocabulary, match_half_input
from .model import INIT_STD, NetConfig, SpottingNet, one_thread
from .spotter import EmbeddedSpotter

log = logging.getLogger(__name__)


@dataclass
class Example:
    half: HalfInput
    target: np.ndarray  # (classes, bins) soft targets in [0, 1]


def labelled_halves(matches: Sequence[Match]) -> list[tuple[Match, int]]:
    return [(m, h) for m in matches if m.has_labels for h in HALVES if m.half_events(h) or m.half_segments(h)]


def targets(match: Match, half: int, bins: int, sigma_s: float) -> np.ndarray:
    """Gaussian bumps at each labelled event, the maximum where two overlap."""
    out = np.zeros((len(LABELS), bins), dtype=np.float32)
    t = (np.arange(bins, dtype=np.float32) + 0.5) * BIN_S
    for event in match.half_events(half):
        if event.seconds >= bins * BIN_S:
            continue
        row = LABEL_INDEX[event.label]
        bump = np.exp(-0.5 * ((t - event.seconds) / sigma_s) ** 2)
        np.maximum(out[row], bump, out=out[row])
    out[out < 1e-3] = 0.0
    return out


def seed_everything(seed: int) -> torch.Generator:
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
    return torch.Generator().manual_seed(seed)


def train_model(matches: Sequence[Match], config: TrainConfig | None = None, progress: bool = False) -> EmbeddedModel:
    """Train on every labelled half of ``matches`` (``config``: the shipped recipe unless told), on one
    thread (faster on a shared machine, and reproducible)."""
    config = config or TrainConfig()
    if config.members < 1:
        raise HighlightsError(f"an ensemble needs at least one member, not {config.members}")
    with one_thread():
        vocabulary, examples = _prepare(matches, config)
        uses_unlabelled = config.lsa_init or config.student_epochs > 0
        # the LSA start reads the words only; a student also hears the unlabelled games' sentence vectors
        sentences = bool(config.net.get("sentence_embedding")) and config.student_epochs > 0
        unlabelled = unlabelled_inputs(matches, vocabulary, sentences) if uses_unlabelled else []
        projection = lsa_projection([e.half for e in examples] + unlabelled, config.net) if config.lsa_init else None
        nets = [
            _member(vocabulary, examples, unlabelled, config, config.seed + i, projection, progress)
            for i in range(config.members)
        ]
    info = {
        "config": asdict(config),
        "games": len({m.id for m in matches if m.has_labels}),
        "unlabelled_games": len({m.id for m in matches if not m.has_labels and any(m.segments.values())}),
    }
    return EmbeddedModel(vocabulary, nets, windows_s=list(config.windows_s), info=info)


def unlabelled_inputs(matches: Sequence[Match], vocabulary: Vocabulary, sentences: bool) -> list[HalfInput]:
    return [
        match_half_input(m, h, vocabulary, sentences)
        for m in matches
        if not m.has_labels
        for h in HALVES
        if m.half_segments(h)
    ]


def lsa_projection(halves: Sequence[HalfInput], net: dict) -> np.ndarray:
    """The word projection's starting point: the top singular directions of the bins' TF-IDF
    vectors (latent semantic analysis), scaled like the random start. Words said in the same
    moments start close, so a word rare in the labelled games borrows what its neighbours learn."""
    from sklearn.decomposition import TruncatedSVD

    text = sparse.vstack([h.text for h in halves]).tocsr()
    text = text[text.getnnz(axis=1) > 0]
    dims = NetConfig(vocabulary=text.shape[1], **net).embedding
    if text.shape[0] <= dims:
        raise HighlightsError(f"too little commentary to start the projection from ({text.shape[0]} bins)")
    basis = TruncatedSVD(dims, random_state=0).fit(text).components_.T.astype(np.float32)
    return basis * (INIT_STD / basis.std())


def _member(
    vocabulary: Vocabulary,
    examples: list[Example],
    unlabelled: list[HalfInput],
    config: TrainConfig,
    seed: int,
    projection: np.ndarray | None,
    progress: bool,
) -> SpottingNet:
    """One network of the ensemble: the teacher, or the student it teaches on the unlabelled games."""
    teacher = _fit(vocabulary, examples, config, config.epochs, seed, projection, progress)
    if not unlabelled or config.student_epochs < 1:
        return teacher
    with torch.no_grad():
        taught = [Example(h, torch.sigmoid(teacher([h]))[0].numpy()) for h in unlabelled]
    return _fit(vocabulary, examples + taught, config, config.student_epochs, seed, projection, progress)


def _prepare(matches: Sequence[Match], config: TrainConfig) -> tuple[Vocabulary, list[Example]]:
    """The vocabulary and every labelled half's input and targets: shared by all members."""
    halves = labelled_halves(matches)
    if not halves:
        raise HighlightsError("no labelled matches to train on (Labels-v2.json missing?)")
    # One document per half: a term must occur in several halves, so player names (which would
    # let the network memorise games instead of learning the commentary) stay out.
    documents = [" ".join(s.text for s in m.half_segments(h)) for m, h in halves]
    if not any(documents):
        raise HighlightsError("the labelled matches have no commentary to learn from")
    vocabulary = Vocabulary.fit(documents, config.max_terms, min(config.min_halves, max(1, len(halves) // 4)))
    sentences = bool(config.net.get("sentence_embedding"))
    examples = []
    for match, half in halves:
        last_event = max((e.seconds for e in match.half_events(half)), default=0.0)
        item = match_half_input(match, half, vocabulary, sentences, min_bins=int(last_event / BIN_S) + 1)
        examples.append(Example(item, targets(match, half, item.bins, config.target_sigma_s)))
    return vocabulary, examples


def _fit(
    vocabulary: Vocabulary,
    examples: list[Example],
    config: TrainConfig,
    epochs: int,
    seed: int,
    projection: np.ndarray | None,
    progress: bool,
) -> SpottingNet:
    generator = seed_everything(seed)
    net = SpottingNet(NetConfig(vocabulary=len(vocabulary), **config.net))
    if projection is not None:  # the LSA start, else the random one
        with torch.no_grad():
            net.project.copy_(torch.from_numpy(projection))
    optimiser = torch.optim.AdamW(net.parameters(), lr=config.learning_rate, weight_decay=config.weight_decay)
    steps = epochs * -(-len(examples) // config.batch)
    schedule = torch.optim.lr_scheduler.OneCycleLR(optimiser, max_lr=config.learning_rate, total_steps=steps)
    net.train()
    desc = f"training (seed {seed}, {len(examples)} halves)"
    for epoch in tqdm(range(epochs), desc=desc, unit="epoch", disable=not progress):
        order = torch.randperm(len(examples), generator=generator).tolist()
        total = 0.0
        for start in range(0, len(order), config.batch):
            batch = [examples[i] for i in order[start : start + config.batch]]
            loss = batch_loss(net, batch, config.positive_weight)
            optimiser.zero_grad()
            loss.backward()
            optimiser.step()
            schedule.step()
            total += loss.item() * len(batch)
        log.debug("epoch %d loss %.4f", epoch, total / len(examples))
    net.eval()
    return net


def batch_loss(net: SpottingNet, batch: list[Example], positive_weight: float) -> torch.Tensor:
    logits = net([e.half for e in batch])
    length = logits.shape[-1]
    target = torch.zeros_like(logits)
    mask = torch.zeros(len(batch), 1, length)
    for i, example in enumerate(batch):
        target[i, :, : example.half.bins] = torch.from_numpy(example.target)
        mask[i, :, : example.half.bins] = 1.0
    weight = mask * (1.0 + (positive_weight - 1.0) * target)
    loss = torch.nn.functional.binary_cross_entropy_with_logits(logits, target, weight=weight, reduction="sum")
    return loss / mask.sum() / len(LABELS)


def fit(train_matches: Sequence[Match], config: TrainConfig | None = None) -> EmbeddedSpotter:
    """A spotter trained on ``train_matches`` (the benchmark runner's cross-validation hook)."""
    return EmbeddedSpotter(model=train_model(train_matches, config or TrainConfig()))
