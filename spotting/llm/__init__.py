"""LLM spotters over commentary: prompts, reply parsing, OpenAI-compatible endpoints (OpenAI,
vLLM) and local transformers."""
