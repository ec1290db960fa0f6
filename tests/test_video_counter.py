"""Test videos that say which frame you are looking at, even after lossy compression.

Each frame carries its number as 16 big black/white blocks (one bit each) in its top rows, so a
test can read back exactly which source frames a clip or reel holds. The tests here check that the
counter survives H.264 encoding; test_clips.py imports the writer and reader.
"""

from __future__ import annotations

from pathlib import Path

import av
import numpy as np

WIDTH, HEIGHT = 128, 96
BLOCK = 16
BITS = 16  # two rows of eight blocks at the top; the bottom half stays free for captions
FPS = 25
SAMPLE_RATE = 48_000


def counter_image(number: int) -> np.ndarray:
    image = np.full((HEIGHT, WIDTH, 3), 96, dtype=np.uint8)
    image[BLOCK * 2 :, :, 1] = np.linspace(40, 200, WIDTH, dtype=np.uint8)[None, :]  # something to encode
    for bit in range(BITS):
        row, column = divmod(bit, 8)
        image[row * BLOCK : (row + 1) * BLOCK, column * BLOCK : (column + 1) * BLOCK] = 235 if number >> bit & 1 else 16
    return image


def read_counter(image: np.ndarray) -> int:
    """The frame number drawn by ``counter_image``, from the centre of each block."""
    grey = image.mean(axis=2)
    number = 0
    for bit in range(BITS):
        row, column = divmod(bit, 8)
        centre = grey[row * BLOCK + 4 : (row + 1) * BLOCK - 4, column * BLOCK + 4 : (column + 1) * BLOCK - 4]
        number |= int(centre.mean() > 128) << bit
    return number


def write_counter_video(
    path: Path, seconds: float = 6.0, fps: int = FPS, gop: int = FPS, audio: bool = True, codec: str = "libx264"
) -> Path:
    """A video of ``seconds`` whose frame n shows n; a keyframe every ``gop`` frames; a 440 Hz tone."""
    path.parent.mkdir(parents=True, exist_ok=True)
    frames = round(seconds * fps)
    with av.open(str(path), mode="w") as container:
        video = container.add_stream(codec, rate=fps)
        video.width, video.height, video.pix_fmt = WIDTH, HEIGHT, "yuv420p"
        video.codec_context.gop_size = gop
        if codec == "libx264":
            video.options = {"preset": "ultrafast", "keyint_min": str(gop), "sc_threshold": "0", "bf": "2"}
        sound = container.add_stream("aac", rate=SAMPLE_RATE) if audio else None
        if sound is not None:
            sound.layout = "stereo"
        for number in range(frames):
            frame = av.VideoFrame.from_ndarray(counter_image(number), format="rgb24")
            frame.pts = number
            container.mux(video.encode(frame))
        container.mux(video.encode())
        if sound is not None:
            total = round(seconds * SAMPLE_RATE)
            for first in range(0, total, 1024):
                times = np.arange(first, min(first + 1024, total)) / SAMPLE_RATE
                wave = (0.1 * np.sin(2 * np.pi * 440 * times)).astype(np.float32)
                chunk = av.AudioFrame.from_ndarray(np.stack([wave, wave]), format="fltp", layout="stereo")
                chunk.sample_rate, chunk.pts = SAMPLE_RATE, first
                container.mux(sound.encode(chunk))
            container.mux(sound.encode())
    return path


def read_counters(path: Path) -> list[int]:
    """The frame numbers a video shows, in display order."""
    with av.open(str(path)) as container:
        return [read_counter(frame.to_ndarray(format="rgb24")) for frame in container.decode(video=0)]


def test_counter_survives_h264(tmp_path: Path) -> None:
    path = write_counter_video(tmp_path / "counter.mkv", seconds=2.0)
    assert read_counters(path) == list(range(50))


def test_counter_reads_every_number() -> None:
    for number in (0, 1, 255, 256, 4095, 65535):
        assert read_counter(counter_image(number)) == number
