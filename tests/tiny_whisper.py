"""A tiny random-weight Whisper in faster-whisper's format, built on the spot for CPU tests.

transformers' ``WhisperForConditionalGeneration`` with a small config (d_model 64, 2 + 2 layers)
and OpenAI's real multilingual tokenizer (``tests/data/whisper-tokenizer.json.xz``, 51,865 tokens,
MIT), converted by CTranslate2's own ``TransformersConverter``: the code path of the real model, in
a 7.5 MB folder and half a second, with nothing downloaded. Its words are noise, so tests check
the plumbing (files, times, errors), and ``-m whisper_base`` checks the words with the real model.
"""

from __future__ import annotations

import lzma
import shutil
from pathlib import Path

import torch
from transformers import GenerationConfig, WhisperConfig, WhisperForConditionalGeneration

TOKENIZER = Path(__file__).resolve().parent / "data" / "whisper-tokenizer.json.xz"
EOT, START, FIRST_LANGUAGE, NO_TIMESTAMPS = 50257, 50258, 50259, 50363
LANGUAGES = ("en", "zh", "de", "es", "ru", "ko", "fr", "ja", "pt", "tr")  # Whisper's order: ids 50259...


def tiny_whisper(folder: Path, seed: int = 0) -> Path:
    """Build the tiny model into ``folder/ct2`` (once) and return that folder."""
    import ctranslate2

    target = folder / "ct2"
    if (target / "model.bin").is_file():
        return target
    torch.manual_seed(seed)
    config = WhisperConfig(
        vocab_size=51865,
        num_mel_bins=80,
        d_model=64,
        encoder_layers=2,
        decoder_layers=2,
        encoder_attention_heads=2,
        decoder_attention_heads=2,
        encoder_ffn_dim=128,
        decoder_ffn_dim=128,
        decoder_start_token_id=START,
        eos_token_id=EOT,
        pad_token_id=EOT,
        bos_token_id=EOT,
        begin_suppress_tokens=[220, EOT],
    )
    model = WhisperForConditionalGeneration(config)
    model.generation_config = GenerationConfig(
        decoder_start_token_id=START,
        eos_token_id=EOT,
        pad_token_id=EOT,
        no_timestamps_token_id=NO_TIMESTAMPS,
        alignment_heads=[[1, 0], [1, 1]],
        is_multilingual=True,
        lang_to_id={f"<|{code}|>": FIRST_LANGUAGE + i for i, code in enumerate(LANGUAGES)},
    )
    source = folder / "hf"
    model.save_pretrained(source)
    (source / "tokenizer.json").write_bytes(lzma.decompress(TOKENIZER.read_bytes()))
    ctranslate2.converters.TransformersConverter(str(source), copy_files=["tokenizer.json"]).convert(
        str(target), quantization="int8", force=True
    )
    shutil.rmtree(source)
    return target
