"""Fine-tuning the LLM spotters: SFT data from the corpus's chunks, LoRA/QLoRA training with
transformers + peft, evaluation with the project's own metrics, and adapters that vLLM serves.

Heavy libraries (peft, datasets, bitsandbytes) are imported by the modules that need them, so
importing this package costs nothing.
"""
