"""What the app's events do, apart from the layout: ask the assistant, show its answer, cut clips.

Every method takes and returns plain values (Gradio components only where an update is needed),
so the layout in ``ui.app`` stays a list of wires. A user's mistake raises ``gr.Error`` with the
``HighlightsError`` message; anything else is logged and shown as a short apology, never a traceback.
"""

from __future__ import annotations

import functools
import logging
import shutil
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import gradio as gr

from agent import Answer, Assistant, LLMSettings, Session
from index.corpus import Corpus
from index.errors import HighlightsError
from index.types import Match
from spotting.types import Spot
from tools.formatting import clock, minute_label, quote

from .intervals import answer_payload, intervals_table, shown_spots, write_downloads
from .matches import competition, match_choices, search_matches
from .settings import EMBEDDED, llm_settings, test_connection
from .timeline import timeline_figure
from .video import clip_of, reel_of, video_sources

log = logging.getLogger(__name__)

MAX_QUESTION_CHARS = 2000
MAX_ASSISTANTS = 8  # LLM back ends kept ready, one per (URL, model, key)
FILE_TTL_S = 3600  # downloads, clips and reels older than this are deleted
UNEXPECTED = "Something went wrong on the server (it is logged); try again or rephrase the question."


def user_error(error: Exception, settings: LLMSettings | None = None) -> gr.Error:
    """The toast a user sees: the ``HighlightsError`` message (key blanked), or a short apology."""
    if isinstance(error, HighlightsError):
        return gr.Error(settings.redact(str(error)) if settings else str(error), print_exception=False)
    log.exception("unexpected error in the app")
    return gr.Error(UNEXPECTED, print_exception=False)


def shows_errors(handler: Callable) -> Callable:
    """Turn any exception of a (non-streaming) handler into a ``gr.Error`` toast."""

    @functools.wraps(handler)
    def wrapped(*args, **kwargs):
        try:
            return handler(*args, **kwargs)
        except gr.Error:
            raise
        except Exception as error:
            raise user_error(error) from None

    return wrapped


def check_question(question: str) -> str:
    text = (question or "").strip()
    if not text:
        raise HighlightsError("type a question first, e.g. “all the goals”")
    if len(text) > MAX_QUESTION_CHARS:
        raise HighlightsError(f"the question is {len(text)} characters long; keep it under {MAX_QUESTION_CHARS}")
    return text


class ChatBackend:
    """The app's state shared by every user: the corpus, the assistants, a folder for files to serve."""

    def __init__(self, corpus: Corpus, assistant: Assistant, files: Path | None = None) -> None:
        self.corpus = corpus
        self.assistant = assistant
        self.files = files or Path(tempfile.mkdtemp(prefix="highlights-app-"))
        self._llm_assistant = functools.lru_cache(maxsize=MAX_ASSISTANTS)(self._make_llm_assistant)

    def prune_files(self, now: float | None = None) -> None:
        """Delete the files written for users more than ``FILE_TTL_S`` ago (Gradio serves its own copies)."""
        limit = (now or time.time()) - FILE_TTL_S
        for path in self.files.iterdir():
            if path.is_file() and path.stat().st_mtime < limit:
                path.unlink(missing_ok=True)

    # -- matches ------------------------------------------------------------------------------------
    def choices(self, query: str = "") -> list[tuple[str, str]]:
        return match_choices(search_matches(self.corpus.matches, query))

    def match(self, match_id: str | None) -> Match | None:
        """The picked match; ``None`` for "any match" (the question names it)."""
        return self.corpus.get(match_id) if match_id else None

    def search(self, query: str) -> gr.Dropdown:
        found = self.choices(query)
        info = f"{len(found)} of {len(self.corpus.matches)} matches" if query.strip() else "Any match"
        return gr.Dropdown(choices=[(info, ""), *found])

    @shows_errors
    def describe_match(self, match_id: str) -> str:
        match = self.match(match_id)
        if match is None:
            return "No match picked: name one in your question (e.g. “goals in Chelsea Burnley”)."
        lines = [
            f"**{match.title}**",
            f"{competition(match)} {match.season} · {match.date:%d %B %Y}",
            "Ground truth: " + (f"{len(match.all_events())} labelled events" if match.has_labels else "none"),
            "Video: "
            + (", ".join(f"half {h}" for h in sorted(match.videos)) if match.videos else "none (upload it in Video)"),
        ]
        return "\n\n".join(lines)

    # -- the assistant -----------------------------------------------------------------------------
    def _make_llm_assistant(self, settings: LLMSettings) -> Assistant:
        return Assistant(self.corpus, spotter=self.assistant.spotter, llm=settings)

    def assistant_for(self, backend: str, base_url: str | None, model: str | None, api_key: str | None) -> Assistant:
        settings = llm_settings(backend, base_url or "", model or "", api_key or "")
        return self.assistant if settings is None else self._llm_assistant(settings)

    @staticmethod
    @shows_errors
    def take_question(question: str) -> str:
        """The question to answer; an empty or huge one stops here with a message (and no answer)."""
        return check_question(question)

    @staticmethod
    def show_question(question: str, history: list) -> tuple[str, list]:
        """Show the question in the chat at once and clear the box (the answer streams next)."""
        return "", [*history, {"role": "user", "content": question}]

    def conversation(self, assistant: Assistant, session: Session | None, match_id: str | None) -> Session:
        """The session a question belongs to, on the match picked in the sidebar (or named by an API call)
        when that differs from the one the conversation was on: the picker is the user's word."""
        session = session or assistant.new_session()
        picked = self.match(match_id)  # an unknown id is said before any work
        if match_id is not None and (picked.id if picked else None) != session.match_id:
            session.match_id = picked.id if picked else None
        return session

    def sidebar(self, session: Session, shown: str | None) -> gr.Dropdown:
        """The picker showing the match the conversation is on now (it moves when a question names another)."""
        now = session.match_id or ""
        if now == (shown or ""):
            return gr.skip()
        return gr.Dropdown(choices=[("Any match", ""), *self.choices()], value=now)

    def respond(
        self,
        question: str,
        history: list,
        match_id: str,
        session: Session | None,
        backend: str,
        base_url: str,
        model: str,
        api_key: str,
        progress: gr.Progress = gr.Progress(track_tqdm=True),  # noqa: B008 (Gradio's idiom)
    ) -> Iterator[tuple[list, Session | None, Answer | None, gr.Dropdown]]:
        """Stream the reply into the chat; the last update carries the ``Answer`` for the views and moves
        the sidebar's picker to the match the conversation is now on."""
        history = [*history, {"role": "assistant", "content": ""}]
        assistant = None
        try:
            assistant = self.assistant_for(backend, base_url, model, api_key)
            session = self.conversation(assistant, session, match_id)
            progress(0, desc="Reading the commentary")
            for piece in assistant.stream(check_question(question), session):
                if isinstance(piece, Answer):
                    history[-1] = {"role": "assistant", "content": _reply_text(piece)}
                    if piece.notice:
                        gr.Warning(piece.notice)
                    yield history, session, piece, self.sidebar(session, match_id)
                    return
                history[-1]["content"] += piece
                yield history, session, gr.skip(), gr.skip()
        except Exception as error:
            shown = user_error(error, assistant.llm if assistant else None)
            history[-1] = {"role": "assistant", "content": f"⚠️ {shown.message}"}
            yield history, session, gr.skip(), gr.skip()
            raise shown from None

    @shows_errors
    def ask(
        self,
        question: str,
        match_id: str | None = None,
        session: Session | None = None,
        backend: str = EMBEDDED,
        base_url: str | None = None,
        model: str | None = None,
        api_key: str | None = None,
        threshold: float = 0.0,
        padding: float = 0.0,
    ) -> tuple[dict, Session]:
        """The API: one question (a follow-up of the same client's earlier ones) -> intervals as JSON.
        ``match_id`` (optional) moves the conversation to that match, as the sidebar's picker does."""
        assistant = None
        try:
            assistant = self.assistant_for(backend, base_url, model, api_key)
            session = self.conversation(assistant, session, match_id or None)
            answer = assistant.ask(check_question(question), session)
        except HighlightsError as error:
            raise user_error(error, assistant.llm if assistant else None) from None
        match = self.match(answer.match_id)
        spots = shown_spots(answer.spots, threshold, padding)
        return answer_payload(answer.text, spots, match, answer.backend, answer.notice, answer.query), session

    # -- the views -----------------------------------------------------------------------------------
    @shows_errors
    def show_answer(self, answer: Answer | None, threshold: float, padding: float):
        """Timeline, table, JSON and downloads of the answer, with the panel's threshold and padding;
        the reel it made, if any, in the Video tab's player."""
        if answer is None:
            return timeline_figure([], None), intervals_table([]), None, [], gr.skip(), gr.skip(), gr.skip()
        match = self.match(answer.match_id)
        spots = shown_spots(answer.spots, threshold, padding)
        payload = answer_payload(answer.text, spots, match, answer.backend, answer.notice, answer.query)
        stem = f"intervals-{uuid.uuid4().hex[:8]}"
        self.prune_files()
        csv_path, json_path = write_downloads(payload, self.files, stem)
        figure = timeline_figure(spots, match, answer.query)
        return (
            figure,
            intervals_table(spots, match),
            payload,
            spots,
            gr.DownloadButton(value=str(csv_path), interactive=bool(spots)),
            gr.DownloadButton(value=str(json_path), interactive=bool(spots)),
            gr.Video(value=str(self.served(answer.video))) if answer.video else gr.skip(),
        )

    def served(self, path: Path) -> Path:
        """A copy of ``path`` in the app's files folder (Gradio serves files only from there)."""
        copy = self.files / Path(path).name
        if not copy.is_file() or copy.stat().st_mtime != Path(path).stat().st_mtime:
            shutil.copy2(path, copy)
        return copy

    @shows_errors
    def select_interval(
        self,
        event: gr.SelectData,
        spots: list[Spot],
        answer: Answer | None,
        upload_1: str | None,
        upload_2: str | None,
        video_path: str,
    ):
        """A table row picked: describe it, mark it on the timeline, and play its clip when there is video."""
        row = event.index[0] if isinstance(event.index, list | tuple) else event.index
        if answer is None or not 0 <= row < len(spots):
            return gr.skip(), gr.skip(), gr.skip()
        spot = spots[row]
        match = self.match(answer.match_id)
        text = (
            f"**{spot.label}** · half {spot.half} · ({clock(spot.start)}, {clock(spot.end)}) · "
            f"{minute_label(spot.half, spot.start)} · confidence {spot.confidence:.2f}"
        )
        if spot.evidence:
            text += f"\n\n{quote(spot.evidence, 300)}"
        clip = gr.skip()
        videos = video_sources(match, {1: upload_1, 2: upload_2}, video_path) if match else {}
        if spot.half in videos:
            clip = gr.Video(value=str(clip_of(spot, videos, self.files, match.id)), visible=True, autoplay=True)
        elif match is not None:
            text += "\n\n*No video for this half: upload it or give its path in the Video tab to see the clip.*"
        return text, timeline_figure(spots, match, answer.query, selected=spot), clip

    @shows_errors
    def make_reel(
        self,
        spots: list[Spot],
        answer: Answer | None,
        upload_1: str | None,
        upload_2: str | None,
        video_path: str,
        progress: gr.Progress = gr.Progress(),  # noqa: B008
    ) -> str:
        if answer is None or not spots:
            raise HighlightsError("ask for some moments first; the reel joins the intervals in the table", "reel")
        match = self.match(answer.match_id)
        progress(0.1, desc="Cutting the clips")
        return str(reel_of(spots, video_sources(match, {1: upload_1, 2: upload_2}, video_path), self.files, match.id))

    @shows_errors
    def test_connection(
        self, backend: str = EMBEDDED, base_url: str | None = None, model: str | None = None, api_key: str | None = None
    ) -> str:
        """Whether the endpoint answers and serves the model: a line for the panel (and the API)."""
        settings = None
        try:
            settings = llm_settings(backend, base_url or "", model or "", api_key or "")
            return test_connection(settings)
        except HighlightsError as error:
            raise user_error(error, settings) from None


def _reply_text(answer: Answer) -> str:
    return f"{answer.text}\n\n*{answer.notice}*" if answer.notice else answer.text
