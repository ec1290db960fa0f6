"""Who and the score: per-class team accuracy and coverage, and the score timeline, on the valid split.

Labels-v2's ``team`` of each event is the truth; every number comes from 5-fold cross-validation by
game (``evaluation.runner.fold_of``): each game is attributed by weights fitted on the other 80.
(a) attribution alone: at the labelled positions themselves (the labelled goals make the timeline);
(b) end to end: on the embedded spotter's answer spots (its answer threshold), each matched to the
    nearest labelled event of its class and half within 30 s; beside it, the rule the tools used
    before (``named_club`` below: the one club a spot's evidence names).
The score timeline: each labelled goal's team, the score at half-time, and the score at every
labelled event's moment, against the labels' own running score. Run:

    python benchmarks/bench_attribution.py --data ../shared/data            # the numbers in docs/attribution.md
    python benchmarks/bench_attribution.py --data ../shared/data --save     # also refit the shipped weights

Prints tables and writes benchmarks/results/attribution.json (or --out).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter, defaultdict
from dataclasses import replace
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from evaluation.runner import fold_of  # noqa: E402
from index.atomic import atomic_write_text  # noqa: E402
from index.cache import cache_root  # noqa: E402
from index.classes import LABELS  # noqa: E402
from index.corpus import SAME_GOAL_S, load_corpus, resolve_data_root, split_games  # noqa: E402
from index.settings import N_FOLDS  # noqa: E402
from index.teams import canonical_team, team_forms  # noqa: E402
from index.types import Event, Match  # noqa: E402
from index.words import normalise  # noqa: E402
from spotting.attribution import MODEL_FILE, NO_TEAM, AttributionModel, CommentaryReader, analyse  # noqa: E402
from spotting.attribution_features import players_of  # noqa: E402
from spotting.attribution_fit import fit_model, labelled_spots  # noqa: E402
from spotting.registry import SPOTTER_TEXT, make_spotter  # noqa: E402
from spotting.score_timeline import ScoreTimeline  # noqa: E402
from tools.spots import answer_policy  # noqa: E402

MATCH_S = 30.0  # an answer spot is about the labelled event of its class within this many seconds


def labelled_goals(match: Match) -> list[Event]:
    """The labelled goals, a goal labelled twice (within SAME_GOAL_S, same team) counted once."""
    kept: list[Event] = []
    for goal in sorted((e for e in match.all_events() if e.label == "Goal"), key=lambda e: (e.half, e.position_ms)):
        twin = kept and kept[-1].half == goal.half and kept[-1].team == goal.team
        if not (twin and goal.seconds - kept[-1].seconds <= SAME_GOAL_S):
            kept.append(goal)
    return kept


def labelled_score(goals: list[Event], half: int, seconds: float) -> tuple[int, int]:
    done = [g for g in goals if (g.half, g.seconds) <= (half, seconds)]
    return sum(g.team == "home" for g in done), sum(g.team == "away" for g in done)


class Tally:
    """Per class: moments, moments given a team, and those given the right one."""

    def __init__(self) -> None:
        self.counts: dict[str, Counter] = defaultdict(Counter)

    def add(self, label: str, given: str, truth: str) -> None:
        counts = self.counts[label]
        counts["n"] += 1
        counts["covered"] += bool(given)
        counts["right"] += bool(given) and given == truth

    def table(self) -> dict[str, dict[str, float]]:
        rows = {label: self._row(self.counts[label]) for label in LABELS if label in self.counts}
        total = Counter()
        for counts in self.counts.values():
            total.update(counts)
        rows["all"] = self._row(total)
        return rows

    @staticmethod
    def _row(counts: Counter) -> dict[str, float]:
        n, covered = counts["n"], counts["covered"]
        return {
            "n": n,
            "coverage": round(covered / n, 3) if n else 0.0,
            "accuracy": round(counts["right"] / covered, 3) if covered else 0.0,
        }


def timeline_checks(match: Match, timeline: ScoreTimeline, tally: Counter) -> None:
    """The timeline against the labels' running score: half-time, and at every labelled moment."""
    goals = labelled_goals(match)
    half_time = timeline.half_time
    truth = labelled_score(goals, 1, float("inf"))
    tally["games"] += 1
    tally["half_time_right"] += (half_time.home, half_time.away) == truth
    tally["half_time_right_and_sure"] += (half_time.home, half_time.away) == truth and half_time.certain
    tally["half_time_sure"] += half_time.certain
    tally["final_right"] += timeline.final == labelled_score(goals, 3, 0.0)
    for event in match.all_events():
        score = timeline.score_at(event.half, event.seconds)
        tally["moments"] += 1
        right = (score.home, score.away) == labelled_score(goals, event.half, event.seconds)
        tally["moment_right"] += right
        tally["moment_sure"] += score.certain
        tally["moment_right_and_sure"] += right and score.certain


def roster_check(readers: dict[str, CommentaryReader]) -> dict[str, dict[str, float]]:
    """How often the commentary-only roster puts the player a labelled moment names in the labelled team
    (goals, yellow cards, substitutions): the roster's quality where it matters most."""
    tally = Tally()
    for reader in readers.values():
        for spot, truth in labelled_spots(reader.match):
            if spot.label in ("Goal", "Yellow card", "Substitution"):
                keys = players_of(reader.evidence(spot), reader.roster, spot.label)[1]
                if keys:
                    tally.add(spot.label, reader.roster.side(keys[0], 0.0), truth)
    return tally.table()


def nearest_event(spot, events: list[Event]) -> Event | None:
    near = [e for e in events if e.label == spot.label and e.half == spot.half]
    near = [e for e in near if abs(e.seconds - spot.position_ms / 1000.0) <= MATCH_S]
    return min(near, key=lambda e: abs(e.seconds - spot.position_ms / 1000.0)) if near else None


def named_club(spot, match) -> str | None:
    """The rule the tools used before attribution, kept here as the baseline it is measured against: the
    one club of the two that the spot's evidence names, else None."""
    text = f" {normalise(spot.evidence)} "
    sides = {canonical_team(match.home), canonical_team(match.away)}
    forms = team_forms((match.home, match.away)).items()
    named = {club for form, club in forms if club in sides and f" {form} " in text}
    return named.pop() if len(named) == 1 else None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default="../shared/data", help="data folder with the valid split's labels")
    parser.add_argument("--skip-spotter", action="store_true", help="only (a): no end-to-end run")
    parser.add_argument("--save", action="store_true", help=f"refit on every game and write {MODEL_FILE}")
    parser.add_argument("--out", type=Path, default=HERE / "results" / "attribution.json")
    args = parser.parse_args()

    root = resolve_data_root(args.data)
    corpus = load_corpus(root, split_games(root, "valid"), text=SPOTTER_TEXT, cache_dir=cache_root() / "corpus")
    matches = [m for m in corpus.matches if m.has_labels]
    started = time.perf_counter()
    readers = {m.id: CommentaryReader(m) for m in matches}
    read_s = time.perf_counter() - started
    folds = fold_of([m.id for m in matches], N_FOLDS)

    spots: dict[str, list] = {}
    if not args.skip_spotter:
        spotter = make_spotter("embedded")
        policy = answer_policy(spotter)  # the spots an answer keeps, as the app's SpotCache takes them
        spots = {m.id: list(policy.answer(m, spotter.spot(m)).spots) for m in matches}

    at_labels, any_evidence, end_to_end, before, either = Tally(), Tally(), Tally(), Tally(), Tally()
    timeline_labels, timeline_spots, players = Counter(), Counter(), Counter()
    goal_team = Counter()
    for k in range(N_FOLDS):
        model = fit_model({g: r for g, r in readers.items() if folds[g] != k})
        eager = AttributionModel({label: replace(w, margin=0.0) for label, w in model.classes.items()})
        for match in (m for m in matches if folds[m.id] == k):
            labelled = labelled_spots(match)
            result = analyse(match, [s for s, _ in labelled], model, readers[match.id])
            every = analyse(match, [s for s, _ in labelled], eager, readers[match.id])
            for (spot, truth), given, any_given in zip(labelled, result.spots, every.spots, strict=True):
                at_labels.add(spot.label, given.team, truth)
                any_evidence.add(spot.label, any_given.team, truth)
                if spot.label in ("Goal", "Yellow card", "Red card", "Yellow->red card", "Substitution"):
                    players[f"{spot.label}:n"] += 1
                    players[f"{spot.label}:named"] += bool(given.player)
            timeline_checks(match, result.timeline, timeline_labels)
            for goal in result.timeline.goals:
                truth = labelled_score(labelled_goals(match), goal.half, goal.seconds)
                goal_team["found" if goal.found else "unseen"] += 1
                goal_team["score_after_right"] += (goal.home, goal.away) == truth
            if match.id in spots:
                events = [e for e in match.all_events() if e.team in ("home", "away")]
                answered = analyse(match, spots[match.id], model, readers[match.id])
                clubs = {canonical_team(match.home): "home", canonical_team(match.away): "away"}
                for raw, spot in zip(spots[match.id], answered.spots, strict=True):
                    event = nearest_event(spot, events)
                    if event is not None and spot.label not in NO_TEAM:
                        old = clubs.get(named_club(raw, match), "")  # the spotter's own spot: no team of ours
                        end_to_end.add(spot.label, spot.team, event.team)
                        before.add(spot.label, old, event.team)
                        either.add(spot.label, spot.team or old, event.team)
                timeline_checks(match, answered.timeline, timeline_spots)

    report = {
        "command": "python benchmarks/bench_attribution.py --data ../shared/data",
        "games": len(matches),
        "folds": N_FOLDS,
        "read_seconds_per_game": round(read_s / len(matches), 3),
        "at_labels": at_labels.table(),
        "at_labels_any_evidence": any_evidence.table(),
        "timeline_at_labels": dict(timeline_labels),
        "timeline_goals": dict(goal_team),
        "roster_side_of_the_named_player": roster_check(readers),
        "players_named": {
            label: round(players[f"{label}:named"] / players[f"{label}:n"], 3)
            for label in ("Goal", "Yellow card", "Red card", "Yellow->red card", "Substitution")
            if players[f"{label}:n"]
        },
    }
    if spots:
        report |= {
            "end_to_end": end_to_end.table(),
            "end_to_end_before": before.table(),
            "end_to_end_ours_else_before": either.table(),
            "timeline_end_to_end": dict(timeline_spots),
        }
    _print(report)
    atomic_write_text(args.out, json.dumps(report, indent=2) + "\n")
    print(f"wrote {args.out}")
    if args.save:
        fit_model(readers).save(MODEL_FILE)
        print(f"wrote {MODEL_FILE} (fitted on all {len(matches)} games)")


def _print(report: dict) -> None:
    tables = [
        ("at the labelled positions (attribution alone)", report["at_labels"]),
        ("the same, answering wherever there is any evidence (margin 0)", report["at_labels_any_evidence"]),
    ]
    if "end_to_end" in report:
        tables += [
            ("on the embedded spotter's answer spots", report["end_to_end"]),
            ("the same spots, the rule before (one club in the evidence)", report["end_to_end_before"]),
            ("the same spots, ours where we answer, else the rule before", report["end_to_end_ours_else_before"]),
        ]
    for title, table in tables:
        print(f"\nteam, {title}, {report['folds']}-fold CV by game")
        print(f"{'class':<20} {'n':>6} {'coverage':>9} {'accuracy':>9}")
        for label, row in table.items():
            print(f"{label:<20} {row['n']:>6} {row['coverage']:>9.3f} {row['accuracy']:>9.3f}")
    for key in ("timeline_at_labels", "timeline_end_to_end"):
        if key in report:
            t = report[key]
            print(
                f"\n{key}: half-time right {t['half_time_right']}/{t['games']} "
                f"(right and sure {t['half_time_right_and_sure']}, sure {t['half_time_sure']}); "
                f"final right {t['final_right']}/{t['games']}; score at labelled moments right "
                f"{t['moment_right'] / t['moments']:.3f}, sure {t['moment_sure'] / t['moments']:.3f}, "
                f"right among the sure {t['moment_right_and_sure'] / max(1, t['moment_sure']):.3f}"
            )
    print(f"\nplayers named: {report['players_named']}")
    print(f"roster side of the named player (commentary only): {report['roster_side_of_the_named_player']}")
    print(f"reading a game's commentary: {report['read_seconds_per_game']} s")


if __name__ == "__main__":
    main()
