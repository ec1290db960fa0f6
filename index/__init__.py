"""The match corpus: SoccerNet labels, SoccerNet-Echoes commentary, metadata, splits, chunks.

Import the modules themselves (``index.corpus``, ``index.types``, ``index.settings``…): the package
imports nothing, so a light one (the settings, the errors) costs only itself.
"""
