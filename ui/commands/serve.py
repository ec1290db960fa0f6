"""``highlights serve``: the chat app in a browser, on the embedded back end by default (no key, no GPU)."""

from __future__ import annotations

import argparse

from index.errors import HighlightsError
from spotting.registry import SPOTTER_TEXT

from .data import load_from_args
from .options import add_data_options


def register(commands: argparse._SubParsersAction) -> None:
    serve = commands.add_parser("serve", help="open the chat app (Gradio) in a browser")
    add_data_options(serve)
    serve.set_defaults(text=SPOTTER_TEXT.value)  # answers rest on the spotter, which reads every text
    serve.add_argument("--host", help="address to listen on (default: $GRADIO_SERVER_NAME, else 127.0.0.1)")
    serve.add_argument("--port", type=int, help="port (default: $GRADIO_SERVER_PORT, else 7860)")
    serve.add_argument("--concurrency", type=int, default=None, help="answers computed at once (default 8)")
    serve.add_argument(
        "--public",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="hold visitors to a public server's limits: only the configured LLM endpoints, uploads only, "
        "per-session caps (default: on when running as a Hugging Face Space, else off)",
    )
    serve.set_defaults(run=run_serve)


def run_serve(args: argparse.Namespace) -> int:
    from ui.app import DEFAULT_CONCURRENCY, create_app, launch, limits_for, server_address  # Gradio is slow to import

    server_address(args.host, args.port)  # a bad port is said before the corpus loads
    if args.concurrency is not None and args.concurrency < 1:
        raise HighlightsError(f"concurrency must be at least 1, not {args.concurrency}", "--concurrency")
    demo = create_app(load_from_args(args), concurrency=args.concurrency or DEFAULT_CONCURRENCY, public=args.public)
    launch(demo, args.host, args.port, limits_for(args.public))
    return 0
