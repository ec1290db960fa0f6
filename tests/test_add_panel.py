"""The app's "Add a match" panel, launched on 127.0.0.1 and called with gradio_client: an upload
becomes a match the same app then answers about; caps and bad input come back as messages."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import pytest
from gradio_client import Client, handle_file
from gradio_client.exceptions import AppError
from recordings import place, script_subtitles, shipped_speech, write_recording

from agent import Assistant
from index.corpus import SAMPLE_ROOT, load_corpus
from ui.add_panel import PUBLIC, MatchAdder
from ui.app import build_app, launch

pytestmark = pytest.mark.slow


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def served(tmp_path_factory) -> Iterator[tuple[str, object]]:
    cache = tmp_path_factory.mktemp("cache")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("HIGHLIGHTS_CACHE", str(cache))  # the sample is read-only: own matches go to the cache
        corpus = load_corpus(SAMPLE_ROOT)
        demo = build_app(corpus, Assistant(corpus)).queue(default_concurrency_limit=2)
        port = free_port()
        launch(demo, "127.0.0.1", port, prevent_thread_lock=True, quiet=True)
        try:
            yield f"http://127.0.0.1:{port}/", corpus
        finally:
            demo.close()


def test_an_uploaded_match_is_answered_about(served, tmp_path):
    url, corpus = served
    files, _ = script_subtitles(tmp_path)
    client = Client(url, verbose=False)
    line, match_id = client.predict(
        [handle_file(str(f)) for f in files],
        "",
        "Arsenal - Chelsea",
        "2024-10-05",
        "2-1",
        "",
        "",
        api_name="/add_match",
    )
    assert match_id == "own/2024-2025/2024-10-05 - 00-00 Arsenal 2 - 1 Chelsea"
    assert "Added Arsenal 2 - 1 Chelsea" in line and len(corpus.matches) == 6
    answer = client.predict("all the goals", match_id, api_name="/ask")
    assert answer["match"]["id"] == match_id and {i["class"] for i in answer["intervals"]} == {"Goal"}
    with pytest.raises(AppError, match="already added"):
        client.predict([handle_file(str(f)) for f in files], "", "Arsenal - Chelsea", "2024-10-05", "", "", "",
                       api_name="/add_match")  # fmt: skip


def test_bad_input_is_a_message(served, tmp_path):
    client = Client(served[0], verbose=False)
    silent = write_recording(tmp_path / "silent.m4a", place([], 30), video=False)
    with pytest.raises(AppError, match="Home - Away"):
        client.predict([handle_file(str(silent))], "", "just one team", "", "", "", "", api_name="/add_match")
    with pytest.raises(AppError, match="upload the match's recording"):
        client.predict([], "", "A - B", "", "", "", "", api_name="/add_match")


def test_public_caps(tmp_path):
    speech = write_recording(tmp_path / "a.m4a", place([(1, shipped_speech())], 10), video=False)
    adder = MatchAdder(load_corpus(SAMPLE_ROOT), PUBLIC, folder=tmp_path / "public")
    with pytest.raises(Exception, match="takes uploads only"):
        adder.inputs([], str(speech), tmp_path / "keep")
    tiny = MatchAdder(load_corpus(SAMPLE_ROOT), PUBLIC.__class__(1e-6, 130, False, True), folder=tmp_path / "p")
    with pytest.raises(Exception, match="this server takes up to 0 MB"):
        tiny.inputs([str(speech)], "", tmp_path / "keep")
    assert adder.data_folder("abc") == tmp_path / "public" / "visitors" / "abc"
    assert PUBLIC.max_minutes * 60 < 3 * 3600 and PUBLIC.max_upload_mb == 500
