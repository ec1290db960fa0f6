"""The conversation: an LLM tool-calling agent and an offline planner over the same tools."""

from .assistant import Assistant
from .session import Answer, Session
from .settings import LLMSettings

__all__ = ["Answer", "Assistant", "LLMSettings", "Session"]
