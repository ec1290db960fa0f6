"""Sub-commands of ``highlights``; each module has ``register(subparsers)``."""

from . import add, assistant, clip, data, evaluate, finetune, index_cmd, serve, spot, train

COMMAND_MODULES = (data, add, evaluate, clip, index_cmd, assistant, finetune, serve, spot, train)
