"""``highlights ask`` and ``highlights chat``: the assistant on the terminal.

``chat`` is interactive on a terminal; with its input from a pipe or file it reads one question per
line as one conversation (follow-ups refer back), so dialogues can be scripted. ``--json`` prints one
JSON object per answer: ``text`` and ``intervals`` (label, half, start, end in seconds from the start
of that half, confidence).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterable
from typing import TYPE_CHECKING

from index.settings import LLM_MODEL_ENV
from spotting.registry import SPOTTER_TEXT

from .options import add_backend_option, add_data_options, load_from_args

if TYPE_CHECKING:
    from agent import Answer, Assistant, Session

EXIT_WORDS = {"quit", "exit", "bye", ":q"}


def register(commands: argparse._SubParsersAction) -> None:
    ask = commands.add_parser("ask", help="answer one question about the matches")
    ask.add_argument("question", help='e.g. "Give me all the goals"')
    _add_assistant_options(ask)
    ask.set_defaults(run=run_ask)

    chat = commands.add_parser("chat", help="a conversation with the assistant (one question per line from a pipe)")
    _add_assistant_options(chat)
    chat.set_defaults(run=run_chat)


def _add_assistant_options(parser: argparse.ArgumentParser) -> None:
    add_data_options(parser, text=SPOTTER_TEXT)  # answers rest on the spotter, which reads every text
    parser.add_argument("--match", help='the match the questions are about: an id or a name ("Chelsea 1 - 1 Burnley")')
    parser.add_argument("--json", action="store_true", help="print one JSON object per answer")
    add_backend_option(parser)
    parser.add_argument(
        "--offline",
        action="store_true",
        help="use the offline planner even when OPENAI_BASE_URL/OPENAI_API_KEY are set",
    )
    parser.add_argument("--model", help=f"LLM model name (default: ${LLM_MODEL_ENV})")


def _assistant(args: argparse.Namespace) -> tuple[Assistant, str | None]:
    from dataclasses import replace

    from agent import Assistant, LLMSettings
    from tools.toolbox import default_spotter

    corpus = load_from_args(args)
    llm = None if args.offline else LLMSettings.from_env()
    if llm and args.model:
        llm = replace(llm, model=args.model)
    assistant = Assistant(corpus, spotter=default_spotter(args.backend), llm=llm)
    match_id = assistant.toolbox.resolve_match(args.match).id if args.match else None
    return assistant, match_id


def answer_record(answer: Answer) -> dict:
    """The JSON form of an answer, for scripts."""
    return {
        "text": answer.text,
        "intervals": [
            {"label": s.label, "half": s.half, "start": s.start, "end": s.end, "confidence": s.confidence}
            for s in answer.spots
        ],
        "match_id": answer.match_id,
        "backend": answer.backend,
        "notice": answer.notice,
    }


def _reply(assistant: Assistant, question: str, session: Session, match_id: str | None, as_json: bool) -> None:
    """Answer one question on stdout: streamed text, or one JSON line."""
    from agent import Answer

    if as_json:
        print(json.dumps(answer_record(assistant.ask(question, session, match_id)), ensure_ascii=False), flush=True)
        return
    answer = None
    for piece in assistant.stream(question, session, match_id):
        if isinstance(piece, Answer):
            answer = piece
        else:
            print(piece, end="", flush=True)
    if answer is not None and not answer.text.endswith("\n"):
        print()


def run_ask(args: argparse.Namespace) -> int:
    assistant, match_id = _assistant(args)
    session = assistant.new_session()
    session.match_id = match_id
    _reply(assistant, args.question, session, None, args.json)
    return 0


def run_chat(args: argparse.Namespace) -> int:
    assistant, match_id = _assistant(args)
    session = assistant.new_session()
    session.match_id = match_id  # the conversation starts on --match; a question may move it elsewhere
    interactive = sys.stdin.isatty()
    if interactive:
        print(f"Ask about the matches ({assistant.backend}); 'quit' or Ctrl-D ends.", file=sys.stderr)
    for question in _questions(interactive):
        if question.strip().lower() in EXIT_WORDS:
            break
        _reply(assistant, question, session, None, args.json)
        if not args.json:
            print()
    return 0


def _questions(interactive: bool) -> Iterable[str]:
    """Non-empty lines: typed at a prompt, or read from the pipe."""
    if not interactive:
        yield from (line.rstrip("\n") for line in sys.stdin if line.strip())
        return
    while True:
        try:
            line = input("you> ")
        except EOFError:
            print(file=sys.stderr)
            return
        if line.strip():
            yield line
