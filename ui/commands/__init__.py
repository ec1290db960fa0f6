"""Sub-commands of ``highlights``; each module has ``register(subparsers)``."""

from . import data

COMMAND_MODULES = (data,)
