"""An ffmpeg command that encodes segments (trimmed clips, title cards) one after another into one
H.264 MP4, with text drawn on them.

Text and font are files in the working folder, referred to by plain relative names, and every
input path is a separate argument: nothing a user names is ever escaped into a filter graph or a
shell string.
"""

from __future__ import annotations

from pathlib import Path

from index.errors import HighlightsError

AUDIO_FORMAT = "aresample=48000,aformat=sample_fmts=fltp:channel_layouts=stereo"
CARD_COLOUR = "0x0b1d33"


class ReelGraph:
    """Inputs and a filter graph, built segment by segment, for one ``ffmpeg`` run."""

    def __init__(self, workdir: Path, width: int, height: int, fps: float, with_audio: bool) -> None:
        self.workdir = workdir
        self.width, self.height = width - width % 2, height - height % 2  # yuv420p needs even sizes
        self.fps = fps
        self.with_audio = with_audio
        self.font_size = max(10, self.height // 14)
        self.font = _font_in(workdir)
        self.inputs: list[str] = []
        self.graph: list[str] = []
        self.pads: list[str] = []
        self.segments = 0

    def _input(self, *args: str) -> int:
        self.inputs.extend(args)
        return self.inputs.count("-i") - 1

    def _silence(self, seconds: float) -> str:
        return f"[{self._input('-f', 'lavfi', '-t', f'{seconds:.4f}', '-i', 'anullsrc=r=48000:cl=stereo')}:a]"

    def _text(self, lines: str, where: str) -> str:
        name = f"text{len(list(self.workdir.glob('text*.txt')))}.txt"
        (self.workdir / name).write_text(lines, encoding="utf-8")
        return (
            f"drawtext=fontfile={self.font}:textfile={name}:expansion=none:fontcolor=white:"
            f"fontsize={self.font_size}:box=1:boxcolor=black@0.6:boxborderw={max(2, self.font_size // 3)}:{where}"
        )

    def add_card(self, lines: str, seconds: float) -> None:
        """A plain card with ``lines`` centred on it."""
        card = self._input(
            "-f",
            "lavfi",
            "-t",
            f"{seconds:.4f}",
            "-i",
            f"color=c={CARD_COLOUR}:s={self.width}x{self.height}:r={self.fps:g}",
        )
        label = f"[s{self.segments}v]"
        self.graph.append(f"[{card}:v]{self._text(lines, 'x=(w-tw)/2:y=(h-th)/2')},format=yuv420p{label}")
        self.pads.append(label)
        if self.with_audio:
            self.pads.append(self._silence(seconds))
        self.segments += 1

    def add_clip(self, path: Path, seek: float, take: float, has_audio: bool, caption: str = "") -> None:
        """``take`` seconds of ``path`` from ``seek`` (frame-accurate), fitted to the reel's size and rate."""
        source = self._input("-ss", f"{seek:.4f}", "-t", f"{take:.4f}", "-i", f"file:{Path(path).resolve()}")
        chain = [
            f"fps={self.fps:g}",
            f"scale={self.width}:{self.height}:force_original_aspect_ratio=decrease",
            f"pad={self.width}:{self.height}:(ow-iw)/2:(oh-ih)/2",
            "setsar=1",
        ]
        if caption:
            chain.append(self._text(caption, "x=h/20:y=h-th-h/20"))
        chain.append("format=yuv420p")
        label = f"[s{self.segments}v]"
        self.graph.append(f"[{source}:v:0]{','.join(chain)}{label}")
        self.pads.append(label)
        if self.with_audio and has_audio:
            self.graph.append(f"[{source}:a:0]{AUDIO_FORMAT}[s{self.segments}a]")
            self.pads.append(f"[s{self.segments}a]")
        elif self.with_audio:
            self.pads.append(self._silence(take))
        self.segments += 1

    def arguments(self, out: Path, crf: int = 23, preset: str = "veryfast") -> list[str]:
        """ffmpeg's arguments (after the binary) that write the reel to ``out`` as MP4."""
        audio = int(self.with_audio)
        outputs = "[vout][aout]" if self.with_audio else "[vout]"
        graph = [*self.graph, f"{''.join(self.pads)}concat=n={self.segments}:v=1:a={audio}{outputs}"]
        args = [*self.inputs, "-filter_complex", ";".join(graph), "-map", "[vout]"]
        if self.with_audio:
            args += ["-map", "[aout]", "-c:a", "aac", "-b:a", "128k"]
        args += ["-c:v", "libx264", "-preset", preset, "-crf", str(crf), "-pix_fmt", "yuv420p"]
        return [*args, "-movflags", "+faststart", "-f", "mp4", f"file:{Path(out).resolve()}"]


def _font_in(workdir: Path) -> str:
    """The DejaVu Sans that matplotlib ships, copied where ffmpeg finds it by a plain relative name."""
    import matplotlib

    font = Path(matplotlib.get_data_path()) / "fonts" / "ttf" / "DejaVuSans.ttf"
    if not font.is_file():
        raise HighlightsError("the DejaVuSans font that matplotlib ships is missing; captions need it", font)
    (workdir / "font.ttf").write_bytes(font.read_bytes())
    return "font.ttf"
