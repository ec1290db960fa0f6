"""Model inputs for Qwen2-VL from a chunk's frames, without torchvision.

transformers 5 prepares Qwen2-VL videos with ``Qwen2VLVideoProcessor``, which needs torchvision;
the PyPI torchvision wheel does not load beside a CPU-only torch. When the official processor
loads it is used; otherwise this module does the same steps in numpy, with the model's own image
processor settings: frames at a size that is a multiple of ``patch_size * merge_size`` (the
processor's ``smart_resize``), rescaled and normalised, cut into ``temporal_patch_size`` x
``patch_size`` x ``patch_size`` patches in the order the vision tower expects, and the prompt's
video placeholder expanded to one token per merged patch.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch

VIDEO_TOKEN = "<|video_pad|>"
VIDEO_TOKEN_TYPE = 2  # mm_token_type_ids: 0 text, 1 image, 2 video


def frame_size(image_processor: Any, width: int, height: int) -> tuple[int, int]:
    """(width, height) the processor would resize a ``width`` x ``height`` frame to."""
    from transformers.models.qwen2_vl.image_processing_pil_qwen2_vl import smart_resize

    size = image_processor.size
    factor = image_processor.patch_size * image_processor.merge_size
    new_height, new_width = smart_resize(
        height, width, factor=factor, min_pixels=size["shortest_edge"], max_pixels=size["longest_edge"]
    )
    return new_width, new_height


def video_patches(frames: np.ndarray, image_processor: Any) -> tuple[np.ndarray, tuple[int, int, int]]:
    """``pixel_values_videos`` and ``(grid_t, grid_h, grid_w)`` for RGB frames (T, H, W, 3) whose
    size is already a multiple of ``patch_size * merge_size``."""
    patch, merge, temporal = image_processor.patch_size, image_processor.merge_size, image_processor.temporal_patch_size
    count, height, width, channels = frames.shape
    if height % (patch * merge) or width % (patch * merge):
        raise ValueError(f"frame size {width}x{height} is not a multiple of {patch * merge}")
    mean = np.asarray(image_processor.image_mean, dtype=np.float32)
    std = np.asarray(image_processor.image_std, dtype=np.float32)
    video = (frames.astype(np.float32) * np.float32(image_processor.rescale_factor) - mean) / std
    video = video.transpose(0, 3, 1, 2)  # T, C, H, W
    if pad := -count % temporal:
        video = np.concatenate([video, np.repeat(video[-1:], pad, axis=0)])
    grid_t, grid_h, grid_w = video.shape[0] // temporal, height // patch, width // patch
    patches = video.reshape(grid_t, temporal, channels, grid_h // merge, merge, patch, grid_w // merge, merge, patch)
    # (t, h-blocks, w-blocks, merge rows, merge columns, channel, time, patch rows, patch columns)
    patches = patches.transpose(0, 3, 6, 4, 7, 2, 1, 5, 8)
    flat = patches.reshape(grid_t * grid_h * grid_w, channels * temporal * patch * patch)
    return np.ascontiguousarray(flat), (grid_t, grid_h, grid_w)


def build_inputs(text: str, frames: np.ndarray, tokenizer: Any, image_processor: Any) -> dict[str, torch.Tensor]:
    """Everything ``Qwen2VLForConditionalGeneration.generate`` needs for one prompt with one video."""
    patches, grid = video_patches(frames, image_processor)
    tokens = int(np.prod(grid)) // image_processor.merge_size**2
    if text.count(VIDEO_TOKEN) != 1:
        raise ValueError(f"the prompt must hold one {VIDEO_TOKEN}, found {text.count(VIDEO_TOKEN)}")
    expanded = text.replace(VIDEO_TOKEN, VIDEO_TOKEN * tokens)
    encoded = tokenizer([expanded], return_tensors="pt", add_special_tokens=False)
    video_id = tokenizer.convert_tokens_to_ids(VIDEO_TOKEN)
    return {
        "input_ids": encoded["input_ids"],
        "attention_mask": encoded["attention_mask"],
        "mm_token_type_ids": (encoded["input_ids"] == video_id).long() * VIDEO_TOKEN_TYPE,
        "pixel_values_videos": torch.from_numpy(patches),
        "video_grid_thw": torch.tensor([grid], dtype=torch.long),
    }
