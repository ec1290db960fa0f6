"""Spotting on the match video: Qwen2-VL over 1-minute chunks (local transformers or vLLM)."""
