"""Hugging Face Spaces entry point: the highlights chat app on the shipped sample matches.

Spaces runs ``python app.py`` with ``GRADIO_SERVER_NAME=0.0.0.0`` and ``SYSTEM=spaces``: the app then
runs public (``ui.access``, ``ui.limits.PUBLIC``); locally it serves privately on 127.0.0.1:7860.
Set ``HIGHLIGHTS_DATA`` to serve another data folder.
"""

from ui.app import create_app, launch

demo = create_app()

if __name__ == "__main__":
    launch(demo)
