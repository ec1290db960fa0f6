"""What the views beside the chat show for an answer: the timeline, the table, the JSON, the downloads,
the moment of a clicked row with its clip, and the reel of the table.

The confidence threshold and the padding apply here, so every view shows the same intervals. A new
answer clears the clicked-row panel, so it never shows a moment of the previous answer.
"""

from __future__ import annotations

import gradio as gr

from agent import Answer
from index.corpus import Corpus
from index.errors import HighlightsError
from index.types import Match
from spotting.types import Spot
from tools.formatting import clock, minute_label, quote

from .errors import shows_errors
from .files import ServedFiles
from .intervals import answer_payload, intervals_table, shown_spots, write_downloads
from .limits import ServerLimits
from .timeline import timeline_figure
from .video import clip_of, reel_of, video_sources

NO_MOMENT = "Click a row of the table to see its moment here."
EVIDENCE_CHARS = 300


class Views:
    """The views of an answer, over the corpus (for each match's ground truth) and the app's files."""

    def __init__(self, corpus: Corpus, files: ServedFiles, limits: ServerLimits) -> None:
        self.corpus = corpus
        self.files = files
        self.limits = limits

    def match(self, match_id: str | None) -> Match | None:
        return self.corpus.get(match_id) if match_id else None

    @shows_errors
    def show_answer(self, answer: Answer | None, threshold: float, padding: float) -> tuple:
        """Timeline, table, JSON, shown intervals, downloads, the reel the answer made (if any) in the
        Video tab's player, and the clicked-row panel and clip cleared."""
        cleared = (NO_MOMENT, gr.Video(value=None, visible=False))
        if answer is None:
            nothing = gr.DownloadButton(interactive=False)
            return timeline_figure([], None), intervals_table([]), None, [], nothing, nothing, gr.skip(), *cleared
        match = self.match(answer.match_id)
        spots = shown_spots(answer.spots, threshold, padding)
        payload = answer_payload(answer.text, spots, match, answer.backend, answer.notice, answer.query)
        self.files.prune()
        csv_path, json_path = write_downloads(payload, self.files.folder, self.files.path("intervals").name)
        return (
            timeline_figure(spots, match, answer.query),
            intervals_table(spots, match),
            payload,
            spots,
            gr.DownloadButton(value=str(csv_path), interactive=bool(spots)),
            gr.DownloadButton(value=str(json_path), interactive=bool(spots)),
            gr.Video(value=str(answer.video)) if answer.video else gr.skip(),
            *cleared,
        )

    @shows_errors
    def select_interval(
        self,
        event: gr.SelectData,
        spots: list[Spot],
        answer: Answer | None,
        upload_1: str | None,
        upload_2: str | None,
        video_path: str,
    ) -> tuple:
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
            text += f"\n\n{quote(spot.evidence, EVIDENCE_CHARS)}"
        clip = gr.Video(value=None, visible=False)
        videos = video_sources(match, {1: upload_1, 2: upload_2}, video_path, self.limits) if match else {}
        if spot.half in videos:
            self.files.prune()
            clip = gr.Video(value=str(clip_of(spot, videos, self.files, match.id)), visible=True, autoplay=True)
        elif match is not None:
            text += "\n\n*No video for this half: upload it in the Video tab to see the clip.*"
        return text, timeline_figure(spots, match, answer.query, selected=spot), clip

    @shows_errors
    def make_reel(
        self,
        spots: list[Spot],
        answer: Answer | None,
        upload_1: str | None,
        upload_2: str | None,
        video_path: str,
        progress: gr.Progress = gr.Progress(),  # noqa: B008 (Gradio's idiom)
    ) -> str:
        """The reel of the table's intervals, a file of its own."""
        if answer is None or not spots:
            raise HighlightsError("ask for some moments first; the reel joins the intervals in the table", "reel")
        match = self.match(answer.match_id)
        if match is None:
            raise HighlightsError("the answer is about no one match, so there is no video to cut", "reel")
        progress(0.1, desc="Cutting the clips")
        self.files.prune()
        videos = video_sources(match, {1: upload_1, 2: upload_2}, video_path, self.limits)
        return str(reel_of(spots, videos, self.files, match.id))
