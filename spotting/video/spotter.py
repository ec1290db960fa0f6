"""The Qwen2-VL spotter: each chunk of a half's video (1 minute by default) is shown to the model as
frames sampled at ``fps`` and resized to ``size``, optionally with the commentary of that minute,
and the reply is read by the LLM spotters' parser.

Two ways to run the model, one class each, sharing the questions:
- ``LocalQwen2VLSpotter``: transformers ``Qwen2VLForConditionalGeneration`` in this process
  (a Hugging Face name or a folder), with a peft LoRA adapter if given;
- ``VLLMQwen2VLSpotter``: a ``vllm serve Qwen/Qwen2-VL-2B-Instruct`` endpoint through its
  OpenAI-compatible chat API, the frames sent as an MP4 ``video_url`` (or as images).
"""

from __future__ import annotations

import base64
import io
import logging
import math
from collections.abc import Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
from tqdm import tqdm

from index.chunks import DEFAULT_CHUNK_S, chunk_half
from index.errors import HighlightsError
from index.settings import API_KEY_ENV, VIDEO_BASE_URL_ENV, VIDEO_MODEL_ENV, env
from index.types import HALVES, Chunk, Match
from spotting.llm.base import LLMSpotter, Question
from spotting.llm.openai_spotter import OpenAISpotter

from .frames import HalfVideo, duration_of, encode_mp4, match_videos, sample_frames
from .prompting import video_messages, video_part

log = logging.getLogger(__name__)

DEFAULT_MODEL = "Qwen/Qwen2-VL-2B-Instruct"
DEFAULT_FPS = 1.0
DEFAULT_SIZE = (392, 224)  # 224p, both sides multiples of 28 (patch 14 x merge 2): no resizing by the model
NAME = "qwen2-vl"


class VideoQuestions:
    """The questions both back ends ask: one per chunk of each half's video, with its frames."""

    def setup_video(
        self,
        videos: Mapping[int, HalfVideo] | None,
        fps: float,
        size: tuple[int, int] | None,
        commentary: bool,
    ) -> None:
        if fps <= 0:
            raise HighlightsError(f"frames per second must be positive, not {fps}", "--fps")
        if size is not None and (len(size) != 2 or min(size) < 28):
            raise HighlightsError(f"frame size is (width, height), each at least 28, not {size}", "--size")
        self.videos = dict(videos) if videos is not None else None
        self.fps = fps
        self.size = tuple(size) if size is not None else None
        self.commentary = commentary

    def video_chunks(self, match: Match, half: int, video: HalfVideo) -> list[Chunk]:
        """Chunks of the half that the video covers, with the commentary and events of each where
        the match has them. A negative offset means the file starts that many seconds into the half."""
        first, last = max(0.0, -video.offset), duration_of(video.path) - video.offset
        if last <= first:
            raise HighlightsError(f"the video ends before half {half} starts ({video.offset:g} s in)", video.path)
        known = {round(c.start, 6): c for c in chunk_half(match, half, self.chunk_s)}
        chunks = []
        for index in range(math.floor(first / self.chunk_s), math.ceil(last / self.chunk_s)):
            start = index * self.chunk_s
            chunk = known.get(round(start, 6)) or Chunk(match.id, half, start, start + self.chunk_s, (), ())
            chunks.append(replace(chunk, start=max(chunk.start, first), end=min(chunk.end, last)))
        return chunks

    def frame_count(self, chunk: Chunk) -> int:
        return len(np.arange(chunk.start, chunk.end, 1.0 / self.fps))

    def questions(self, match: Match, halves: Sequence[int]) -> list[Question]:
        videos = self.videos if self.videos is not None else match_videos(match)
        questions: list[Question] = []
        for half in halves:
            if half not in HALVES:
                raise HighlightsError(f"no half {half!r}; a match has halves {HALVES}", match.id)
            video = videos.get(half)
            if video is None:
                raise HighlightsError(f"no video for half {half}", match.id)
            for chunk in self.video_chunks(match, half, video):
                part = video_part(video.path, video.offset + chunk.start, video.offset + chunk.end)
                messages = video_messages(chunk, match, part, self.frame_count(chunk), self.fps, self.commentary)
                questions.append((chunk, self.with_video(messages)))
        return questions

    def with_video(self, messages: list[dict]) -> list[dict]:
        """The messages as this back end sends them (the local model loads frames when it asks)."""
        return messages

    def frames_of(self, part: dict, size: tuple[int, int] | None) -> list[np.ndarray]:
        return sample_frames(Path(part["path"]), part["start"], part["end"], self.fps, size)


class LocalQwen2VLSpotter(VideoQuestions, LLMSpotter):
    """Qwen2-VL in this process (GPU when there is one), ± a LoRA adapter."""

    name = NAME

    def __init__(
        self,
        model: str | Path = DEFAULT_MODEL,
        *,
        adapter: str | Path | None = None,
        videos: Mapping[int, HalfVideo] | None = None,
        fps: float = DEFAULT_FPS,
        size: tuple[int, int] | None = DEFAULT_SIZE,
        commentary: bool = False,
        max_new_tokens: int = 256,
        device: str | None = None,
        chunk_s: float = DEFAULT_CHUNK_S,
        progress: bool = True,
    ) -> None:
        LLMSpotter.__init__(self, "zero-shot", (), chunk_s)
        self.setup_video(videos, fps, size, commentary)
        import torch
        from transformers import AutoImageProcessor, AutoTokenizer, Qwen2VLForConditionalGeneration

        from spotting.llm.transformers_spotter import _with_adapter

        self.model = str(model) + (f"+{Path(adapter).name}" if adapter else "")
        self.max_new_tokens = max_new_tokens
        self.progress = progress
        self.device = device or ("cuda" if torch.cuda.is_available() else "cpu")
        try:
            self.tokenizer = AutoTokenizer.from_pretrained(str(model))
            self.image_processor = AutoImageProcessor.from_pretrained(str(model))
            network = Qwen2VLForConditionalGeneration.from_pretrained(
                str(model), dtype=torch.bfloat16 if self.device.startswith("cuda") else torch.float32
            )
        except (OSError, ValueError) as error:
            raise HighlightsError(f"cannot load the Qwen2-VL model: {error}", model) from None
        self.processor = _official_processor(model)
        if adapter:
            network = _with_adapter(network, Path(adapter))
        self.network = network.to(self.device).eval()

    def render(self, messages: list[dict]) -> str:
        owner = self.processor if self.processor is not None else self.tokenizer
        if not getattr(owner, "chat_template", None):
            raise HighlightsError("the model has no chat template (not an instruct model?)", self.model)
        return owner.apply_chat_template(messages, tokenize=False, add_generation_prompt=True)

    def inputs(self, messages: list[dict]) -> dict[str, Any]:
        """Tokens and video patches for one question (the official processor when it loads)."""
        from .qwen_inputs import build_inputs, frame_size

        part = messages[1]["content"][0]
        text = self.render(messages)
        if self.processor is not None:
            frames = np.stack(self.frames_of(part, self.size))
            return dict(self.processor(text=[text], videos=[frames], return_tensors="pt"))
        with_size = self.size or _source_size(Path(part["path"]))
        frames = np.stack(self.frames_of(part, frame_size(self.image_processor, *with_size)))
        return build_inputs(text, frames, self.tokenizer, self.image_processor)

    def _generate(self, messages: list[dict]) -> str:
        import torch

        batch = {k: v.to(self.device) if hasattr(v, "to") else v for k, v in self.inputs(messages).items()}
        with torch.inference_mode():
            output = self.network.generate(
                **batch,
                max_new_tokens=self.max_new_tokens,
                do_sample=False,
                pad_token_id=self.tokenizer.pad_token_id or self.tokenizer.eos_token_id,
            )
        new = output[:, batch["input_ids"].shape[1] :]
        self.usage.add_reply({"prompt_tokens": int(batch["input_ids"].numel()), "completion_tokens": int(new.numel())})
        return self.tokenizer.batch_decode(new, skip_special_tokens=True)[0]

    def ask(self, questions: list[Question], desc: str) -> list[str | None]:
        replies: list[str | None] = []
        for _, messages in tqdm(questions, desc=desc, unit="chunk", disable=not self.progress, leave=False):
            replies.append(self._generate(messages))
        return replies


def _official_processor(model: str | Path) -> Any | None:
    """transformers' own Qwen2-VL processor, or None where its video half cannot load (no torchvision)."""
    try:
        from transformers import AutoProcessor

        processor = AutoProcessor.from_pretrained(str(model))
    except (ImportError, OSError, ValueError, TypeError) as error:
        log.info("Qwen2-VL processor unavailable (%s); preparing video patches in numpy", error)
        return None
    return processor if getattr(processor, "video_processor", None) is not None else None


def _source_size(path: Path) -> tuple[int, int]:
    from .frames import open_video

    with open_video(path) as container:
        codec = container.streams.video[0].codec_context
        return codec.width, codec.height


class VLLMQwen2VLSpotter(VideoQuestions, OpenAISpotter):
    """Qwen2-VL behind vLLM's OpenAI-compatible API; frames travel in the request.

    ``video_input="video"``: one ``video_url`` part holding the frames as an MP4 data URL (vLLM
    samples it again with its ``--media-io-kwargs '{"video": {"num_frames": N}}'``, 32 by default);
    ``"frames"``: one ``image_url`` JPEG per frame (serve with ``--limit-mm-per-prompt '{"image": N}'``).
    """

    def __init__(
        self,
        model: str,
        *,
        base_url: str,
        api_key: str | None = None,
        videos: Mapping[int, HalfVideo] | None = None,
        fps: float = DEFAULT_FPS,
        size: tuple[int, int] | None = DEFAULT_SIZE,
        commentary: bool = False,
        video_input: str = "video",
        **options: Any,
    ) -> None:
        if video_input not in ("video", "frames"):
            raise HighlightsError(f"video input is 'video' or 'frames', not {video_input!r}", "--video-input")
        options.setdefault("max_tokens", 512)
        OpenAISpotter.__init__(self, model, name=NAME, base_url=base_url, api_key=api_key, **options)
        self.setup_video(videos, fps, size, commentary)
        self.video_input = video_input

    def with_video(self, messages: list[dict]) -> list[dict]:
        part, *rest = messages[1]["content"]
        frames = self.frames_of(part, self.size)
        if self.video_input == "video":
            url = "data:video/mp4;base64," + base64.b64encode(encode_mp4(frames, self.fps)).decode("ascii")
            parts = [{"type": "video_url", "video_url": {"url": url}}]
        else:
            parts = [{"type": "image_url", "image_url": {"url": _jpeg_url(frame)}} for frame in frames]
        return [messages[0], {"role": "user", "content": [*parts, *rest]}]


def _jpeg_url(frame: np.ndarray) -> str:
    from PIL import Image

    buffer = io.BytesIO()
    Image.fromarray(frame).save(buffer, format="JPEG", quality=90)
    return "data:image/jpeg;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def make_qwen2vl_spotter(
    model: str | None = None,
    base_url: str | None = None,
    adapter: str | None = None,
    api_key_env: str | None = None,
    video: str | Path | Mapping[int, str | Path] | None = None,
    video_dir: str | Path | None = None,
    offset: float | Mapping[int, float] = 0.0,
    **options: Any,
) -> LocalQwen2VLSpotter | VLLMQwen2VLSpotter:
    """Qwen2-VL on the match video: through vLLM when ``base_url`` (or ``$QWEN2VL_BASE_URL``) is
    set, else in this process. ``model``: name or folder (default ``$QWEN2VL_MODEL`` or
    Qwen/Qwen2-VL-2B-Instruct); ``adapter``: a LoRA folder (local only; vLLM serves adapters by
    name). Videos: ``video``/``video_dir``/``offset`` as for clips, else those found with the match.
    Options: ``fps``, ``size`` (width, height), ``commentary`` (add the minute's commentary), ``chunk_s``.
    """
    name = model or env(VIDEO_MODEL_ENV) or DEFAULT_MODEL
    videos = None
    if video is not None or video_dir is not None:
        paths = {h: Path(p) for h, p in video.items()} if isinstance(video, Mapping) else video
        videos = match_videos(None, Path(video_dir) if video_dir else None, paths, offset)
    url = base_url or env(VIDEO_BASE_URL_ENV)
    if url:
        if adapter:
            raise HighlightsError(
                "vLLM serves a LoRA adapter by name: `vllm serve Qwen/Qwen2-VL-2B-Instruct --enable-lora "
                "--lora-modules spotter=ADAPTER_DIR`, then pass --model spotter",
                "--adapter",
            )
        key = env(api_key_env or API_KEY_ENV) or "EMPTY"  # vLLM without --api-key takes any key
        return VLLMQwen2VLSpotter(name, base_url=url, api_key=key, videos=videos, **options)
    return LocalQwen2VLSpotter(name, adapter=adapter, videos=videos, **options)
