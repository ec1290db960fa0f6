"""Chat messages that show a video model one chunk of a half (and, optionally, its commentary).

The answer format is the LLM spotters' (``spotting.llm.prompting.RESPONSE_SCHEMA``), so replies go
through the same parser; times are MM:SS of the half, as there. The video itself is a
``{"type": "video", ...}`` part that each back end fills in its own way (frames for local
transformers, an MP4 ``video_url`` or images for vLLM).
"""

from __future__ import annotations

from pathlib import Path

from index.classes import LABELS
from index.clock import clock
from index.names import parse_game_id
from index.types import Chunk, Match
from spotting.llm.prompting import render_commentary

SYSTEM = (
    "You are a soccer match analyst. You watch part of a match broadcast and find the moments where "
    "actions happen, using the 17 action classes of SoccerNet. You answer with JSON only."
)

USER = """Match: {home} vs {away} ({league}, {season}), half {half}.
The video shows {chunk_start} to {chunk_end} of the half: {frames} frames, {fps:g} per second,
the first at {chunk_start}.
{commentary}
Find every action of these classes that happens in this part of the half:
{labels}

Return every action you see, each with the interval of the half in which it happens: "start" and
"end" as MM:SS, about 15 seconds apart, around the moment of the action. Use the class names
exactly as written above. If no action happens, return an empty list.
Answer with this JSON and nothing else:
{{"actions": [{{"label": "<class>", "start": "MM:SS", "end": "MM:SS"}}]}}"""

COMMENTARY = """The commentary spoken meanwhile, each line starting with its time (MM:SS of the half):
{lines}
"""


def video_part(path: Path, start: float, end: float) -> dict:
    """The placeholder for the chunk's video: which file and which seconds of it (file time)."""
    return {"type": "video", "path": str(path), "start": start, "end": end}


def video_messages(
    chunk: Chunk, match: Match | None, part: dict, frames: int, fps: float, commentary: bool = False
) -> list[dict]:
    """System and user turns asking for the actions in ``chunk``, with its video (and commentary)."""
    game = match if match is not None else parse_game_id(chunk.match_id)
    text = USER.format(
        home=game.home,
        away=game.away,
        league=game.league,
        season=game.season,
        half=chunk.half,
        chunk_start=clock(chunk.start),
        chunk_end=clock(chunk.end),
        frames=frames,
        fps=fps,
        commentary=COMMENTARY.format(lines=render_commentary(chunk.segments)) if commentary else "",
        labels=", ".join(LABELS),
    )
    return [
        {"role": "system", "content": SYSTEM},
        {"role": "user", "content": [part, {"type": "text", "text": text}]},
    ]
