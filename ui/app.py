"""The Gradio app: pick a match, ask for its moments in plain words, see them on a timeline, in a
table and on video. ``highlights serve`` and the Space's ``app.py`` both build it with ``create_app``.

API (``gradio_client``): ``/ask`` takes a question and an optional match id and returns the
answer with its intervals as JSON; calls from one client are one conversation, so follow-ups work.
"""

from __future__ import annotations

import logging
import os

import gradio as gr

from agent import Assistant
from index.corpus import Corpus, load_corpus, resolve_data_root
from index.errors import HighlightsError
from spotting.registry import SPOTTER_TEXT

from .add_panel import build_add_panel  # own match (issue 17)
from .chat import MAX_QUESTION_CHARS, ChatBackend
from .intervals import intervals_table
from .settings import BACKEND_CHOICES, DEFAULT_MODELS, DEFAULT_URLS, EMBEDDED, KEY_ENV
from .timeline import timeline_figure

log = logging.getLogger(__name__)

EXAMPLES = ["Give me all the highlights of free-kicks", "All the goals", "Cards in the second half"]
DEFAULT_HOST, DEFAULT_PORT = "127.0.0.1", 7860
DEFAULT_CONCURRENCY = 8  # answers computed at once; more users wait in the queue
QUEUE_SIZE = 256
INTRO = (
    "# Soccer highlights\n"
    "Pick a match (or name it in your question) and ask for its moments: goals, cards, free-kicks, "
    "corners… The answer lists each moment as an interval of the half, with the commentary behind it."
)


def _default_match(corpus: Corpus) -> str:
    """The newest match with ground truth, so the first answer already shows hits and misses."""
    labelled = sorted((m for m in corpus.matches if m.has_labels), key=lambda m: m.date)
    return labelled[-1].id if labelled else ""


def build_app(corpus: Corpus, assistant: Assistant) -> gr.Blocks:
    """The Blocks app over ``corpus``, answering with ``assistant`` (the embedded default)."""
    backend = ChatBackend(corpus, assistant)
    key_hint = f"from ${KEY_ENV}" if os.environ.get(KEY_ENV) else "sk-…"

    with gr.Blocks(title="Soccer highlights", analytics_enabled=False, delete_cache=(1800, 3600)) as demo:
        session = gr.State(None)  # the assistant's Session of this browser tab (or API client)
        answer = gr.State(None)  # the last Answer
        shown = gr.State([])  # its intervals after threshold and padding, in table order
        question = gr.State("")

        with gr.Sidebar(open=True, width=340):
            gr.Markdown("### Match")
            search = gr.Textbox(label="Search", placeholder="team, date, competition…", max_lines=1)
            match = gr.Dropdown(
                choices=[("Any match", ""), *backend.choices()],
                value=_default_match(corpus),
                label="Match",
                filterable=True,
            )
            match_info = gr.Markdown()
            with gr.Accordion("Settings", open=False):
                backend_choice = gr.Radio(BACKEND_CHOICES, value=EMBEDDED, label="Back end")
                base_url = gr.Textbox(label="Endpoint URL", placeholder=DEFAULT_URLS["openai"], visible=False)
                model = gr.Textbox(label="Model", placeholder=DEFAULT_MODELS["openai"], visible=False)
                api_key = gr.Textbox(label="API key", type="password", placeholder=key_hint, visible=False)
                test = gr.Button("Test connection", size="sm", visible=False)
                connection = gr.Markdown()
                threshold = gr.Slider(0, 1, value=0, step=0.05, label="Confidence threshold")
                padding = gr.Slider(0, 30, value=0, step=1, label="Interval padding (s)")
            own_match = build_add_panel(corpus)  # own match (issue 17): ui/add_panel.py

        gr.Markdown(INTRO)
        with gr.Row(equal_height=False):
            with gr.Column(scale=4):
                chatbot = gr.Chatbot(
                    label="Assistant",
                    height=560,
                    placeholder="Ask for the moments of a match, e.g. “all the goals”.",
                    buttons=["copy"],
                )
                message = gr.Textbox(
                    placeholder="Ask: all the goals, cards in the second half, only Chelsea's…",
                    show_label=False,
                    submit_btn=True,
                    max_lines=4,
                    max_length=MAX_QUESTION_CHARS,
                    elem_id="question",
                )
                gr.Examples(EXAMPLES, inputs=message, label="Try")
            with gr.Column(scale=7):
                timeline = gr.Plot(timeline_figure([], None), label="Timeline", elem_id="timeline")
                with gr.Tabs():
                    with gr.Tab("Intervals"):
                        table = gr.Dataframe(
                            intervals_table([]),
                            label="Intervals (click a row to jump to it)",
                            interactive=False,
                            wrap=True,
                            max_height=360,
                            column_widths=["100px", "52px", "62px", "62px", "66px", "110px", "96px", "300px"],
                            elem_id="intervals",
                        )
                        with gr.Row():
                            csv_file = gr.DownloadButton("CSV", size="sm", interactive=False)
                            json_file = gr.DownloadButton("JSON", size="sm", interactive=False)
                        moment = gr.Markdown(elem_id="moment")
                        clip = gr.Video(label="Clip", visible=False, height=300)
                    with gr.Tab("Video"):
                        gr.Markdown("Video of the match: SoccerNet halves (`1_224p.mkv`, `2_224p.mkv`) or your own.")
                        with gr.Row():
                            upload_1 = gr.File(label="First half", file_types=["video"])
                            upload_2 = gr.File(label="Second half", file_types=["video"])
                        video_path = gr.Textbox(label="…or a folder or file on the server", max_lines=1)
                        reel_button = gr.Button("Make the highlight reel of the table")
                        reel = gr.Video(label="Highlight reel", height=320)
                    with gr.Tab("JSON"):
                        payload = gr.JSON(label="The answer as the /ask API returns it")

        # Hidden inputs of the /ask API endpoint (the settings above are its other inputs).
        api_question = gr.Textbox(visible=False)
        api_match = gr.Textbox(visible=False)

        # -- wiring ------------------------------------------------------------------------------
        demo.load(backend.describe_match, match, match_info, api_visibility="private")
        search.change(backend.search, search, match, queue=False, api_visibility="private")
        match.change(backend.describe_match, match, match_info, queue=False, api_visibility="private")

        settings = [backend_choice, base_url, model, api_key]
        backend_choice.change(
            _settings_visibility,
            backend_choice,
            [base_url, model, api_key, test],
            queue=False,
            api_visibility="private",
        )
        test.click(backend.test_connection, settings, connection, api_name="test_connection")

        views = [timeline, table, payload, shown, csv_file, json_file, reel]
        # A bad question fails in the first step, whose only output is a State: a toast, no error overlay.
        message.submit(backend.take_question, message, question, api_visibility="private").success(
            backend.show_question, [question, chatbot], [message, chatbot], queue=False, api_visibility="private"
        ).success(
            backend.respond,
            [question, chatbot, match, session, *settings],
            [chatbot, session, answer, match],
            show_progress="minimal",
            api_visibility="private",
        ).success(backend.show_answer, [answer, threshold, padding], views, api_visibility="private")
        gr.on(
            [threshold.change, padding.change],  # dragged or typed; only the last value is drawn
            backend.show_answer,
            [answer, threshold, padding],
            views,
            trigger_mode="always_last",
            api_visibility="private",
        )
        chatbot.clear(lambda: (None, None, []), None, [session, answer, shown], api_visibility="private")
        own_match.wire(match, lambda: [("Any match", ""), *backend.choices()])  # own match (issue 17)

        sources = [upload_1, upload_2, video_path]
        table.select(
            backend.select_interval, [shown, answer, *sources], [moment, timeline, clip], api_visibility="private"
        )
        reel_button.click(backend.make_reel, [shown, answer, *sources], reel, api_visibility="private")

        api_question.submit(
            backend.ask,
            [api_question, api_match, session, *settings, threshold, padding],
            [payload, session],
            api_name="ask",
            api_description="Ask a question (a follow-up of this client's earlier ones); returns the intervals.",
        )
    return demo


def _settings_visibility(backend_choice: str):
    remote = backend_choice != EMBEDDED
    url = DEFAULT_URLS.get(backend_choice, "")
    return (
        gr.Textbox(visible=remote, placeholder=url),
        gr.Textbox(visible=remote, placeholder=DEFAULT_MODELS.get(backend_choice, "")),
        gr.Textbox(visible=remote),
        gr.Button(visible=remote),
    )


def create_app(corpus: Corpus | None = None, concurrency: int = DEFAULT_CONCURRENCY) -> gr.Blocks:
    """The queued app over ``corpus`` (default: ``$HIGHLIGHTS_DATA``, else the shipped sample)."""
    corpus = corpus or load_corpus(resolve_data_root(), text=SPOTTER_TEXT)
    log.info("corpus: %d matches from %s", len(corpus.matches), corpus.root)
    return build_app(corpus, Assistant(corpus)).queue(default_concurrency_limit=concurrency, max_size=QUEUE_SIZE)


def server_address(host: str | None = None, port: int | None = None) -> tuple[str, int]:
    """``host:port`` as given, else Gradio's ``GRADIO_SERVER_NAME``/``GRADIO_SERVER_PORT``, else 127.0.0.1:7860."""
    chosen = port or os.environ.get("GRADIO_SERVER_PORT") or DEFAULT_PORT
    try:
        number = int(chosen)
    except ValueError:
        raise HighlightsError(f"a port is a number, not {chosen!r}", "GRADIO_SERVER_PORT") from None
    if not 0 < number < 65536:
        raise HighlightsError(f"a port is a number from 1 to 65535, not {number}", "--port")
    return host or os.environ.get("GRADIO_SERVER_NAME") or DEFAULT_HOST, number


def launch(demo: gr.Blocks, host: str | None = None, port: int | None = None, **options) -> None:
    """Serve ``demo`` at ``server_address(host, port)``."""
    server_name, server_port = server_address(host, port)
    demo.launch(
        server_name=server_name,
        server_port=server_port,
        run_history=False,  # the browser must not keep inputs (an API key among them)
        footer_links=["api", "gradio"],
        **options,
    )
