"""Sub-commands of ``highlights``; each module has ``register(subparsers)``, which imports nothing
heavy (the command imports what it needs when it runs)."""

from . import add, assistant, bench, clip, data, evaluate, finetune, index_cmd, serve, spot, train

COMMAND_MODULES = (data, add, evaluate, bench, clip, index_cmd, assistant, finetune, serve, spot, train)
