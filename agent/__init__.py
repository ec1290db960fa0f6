"""The conversation: an LLM tool-calling agent and an offline planner over the same tools."""
