"""The app's "Add a match" panel: upload a recording (or its subtitles), say who played, and the match is
transcribed, added to the corpus while the app runs (``Corpus.add``) and picked for the conversation.

``build_add_panel`` lays the panel out inside the app's Blocks and returns ``AddPanel``, whose ``wire``
connects it to the match picker. What a visitor may add is ``AddLimits``: ``PRIVATE`` for one's own
laptop, ``PUBLIC`` for a shared server (caps, uploads only, one folder per visitor).
"""

from __future__ import annotations

import logging
import shutil
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import gradio as gr

from index.add_match import add_match
from index.cache import cache_root
from index.corpus import SAMPLE_ROOT, Corpus
from index.errors import HighlightsError
from index.media import MAX_FILE_S, clock
from index.subtitles import SUFFIXES as TRANSCRIPT_SUFFIXES
from index.transcribe import AsrSettings

from .adding import add_request, load_added, new_match, recorded_at
from .errors import shows_errors

log = logging.getLogger(__name__)

MB = 1024 * 1024


@dataclass(frozen=True, slots=True)
class AddLimits:
    """What one visitor may add, and where it goes."""

    max_upload_mb: float | None  # per file; None: no cap
    max_minutes: float  # length of one recording
    server_paths: bool  # may name a file on the server instead of uploading it
    per_visitor_folder: bool  # each visitor's matches in a folder of their own


# One's own laptop: any file the user can read, as long as the command line allows (4 h).
PRIVATE = AddLimits(max_upload_mb=None, max_minutes=MAX_FILE_S / 60, server_paths=True, per_visitor_folder=False)
# A shared server: a whole match at 360p or its audio is under 500 MB; 130 minutes hold two halves with
# stoppage time and the break, and cost about 4 CPU-minutes of Whisper-base; no server paths (a visitor
# must not read the server's files), and one folder per visitor so nobody overwrites another's match.
PUBLIC = AddLimits(max_upload_mb=500, max_minutes=130, server_paths=False, per_visitor_folder=True)


@dataclass
class AddPanel:
    """The panel's parts the app connects: the button's event and the id of the match it added."""

    event: object  # the Gradio dependency of the "Add" button
    match_id: gr.Textbox

    def wire(self, picker: gr.Dropdown, choices: Callable[[], list[tuple[str, str]]]) -> None:
        """When a match is added, show it in ``picker`` (with ``choices()``, the corpus's new list) and pick it,
        which moves the conversation to it."""
        self.event.success(
            lambda match_id: gr.Dropdown(choices=choices(), value=match_id),
            self.match_id,
            picker,
            api_visibility="private",
        )


class MatchAdder:
    """What the panel does: check the form, add the match into a data folder, and into the corpus."""

    def __init__(self, corpus: Corpus, limits: AddLimits = PRIVATE, folder: Path | None = None) -> None:
        self.corpus = corpus
        self.limits = limits
        self.folder = folder or self.default_folder(corpus)

    @staticmethod
    def default_folder(corpus: Corpus) -> Path:
        """The corpus's own data folder, unless it is the shipped sample (read-only): then one in the cache."""
        if corpus.root.resolve() == SAMPLE_ROOT.resolve():
            return cache_root() / "own-matches"
        return corpus.root

    def data_folder(self, visitor: str) -> Path:
        return self.folder / "visitors" / visitor if self.limits.per_visitor_folder else self.folder

    def inputs(self, uploads: list[str] | None, server_path: str, keep: Path) -> list[Path]:
        """The files to add: uploads (moved into ``keep``, so the videos outlive Gradio's temporary
        copies), or a path on the server where that is allowed."""
        paths = [Path(p) for p in uploads or []]
        if server_path and server_path.strip():
            if not self.limits.server_paths:
                raise HighlightsError("this server takes uploads only", "path")
            paths += [Path(p.strip()).expanduser() for p in server_path.split(";") if p.strip()]
            return paths
        if not paths:
            raise HighlightsError("upload the match's recording (one file, or one per half) or its subtitles")
        cap = self.limits.max_upload_mb
        for path in paths:
            if cap is not None and path.stat().st_size > cap * MB:
                raise HighlightsError(
                    f"the file is {path.stat().st_size / MB:.0f} MB; this server takes up to {cap:.0f} MB", path.name
                )
        keep.mkdir(parents=True, exist_ok=True)
        kept = []
        for path in paths:
            target = keep / f"{uuid.uuid4().hex[:8]}-{path.name}"
            shutil.move(path, target)
            kept.append(target)
        return kept

    def add(
        self,
        uploads: list[str] | None,
        server_path: str,
        teams: str,
        date: str,
        score: str,
        competition: str,
        second_half: str,
        request: gr.Request | None = None,
        progress: gr.Progress = gr.Progress(track_tqdm=True),  # noqa: B008 (Gradio's idiom)
    ) -> tuple[str, str]:
        """Add the match; a line for the panel and the new match's id."""
        visitor = (request.session_hash if request is not None else None) or "local"
        root = self.data_folder(visitor)
        progress(0, desc="Reading the recording")
        files = self.inputs(uploads, server_path, root / "uploads")
        transcripts = [f for f in files if f.suffix.lower() in TRANSCRIPT_SUFFIXES]
        recordings = [f for f in files if f not in transcripts]
        match, date_from = new_match(teams, date, score, competition, recorded_at(recordings))
        max_s = self.limits.max_minutes * 60
        wanted = add_request(match, recordings, transcripts, second_half, AsrSettings(), max_duration_s=max_s)
        added = add_match(root, wanted)
        new = load_added(root, added)
        self.corpus.add(new, replaces=added.replaced)
        log.info("added %s into %s", added.game_id, root)
        halves = ", ".join(
            f"half {h}: {len(new.half_segments(h))} lines ({added.languages.get(h) or '?'})" for h in (1, 2)
        )
        notes = "".join(f"\n\n*{note}*" for note in added.notes)
        lines = f"**Added {new.title}**, {date_from}. {halves}. Ask about it in the chat.{notes}"
        return lines, added.game_id


def build_add_panel(corpus: Corpus, limits: AddLimits = PRIVATE, folder: Path | None = None) -> AddPanel:
    """The "Add a match" panel, laid out where it is called (inside the app's Blocks)."""
    adder = MatchAdder(corpus, limits, folder)
    cap = f"up to {limits.max_upload_mb:.0f} MB and {clock(limits.max_minutes * 60)}" if limits.max_upload_mb else ""
    with gr.Accordion("Add a match", open=False):
        gr.Markdown(
            "Your own match: its video or audio (one file, or one per half), or its subtitles "
            f"(.srt, .vtt, WhisperX .json). Transcribed here with Whisper; a half takes about a minute. {cap}"
        )
        uploads = gr.File(
            label="Recording or subtitles", file_count="multiple", file_types=["video", "audio", *TRANSCRIPT_SUFFIXES]
        )
        server_path = gr.Textbox(
            label="…or file(s) on this computer (separate two with ;)", max_lines=1, visible=limits.server_paths
        )
        teams = gr.Textbox(label="Teams", placeholder="Home - Away", max_lines=1)
        with gr.Row():
            date = gr.Textbox(label="Date", placeholder="YYYY-MM-DD (default: the file's)", max_lines=1)
            score = gr.Textbox(label="Final score", placeholder="2-1", max_lines=1)
        competition = gr.Textbox(label="Competition", placeholder="e.g. Premier League", max_lines=1)
        second_half = gr.Textbox(
            label="One file: second half starts at", placeholder="H:MM:SS (default: found)", max_lines=1
        )
        button = gr.Button("Add the match", variant="primary")
        status = gr.Markdown()
        match_id = gr.Textbox(visible=False)  # not a State: the API returns it too
    event = button.click(
        shows_errors(adder.add),
        [uploads, server_path, teams, date, score, competition, second_half],
        [status, match_id],
        api_name="add_match",
        api_description="Add a match from its recording or subtitles; returns a line and the new match id.",
    )
    return AddPanel(event, match_id)
