"""Spotters: turn a chunk or a half of commentary (and/or video) into Spots."""
