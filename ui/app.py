"""The Gradio app: pick a match, ask for its moments in plain words, see them on a timeline, in a
table and on video. ``highlights serve`` and the Space's ``app.py`` both build it with ``create_app``.

The chat is a ``gr.ChatInterface`` inside the Blocks: the sidebar's match and back end are its
additional inputs; the answer (a ``gr.State`` whose change draws the views) and the picker are its
additional outputs; its stop button cancels a streaming answer. The API is ``/ask``, a typed
``gr.api`` endpoint: one conversation per client (its session hash), so follow-ups work.
Public runs (a Space, ``--public``) are held to ``ui.access`` and ``ui.limits.PUBLIC``.
"""

from __future__ import annotations

import gc
import logging
import os

import gradio as gr

from agent import Assistant
from index.corpus import Corpus, load_corpus, resolve_data_root
from index.errors import HighlightsError
from spotting.registry import SPOTTER_TEXT
from tools.toolbox import Toolbox

from .access import DEFAULT_MODELS, EMBEDDED, EndpointPolicy, is_space
from .add_panel import build_add_panel  # own match (issue 17)
from .assistants import Assistants
from .chat import MAX_QUESTION_CHARS, Chat, check_question
from .files import ServedFiles, sweep_old_folders
from .intervals import TABLE_COLUMNS, intervals_table
from .limits import PRIVATE, PUBLIC, ServerLimits
from .matches import match_card, picker_choices
from .settings import BACKEND_CHOICES
from .timeline import timeline_figure
from .views import NO_MOMENT, Views

log = logging.getLogger(__name__)

PLACEHOLDER = "Ask: all the goals, cards in the second half, only Chelsea's…"
EXAMPLES = ["Give me all the highlights of free-kicks", "All the goals", "Cards in the second half"]
DEFAULT_HOST, DEFAULT_PORT = "127.0.0.1", 7860
DEFAULT_CONCURRENCY = 8  # answers computed here at once; more wait their turn
QUEUE_SIZE = 256
STATUS_EVERY_S = 2.0  # how often an open page asks how far the commentary index is, while it is built
NARROW_PX = 700  # below this width the sidebar starts closed, so it does not cover the chat
INTRO = (
    "# Soccer highlights\n"
    "Pick a match (or name it in your question) and ask for its moments: goals, cards, free-kicks, "
    "corners… The answer lists each moment as an interval of the half, with the commentary behind it."
)
# Column widths that fit each header on one line ("confidence" is the widest word).
WIDTHS = ["78px", "50px", "62px", "62px", "70px", "96px", "104px", "320px"]
COLUMN_WIDTHS = dict(zip(TABLE_COLUMNS, WIDTHS, strict=True))
CSS = "#intervals th, #intervals th * { white-space: nowrap; word-break: keep-all; overflow-wrap: normal; }"
# Run at load. The sidebar may be drawn a while after the page (seconds on a slow phone or a busy server), so it
# is looked for during 30 s and closed once, when it first appears: a sidebar the user opens later stays open.
CLOSE_SIDEBAR_WHEN_NARROW = f"""() => {{
  if (window.innerWidth >= {NARROW_PX}) return;
  let tries = 0;
  const close = () => {{
    const sidebar = document.querySelector('.sidebar');
    if (!sidebar) {{ if (tries++ < 300) setTimeout(close, 100); return; }}
    const toggle = sidebar.classList.contains('open') && sidebar.querySelector('.toggle-button');
    if (toggle) toggle.click();
  }};
  close();
}}"""


def limits_for(public: bool | None) -> ServerLimits:
    """``PUBLIC`` when asked, or by default on a Hugging Face Space; ``PRIVATE`` otherwise."""
    return PUBLIC if (is_space() if public is None else public) else PRIVATE


def _default_match(corpus: Corpus) -> str:
    """The newest match with ground truth, so the first answer already shows hits and misses."""
    labelled = sorted((m for m in corpus.matches if m.has_labels), key=lambda m: m.date)
    return labelled[-1].id if labelled else ""


def _validate(message: str):
    """The chat box's check before anything is queued: an empty or huge question is said at the box."""
    try:
        check_question(message)
    except HighlightsError as error:
        return gr.validate(False, str(error))
    return gr.validate(True, "")


def build_app(
    corpus: Corpus,
    assistant: Assistant,
    limits: ServerLimits = PRIVATE,
    policy: EndpointPolicy | None = None,
    concurrency: int = DEFAULT_CONCURRENCY,
    files: ServedFiles | None = None,
) -> gr.Blocks:
    """The Blocks app over ``corpus``, answering with ``assistant`` (the embedded default)."""
    policy = policy or EndpointPolicy.from_env(limits.public)
    files = files or ServedFiles(limits.files_age_s, limits.files_total_mb)
    chat = Chat(corpus, Assistants(assistant), policy, limits, files, concurrency)
    views = Views(corpus, files, limits)
    toolbox = assistant.toolbox
    half_ttl = int(limits.files_age_s // 2)

    with gr.Blocks(title="Soccer highlights", analytics_enabled=False, delete_cache=(half_ttl, half_ttl * 2)) as demo:
        answer = gr.State(None, time_to_live=limits.idle_s)  # the last Answer of this tab
        shown = gr.State([], time_to_live=limits.idle_s)  # its intervals after threshold and padding

        with gr.Sidebar(open=True, width=340):
            gr.Markdown("### Match")
            search = gr.Textbox(label="Search", placeholder="team, date, competition…", max_lines=1)
            match = gr.Dropdown(
                choices=picker_choices(corpus), value=_default_match(corpus), label="Match", filterable=True
            )
            match_info = gr.Markdown()
            status = gr.Markdown(elem_id="status")
            with gr.Accordion("Settings", open=False):
                backend_choice = gr.Radio(BACKEND_CHOICES, value=EMBEDDED, label="Back end")
                base_url = gr.Textbox(label="Endpoint URL", visible=False)
                model = gr.Textbox(label="Model", visible=False)
                api_key = gr.Textbox(label="API key", type="password", placeholder=policy.key_hint(), visible=False)
                test = gr.Button("Test connection", size="sm", visible=False)
                connection = gr.Markdown()
                if limits.public:
                    gr.Markdown(f"*A public server: it calls only {', '.join(policy.allowed)}; uploads only.*")
                threshold = gr.Slider(0, 1, value=0, step=0.05, label="Confidence threshold")
                padding = gr.Slider(0, 30, value=0, step=1, label="Interval padding (s)")
            own_match = build_add_panel(corpus, limits.add)  # own match (issue 17): ui/add_panel.py

        # The views are made here, unrendered, so the chat can name them; they are drawn on the right.
        timeline = gr.Plot(timeline_figure([], None), label="Timeline", elem_id="timeline", render=False)

        gr.Markdown(INTRO)
        with gr.Row(equal_height=False):
            with gr.Column(scale=4, min_width=320):
                conversation = gr.ChatInterface(
                    chat.respond,
                    chatbot=gr.Chatbot(
                        label="Assistant",
                        height=560,
                        placeholder="Ask for the moments of a match, e.g. “all the goals”.",
                        buttons=["copy"],
                        elem_id="chat",
                    ),
                    textbox=gr.Textbox(
                        placeholder=PLACEHOLDER,
                        show_label=False,
                        submit_btn=True,
                        stop_btn=True,
                        max_lines=4,
                        max_length=MAX_QUESTION_CHARS,
                        elem_id="question",
                    ),
                    additional_inputs=[match, backend_choice, base_url, model, api_key],
                    additional_outputs=[answer, match],
                    examples=[[example] for example in EXAMPLES],  # shown in the empty chat; a click asks it
                    validator=_validate,
                    fill_height=False,
                    concurrency_limit=None,  # the chat's own places (ui.chat) limit the work, by kind
                    api_visibility="private",  # the API is /ask
                )
            with gr.Column(scale=7, min_width=320):
                timeline.render()
                with gr.Tabs():
                    with gr.Tab("Intervals"):
                        table = gr.Dataframe(
                            intervals_table([]),
                            label="Intervals (click a row to jump to it)",
                            interactive=False,
                            wrap=True,
                            max_height=360,
                            column_widths=list(COLUMN_WIDTHS.values()),
                            elem_id="intervals",
                        )
                        with gr.Row():
                            csv_file = gr.DownloadButton("CSV", size="sm", interactive=False)
                            json_file = gr.DownloadButton("JSON", size="sm", interactive=False)
                        moment = gr.Markdown(NO_MOMENT, elem_id="moment")
                        clip = gr.Video(label="Clip", visible=False, height=300)
                    with gr.Tab("Video"):
                        gr.Markdown("Video of the match: SoccerNet halves (`1_224p.mkv`, `2_224p.mkv`) or your own.")
                        with gr.Row():
                            upload_1 = gr.File(label="First half", file_types=["video"])
                            upload_2 = gr.File(label="Second half", file_types=["video"])
                        video_path = gr.Textbox(
                            label="…or a folder or file on this computer", max_lines=1, visible=limits.server_paths
                        )
                        reel_button = gr.Button("Make the highlight reel of the table")
                        reel = gr.Video(label="Highlight reel", height=320)
                    with gr.Tab("JSON"):
                        payload = gr.JSON(label="The answer as the /ask API returns it")

        # -- wiring ------------------------------------------------------------------------------
        private = {"api_visibility": "private"}
        timer = gr.Timer(STATUS_EVERY_S, active=True)
        demo.load(lambda m: match_card(corpus.get(m) if m else None), match, match_info, **private)
        demo.load(None, js=CLOSE_SIDEBAR_WHEN_NARROW, **private)
        gr.on([demo.load, timer.tick], lambda: _status(toolbox), None, [status, timer], queue=False, **private)
        search.change(lambda q: gr.Dropdown(choices=picker_choices(corpus, q)), search, match, queue=False, **private)
        match.change(lambda m: match_card(corpus.get(m) if m else None), match, match_info, queue=False, **private)

        settings = [backend_choice, base_url, model, api_key]
        backend_choice.change(
            lambda b: _settings_visibility(b, policy), backend_choice, [base_url, model, api_key, test], queue=False,
            **private,
        )  # fmt: skip
        test.click(chat.test_connection, settings, connection, api_name="test_connection", concurrency_limit=None)

        views_out = [timeline, table, payload, shown, csv_file, json_file, reel, moment, clip]
        gr.on(
            [answer.change, threshold.change, padding.change],  # dragged or typed; only the last value is drawn
            views.show_answer,
            [answer, threshold, padding],
            views_out,
            trigger_mode="always_last",
            **private,
        )
        # ChatInterface blanks the box's placeholder while it answers, and after a stop leaves the box disabled
        gr.on(
            [answer.change, conversation.textbox.stop], lambda: gr.Textbox(placeholder=PLACEHOLDER, interactive=True),
            None, conversation.textbox, queue=False, **private,
        )  # fmt: skip
        conversation.chatbot.clear(chat.forget, None, None, **private).then(
            lambda: (None, []), None, [answer, shown], **private
        )
        own_match.wire(match, lambda: picker_choices(corpus))  # own match (issue 17)

        sources = [upload_1, upload_2, video_path]
        table.select(views.select_interval, [shown, answer, *sources], [moment, timeline, clip], **private)
        reel_button.click(views.make_reel, [shown, answer, *sources], reel, **private)

        gr.api(chat.ask, api_name="ask", concurrency_limit=None)
    return demo


def _status(toolbox: Toolbox) -> tuple:
    """How far the commentary index is, while it is being built (and why not, if it failed); the timer
    stops when the build does."""
    building, failed = toolbox.index_building(), toolbox.index_failed()
    return (f"*{toolbox.index_status()}*" if building or failed else ""), gr.Timer(active=building)


def _settings_visibility(backend_choice: str, policy: EndpointPolicy) -> tuple:
    remote = backend_choice != EMBEDDED
    url = policy.default_url(backend_choice) if remote else ""
    return (
        gr.Textbox(visible=remote, placeholder=url),
        gr.Textbox(visible=remote, placeholder=DEFAULT_MODELS.get(backend_choice, "")),
        gr.Textbox(visible=remote),
        gr.Button(visible=remote),
    )


def create_app(
    corpus: Corpus | None = None, concurrency: int = DEFAULT_CONCURRENCY, public: bool | None = None
) -> gr.Blocks:
    """The queued app over ``corpus`` (default: ``$HIGHLIGHTS_DATA``, else the shipped sample); ``public``:
    held to the public limits (default: when running as a Hugging Face Space). Work that can be done before
    the first user comes starts here: the commentary index is loaded or built in the background."""
    limits = limits_for(public)
    corpus = corpus or load_corpus(resolve_data_root(), text=SPOTTER_TEXT)
    run = "public" if limits.public else "private"
    log.info("corpus: %d matches from %s (%s run)", len(corpus.matches), corpus.root, run)
    assistant = Assistant(corpus)
    # The corpus is read-only for the server's life: out of the collector's generations, its ~2.3 M objects
    # (550 games) are no longer walked by every full collection, a 0.7-s pause some visitor would wait out.
    gc.freeze()
    assistant.toolbox.start_commentary_index()
    files = ServedFiles(limits.files_age_s, limits.files_total_mb)
    swept = sweep_old_folders(limits.files_age_s, keep=files.folder)
    if swept:
        log.info("removed %d files folder(s) of earlier runs", swept)
    demo = build_app(corpus, assistant, limits, concurrency=concurrency, files=files)
    return demo.queue(default_concurrency_limit=concurrency, max_size=QUEUE_SIZE)


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


def launch(
    demo: gr.Blocks, host: str | None = None, port: int | None = None, limits: ServerLimits | None = None, **options
) -> None:
    """Serve ``demo`` at ``server_address(host, port)``, with ``limits`` (default: ``limits_for(None)``)."""
    limits = limits or limits_for(None)
    server_name, server_port = server_address(host, port)
    quiet = options.pop("quiet", False)
    demo.launch(
        server_name=server_name,
        server_port=server_port,
        run_history=False,  # the browser must not keep inputs (an API key among them)
        footer_links=["api", "gradio"],
        max_file_size=limits.max_file_size,
        state_session_capacity=limits.conversations,
        css=CSS,
        quiet=True,  # Gradio's banner ends in its share=True hint on every start; the address is said below
        **options,
    )
    if not quiet:
        run = "public: visitors are held to its limits" if limits.public else "private"
        print(f"* Running on http://{server_name}:{server_port}/ ({run})", flush=True)
