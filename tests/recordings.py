"""Match recordings (and subtitles) made on the spot: spoken commentary (espeak-ng, or the clip shipped in
``tests/data/commentary.opus``) placed at known times over crowd-like noise, written as a video or
audio file with PyAV. Nothing is downloaded; the benchmark and the opt-in test use the same code.
"""

from __future__ import annotations

import random
import shutil
import subprocess
from collections.abc import Iterable
from pathlib import Path

import av
import numpy as np
import yaml
from scipy.signal import resample_poly

from index.clock import parse_clock
from index.media import SAMPLE_RATE, read_audio

DATA = Path(__file__).resolve().parent / "data"
# espeak-ng -v en -s 160 "And it's a goal! Chelsea score. What a finish. A yellow card for the defender."
SHIPPED_CLIP = DATA / "commentary.opus"
SCRIPT = Path(__file__).resolve().parents[1] / "benchmarks" / "data" / "own_match_script.yaml"


def espeak_available() -> bool:
    return shutil.which("espeak-ng") is not None


def speak(text: str, voice: str = "en", words_per_minute: int = 165) -> np.ndarray:
    """``text`` spoken by espeak-ng, as 16 kHz mono float32."""
    wav = subprocess.run(
        ["espeak-ng", "-v", voice, "-s", str(words_per_minute), "--stdout", text], capture_output=True, check=True
    ).stdout
    rate = int.from_bytes(wav[24:28], "little")
    samples = np.frombuffer(wav[44:], dtype=np.int16).astype(np.float32) / 32768.0
    return resample_poly(samples, SAMPLE_RATE, rate).astype(np.float32)


def shipped_speech() -> np.ndarray:
    """The shipped spoken commentary clip (about 6 s), for tests on machines without espeak-ng."""
    return read_audio(SHIPPED_CLIP)


def crowd(seconds: float, seed: int = 0, level: float = 0.03) -> np.ndarray:
    """Crowd-like noise: pink noise whose loudness swells and falls over a few seconds."""
    rng = np.random.default_rng(seed)
    count = int(seconds * SAMPLE_RATE)
    spectrum = np.fft.rfft(rng.standard_normal(count))
    spectrum /= np.sqrt(np.maximum(np.fft.rfftfreq(count, 1 / SAMPLE_RATE), 20.0))
    noise = np.fft.irfft(spectrum, count)
    noise /= np.abs(noise).max() or 1.0
    swell = 0.6 + 0.4 * np.sin(np.linspace(0, seconds / 7 * 2 * np.pi, count) + rng.uniform(0, 6))
    return (level * noise * swell).astype(np.float32)


def place(lines: Iterable[tuple[float, np.ndarray]], seconds: float, seed: int = 0, noise: float = 0.03) -> np.ndarray:
    """Speech clips starting at the given seconds, mixed over ``seconds`` of crowd noise."""
    track = crowd(seconds, seed, noise) if noise else np.zeros(int(seconds * SAMPLE_RATE), np.float32)
    for start, clip in lines:
        begin = int(start * SAMPLE_RATE)
        end = min(len(track), begin + len(clip))
        track[begin:end] += 0.8 * clip[: end - begin]
    return np.clip(track, -1.0, 1.0)


def write_recording(path: Path, audio: np.ndarray, video: bool = True, fps: int = 5) -> Path:
    """``audio`` (16 kHz mono) as a file: MP4/MKV with a tiny H.264 picture when ``video``, else the
    audio alone in whatever container the suffix names (.m4a, .mka, .opus, .mp3)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with av.open(str(path), "w") as out:
        picture = None
        if video:
            picture = out.add_stream("libx264", rate=fps)
            picture.width, picture.height, picture.pix_fmt = 64, 48, "yuv420p"
            picture.options = {"g": str(fps * 2), "preset": "ultrafast"}
        codec = {".opus": "libopus", ".mp3": "libmp3lame"}.get(path.suffix, "aac")
        rate = 48_000 if codec == "libopus" else SAMPLE_RATE
        sound = out.add_stream(codec, rate=rate, layout="mono")
        sound.bit_rate = 32_000  # speech; keeps the shipped clip small
        samples = resample_poly(audio, rate, SAMPLE_RATE).astype(np.float32) if rate != SAMPLE_RATE else audio
        block = 960 if codec == "libopus" else 1024
        for start in range(0, len(samples), block):
            frame = av.AudioFrame.from_ndarray(samples[None, start : start + block], format="flt", layout="mono")
            frame.sample_rate, frame.pts = rate, start
            out.mux(sound.encode(frame))
        out.mux(sound.encode(None))
        if picture is not None:
            for number in range(int(len(audio) / SAMPLE_RATE * fps)):
                image = np.full((48, 64, 3), (number * 3) % 255, np.uint8)
                frame = av.VideoFrame.from_ndarray(image, format="rgb24")
                frame.pts = number
                out.mux(picture.encode(frame))
            out.mux(picture.encode(None))
    return path


def _srt_time(seconds: float) -> str:
    whole = int(seconds)
    return f"{whole // 3600:02d}:{whole // 60 % 60:02d}:{whole % 60:02d},{int(seconds % 1 * 1000):03d}"


def script_subtitles(folder: Path) -> tuple[list[Path], list[tuple[int, float, str]]]:
    """The benchmark's commentary script as one English SRT file per half, and its events."""
    script = yaml.safe_load(SCRIPT.read_text(encoding="utf-8"))
    rng = random.Random(3)
    files, events = [], []
    for half in (1, 2):
        scripted = [
            (parse_clock(e["time"], "script"), e["en"], e["label"]) for e in script["events"] if e["half"] == half
        ]
        events += [(half, t, label) for t, _, label in scripted]
        cues = [(t + 6 * i, text) for t, texts, _ in scripted for i, text in enumerate(texts)]
        busy = [(t - 20, t + 6 * len(texts) + 5) for t, texts, _ in scripted]
        fillers = [t for t in range(5, 2700, 18) if not any(a <= t <= b for a, b in busy)]
        cues += [(t, rng.choice(script["filler"]["en"])) for t in fillers]
        cues.sort()
        path = folder / f"half{half}.srt"
        path.write_text(
            "\n".join(f"{i}\n{_srt_time(t)} --> {_srt_time(t + 4)}\n{text}\n" for i, (t, text) in enumerate(cues, 1)),
            encoding="utf-8",
        )
        files.append(path)
    return files, events
