"""The LLM agent: LangChain's ``create_agent`` over ``ChatOpenAI`` (any OpenAI-compatible endpoint),
the same tools as the planner, streamed replies, and a bounded memory that the session carries.

Memory: the graph has no checkpointer. LangGraph's ``InMemorySaver`` keeps every checkpoint of every
thread until ``delete_thread`` is called (its ``prune`` is not implemented), so a server would grow by
each conversation's whole history forever. Instead each turn is run on the session's own messages,
and what the session keeps afterwards is cut to the last ``MEMORY_TOKENS`` by langchain's
``trim_messages`` (whole turns, starting on a question): a conversation's memory is bounded, goes
when the session goes, and one agent (one endpoint setting) serves any number of sessions.

Anything that goes wrong on the model's side (endpoint down, slow, 5xx, a tool call that is not
valid JSON, a loop) raises ``LLMFailure`` with a short reason that never contains the key; the
assistant then answers the same question with the offline planner.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import yaml
from langchain.agents import create_agent
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage, HumanMessage, ToolMessage, trim_messages
from langchain_core.messages.utils import count_tokens_approximately
from langchain_openai import ChatOpenAI

from index.classes import LABELS
from spotting.llm.bounded_http import ReplyTooLarge
from spotting.types import Spot
from tools.query import Intent
from tools.toolbox import Toolbox

from .endpoint import PrivateAddress, endpoint_client
from .llm_tools import ToolResult, make_tools
from .plan import Plan
from .settings import LLMSettings

log = logging.getLogger(__name__)

RECURSION_LIMIT = 16  # graph steps per turn: about 7 tool calls
# A follow-up refers to the last answer or two; 4,000 tokens (~16 KB of text) hold the last two or three
# turns with their tool results, and bound what one conversation keeps on a server.
MEMORY_TOKENS = 4000
PROMPTS_FILE = Path(__file__).parent / "prompts" / "agent.yaml"


def system_prompt() -> str:
    """The agent's instructions, with the class list of ``index.classes``."""
    prompts = yaml.safe_load(PROMPTS_FILE.read_text(encoding="utf-8"))
    return prompts["system"].format(labels=", ".join(LABELS), examples=prompts["examples"]).strip()


class LLMFailure(Exception):
    """The model's side failed; ``reason`` is short, safe to show, and names no secret. ``down``: the
    endpoint could not be reached or did not answer in time (worth not asking again for a while)."""

    def __init__(self, reason: str, down: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason
        self.down = down


@dataclass
class Turn:
    """What one LLM turn produced, gathered while it streams."""

    text: str = ""
    calls: list[dict] = field(default_factory=list)
    results: list[ToolResult] = field(default_factory=list)
    messages: list[BaseMessage] = field(default_factory=list)  # the question and what the graph added

    @property
    def spots(self) -> list[Spot]:
        seen: dict[tuple, Spot] = {}
        for result in self.results:
            for spot in result.spots:
                seen.setdefault((spot.label, spot.half, spot.start, spot.end), spot)
        return sorted(seen.values(), key=lambda s: (s.half, s.start, s.label))

    @property
    def match_id(self) -> str | None:
        return next((r.match_id for r in reversed(self.results) if r.match_id), None)

    @property
    def video(self) -> Path | None:
        """The last highlight reel a tool wrote this turn."""
        return next((r.video for r in reversed(self.results) if r.video), None)

    def plan(self) -> Plan | None:
        """The last moments the tools listed as a planner plan, so planner follow-ups work after LLM turns."""
        result = next((r for r in reversed(self.results) if r.query is not None), None)
        if result is None:
            return None
        intent = Intent.REEL if result.video else Intent.SPOTS
        return Plan(intent, result.query)


def remember(memory: Sequence[BaseMessage], turn: Turn) -> list[BaseMessage]:
    """What a session keeps after ``turn``: its earlier messages and the turn's, tool artifacts dropped
    (the answer has the spots), cut to the last ``MEMORY_TOKENS`` in whole turns."""
    added = [m.model_copy(update={"artifact": None}) if isinstance(m, ToolMessage) else m for m in turn.messages]
    return trim_messages(
        [*memory, *added],
        max_tokens=MEMORY_TOKENS,
        token_counter=count_tokens_approximately,
        strategy="last",
        start_on="human",
    )


class LLMAgent:
    """One agent per endpoint setting, shared by sessions: it holds no conversation (see the module doc)."""

    def __init__(self, toolbox: Toolbox, settings: LLMSettings) -> None:
        self.settings = settings
        self.model = ChatOpenAI(
            model=settings.model,
            base_url=settings.base_url,
            api_key=settings.api_key,
            timeout=settings.timeout_s,
            max_retries=settings.max_retries,
            streaming=True,
            http_client=endpoint_client(settings),  # one deadline, capped bytes, public peers where asked
        )
        self.graph = create_agent(self.model, tools=make_tools(toolbox), system_prompt=system_prompt())

    def stream(self, question: str, memory: Sequence[BaseMessage] = (), context: str = "") -> Iterator[str | Turn]:
        """Text pieces as the model writes them, then the finished ``Turn`` (``memory``: the session's
        earlier messages, which the model reads first); ``LLMFailure`` on any failure."""
        content = f"{context}\n\nQuestion: {question}" if context else question
        turn = Turn(messages=[HumanMessage(content)])
        final = ""
        try:
            for mode, chunk in self.graph.stream(
                {"messages": [*memory, *turn.messages]},
                {"recursion_limit": RECURSION_LIMIT},
                stream_mode=["messages", "updates"],
            ):
                if mode == "messages":
                    piece = _text_piece(chunk)
                    if piece:
                        yield piece
                    continue
                final = self._collect(chunk, turn) or final
        except LLMFailure:
            raise
        except Exception as error:  # the boundary: whatever the client or graph raised becomes a fallback
            raise LLMFailure(_reason(error), down=_is_down(error)) from None
        if not final.strip():
            raise LLMFailure("the model gave no answer")
        turn.text = final.strip()
        yield turn

    def _collect(self, update: dict, turn: Turn) -> str:
        """Record tool calls and results of one graph update; the model's last words if it ended the turn."""
        final = ""
        for node in update.values():
            for message in (node or {}).get("messages", []):
                turn.messages.append(message)
                if isinstance(message, AIMessage):
                    if message.invalid_tool_calls:
                        raise LLMFailure("the model's tool call was malformed")
                    turn.calls += [{"name": c["name"], "args": dict(c["args"])} for c in message.tool_calls]
                    if not message.tool_calls:
                        final = _text(message.content)
                elif isinstance(message, ToolMessage) and isinstance(message.artifact, ToolResult):
                    turn.results.append(message.artifact)
        return final


def _text(content) -> str:
    if isinstance(content, str):
        return content
    return "".join(part.get("text", "") for part in content if isinstance(part, dict))


def _text_piece(chunk) -> str:
    message, metadata = chunk
    if isinstance(message, AIMessageChunk) and metadata.get("langgraph_node") == "model":
        return _text(message.content)
    return ""


def _is_down(error: Exception) -> bool:
    import openai

    # a timeout while streaming comes out of the stream itself, not wrapped by openai
    return isinstance(error, openai.APIConnectionError | httpx.TimeoutException)


def _reason(error: Exception) -> str:
    """A short, key-free reason for a failure, from the error's type (never its message)."""
    import openai
    from langgraph.errors import GraphRecursionError

    if isinstance(error, openai.APITimeoutError | httpx.TimeoutException):
        return "the endpoint did not answer in time"
    if isinstance(error, ReplyTooLarge) or isinstance(error.__cause__, ReplyTooLarge):
        return "the endpoint's reply was too long"
    if isinstance(error, PrivateAddress) or isinstance(error.__cause__, PrivateAddress):
        return "the endpoint is at a local or private address, which this server does not call"
    if isinstance(error, openai.APIConnectionError):
        return "the endpoint is unreachable"
    if isinstance(error, openai.AuthenticationError):
        return "the endpoint refused the API key"
    if isinstance(error, openai.APIStatusError):
        return f"the endpoint answered with error {error.status_code}"
    if isinstance(error, GraphRecursionError):
        return "the model kept calling tools without answering"
    log.warning("LLM agent failed with %s", type(error).__name__)
    return f"the model's reply could not be used ({type(error).__name__})"
