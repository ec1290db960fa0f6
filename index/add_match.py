"""``highlights add``: a match recording (or its transcript) in, a match of the corpus out.

What lands in the data folder is what SoccerNet and SoccerNet-Echoes would have put there, so every
other part reads it as any other match:

- ``echoes/whisper_v2/GAME/{1,2}_asr.json``: the commentary in its own language, and where it is not
  English, ``echoes/whisper_v2_en/GAME/{1,2}_asr.json``: Whisper's translation (Echoes made its
  ``_en`` files the same way). ``whisper_v2`` is the loader's default version, so the match is seen
  without flags; each file's ``asr`` key says which model really heard it.
- ``soccernet/GAME/``: the record (``match.json``) and the videos, linked (never copied) to the
  user's files; when one file holds the whole match, the second half is stream-copied out of it.

What Whisper heard is kept in ``.transcripts/`` keyed by the file and the settings, so a second try
(after an interruption, or ``--force`` to fix the score) does not transcribe a file again.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from .atomic import atomic_write_text
from .echoes import DEFAULT_VERSION, asr_path, translation_of
from .errors import HighlightsError
from .jsonfile import read_json
from .match_files import Staged, check_room, files_of, game_folders, remove_files, transcript_bytes, write_error
from .media import MAX_FILE_S, MediaInfo, clock, copy_from, keyframe_before, probe_media, read_audio
from .own_match import NewMatch, read_record, record_path
from .subtitles import read_transcript
from .transcribe import AsrSettings, Whisper
from .transcript import Transcript, check_heard, find_break, from_echoes, split_at

log = logging.getLogger(__name__)

HEARD_CACHE = ".transcripts"  # what Whisper heard, per file and settings (hidden: no loader looks there)
# SoccerNet's half videos start shortly before the kick-off; a found second half starts this long
# before the commentary resumes after the break.
LEAD_IN_S = 30.0
MP4_SUFFIXES = (".mp4", ".m4v", ".mov")
Say = Callable[[str], None]


@dataclass(frozen=True, slots=True)
class AddRequest:
    """What the user asked to add."""

    match: NewMatch
    recordings: tuple[Path, ...] = ()  # one per half, or one for the whole match
    transcripts: tuple[Path, ...] = ()  # used instead of Whisper: one per half, or one for the whole match
    second_half: float | None = None  # where the second half starts in a whole-match file (else found)
    asr: AsrSettings = field(default_factory=AsrSettings)
    force: bool = False  # replace a match already added for the same teams and day
    max_duration_s: float = MAX_FILE_S  # a public server sets less
    version: str = DEFAULT_VERSION


@dataclass(frozen=True, slots=True)
class Heard:
    """What one input file gave: its commentary, Whisper's English translation where one was made."""

    original: Transcript
    translation: Transcript | None = None
    reused: bool = False


@dataclass(frozen=True, slots=True)
class Added:
    """The match as it now is in the data folder."""

    game_id: str
    languages: dict[int, str]
    written: tuple[Path, ...]
    notes: tuple[str, ...] = ()
    replaced: tuple[str, ...] = ()  # ids of the earlier adds of this match that it replaced


def add_match(root: Path, request: AddRequest, say: Say = log.info) -> Added:
    """Add ``request`` to the data folder ``root`` (created if needed); an error before anything is
    written for bad input, and nothing half-written after an interruption or a full disk."""
    root = Path(root)
    game_id = request.match.check()
    replaced = _earlier_adds(root, request)
    inputs = _inputs(request)
    media = [probe_media(path, request.max_duration_s) for path in request.recordings]
    check_room(root, _bytes_needed(request, media))
    whisper = Whisper(request.asr) if not request.transcripts else None
    heard = [_hear(root, path, request, whisper, say, _where(path, i, len(inputs))) for i, path in enumerate(inputs)]
    halves, second_half = _halves(heard, request, media, say)
    notes = [f"{p.name}: reused what Whisper heard before" for p, h in zip(inputs, heard, strict=True) if h.reused]
    if not request.match.score:
        notes.append("no score given: the match is named 0 - 0 (add it again with --score and --force)")
    staged = Staged()
    try:
        _stage(staged, root, game_id, request, halves, media, second_half)
        written = staged.commit()
    except OSError as error:
        raise write_error(error, root) from None
    finally:
        staged.discard()
    for old in replaced:
        remove_files(root, [p for p in files_of(root, old) if p not in written])
    languages = {half: heard_half.original.language for half, heard_half in halves.items()}
    return Added(game_id, languages, tuple(written), tuple(notes), tuple(r for r in replaced if r != game_id))


def _where(path: Path, index: int, count: int) -> str:
    return f"{path} (half {index + 1})" if count == 2 else str(path)


def _inputs(request: AddRequest) -> tuple[Path, ...]:
    inputs = request.transcripts or request.recordings
    if not inputs:
        raise HighlightsError("give the match's recording (video or audio), or its transcript with --transcript")
    if len(request.recordings) > 2 or len(request.transcripts) > 2:
        raise HighlightsError("give one file for the whole match, or one per half (two at most)")
    if request.recordings and request.transcripts and len(request.recordings) != len(request.transcripts):
        raise HighlightsError("give as many transcripts as recordings (one for the whole match, or one per half)")
    if len(inputs) == 2 and request.second_half is not None:
        raise HighlightsError("--second-half is for one file holding the whole match, not for two halves")
    return inputs


def _earlier_adds(root: Path, request: AddRequest) -> list[str]:
    """Ids of this match (same teams, same day) already in ``root``; an error unless ``force``
    replaces them, and always for a SoccerNet game (an add never overwrites downloaded data)."""
    same = sorted(g for g in game_folders(root) if request.match.same_game(g))
    for game_id in same:
        record = read_record(root, game_id)
        if record is None:
            raise HighlightsError(
                "this match is already in the data folder as a SoccerNet game; an added match never replaces one",
                game_id,
            )
        if not request.force:
            source = ", ".join(Path(i["file"]).name for i in record.get("inputs", [])) or "?"
            raise HighlightsError(
                f"this match was already added (on {record.get('added', '?')[:10]}, from {source}); "
                "add --force to replace it",
                game_id,
            )
    return same


def _bytes_needed(request: AddRequest, media: Sequence[MediaInfo]) -> float:
    seconds = sum(m.duration for m in media) or 4 * 3600.0
    copy = media[0].path.stat().st_size * 0.6 if len(media) == 1 and media[0].has_video else 0.0
    return transcript_bytes(seconds) + copy


def _signature(path: Path, request: AddRequest) -> dict:
    stat = path.stat()
    return {"file": path.name, "size": stat.st_size, "mtime_ns": stat.st_mtime_ns, "asr": request.asr.signature()}


def _hear(root: Path, path: Path, request: AddRequest, whisper: Whisper | None, say: Say, where: str) -> Heard:
    """The commentary of one input: read from a transcript, reused from the cache, or heard by Whisper."""
    if whisper is None:
        transcript = read_transcript(path, request.asr.language)
        check_heard(transcript, where)
        return Heard(transcript)
    signature = _signature(path, request)
    key = hashlib.sha256(json.dumps(signature, sort_keys=True).encode()).hexdigest()[:20]
    cache = root / HEARD_CACHE / f"{key}.json"
    if cache.is_file():
        data = read_json(cache)
        if data.get("signature") == signature:
            say(f"{where}: already transcribed, reusing it")
            original = from_echoes(data["original"], data["duration"], data["speech"])
            translation = from_echoes(data["translation"], data["duration"]) if data.get("translation") else None
            return Heard(original, translation, reused=True)
    audio = read_audio(path)
    original = whisper.hear(audio, where)
    check_heard(original, where)
    translation = None
    if original.language != "en" and request.asr.translate:
        translation = whisper.hear(audio, where, language=original.language, task="translate")
    kept = {
        "signature": signature,
        "duration": original.duration,
        "speech": original.speech,
        "original": original.echoes(),
        "translation": translation.echoes() if translation else None,
    }
    try:
        atomic_write_text(cache, json.dumps(kept, ensure_ascii=False))
    except OSError as error:
        raise write_error(error, cache) from None
    say(f"{where}: {original.words} words, language {original.language} ({original.language_probability:.2f})")
    return Heard(original, translation)


def _halves(
    heard: list[Heard], request: AddRequest, media: Sequence[MediaInfo], say: Say
) -> tuple[dict[int, Heard], float | None]:
    """Each half's commentary; one whole-match file is cut where its second half starts."""
    if len(heard) == 2:
        return {1: heard[0], 2: heard[1]}, None
    whole = heard[0]
    path = (request.transcripts or request.recordings)[0]
    second_half = request.second_half
    if second_half is None:
        gap = find_break(whole.original.lines, whole.original.duration)
        if gap is None:
            raise HighlightsError(
                "cannot find the half-time break (no pause of 3 minutes or more in the middle of the commentary): "
                "give where the second half starts with --second-half H:MM:SS, or give each half as its own file",
                path,
            )
        second_half = max(gap[0], gap[1] - LEAD_IN_S)
        say(f"{path}: half-time break found from {clock(gap[0])} to {clock(gap[1])}")
    elif whole.original.duration and second_half >= whole.original.duration:
        raise HighlightsError(
            f"--second-half {clock(second_half)} is past the end of the recording ({clock(whole.original.duration)})",
            path,
        )
    if media and media[0].has_video:
        second_half = keyframe_before(media[0].path, second_half)  # where a stream copy of the video can start
    first, second = split_at(whole.original, second_half)
    translations = split_at(whole.translation, second_half) if whole.translation else (None, None)
    for half, part in ((1, first), (2, second)):
        check_heard(part, f"{path} (half {half}, split at {clock(second_half)})")
    return {1: Heard(first, translations[0]), 2: Heard(second, translations[1])}, second_half


def _stage(
    staged: Staged,
    root: Path,
    game_id: str,
    request: AddRequest,
    halves: dict[int, Heard],
    media: Sequence[MediaInfo],
    second_half: float | None,
) -> None:
    # The record first: whatever of the match is renamed into place, it is known as an added match.
    staged.json(record_path(root, game_id), _record(request, game_id, halves, second_half))
    echoes = root / "echoes"
    english = translation_of(request.version)
    for half, heard in halves.items():
        staged.json(asr_path(echoes, request.version, game_id, half), heard.original.echoes())
        if heard.translation is not None and english:
            staged.json(asr_path(echoes, english, game_id, half), heard.translation.echoes())
    folder = root / "soccernet" / game_id
    for half, info in enumerate(media, 1):  # one file per half, or the whole match as half 1's
        if info.has_video:
            suffix = ".mp4" if info.path.suffix.lower() in MP4_SUFFIXES else ".mkv"
            staged.link(folder / f"{half}{suffix}", info.path)
    if len(media) == 1 and media[0].has_video and second_half is not None:
        source = media[0].path
        staged.file(folder / "2.mkv", lambda out: copy_from(source, second_half, out))


def _record(request: AddRequest, game_id: str, halves: dict[int, Heard], second_half: float | None) -> dict:
    new = request.match
    inputs = [{"file": str(p.resolve()), "kind": "recording"} for p in request.recordings]
    inputs += [{"file": str(p.resolve()), "kind": "transcript"} for p in request.transcripts]
    return {
        "game_id": game_id,
        "added": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "home": new.home,
        "away": new.away,
        "date": new.date.isoformat(),
        "kickoff": new.kickoff.strftime("%H:%M") if new.kickoff else None,
        "score_given": new.score is not None,
        "league": new.league,
        "inputs": inputs,
        "second_half_at": second_half,
        "asr": None if request.transcripts else request.asr.signature(),
        "languages": {str(h): heard.original.language for h, heard in halves.items()},
    }
