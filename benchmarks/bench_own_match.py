"""Own match benchmark: a generated match recording through ``highlights add`` and the assistant.

The commentary script (benchmarks/data/own_match_script.yaml: goals, cards and substitutions at known
times, filler commentary between them) is spoken by espeak-ng over crowd-like noise and written as
  - en: two half files (MP4 with a small picture), English;
  - es: one whole-match file (M4A audio) with a 15-minute half-time break, Spanish (so the break is
    found, and Whisper's translate task runs).
Each is added with the real Whisper-base (benchmarks/whisper_base.py), timed (real-time factor =
transcription seconds / recording seconds), then asked for "all the goals", "all the cards" and "all
the substitutions" by ``agent.Assistant`` over the shipped sample plus the new match (added at run time
with ``Corpus.add``). A scripted event is found when a spot of its class is in its half within 30 s.
For Spanish, the spotter also runs on the original text alone and on the translation alone.

    python benchmarks/bench_own_match.py [--model DIR] [--minutes 45] [--languages en,es] [--sequential]
Needs espeak-ng (apt-get install espeak-ng). Prints tables; writes benchmarks/results/own_match.json.
"""

from __future__ import annotations

import argparse
import json
import platform
import random
import resource
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

import numpy as np
import yaml
from rich.console import Console
from rich.table import Table

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parent), str(HERE.parent / "tests"), str(HERE)]

from recordings import espeak_available, place, speak, write_recording  # noqa: E402
from whisper_base import model_folder  # noqa: E402

from agent import Assistant  # noqa: E402
from index.add_match import add_match  # noqa: E402
from index.atomic import atomic_write_text  # noqa: E402
from index.clock import parse_clock  # noqa: E402
from index.corpus import SAMPLE_ROOT, load_corpus, load_match  # noqa: E402
from index.echoes import TextChoice  # noqa: E402
from index.media import SAMPLE_RATE  # noqa: E402
from index.own_match import read_record  # noqa: E402
from index.transcribe import MIN_LANGUAGE_PROBABILITY, AsrSettings  # noqa: E402
from spotting.registry import SPOTTER_TEXT  # noqa: E402
from tools.spots import answer_policy  # noqa: E402
from tools.toolbox import default_spotter  # noqa: E402
from ui.adding import add_request, new_match  # noqa: E402

SCRIPT = HERE / "data" / "own_match_script.yaml"
OUT = HERE / "results" / "own_match.json"
WITHIN_S = 30.0
BREAK_S = 15 * 60
QUESTIONS = {"Goal": "all the goals", "Yellow card": "all the cards", "Substitution": "all the substitutions"}
CARDS = ("Yellow card", "Red card", "Yellow->red card")
QUIET_S = 20.0  # no filler line this close to an event line


def half_tracks(script: dict, language: str, minutes: float, seed: int) -> dict[int, tuple[np.ndarray, list]]:
    """Each half's audio and its events as (seconds, label), spoken in ``language``."""
    rng = random.Random(seed)
    seconds = minutes * 60
    tracks = {}
    for half in (1, 2):
        events = [
            (parse_clock(e["time"], "script"), e["label"], e[language]) for e in script["events"] if e["half"] == half
        ]
        events = [e for e in events if e[0] < seconds - 60]
        lines, busy = [], []
        for t, _, texts in events:  # an event's lines one after the other, from its time
            start = t
            for text in texts:
                clip = speak(text, language)
                lines.append((start, clip))
                start += len(clip) / SAMPLE_RATE + 1.0
            busy.append((t - QUIET_S, start + 5.0))
        low, high = script["filler_every_s"]
        t = rng.uniform(3, low)
        while t < seconds - 10:
            if not any(a <= t <= b for a, b in busy):
                lines.append((t, speak(rng.choice(script["filler"][language]), language)))
            t += rng.uniform(low, high)
        tracks[half] = (place(lines, seconds, seed=seed + half), [(t, label) for t, label, _ in events])
    return tracks


def found(spots: list, events: list[tuple[int, float, str]]) -> dict:
    """Scripted events matched one-to-one by spots of their class, same half, within 30 s."""
    used: set[int] = set()
    hits = 0
    for half, t, label in events:
        group = CARDS if label in CARDS else (label,)
        near = [
            (abs(s.position_ms / 1000 - t), i)
            for i, s in enumerate(spots)
            if i not in used and s.half == half and s.label in group and abs(s.position_ms / 1000 - t) <= WITHIN_S
        ]
        if near:
            used.add(min(near)[1])
            hits += 1
    return {"events": len(events), "found": hits, "spots": len(spots), "extra": len(spots) - len(used)}


def ask_assistant(match_id: str, data_root: Path, events: list) -> dict:
    """The real assistant path: the sample corpus, the new match added at run time, three questions."""
    corpus = load_corpus(SAMPLE_ROOT, text=SPOTTER_TEXT)
    assistant = Assistant(corpus)
    corpus.add(load_match(data_root, match_id, text=SPOTTER_TEXT))
    results = {}
    for label, question in QUESTIONS.items():
        session = assistant.new_session()
        session.match_id = match_id
        answer = assistant.ask(question, session)
        group = CARDS if label == "Yellow card" else (label,)
        wanted = [e for e in events if e[2] in group]
        results[label] = found([s for s in answer.spots if s.label in group], wanted)
    return results


def spot_by_text(match_id: str, data_root: Path, events: list) -> dict:
    """The spotter on each text of the match: original, translation, both."""
    spotter = default_spotter()
    out = {}
    for choice in (TextChoice.ORIGINAL, TextChoice.ENGLISH, TextChoice.ALL):
        match = load_match(data_root, match_id, text=choice)
        if choice is TextChoice.ENGLISH:  # the translation alone (ENGLISH falls back to the original)
            match = replace(
                match,
                segments={h: tuple(s for s in segs if s.source.endswith("_en")) for h, segs in match.segments.items()},
            )
        spots = answer_policy(spotter).answer(match, spotter.spot(match)).spots  # what an answer keeps
        out[choice.value] = {
            label: found([s for s in spots if s.label in (CARDS if label == "Yellow card" else (label,))],
                         [e for e in events if e[2] in (CARDS if label == "Yellow card" else (label,))])
            for label in QUESTIONS
        }  # fmt: skip
    return out


def run_language(script: dict, language: str, args: argparse.Namespace, work: Path) -> dict:
    tracks = half_tracks(script, language, args.minutes, seed=7 if language == "en" else 11)
    files: list[Path]
    if language == "en":
        files = [write_recording(work / f"{language}_{h}.mp4", tracks[h][0], video=True) for h in (1, 2)]
    else:
        gap = place([], BREAK_S, seed=99, noise=0.05)
        files = [
            write_recording(
                work / f"{language}_match.m4a", np.concatenate([tracks[1][0], gap, tracks[2][0]]), video=False
            )
        ]
    seconds = sum(len(tracks[h][0]) for h in (1, 2)) / SAMPLE_RATE + (0 if language == "en" else BREAK_S)
    match, _ = new_match(script["teams"], script["date"], script["score"], None)
    # Whisper-base's detection of espeak-ng's Spanish voice depends on the words (es 0.81 on the detection
    # paragraph, Latin 0.28 on another): the language is given, as a user who knows it would
    language_given = None if language == "en" else language
    asr = AsrSettings(model=str(args.model), batched=not args.sequential, language=language_given, translate=True)
    data_root = work / f"data_{language}"
    started = time.perf_counter()
    added = add_match(data_root, add_request(match, files, asr=asr), say=lambda text: None)
    took = time.perf_counter() - started
    record = read_record(data_root, added.game_id)
    second_half = record["second_half_at"] or 0.0
    true_start = len(tracks[1][0]) / SAMPLE_RATE + BREAK_S if language != "en" else 0.0
    events = [(h, t, label) for h in (1, 2) for t, label in tracks[h][1]]
    if language != "en":  # the half-2 clock starts where the break was found, not where it truly ended
        events = [(h, t + (true_start - second_half if h == 2 else 0.0), label) for h, t, label in events]
    result = {
        "files": [f.name for f in files],
        "recording_s": seconds,
        "add_s": round(took, 1),
        "real_time_factor": round(took / seconds, 4),
        "passes": 1 if language == "en" else 2,
        "languages": added.languages,
        "second_half_found_at": second_half,
        "second_half_true_start": true_start,
        "assistant": ask_assistant(added.game_id, data_root, events),
    }
    if language != "en":
        result["spotter_by_text"] = spot_by_text(added.game_id, data_root, events)
    return result


def detection(script: dict, model: Path) -> dict:
    """What Whisper-base says the language of each scripted paragraph is (the add's own rule decides)."""
    from index.transcribe import LANGUAGE_SEGMENTS, load_model

    out = {}
    for voice, text in script["detection"].items():
        audio = place([(1.0, speak(text, voice)), (16.0, speak(text, voice))], 32.0, seed=5)
        _, info = load_model(str(model)).transcribe(
            audio, vad_filter=True, language_detection_segments=LANGUAGE_SEGMENTS
        )
        out[voice] = {"detected": info.language, "probability": round(info.language_probability, 3),
                      "guesses": [[code, round(p, 3)] for code, p in info.all_language_probs[:3]]}  # fmt: skip
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument(
        "--model", help="faster-whisper Whisper-base folder (default: $HIGHLIGHTS_WHISPER_BASE or assembled)"
    )
    parser.add_argument("--minutes", type=float, default=45.0, help="length of each half")
    parser.add_argument("--languages", default="en,es")
    parser.add_argument("--sequential", action="store_true", help="faster-whisper's sequential pipeline")
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--keep", type=Path, help="keep the recordings and data folders here (default: deleted)")
    args = parser.parse_args()
    if not espeak_available():
        raise SystemExit("needs espeak-ng: apt-get install -y espeak-ng")
    args.model = model_folder(args.model)
    script = yaml.safe_load(SCRIPT.read_text(encoding="utf-8"))
    results = {}
    languages = detection(script, args.model)
    with tempfile.TemporaryDirectory(prefix="bench-own-") as tmp:
        work = args.keep or Path(tmp)
        for language in args.languages.split(","):
            results[language] = run_language(script, language, args, work)
    report = {
        "machine": {"cpus": len(__import__("os").sched_getaffinity(0)), "python": platform.python_version()},
        "model": "whisper-base (CTranslate2, int8)",
        "batched": not args.sequential,
        "half_minutes": args.minutes,
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "language_detection": languages,
        "results": results,
    }
    atomic_write_text(args.out, json.dumps(report, indent=2, ensure_ascii=False) + "\n")
    show(report)


def show(report: dict) -> None:
    console = Console()
    speed = Table(title=f"Adding a match: {report['model']}, batched={report['batched']}")
    for column in ("recording", "length", "Whisper passes", "add took", "real-time factor", "2nd half found at"):
        speed.add_column(column, justify="right")
    for language, r in report["results"].items():
        found_at = (
            f"{r['second_half_found_at']:.0f} s (true {r['second_half_true_start']:.0f} s)" if language != "en" else "-"
        )
        speed.add_row(f"{language}: {', '.join(r['files'])}", f"{r['recording_s'] / 60:.0f} min", str(r["passes"]),
                      f"{r['add_s']:.0f} s", f"{r['real_time_factor']:.3f}", found_at)  # fmt: skip
    console.print(speed)
    quality = Table(title="Scripted moments found within 30 s by the assistant (found/scripted, extra spots)")
    quality.add_column("recording")
    for label in QUESTIONS:
        quality.add_column(QUESTIONS[label], justify="right")
    for language, r in report["results"].items():
        cells = [f"{v['found']}/{v['events']}, +{v['extra']}" for v in r["assistant"].values()]
        quality.add_row(language, *cells)
        for text, by_class in r.get("spotter_by_text", {}).items():
            quality.add_row(
                f"  {language} spotter on {text}",
                *[f"{v['found']}/{v['events']}, +{v['extra']}" for v in by_class.values()],
            )
    console.print(quality)
    detected = Table(title=f"Language detection (the add stops below {MIN_LANGUAGE_PROBABILITY})")
    for column in ("espeak-ng voice", "detected", "probability", "best guesses"):
        detected.add_column(column)
    for voice, d in report["language_detection"].items():
        detected.add_row(
            voice, d["detected"], f"{d['probability']:.2f}", ", ".join(f"{c} {p:.2f}" for c, p in d["guesses"])
        )
    console.print(detected)
    console.print(f"peak RSS {report['peak_rss_mb']} MB")


if __name__ == "__main__":
    main()
