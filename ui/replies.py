"""An answer as the chat shows it: Markdown that draws the way the text reads, the reel as a player.

The assistant's text is plain lines ("First half:", "  1. A goal occurs at …", "Second half:"). As
Markdown, a line right after a list item continues that item, so "Second half:" would be drawn inside
item 2; a blank line around every list ends it. A reel's server path is no use to a browser (and its
underscores turn into italics): the chat shows the reel itself instead.
"""

from __future__ import annotations

import re

from agent import Answer

LIST_ITEM = re.compile(r"^\s*(\d+\.|[-*•])\s")
REEL_HERE = "the reel below"


def chat_markdown(text: str) -> str:
    """``text`` with a blank line before and after each run of list items (which start the line)."""
    lines: list[str] = []
    in_list = False
    for line in text.splitlines():
        item = bool(LIST_ITEM.match(line))
        if line.strip() and item != in_list and lines and lines[-1].strip():
            lines.append("")
        lines.append(line.lstrip() if item else line)
        in_list = item if line.strip() else in_list
    return "\n".join(lines)


def reply_text(answer: Answer) -> str:
    """The answer's Markdown, its notice in italics beneath; the reel's path replaced by words."""
    text = answer.text.replace(str(answer.video), REEL_HERE) if answer.video else answer.text
    text = chat_markdown(text)
    return f"{text}\n\n*{answer.notice}*" if answer.notice else text
