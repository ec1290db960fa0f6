"""The corpus cache: same matches back, rebuilt when an input changes, corrupt entries ignored."""

from __future__ import annotations

import os
import shutil

from index.corpus import load_corpus

BURNLEY_ARSENAL = "england_epl/2014-2015/2015-04-11 - 19-30 Burnley 0 - 1 Arsenal"


def test_cached_load_equals_fresh_load(sample_root, tmp_path):
    fresh = load_corpus(sample_root)
    first = load_corpus(sample_root, cache_dir=tmp_path)
    entries = list(tmp_path.iterdir())
    assert len(entries) == 1
    second = load_corpus(sample_root, cache_dir=tmp_path)
    assert fresh.matches == first.matches == second.matches
    assert fresh.skipped == second.skipped


def test_changed_input_rebuilds(sample_root, tmp_path):
    data = tmp_path / "data"
    shutil.copytree(sample_root, data)
    cache = tmp_path / "cache"
    before = load_corpus(data, cache_dir=cache)
    asr = data / "echoes" / "whisper_v2" / BURNLEY_ARSENAL / "1_asr.json"
    asr.write_text('{"segments": {"0": [5.0, 6.0, "Gol de Arsenal"]}}', encoding="utf-8")
    os.utime(asr, ns=(1, 1))
    after = load_corpus(data, cache_dir=cache)
    assert len(list(cache.iterdir())) == 2
    changed = next(m for m in after.matches if m.id == BURNLEY_ARSENAL)
    assert [s.text for s in changed.half_segments(1)] == ["Gol de Arsenal"]
    assert before.get(BURNLEY_ARSENAL).half_segments(1) != changed.half_segments(1)


def test_corrupt_cache_entry_is_rebuilt(sample_root, tmp_path, caplog):
    load_corpus(sample_root, cache_dir=tmp_path)
    (entry,) = tmp_path.iterdir()
    entry.write_bytes(b"\x93garbage")
    again = load_corpus(sample_root, cache_dir=tmp_path)
    assert "ignoring unreadable corpus cache" in caplog.text
    assert again.matches == load_corpus(sample_root).matches
