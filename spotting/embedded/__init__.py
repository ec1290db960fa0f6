"""The embedded commentary spotter: the offline, CPU default back end (see docs/embedded.md).

``config`` (the training recipe, the shipped model's folder) imports without torch; ``spotter``
(``EmbeddedSpotter``), ``training`` (``train_model``, ``fit``) and ``artifact`` load it.
"""
