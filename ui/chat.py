"""The app's conversations: a question in (the chat, or the ``/ask`` API), the answer out, streamed.

Each browser tab and each API client is one conversation (Gradio's session hash keys it in the
bounded ``Conversations``), held to its share of the server (``SessionGate``). Two kinds of work
are limited apart: answers computed here (the embedded back end, or offline in place of an endpoint
marked down: CPU) wait for one of ``concurrency`` places, while answers from an LLM endpoint (mostly
waiting on the network) take one of ``MAX_REMOTE_TURNS`` places or are refused, so slow endpoints
never hold up the others, and sessions whose endpoint is down queue with everyone for the CPU.
A user's mistake is a toast with the ``HighlightsError`` message, never a traceback.
"""

from __future__ import annotations

import threading
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from dataclasses import replace

import anyio
import gradio as gr

from agent import Answer, Assistant, LLMSettings, Session
from index.corpus import Corpus
from index.errors import HighlightsError

from .access import EMBEDDED, EndpointPolicy
from .assistants import Assistants
from .conversations import Conversations
from .errors import user_error
from .files import ServedFiles
from .intervals import answer_payload, shown_spots
from .limits import ServerLimits, SessionGate
from .matches import picker_choices
from .replies import reply_text
from .settings import test_connection

MAX_QUESTION_CHARS = 2000
MAX_REMOTE_TURNS = 16  # LLM-backed answers at once: each mostly waits on its endpoint (30 s at most)
LOCAL = "local"  # the session key of a call made without Gradio (tests, scripts)


def check_question(question: str | None) -> str:
    text = (question or "").strip()
    if not text:
        raise HighlightsError("type a question first, e.g. “all the goals”")
    if len(text) > MAX_QUESTION_CHARS:
        raise HighlightsError(f"the question is {len(text)} characters long; keep it under {MAX_QUESTION_CHARS}")
    return text


def session_key(request: gr.Request | None) -> str:
    return (request.session_hash if request is not None else None) or LOCAL


class Chat:
    """Questions in, answers out, for every session of the app."""

    def __init__(
        self,
        corpus: Corpus,
        assistants: Assistants,
        policy: EndpointPolicy,
        limits: ServerLimits,
        files: ServedFiles,
        concurrency: int,
    ) -> None:
        self.corpus = corpus
        self.assistants = assistants
        self.policy = policy
        self.files = files
        self.conversations = Conversations(limits)
        self.gate = SessionGate(limits)
        self._local = threading.BoundedSemaphore(concurrency)
        self._remote = threading.BoundedSemaphore(MAX_REMOTE_TURNS)

    @contextmanager
    def _place(self, assistant: Assistant) -> Iterator[None]:
        """A place for one answer: a local one is waited for, a remote one is there or refused."""
        here = assistant.answers_here
        places = self._local if here else self._remote
        if not places.acquire(blocking=here):
            raise HighlightsError(f"{MAX_REMOTE_TURNS} answers from LLM endpoints are running; try again shortly")
        try:
            yield
        finally:
            places.release()

    def conversation(self, key: str, match_id: str | None) -> Session:
        """The session of ``key``, on the match picked in the sidebar (or named by an API call) when that
        differs from the one the conversation was on: the picker is the user's word."""
        picked = self.corpus.get(match_id) if match_id else None  # an unknown id is said before any work
        session = self.conversations.get(key)
        if match_id is not None and (picked.id if picked else None) != session.match_id:
            session.match_id = picked.id if picked else None
        return session

    def _answers(
        self, question: str, key: str, match_id: str | None, settings: LLMSettings | None
    ) -> Iterator[str | tuple[Answer, Session]]:
        """Text pieces, then the answer (its reel moved into the served files) and the session."""
        question = check_question(question)
        assistant = self.assistants.for_settings(settings)
        with self.gate.admit(key), self._place(assistant):
            session = self.conversation(key, match_id)
            for piece in assistant.stream(question, session):
                if isinstance(piece, Answer):
                    if piece.video:  # the text names the reel where it now is
                        video = self.files.adopt(piece.video)
                        piece = replace(piece, video=video, text=piece.text.replace(str(piece.video), str(video)))
                    yield piece, session
                    return
                yield piece

    def _chat_pieces(self, message: str, key: str, match_id: str, panel: tuple[str, str, str, str]) -> Iterator:
        """What the chat shows, as it comes: the reply so far, then (reply, answer, picker); a ``gr.Error``."""
        settings = None
        text = ""
        try:
            settings = self.policy.settings(*panel)
            for piece in self._answers(message, key, match_id, settings):
                if isinstance(piece, str):
                    text += piece
                    yield text
                    continue
                answer, session = piece
                if answer.notice:
                    gr.Warning(answer.notice)
                reply = reply_text(answer)
                yield (
                    ([reply, gr.Video(str(answer.video))] if answer.video else reply),
                    answer,
                    self.picker(session, match_id),
                )
        except Exception as error:
            raise user_error(error, settings) from None

    async def respond(
        self,
        message: str,
        history: list,
        match_id: str,
        backend: str,
        base_url: str,
        model: str,
        api_key: str,
        request: gr.Request,
    ) -> AsyncIterator[tuple]:
        """``gr.ChatInterface``'s function: the reply as it streams, then the ``Answer`` for the views and
        the sidebar's picker moved to the match the conversation is now on.

        The work runs in a worker thread, one piece at a time, and this coroutine only waits for it: the
        stop button cancels the wait at once (a thread blocked on a slow endpoint cannot be interrupted; it
        ends by the request's deadline). The session's place is freed as part of the cancel, which Gradio
        finishes before the page shows the box ready again, so the next question is never turned away."""
        panel = (backend, base_url, model, api_key)
        key = session_key(request)
        pieces = self._chat_pieces(message, key, match_id, panel)
        shown = ""
        try:
            while (piece := await anyio.to_thread.run_sync(next, pieces, None, abandon_on_cancel=True)) is not None:
                if isinstance(piece, str):
                    shown = piece
                    yield piece, gr.skip(), gr.skip()
                else:
                    yield piece
        except gr.Error as error:
            yield f"{shown}\n\n⚠️ {error.message}".strip(), gr.skip(), gr.skip()
            raise
        except (anyio.get_cancelled_exc_class(), GeneratorExit):  # the stop button (a cancel, then a close)
            self.gate.release(key)
            raise

    def picker(self, session: Session, shown: str | None):
        """The picker showing the match the conversation is on now (it moves when a question names another)."""
        now = session.match_id or ""
        if now == (shown or ""):
            return gr.skip()
        return gr.Dropdown(choices=picker_choices(self.corpus), value=now)

    def forget(self, request: gr.Request) -> None:
        """The user cleared the chat: a new conversation."""
        self.conversations.drop(session_key(request))

    def ask(
        self,
        question: str,
        match_id: str | None = None,
        backend: str = EMBEDDED,
        base_url: str | None = None,
        model: str | None = None,
        api_key: str | None = None,
        threshold: float = 0.0,
        padding: float = 0.0,
        request: gr.Request = None,
    ) -> dict:
        """Ask a question (a follow-up of this client's earlier ones); returns the answer and its intervals.
        ``match_id`` (optional) moves the conversation to that match, as the app's picker does."""
        settings = None
        try:
            settings = self.policy.settings(backend, base_url or "", model or "", api_key or "")
            *_, (answer, _session) = self._answers(question, session_key(request), match_id or None, settings)
        except Exception as error:
            raise user_error(error, settings) from None
        match = self.corpus.get(answer.match_id) if answer.match_id else None
        spots = shown_spots(answer.spots, threshold, padding)
        return answer_payload(answer.text, spots, match, answer.backend, answer.notice, answer.query)

    def test_connection(
        self, backend: str, base_url: str | None, model: str | None, api_key: str | None, request: gr.Request
    ) -> str:
        """Whether the endpoint answers and serves the model: a line for the panel (and the API)."""
        settings = None
        try:
            settings = self.policy.settings(backend, base_url or "", model or "", api_key or "")
            with self.gate.admit(session_key(request)):
                return test_connection(settings)
        except Exception as error:
            raise user_error(error, settings) from None
