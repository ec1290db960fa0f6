"""``highlights add``: one's own match, from its recording or its transcript, into a data folder.

highlights add first.mp4 second.mp4 --teams "Chelsea - Burnley" --date 2024-10-05 --score 2-1 --data ~/matches
highlights add match.mkv --teams "Home - Away" --second-half 1:02:30 --data ~/matches
highlights add --transcript match.srt --teams "Home - Away" --data ~/matches
"""

from __future__ import annotations

import argparse
import shlex
from pathlib import Path

from index.settings import ASR_MODEL_ENV, DATA_ENV, DEFAULT_ASR_MODEL, env


def register(commands: argparse._SubParsersAction) -> None:
    add = commands.add_parser(
        "add",
        help="add your own match from its video or audio (or its subtitles)",
        description="Transcribe a match recording with Whisper on the CPU (with --translate, also in English "
        "when the commentary is not), and add it to a data folder as a match like any other: ask, chat, serve, spot "
        "and clip then know it. One file per half, or one file for the whole match.",
    )
    add.add_argument("files", nargs="*", type=Path, metavar="FILE", help="the recording: one per half, or one file")
    add.add_argument("--teams", required=True, help='"Home - Away"')
    add.add_argument("--date", help="YYYY-MM-DD, optionally with the kick-off: 2024-10-05 20:45 (default: the "
                     "recording's own date, else today)")  # fmt: skip
    add.add_argument("--score", help='the final score, home first: "2-1"')
    add.add_argument("--competition", help='e.g. "Premier League" (a SoccerNet league) or any name')
    add.add_argument("--second-half", metavar="TIME", help="one file for the whole match: where the second half "
                     "starts in it (H:MM:SS); default: found at the half-time break")  # fmt: skip
    add.add_argument("--transcript", nargs="+", type=Path, default=[], metavar="FILE",
                     help="use these subtitles or transcripts (.srt, .vtt, WhisperX .json) instead of Whisper; "
                     "one per half, or one file")  # fmt: skip
    add.add_argument("--force", action="store_true", help="replace this match if it was added before")
    add.add_argument("--data", metavar="DIR", help=f"the data folder to add it to (default ${DATA_ENV})")
    asr = add.add_argument_group("transcription")
    asr.add_argument("--asr-model", default="", metavar="NAME|DIR",
                     help=f"Whisper model name (tiny, base, small, large-v3…) or faster-whisper folder "
                     f"(default ${ASR_MODEL_ENV}, else {DEFAULT_ASR_MODEL})")  # fmt: skip
    asr.add_argument("--language", help="the commentary's language (ISO 639-1, e.g. es); default: detected")
    asr.add_argument("--translate", action="store_true", help="add Whisper's English translation when the "
                     "commentary is not English, as Echoes did (worth it with a larger --asr-model)")  # fmt: skip
    asr.add_argument("--sequential", action="store_true", help="faster-whisper's sequential pipeline (each "
                     "30-s window conditioned on the last; slower, and worse on the benchmark)")  # fmt: skip
    add.set_defaults(run=run_add)


def run_add(args: argparse.Namespace) -> int:
    from index.add_match import add_match
    from index.transcribe import AsrSettings
    from ui.adding import add_request, data_folder, load_added, new_match, recorded_at

    root = data_folder(args.data, env(DATA_ENV))
    match, date_from = new_match(args.teams, args.date, args.score, args.competition, recorded_at(args.files))
    asr = AsrSettings(model=args.asr_model, language=args.language, translate=args.translate,
                      batched=not args.sequential)  # fmt: skip
    request = add_request(match, args.files, args.transcript, args.second_half, asr, args.force)
    print(f"Adding {match.home} - {match.away}, {date_from}, into {root}")
    added = add_match(root, request, say=print)
    loaded = load_added(root, added)
    halves = ", ".join(
        f"half {h}: {len(loaded.half_segments(h))} lines ({added.languages.get(h) or '?'})"
        for h in sorted(loaded.segments)
    )
    print(f"Added {loaded.title} as {added.game_id}\n  {halves}; video: "
          + (", ".join(f"half {h}" for h in sorted(loaded.videos)) or "none"))  # fmt: skip
    for note in added.notes:
        print(f"  note: {note}")
    for old in added.replaced:
        print(f"  replaced {old}")
    data = "" if not args.data and env(DATA_ENV) else f" --data {shlex.quote(str(root))}"
    print(f"Ask about it: highlights ask 'all the goals' --match {shlex.quote(added.game_id)}{data}")
    return 0
