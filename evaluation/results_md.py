"""``docs/results.md``: the benchmark table, made from the per-back-end JSON that ``highlights bench``
stores, so a row stays until its back end is benchmarked again."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

from index.atomic import atomic_write_text
from index.classes import LABELS
from index.errors import HighlightsError
from index.jsonfile import read_json
from index.settings import DEFAULT_HALF_WIDTH_S, DEFAULT_IOU

RESEARCH_BEST_F1 = 0.114
RESEARCH_APPROACHES = "fine-tuned Qwen2-VL-2B-AWQ on video; Mistral-7B zero/few-shot; Mistral-7B LoRA; o4-mini"


def result_path(results_dir: Path, split: str, backend: str) -> Path:
    return Path(results_dir) / f"bench_{split}_{backend}.json"


def policy_path(results_dir: Path, split: str, backend: str) -> Path:
    """The answer policy fitted on a run's out-of-fold spots: ``highlights train --answers FILE`` ships it."""
    return Path(results_dir) / f"answers_{split}_{backend}.json"


def save_result(results_dir: Path, result: dict) -> Path:
    path = result_path(results_dir, result["split"], result["backend"])
    atomic_write_text(path, json.dumps(result, indent=1, ensure_ascii=False) + "\n")
    if "answer_policy" in result:
        policy = json.dumps(result["answer_policy"], indent=1) + "\n"
        atomic_write_text(policy_path(results_dir, result["split"], result["backend"]), policy)
    return path


def load_results(results_dir: Path, split: str) -> list[dict]:
    """Every stored back-end result of ``split``, by back end name."""
    results = []
    for path in sorted(Path(results_dir).glob(f"bench_{split}_*.json")):
        data = read_json(path)
        if not isinstance(data, dict) or not {"backend", "overall", "per_fold", "command"} <= set(data):
            raise HighlightsError("not a stored benchmark result", path)
        results.append(data)
    return results


def _f(value: float, digits: int = 3) -> str:
    return f"{value:.{digits}f}"


def _main_table(results: Sequence[dict]) -> list[str]:
    lines = [
        "| back end | games | loose a-mAP % | tight a-mAP % | interval P | interval R | interval F1 | F1 (any overlap) "
        "| reproduced by |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for r in results:
        o, iv = r["overall"], r["overall"]["interval"]
        trained = f", {r['folds']}-fold CV" if r["trained"] else ""
        lines.append(
            f"| {r['backend']}{trained} | {o['games']} | {_f(o['loose'], 2)} | {_f(o['tight'], 2)} "
            f"| {_f(iv['precision'])} | {_f(iv['recall'])} | **{_f(iv['f1'])}** | {_f(iv['overlap']['f1'])} "
            f"| `{r['command']}` |"
        )
    lines.append(
        f"| research, best of its four approaches ({RESEARCH_APPROACHES}) | — | — | — | — | — "
        f"| **{RESEARCH_BEST_F1}** | — | published |"
    )
    return lines


def _fold_table(result: dict) -> list[str]:
    lines = [
        f"#### {result['backend']}",
        "",
        "| fold | games | loose a-mAP % | tight a-mAP % | confidence cut-off | P | R | F1 |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for f in result["per_fold"]:
        lines.append(
            f"| {f['fold']} | {f['games']} | {_f(f['loose'], 2)} | {_f(f['tight'], 2)} | {_f(f['threshold'])} "
            f"| {_f(f['precision'])} | {_f(f['recall'])} | {_f(f['f1'])} |"
        )
    m = result["fold_mean"]
    lines.append(
        f"| mean ± sd | | {_f(m['loose']['mean'], 2)} ± {_f(m['loose']['sd'], 2)} "
        f"| {_f(m['tight']['mean'], 2)} ± {_f(m['tight']['sd'], 2)} | "
        + " | ".join(f"{_f(m[k]['mean'])} ± {_f(m[k]['sd'])}" for k in ("precision", "recall", "f1"))
        + " |"
    )
    return [*lines, ""]


def _class_table(results: Sequence[dict]) -> list[str]:
    header = (
        "| class | events | " + " | ".join(f"{r['backend']}: loose / tight / F1 / answer R / P" for r in results) + " |"
    )
    lines = [header, "|---|---:|" + "---:|" * len(results)]
    for label in LABELS:
        events = results[0]["overall"]["per_class"][label]["events"]
        cells = []
        for r in results:
            c = r["overall"]["per_class"][label]
            answer = f" / {_pr(r['answers']['per_class'][label])}" if r.get("answers") else ""
            cells.append(f"{_f(c['loose'], 1)} / {_f(c['tight'], 1)} / {_f(c['f1'])}{answer}")
        lines.append(f"| {label} | {events} | " + " | ".join(cells) + " |")
    return lines


ANSWER_CLASSES = ("Goal", "Substitution", "Yellow card", "Kick-off", "Penalty", "Red card")


def _pr(counts: dict) -> str:
    return f"{_f(counts['recall'], 2)} / {_f(counts['precision'], 2)}"


def _answer_table(results: Sequence[dict]) -> list[str]:
    """Answer recall / precision within 30 s per headline class, and games whose goals all go unfound."""
    lines = [
        "| back end | " + " | ".join(f"{c} R / P" for c in ANSWER_CLASSES) + " | games with no labelled goal found |",
        "|---|" + "---:|" * (len(ANSWER_CLASSES) + 1),
    ]
    for r in results:
        a = r.get("answers")
        if not a:
            continue
        cells = [_pr(a["per_class"][c]) for c in ANSWER_CLASSES]
        unfound = f"{a['games_goals_unfound']} of {a['games_with_goals']}"
        lines.append(f"| {r['backend']} | " + " | ".join(cells) + f" | {unfound} |")
    return lines


def _answer_folds(result: dict) -> list[str]:
    lines = [
        "| fold | " + " | ".join(f"{c} R / P" for c in ANSWER_CLASSES[:4]) + " | games, goals unfound |",
        "|---:|" + "---:|" * 5,
    ]
    for f in result["per_fold"]:
        a = f.get("answers")
        if a:
            cells = [_pr(a["per_class"][c]) for c in ANSWER_CLASSES[:4]]
            unfound = f"{a['games_goals_unfound']} of {a['games_with_goals']}"
            lines.append(f"| {f['fold']} | " + " | ".join(cells) + f" | {unfound} |")
    return [*lines, ""]


def _learning_curve(results_dir: Path) -> list[str]:
    path = Path(results_dir) / LEARNING_CURVE_FILE
    if not path.is_file():
        return []
    rows = read_json(path)
    lines = [
        "## Learning curve (embedded)",
        "",
        "5-fold CV, each fold's model trained on a seeded sample of n of its labelled training games "
        "(`python benchmarks/bench_embedded.py --data ../shared/data --skip-cv --learning-curve`).",
        "",
        "| training games per fold | loose a-mAP % | tight a-mAP % | interval F1 | Goal answer R / P |",
        "|---:|---:|---:|---:|---:|",
    ]
    for row in rows:
        goal = row.get("goal_answers")
        lines.append(
            f"| {row['games']} | {_f(row['loose'], 2)} | {_f(row['tight'], 2)} | {_f(row['f1'])} "
            f"| {_pr(goal) if goal else '—'} |"
        )
    return [*lines, ""]


LEARNING_CURVE_FILE = "bench_embedded_learning_curve.json"


def render(results: Sequence[dict], split: str, results_dir: Path | None = None) -> str:
    """The whole of ``docs/results.md``."""
    if not results:
        raise HighlightsError(f"no stored benchmark results for the {split} split")
    lines = [
        "# Results",
        "",
        "Generated by `highlights bench` (do not edit by hand; rerun the command of a row to update it).",
        f"Split: **{split}**. Average-mAP is SoccerNet's (loose ±2.5–30 s, tight ±0.5–2.5 s), in percent,",
        "identical to the official `SoccerNet` package on the same files. Interval P/R/F1: each event is",
        f"the window t ± {DEFAULT_HALF_WIDTH_S:g} s, predictions are matched one to one by IoU per game, half and "
        "class, and",
        f'IoU ≥ {DEFAULT_IOU:g} is a hit; "any overlap" counts every matched pair. The interval metric keeps the',
        "predictions above a confidence cut-off chosen on the *other* folds (5 folds by game); back ends",
        "that train are fitted on the other folds too. Definitions: `docs/evaluation.md`.",
        "",
        "The research's number is its best interval F1 as published; its metric (\"best IoU between",
        'ground-truth and predicted intervals") is less precisely defined than the one here, so compare',
        "it with both F1 columns.",
        "",
        *_main_table(results),
        "",
        "## Answers: what a user is shown",
        "",
        "What an answer keeps (`spotting.answers`: per-class calibrated cut-offs, and for goals and",
        "kick-offs the count the folder name's final score implies, clearest first), each fold with the",
        "policy fitted on the other folds. Recall: the share of labelled events with a kept spot of their",
        "class within ±30 s (one spot may find several events); precision: the share of kept spots with",
        "such an event. Definitions: `evaluation/answers.py`.",
        "",
        *_answer_table(results),
        "",
        "## Per fold",
        "",
    ]
    for result in results:
        lines += _fold_table(result)
        if any("answers" in f for f in result["per_fold"]):
            lines += ["Answers:", "", *_answer_folds(result)]
    lines += ["## Per class (all folds pooled)", "", *_class_table(results), ""]
    lines += _learning_curve(results_dir) if results_dir is not None else []
    return "\n".join(lines)


def write_results_md(path: Path, results_dir: Path, split: str) -> Path:
    atomic_write_text(Path(path), render(load_results(results_dir, split), split, results_dir))
    return Path(path)
