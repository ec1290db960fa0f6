"""How a failure reaches a user of the app: a toast with the ``HighlightsError`` message (any key in it
blanked), or, for anything unforeseen, a short apology while the traceback goes to the server's log."""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable

import gradio as gr

from agent import LLMSettings
from index.errors import HighlightsError

log = logging.getLogger(__name__)

UNEXPECTED = "Something went wrong on the server (it is logged); try again or rephrase the question."


def user_error(error: Exception, settings: LLMSettings | None = None) -> gr.Error:
    """The toast a user sees: the ``HighlightsError`` message (key blanked), or a short apology."""
    if isinstance(error, gr.Error):
        return error
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
        except Exception as error:
            raise user_error(error) from None

    return wrapped
