"""Every setting a person can change, and every default more than one part of the project reads,
written once with the reason beside it.

It sits in ``index`` (the bottom layer) so that the CLI, the app, the tools, the spotters and the
evaluation all read the same values, and it imports the standard library only, so that
``highlights --help`` can show the defaults without loading a model. Each environment variable is
named here and read through ``env``; the app reads four more, Gradio's own ``GRADIO_SERVER_NAME`` and
``GRADIO_SERVER_PORT`` (``ui/app.py``) and Hugging Face Spaces' ``SYSTEM`` and ``SPACE_ID``
(``ui/access.py``). The defaults of one module alone stay in it (the LLM agent's model and timeout in
``agent/settings.py``, the recipe of the embedded model in ``spotting/embedded/config.py``), each
written once with its reason.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

# -- environment variables ------------------------------------------------------------------------
DATA_ENV = "HIGHLIGHTS_DATA"  # the data folder every command reads (else the shipped sample)
CACHE_ENV = "HIGHLIGHTS_CACHE"  # where derived data goes: the corpus cache, indexes, sentence vectors, replies, reels
ASR_MODEL_ENV = "HIGHLIGHTS_ASR_MODEL"  # the Whisper model `highlights add` transcribes with
LLM_MODEL_ENV = "HIGHLIGHTS_LLM_MODEL"  # the chat agent's model on the endpoint
LLM_TIMEOUT_ENV = "HIGHLIGHTS_LLM_TIMEOUT"  # seconds the chat agent waits for the endpoint
BASE_URL_ENV = "OPENAI_BASE_URL"  # the endpoint; the openai client's own names, so one export serves both
API_KEY_ENV = "OPENAI_API_KEY"  # its key (vLLM without --api-key takes any)
VIDEO_MODEL_ENV = "QWEN2VL_MODEL"  # the video spotter's model (name or folder)
VIDEO_BASE_URL_ENV = "QWEN2VL_BASE_URL"  # a vLLM endpoint serving it; unset: the model runs in this process
ENDPOINTS_ENV = "HIGHLIGHTS_ENDPOINTS"  # a public app's other allowed base URLs, comma separated; * any public host


def env(name: str, environ: Mapping[str, str] | None = None) -> str:
    """The variable ``name`` stripped of blanks; ``""`` when unset (an empty value counts as unset)."""
    return (os.environ if environ is None else environ).get(name, "").strip()


# -- the corpus -----------------------------------------------------------------------------------
SPLITS: tuple[str, ...] = ("train", "valid", "test", "challenge")  # SoccerNet's official splits: every --split

# Commentary search: 20-s windows back to back find key moments as often as 60-s chunks and as 10-s
# strides, at half the build time, size and memory of overlapping ones (docs/retrieval.md).
SEARCH_WINDOW_S = 20.0

ECHOES_URL = "https://github.com/SoccerNet/sn-echoes.git"  # `highlights data download`: Echoes' own repository
DOWNLOAD_SPLITS: tuple[str, ...] = ("train", "valid")  # the labelled splits (SoccerNet keeps the test labels back)

# -- the metrics, and the intervals every spotter shows --------------------------------------------
# A ground-truth event at t is the window [t - 7.5 s, t + 7.5 s] (the research's 15-s interval). The
# spotters show a spot as the same window, the prompts teach it, the labels are drawn as it.
DEFAULT_HALF_WIDTH_S = 7.5
DEFAULT_IOU = 0.5  # a predicted interval is a hit at IoU >= 0.5: two 15-s windows <= 5 s apart

# Spotting is judged with 5-fold cross-validation by game on the 100 labelled valid games (the test
# split is held out): 80 games to learn from, 20 to score, every game scored once.
N_FOLDS = 5

# -- the assistant --------------------------------------------------------------------------------
# A question longer than this is pasted text, not a question: the planner refuses it with its length
# and the app's box stops there, so both say the same thing about the same question.
MAX_QUESTION_CHARS = 2000

# The matches whose answers a server keeps in memory, the ones used last (each 0.9-2.7 MB with its
# attribution, measured by benchmarks/bench_load.py; spotting one again takes 1-3 s): 200 hold at most
# ~500 MB beside the 1.1 GB of the loaded corpus, so a server on all 550 games stays under 2 GB.
SPOTTED_MATCHES = 200

DEFAULT_BACKEND = "embedded"  # the offline commentary model: no key, no GPU, no network, the best scores here
FALLBACK_BACKEND = "keywords"  # when the embedded model's files are missing: the hand-set lexicon needs none
# Seconds shown before and after each moment of a reel (the CLI's `clip`, the chat's "make me a reel"):
# a cut that starts on the action is hard to follow; 2 s shows the build-up and keeps a 10-goal reel short.
REEL_PADDING_S = 2.0

# -- your own match (`highlights add`) --------------------------------------------------------------
# Whisper-base: 74 M parameters, a 45-minute half in about a minute here (real-time factor 0.03 with
# int8); a larger name ("small", "large-v3") transcribes and translates better at 3-20x the time.
DEFAULT_ASR_MODEL = "base"


def asr_model(chosen: str = "") -> str:
    """The Whisper model: ``chosen``, else ``$HIGHLIGHTS_ASR_MODEL``, else Whisper-base."""
    return chosen or env(ASR_MODEL_ENV) or DEFAULT_ASR_MODEL
