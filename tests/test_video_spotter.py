"""The Qwen2-VL spotter on a tiny random-weight Qwen2-VL (built here) and on a scripted vLLM-style
endpoint: chunks of a generated video become questions, the model answers, the parser copes."""

from __future__ import annotations

import base64
import json
import re
from pathlib import Path

import numpy as np
import pytest
from fake_openai import FakeOpenAI, Reply
from test_video_counter import write_counter_video
from tiny_models import tiny_qwen2_vl

from index.corpus import SAMPLE_ROOT, load_match
from index.errors import HighlightsError
from spotting.registry import make_spotter
from spotting.types import Spot
from spotting.video.frames import HalfVideo, sample_frames
from spotting.video.qwen_inputs import build_inputs, frame_size, video_patches
from tools.video_io import probe

ARSENAL = "england_epl/2014-2015/2015-04-11 - 19-30 Burnley 0 - 1 Arsenal"


@pytest.fixture(scope="module")
def match():
    return load_match(SAMPLE_ROOT, ARSENAL)


@pytest.fixture(scope="module")
def video(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """25 s of a half at 5 frames per second: three 10-second chunks."""
    return write_counter_video(tmp_path_factory.mktemp("half") / "1_224p.mkv", seconds=25, fps=5, gop=5, audio=False)


@pytest.fixture(scope="module")
def tiny_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from transformers.models.qwen2_vl.image_processing_pil_qwen2_vl import Qwen2VLImageProcessorPil

    folder = tiny_qwen2_vl(tmp_path_factory.mktemp("qwen2-vl"))
    Qwen2VLImageProcessorPil().save_pretrained(folder)
    return folder


def test_video_patches_match_the_image_processor_layout():
    """Two equal frames make the same patches as one image (which Qwen2-VL repeats in time)."""
    from transformers.models.qwen2_vl.image_processing_pil_qwen2_vl import Qwen2VLImageProcessorPil

    processor = Qwen2VLImageProcessorPil()
    image = np.random.default_rng(0).integers(0, 256, (56, 84, 3), dtype=np.uint8)
    expected = processor(images=[image], return_tensors="np")
    patches, grid = video_patches(np.stack([image, image]), processor)
    assert grid == tuple(expected["image_grid_thw"][0])
    np.testing.assert_allclose(patches, expected["pixel_values"], atol=1e-5)
    odd, odd_grid = video_patches(np.stack([image] * 3), processor)  # padded to 4 frames
    assert odd_grid == (2, 4, 6) and odd.shape == (48, 1176)
    assert frame_size(processor, 398, 224) == (392, 224)


def test_sample_frames_at_the_asked_times_and_size(video):
    frames = sample_frames(video, 2.0, 4.0, fps=2, size=(56, 28))
    assert len(frames) == 4 and frames[0].shape == (28, 56, 3)
    with pytest.raises(HighlightsError, match="no frames"):
        sample_frames(video, 40.0, 50.0)


def test_local_spotter_generates_and_the_parser_copes(tiny_model, video, match):
    spotter = make_spotter(
        "qwen2-vl", model=str(tiny_model), video=video, fps=0.4, size=(56, 56), chunk_s=12.5,
        max_new_tokens=8, progress=False,
    )  # fmt: skip
    questions = spotter.questions(match, (1,))
    assert [(c.start, c.end) for c, _ in questions] == [(0, 12.5), (12.5, 25)]
    part, text_part = questions[1][1][1]["content"]
    text = " ".join(text_part["text"].split())
    assert part == {"type": "video", "path": str(video), "start": 12.5, "end": 25.0}
    assert "00:12 to 00:25 of the half: 5 frames, 0.4 per second" in text
    inputs = spotter.inputs(questions[0][1])
    assert inputs["video_grid_thw"].tolist() == [[3, 4, 4]]  # 5 frames padded to 6, 56x56 = 4x4 patches
    spots = spotter.spot(match, halves=(1,))
    assert all(isinstance(s, Spot) and s.backend == "qwen2-vl" for s in spots)
    assert spotter.usage.requests == 2 and spotter.usage.completion_tokens > 0


def test_commentary_goes_into_the_prompt_and_an_adapter_loads(tiny_model, video, match, tmp_path):
    from peft import LoraConfig, get_peft_model
    from transformers import Qwen2VLForConditionalGeneration

    adapter = tmp_path / "adapter"
    base = Qwen2VLForConditionalGeneration.from_pretrained(tiny_model)
    get_peft_model(base, LoraConfig(r=2, target_modules=["q_proj", "v_proj"])).save_pretrained(adapter)
    spotter = make_spotter(
        "qwen2-vl", model=str(tiny_model), adapter=str(adapter), video={1: video}, offset={1: -600.0},
        commentary=True, fps=0.5, size=(56, 56), chunk_s=10.0, max_new_tokens=4, progress=False,
    )  # fmt: skip
    questions = spotter.questions(match, (1,))
    # The file starts 10 minutes into the half: its chunks are 10:00-10:10, ...
    assert questions[0][0].start == 600.0
    text = questions[0][1][1]["content"][1]["text"]
    assert "commentary spoken meanwhile" in text and "[10:0" in text
    assert len(spotter.ask(questions[:1], desc="test")) == 1


def test_build_inputs_checks_the_prompt(tiny_model):
    from transformers import AutoImageProcessor, AutoTokenizer

    tokenizer, processor = AutoTokenizer.from_pretrained(tiny_model), AutoImageProcessor.from_pretrained(tiny_model)
    frames = np.zeros((2, 56, 56, 3), dtype=np.uint8)
    inputs = build_inputs("<|vision_start|><|video_pad|><|vision_end|>hi", frames, tokenizer, processor)
    assert int((inputs["mm_token_type_ids"] == 2).sum()) == 4
    with pytest.raises(ValueError, match=re.escape("one <|video_pad|>")):
        build_inputs("no video here", frames, tokenizer, processor)


def decoded_video(url: str, folder: Path) -> Path:
    prefix = "data:video/mp4;base64,"
    assert url.startswith(prefix)
    path = folder / "sent.mp4"
    path.write_bytes(base64.b64decode(url[len(prefix) :]))
    return path


def test_vllm_spotter_sends_the_chunk_as_video_and_reads_the_reply(video, match, tmp_path):
    goal = json.dumps({"actions": [{"label": "Goal", "start": "00:12", "end": "00:18"}]})

    def answer(request) -> Reply:  # the goal is in the second chunk only
        return Reply(content=goal if "00:10 to 00:20" in json.dumps(request.body) else '{"actions": []}')

    with FakeOpenAI(responder=answer) as server:
        spotter = make_spotter(
            "qwen2-vl", model="fake-model", base_url=server.base_url, video_dir=video.parent, chunk_s=10.0,
            fps=2.0, size=(112, 56), use_cache=False, progress=False,
        )  # fmt: skip
        spots = spotter.spot(match, halves=(1,))
        bodies = [r.body for r in server.chat_requests()]
    assert len(bodies) == 3
    content = next(b for b in bodies if "00:10 to 00:20" in json.dumps(b))["messages"][1]["content"]
    assert content[0]["type"] == "video_url" and content[1]["type"] == "text"
    sent = probe(decoded_video(content[0]["video_url"]["url"], tmp_path))
    assert (sent.width, sent.height) == (112, 56) and sent.duration == pytest.approx(10.0, abs=0.6)
    assert [(s.label, s.start, s.end) for s in spots] == [("Goal", 12.0, 18.0)]


def test_vllm_spotter_can_send_frames_as_images(video, match):
    with FakeOpenAI(responder=lambda request: Reply(content="nothing happens")) as server:
        spotter = make_spotter(
            "qwen2-vl", model="fake-model", base_url=server.base_url, video={1: video}, chunk_s=10.0,
            fps=0.5, video_input="frames", use_cache=False, progress=False,
        )  # fmt: skip
        assert spotter.spot(match, halves=(1,)) == []
        first = next(r for r in server.chat_requests() if "00:00 to 00:10" in json.dumps(r.body))
        parts = first.body["messages"][1]["content"]
    assert [p["type"] for p in parts] == ["image_url"] * 5 + ["text"]
    assert parts[0]["image_url"]["url"].startswith("data:image/jpeg;base64,")


def test_bad_settings_and_missing_video_are_clear(video, match, tmp_path):
    with pytest.raises(HighlightsError, match="serves a LoRA adapter by name"):
        make_spotter("qwen2-vl", base_url="http://127.0.0.1:9/v1", adapter="x", video=video)
    with pytest.raises(HighlightsError, match="positive"):
        make_spotter("qwen2-vl", base_url="http://127.0.0.1:9/v1", video=video, fps=0)
    spotter = make_spotter("qwen2-vl", base_url="http://127.0.0.1:9/v1", video={1: video}, use_cache=False)
    with pytest.raises(HighlightsError, match="no video for half 2"):
        spotter.questions(match, (2,))
    missing = make_spotter("qwen2-vl", base_url="http://127.0.0.1:9/v1", video=tmp_path / "gone.mkv")
    with pytest.raises(HighlightsError, match="not found"):
        missing.questions(match, (1,))
    with pytest.raises(HighlightsError, match="cannot load the Qwen2-VL model"):
        make_spotter("qwen2-vl", model=str(tmp_path / "no-model"), video=video)
    assert HalfVideo(video).offset == 0.0
