"""The real Whisper-base on a spoken commentary script (opt-in: ``pytest -m whisper_base`` with
``$HIGHLIGHTS_WHISPER_BASE`` set to the folder ``benchmarks/whisper_base.py`` assembles; needs espeak-ng).

Words matter here, so the tiny random model cannot stand in: a goal passage, a card and a
substitution are spoken over crowd noise, added with ``highlights add``'s code, and asked for
through the assistant; Esperanto, a language Whisper does not know, is refused with a way out."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest
from recordings import espeak_available, place, speak, write_recording

from agent import Assistant
from index.add_match import AddRequest, add_match
from index.corpus import SAMPLE_ROOT, load_corpus
from index.errors import HighlightsError
from index.own_match import NewMatch
from index.transcribe import AsrSettings
from spotting.registry import SPOTTER_TEXT
from ui.adding import load_added

FOLDER = os.environ.get("HIGHLIGHTS_WHISPER_BASE", "")
if not FOLDER or not (Path(FOLDER) / "model.bin").is_file():
    pytest.skip(
        "no Whisper-base folder: set HIGHLIGHTS_WHISPER_BASE (python benchmarks/whisper_base.py makes one)",
        allow_module_level=True,
    )
if not espeak_available():
    pytest.skip("espeak-ng is not installed (apt-get install espeak-ng)", allow_module_level=True)

pytestmark = [pytest.mark.whisper_base, pytest.mark.slow]
GOAL = [
    "Goal! Arsenal have scored! Saka cuts inside and curls it into the far corner.",
    "What a finish from Bukayo Saka. The keeper had no chance.",
    "That is his fifth goal of the season, and Arsenal lead one nil.",
    "A brilliant goal, and the home crowd loves it.",
]
FILLER = "Arsenal keep the ball at the back, no hurry. Chelsea press high, but Arsenal play through them."


def _passage(start: float, lines: list[str], voice: str = "en") -> list[tuple[float, object]]:
    out, t = [], start
    for line in lines:
        clip = speak(line, voice)
        out.append((t, clip))
        t += len(clip) / 16000 + 1.0
    return out


def test_scripted_moments_come_back_through_the_assistant(tmp_path):
    half1 = [*_passage(100.0, GOAL), *((t, speak(FILLER)) for t in (10, 40, 70, 170, 200, 240))]
    half2 = [*_passage(60.0, ["That is a yellow card. The referee books Caicedo for the late tackle."]),
             *_passage(150.0, ["A substitution for Arsenal. Trossard comes on, and Martinelli goes off."]),
             *((t, speak(FILLER)) for t in (10, 100, 200, 240))]  # fmt: skip
    files = (
        write_recording(tmp_path / "1.mp4", place(half1, 270)),
        write_recording(tmp_path / "2.m4a", place(half2, 270), False),
    )
    new = NewMatch("Arsenal", "Chelsea", dt.date(2024, 10, 5), score=(1, 0))
    added = add_match(tmp_path / "data", AddRequest(new, recordings=files, asr=AsrSettings(model=FOLDER)))
    assert added.languages == {1: "en", 2: "en"}
    corpus = load_corpus(SAMPLE_ROOT, text=SPOTTER_TEXT)
    assistant = Assistant(corpus)
    corpus.add(load_added(tmp_path / "data", added))
    for question, label, half, at in [("all the goals", "Goal", 1, 100.0), ("all the cards", "Yellow card", 2, 60.0),
                                      ("all the substitutions", "Substitution", 2, 150.0)]:  # fmt: skip
        session = assistant.new_session()
        session.match_id = added.game_id
        answer = assistant.ask(question, session)
        assert any(
            s.label == label and s.half == half and abs(s.position_ms / 1000 - at) <= 30 for s in answer.spots
        ), answer.text


def test_a_language_whisper_does_not_know_is_refused(tmp_path):
    text = "Golo! La hejma teamo trafis, kia bela ŝoto. La arbitro montras flavan karton al la defendanto."
    audio = place([(t, speak(text, "eo")) for t in (1, 20, 40, 60)], 80)
    files = (write_recording(tmp_path / "1.m4a", audio, False), write_recording(tmp_path / "2.m4a", audio, False))
    new = NewMatch("A", "B", dt.date(2024, 10, 5))
    with pytest.raises(HighlightsError, match=r"cannot tell the commentary's language.*--language"):
        add_match(tmp_path / "data", AddRequest(new, recordings=files, asr=AsrSettings(model=FOLDER)))
