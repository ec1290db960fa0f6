"""SpotCache under many users: spotting runs outside the lock, one run per new match, the last used kept."""

from __future__ import annotations

import threading

import pytest

from index.corpus import load_corpus
from spotting.keywords import KeywordSpotter
from tools.spots import SpotCache


class GatedSpotter(KeywordSpotter):
    """The keyword spotter, holding its first match until the test opens the gate; counts its runs."""

    def __init__(self) -> None:
        super().__init__()
        self.gate, self.started, self.runs = threading.Event(), threading.Event(), []

    def spot(self, match, halves=(1, 2)):
        self.runs.append(match.id)
        if len(self.runs) == 1:
            self.started.set()
            assert self.gate.wait(10), "the test never opened the gate"
        return super().spot(match, halves)


@pytest.fixture(scope="module")
def matches(sample_root):
    return load_corpus(sample_root).matches


def test_a_match_in_memory_is_answered_while_another_is_spotted(matches):
    spotter = GatedSpotter()
    spotter.gate.set()
    cache = SpotCache(spotter)
    cache.moments(matches[1])  # in memory
    spotter.runs.clear()
    spotter.gate.clear()
    slow = threading.Thread(target=cache.moments, args=(matches[0],))
    slow.start()
    assert spotter.started.wait(10)
    done = threading.Event()
    reader = threading.Thread(target=lambda: (cache.moments(matches[1]), done.set()))
    reader.start()
    assert done.wait(5), "a follow-up on a match in memory waited for another match's spotting"
    same = threading.Thread(target=cache.moments, args=(matches[0],))  # a second user on the match being spotted
    same.start()
    spotter.gate.set()
    for thread in (slow, reader, same):
        thread.join(10)
    assert spotter.runs == [matches[0].id]  # spotted once for both users


def test_the_matches_used_last_are_kept(matches):
    spotter = GatedSpotter()
    spotter.gate.set()
    cache = SpotCache(spotter, capacity=2)
    first, second, third = matches[:3]
    cache.moments(first)
    cache.moments(second)
    cache.moments(first)  # used again: the second is now the oldest
    cache.moments(third)
    assert spotter.runs == [first.id, second.id, third.id]
    cache.moments(first)
    cache.moments(second)  # forgotten, spotted again
    assert spotter.runs == [first.id, second.id, third.id, second.id]
