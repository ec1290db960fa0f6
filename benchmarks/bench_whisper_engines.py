"""Which engine runs Whisper on the CPU: transformers (PyTorch) or CTranslate2 (faster-whisper's)?

Only Whisper-base in CTranslate2 format can be had here (no transformers checkpoint), so both engines
run the *same random weights* of Whisper-base's shape (d_model 512, 6 + 6 layers, 51,865 tokens): what
is timed is the engine, not the words. One 30-s window: the encoder, then exactly ``--tokens`` greedy
decoding steps (end-of-text suppressed; 100 tokens is about what 30 s of commentary gives).
Each engine on 2 threads; CTranslate2 in float32 and int8, PyTorch in float32 and with dynamic int8
quantization of its linear layers.

    python benchmarks/bench_whisper_engines.py [--tokens 100] [--repeats 3]
Prints a table and writes benchmarks/results/whisper_engines.json.
"""

from __future__ import annotations

import argparse
import json
import lzma
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import torch
from rich.console import Console
from rich.table import Table

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parent), str(HERE.parent / "tests")]

from recordings import place, shipped_speech  # noqa: E402
from tiny_whisper import EOT, START, TOKENIZER  # noqa: E402

from index.atomic import atomic_write_text  # noqa: E402

OUT = HERE / "results" / "whisper_engines.json"
EN, TRANSCRIBE, NO_TIMESTAMPS = 50259, 50359, 50363
THREADS = 2


def base_shaped(folder: Path) -> tuple[Path, Path]:
    """A random Whisper-base-shaped model saved for transformers, and converted for CTranslate2."""
    import ctranslate2
    from transformers import WhisperConfig, WhisperForConditionalGeneration

    torch.manual_seed(0)
    config = WhisperConfig(
        vocab_size=51865, num_mel_bins=80, d_model=512, encoder_layers=6, decoder_layers=6,
        encoder_attention_heads=8, decoder_attention_heads=8, encoder_ffn_dim=2048, decoder_ffn_dim=2048,
        decoder_start_token_id=START, eos_token_id=EOT, pad_token_id=EOT, bos_token_id=EOT,
    )  # fmt: skip
    model = WhisperForConditionalGeneration(config)
    model.generation_config.alignment_heads = [[5, 0]]
    hf = folder / "hf"
    model.save_pretrained(hf)
    (hf / "tokenizer.json").write_bytes(lzma.decompress(TOKENIZER.read_bytes()))
    ct2 = folder / "ct2"
    ctranslate2.converters.TransformersConverter(str(hf), copy_files=["tokenizer.json"]).convert(str(ct2))
    return hf, ct2


def features() -> np.ndarray:
    from faster_whisper.feature_extractor import FeatureExtractor

    audio = place([(1.0, shipped_speech()), (12.0, shipped_speech()), (22.0, shipped_speech())], 30.0)
    return FeatureExtractor()(audio)[:, :3000].astype(np.float32)  # (80, 3000): one 30-s window


def time_it(run, repeats: int) -> float:
    run()  # warm up
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        run()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def ctranslate2_runs(folder: Path, mel: np.ndarray, tokens: int, repeats: int) -> dict[str, float]:
    import ctranslate2

    out = {}
    for compute in ("float32", "int8"):
        model = ctranslate2.models.Whisper(str(folder), device="cpu", compute_type=compute, intra_threads=THREADS)
        view = ctranslate2.StorageView.from_array(mel[None])
        prompt = [[START, EN, TRANSCRIBE, NO_TIMESTAMPS]]

        def run(model=model, view=view, prompt=prompt):
            model.generate(view, prompt, beam_size=1, max_length=tokens + 4, suppress_tokens=[-1, EOT])

        out[f"CTranslate2 {compute}"] = time_it(run, repeats)
    return out


def transformers_runs(folder: Path, mel: np.ndarray, tokens: int, repeats: int) -> dict[str, float]:
    from transformers import WhisperForConditionalGeneration

    torch.set_num_threads(THREADS)
    model = WhisperForConditionalGeneration.from_pretrained(folder).eval()
    inputs = torch.from_numpy(mel[None])
    prompt = torch.tensor([[START, EN, TRANSCRIBE, NO_TIMESTAMPS]])
    out = {}
    for name, candidate in (("float32", model), ("dynamic int8", _quantized(model))):

        def run(candidate=candidate):
            with torch.inference_mode():
                candidate.generate(
                    inputs, decoder_input_ids=prompt, max_new_tokens=tokens, min_new_tokens=tokens, do_sample=False,
                    num_beams=1, suppress_tokens=[EOT], begin_suppress_tokens=None,
                )  # fmt: skip

        out[f"transformers {name}"] = time_it(run, repeats)
    return out


def _quantized(model):
    return torch.ao.quantization.quantize_dynamic(model, {torch.nn.Linear}, dtype=torch.qint8)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tokens", type=int, default=100)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    mel = features()
    with tempfile.TemporaryDirectory(prefix="bench-engines-") as tmp:
        hf, ct2 = base_shaped(Path(tmp))
        seconds = {
            **ctranslate2_runs(ct2, mel, args.tokens, args.repeats),
            **transformers_runs(hf, mel, args.tokens, args.repeats),
        }
    report = {
        "threads": THREADS,
        "tokens": args.tokens,
        "window_s": 30,
        "seconds_per_window": {k: round(v, 3) for k, v in seconds.items()},
        "real_time_factor": {k: round(v / 30, 4) for k, v in seconds.items()},
    }
    atomic_write_text(args.out, json.dumps(report, indent=2) + "\n")
    table = Table(title=f"One 30-s window of Whisper-base's shape, {args.tokens} tokens, {THREADS} threads")
    for column in ("engine", "seconds", "real-time factor", "vs fastest"):
        table.add_column(column, justify="right")
    fastest = min(seconds.values())
    for name, value in sorted(seconds.items(), key=lambda kv: kv[1]):
        table.add_row(name, f"{value:.2f}", f"{value / 30:.3f}", f"{value / fastest:.1f}x")
    Console().print(table)


if __name__ == "__main__":
    main()
