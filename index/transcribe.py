"""Whisper on the CPU (faster-whisper / CTranslate2): a recording's audio in, timed commentary lines out.

Why these settings (measured on this 2-core machine, docs/own-match.md):
- ``vad_filter`` with ``word_timestamps``: without the voice detector Whisper invents "Goal. Goal."
  in crowd noise; with it alone, segments run across pauses and their start times drift. Lines are
  cut again at word pauses and sentence ends, so each starts where its first word is heard (the
  spotter places a moment by its line's start).
- The language is detected over the first minutes of *speech* (the detector's audio), not the first
  30 s of the file, which is often the crowd before kick-off.
- Not English, and asked for: the English text is Whisper's own ``translate`` task, as SoccerNet-Echoes
  made its ``whisper_*_en`` files (off by default: see ``AsrSettings.translate``).

faster-whisper is an optional extra (``asr``): it is imported only when a recording is transcribed.
"""

from __future__ import annotations

import functools
import logging
import os
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
from tqdm import tqdm

from .errors import HighlightsError
from .media import SAMPLE_RATE
from .settings import asr_model
from .transcript import Line, Transcript

log = logging.getLogger(__name__)

COMPUTE_TYPE = "int8"  # CTranslate2's int8 on CPU: 2-3x faster than float32 at the same words
PAUSE_S = 1.0  # a pause this long between two words starts a new line (Echoes' lines: median 2 s)
SENTENCE_END = (".", "!", "?", "。")
LANGUAGE_SEGMENTS = 4  # 30-s windows of speech the language is detected over, until it is sure
MIN_LANGUAGE_PROBABILITY = 0.5  # below this Whisper does not know the language: ask the user for it
EXTRA_HINT = "pip install 'soccer-highlights[asr]'"

Progress = Callable[[float], None]  # seconds of audio done so far


@dataclass(frozen=True, slots=True)
class AsrSettings:
    """How a recording is transcribed; ``signature`` is what a finished half is reused for."""

    model: str = ""  # a model name (tiny, base, small, large-v3, ...) or a folder; "": index.settings.asr_model()
    language: str | None = None  # ISO 639-1 code; None: detected
    # Add Whisper's English translation when the commentary is not English, as Echoes did. Off by default:
    # Whisper-base's translation found none of 7 scripted moments that its Spanish found 5 of, lowered
    # that to 4 when read beside it, and doubles the time (docs/own-match.md); a larger model translates better.
    translate: bool = False
    beam_size: int = 5  # Whisper's default
    compute_type: str = COMPUTE_TYPE
    threads: int = 0  # 0: every core
    # faster-whisper's BatchedInferencePipeline (windows decoded 8 at a time, each on its own): on the
    # scripted match 3.5x faster than the sequential pipeline and it found all 7 moments against 5, as
    # a wrong word no longer conditions the next window (docs/own-match.md).
    batched: bool = True
    max_new_tokens: int | None = None  # tokens Whisper may write per 30-s window; None: its own limit (448)

    @property
    def model_name(self) -> str:
        return asr_model(self.model)

    def signature(self) -> dict:
        return {**asdict(self), "model": self.model_name}


def whisper_languages() -> tuple[str, ...]:
    """The language codes Whisper knows."""
    from faster_whisper.tokenizer import _LANGUAGE_CODES

    return tuple(_LANGUAGE_CODES)


def check_language(language: str | None) -> str | None:
    """``language`` if Whisper knows it (case and spacing forgiven); an error listing the codes otherwise."""
    if language is None:
        return None
    code = language.strip().lower()
    known = whisper_languages()
    if code not in known:
        raise HighlightsError(
            f"Whisper does not know the language {language!r}; it knows {', '.join(known)}", "--language"
        )
    return code


def _faster_whisper():
    try:
        import faster_whisper
    except ImportError:
        raise HighlightsError(f"transcribing needs faster-whisper: {EXTRA_HINT}") from None
    return faster_whisper


@functools.lru_cache(maxsize=2)
def load_model(name: str, compute_type: str = COMPUTE_TYPE, threads: int = 0):
    """The faster-whisper model ``name``: a folder (CTranslate2 format) or a model name, looked up on
    this machine first and downloaded only when it is not there. Loaded once per process."""
    faster_whisper = _faster_whisper()
    folder = Path(name).expanduser()
    if folder.is_dir():
        missing = [f for f in ("model.bin", "config.json", "tokenizer.json") if not (folder / f).is_file()]
        if missing:
            raise HighlightsError(
                f"not a faster-whisper model folder: no {', '.join(missing)} (convert a transformers Whisper "
                "with ct2-transformers-converter --copy_files tokenizer.json)",
                folder,
            )
        return _whisper(faster_whisper, str(folder), compute_type, threads, local_files_only=True)
    if os.sep in name or name.startswith("."):
        raise HighlightsError("no such model folder", folder)
    try:
        return _whisper(faster_whisper, name, compute_type, threads, local_files_only=True)
    except HighlightsError:
        log.info("Whisper %r is not on this machine; downloading it", name)
        return _whisper(faster_whisper, name, compute_type, threads, local_files_only=False)


def _whisper(faster_whisper, name: str, compute_type: str, threads: int, local_files_only: bool):
    try:
        return faster_whisper.WhisperModel(
            name, device="cpu", compute_type=compute_type, cpu_threads=threads, local_files_only=local_files_only
        )
    except (OSError, ValueError, RuntimeError) as error:
        where = "on this machine" if local_files_only else "on this machine, and downloading it failed"
        raise HighlightsError(
            f"cannot load the Whisper model {name!r}: not {where} ({str(error)[:200]}); give --asr-model a "
            "folder with a faster-whisper model (model.bin, config.json, tokenizer.json)",
            "--asr-model",
        ) from None


class Whisper:
    """One model, transcribing and translating recordings with the settings above."""

    def __init__(self, settings: AsrSettings) -> None:
        self.settings = settings
        self.language = check_language(settings.language)

    @property
    def model(self):
        return load_model(self.settings.model_name, self.settings.compute_type, self.settings.threads)

    def hear(self, audio: np.ndarray, where: str, language: str | None = None, task: str = "transcribe") -> Transcript:
        """The commentary of ``audio`` (16 kHz mono) as lines; ``where`` names it in messages and the
        progress bar. The language is ``language``, else the settings', else detected."""
        duration = len(audio) / SAMPLE_RATE
        language = language or self.language
        pipeline = self.model
        options = {"batch_size": 8} if self.settings.batched else {}
        if self.settings.batched:
            pipeline = _faster_whisper().BatchedInferencePipeline(pipeline)
        segments, info = pipeline.transcribe(
            audio,
            language=language,
            task=task,
            beam_size=self.settings.beam_size,
            vad_filter=True,
            word_timestamps=True,
            language_detection_segments=LANGUAGE_SEGMENTS,
            max_new_tokens=self.settings.max_new_tokens,
            **options,
        )
        if language is None:
            _check_detected(info, where)
        lines: list[Line] = []
        with tqdm(total=round(duration), unit="s", desc=f"{Path(where).name}: {task}") as bar:
            for segment in segments:
                lines.extend(lines_of(segment, duration))
                bar.update(max(0, min(round(segment.end), bar.total) - bar.n))
            bar.update(bar.total - bar.n)
        return Transcript(
            lines=tuple(lines),
            language=info.language,
            source=self.settings.model_name,
            task=task,
            language_probability=float(info.language_probability),
            duration=duration,
            speech=float(info.duration_after_vad),
        )


def _check_detected(info, where: str) -> None:
    if info.duration_after_vad > 0 and info.language_probability < MIN_LANGUAGE_PROBABILITY:
        guesses = ", ".join(f"{code} {p:.2f}" for code, p in (info.all_language_probs or [])[:3])
        raise HighlightsError(
            f"cannot tell the commentary's language (Whisper's best guesses: {guesses}): it may be one Whisper "
            "does not know; if it knows it, give it with --language CODE",
            where,
        )


def lines_of(segment, duration: float) -> list[Line]:
    """A Whisper segment cut at word pauses and sentence ends, each line timed by its own words
    (and kept inside the recording: a weak model can time a word past its end)."""
    words = list(segment.words or ())
    if not words:
        text = segment.text.strip()
        return [_clamped(Line(float(segment.start), float(segment.end), text), duration)] if text else []
    groups: list[list] = [[words[0]]]
    for word in words[1:]:
        previous = groups[-1][-1]
        if word.start - previous.end >= PAUSE_S or previous.word.strip().endswith(SENTENCE_END):
            groups.append([])
        groups[-1].append(word)
    return [_clamped(line, duration) for group in groups if (line := _line(group))]


def _clamped(line: Line, duration: float) -> Line:
    start = min(max(0.0, line.start), duration)
    return Line(start, min(max(start, line.end), duration), line.text)


def _line(words: Iterable) -> Line | None:
    words = list(words)
    text = "".join(w.word for w in words).strip()
    return Line(round(float(words[0].start), 2), round(float(words[-1].end), 2), text) if text else None
