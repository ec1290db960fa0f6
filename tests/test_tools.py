"""The tools on the shipped sample: matches from loose names, actions from everyday words, spots filtered
by half, minute and team, summaries, and the research's interval sentences."""

from __future__ import annotations

import pytest

from index.classes import LABELS
from index.corpus import load_corpus
from index.errors import HighlightsError
from index.teams import LOCAL_RIVALS, canonical_team, closest_team
from index.words import plural_possessives, words_of
from spotting.answers import AnswerPolicy, ClassRule
from spotting.registry import make_spotter
from spotting.types import Spot
from tools.actions import FREE_KICKS, HIGHLIGHTS, resolve_actions
from tools.formatting import clock, interval_sentence, minute_label, quote, spots_block
from tools.match_text import read_match_text
from tools.matches import MatchIndex, find_matches
from tools.query import MomentQuery
from tools.spots import SpotCache, match_minute, spot_team
from tools.summary import summary_text
from tools.toolbox import Toolbox

CB = "england_epl/2014-2015/2015-02-21 - 18-00 Chelsea 1 - 1 Burnley"
CW = "england_epl/2015-2016/2015-12-26 - 18-00 Chelsea 2 - 2 Watford"
BD = "germany_bundesliga/2015-2016/2015-10-04 - 18-30 Bayern Munich 5 - 1 Dortmund"


class CountingSpotter:
    """The real keyword spotter, counting how often it is asked (to see the cache work)."""

    def __init__(self) -> None:
        self.inner = make_spotter("keywords")
        self.name = self.inner.name
        self.calls = 0

    def spot(self, match, halves=(1, 2)):
        self.calls += 1
        return self.inner.spot(match, halves)


@pytest.fixture(scope="module")
def corpus(sample_root):
    return load_corpus(sample_root)


@pytest.fixture(scope="module")
def toolbox(corpus):
    return Toolbox(corpus, make_spotter("keywords"))


def titles(found) -> list[str]:
    return [m.title for m in found]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("Chelsea 1 - 1 Burnley", ["Chelsea 1 - 1 Burnley"]),
        ("chelsa burnly", ["Chelsea 1 - 1 Burnley"]),
        ("Bayern", ["Bayern Munich 5 - 1 Dortmund"]),
        ("BVB", ["Bayern Munich 5 - 1 Dortmund"]),
        ("Chelsea", ["Chelsea 1 - 1 Burnley", "Chelsea 2 - 2 Watford"]),
        ("2015-12-26", ["Chelsea 2 - 2 Watford"]),
        ("26 December 2015", ["Chelsea 2 - 2 Watford"]),
        ("Premier League 2014/15", ["Chelsea 1 - 1 Burnley", "Burnley 0 - 1 Arsenal"]),
        ("bundesliga", ["Bayern Munich 5 - 1 Dortmund"]),
        ("the 2-2", ["Chelsea 2 - 2 Watford"]),
        ("Real Madrid 1 - 0 Rayo Vallecano", ["Real Madrid 10 - 2 Rayo Vallecano"]),  # the folder's own score
        ("Man Utd", []),
        (
            "",
            [
                "Chelsea 1 - 1 Burnley",
                "Burnley 0 - 1 Arsenal",
                "Bayern Munich 5 - 1 Dortmund",
                "Real Madrid 10 - 2 Rayo Vallecano",
                "Chelsea 2 - 2 Watford",
            ],
        ),
        ("Barca vs PSG", []),
    ],
)
def test_find_matches(corpus, query, expected):
    assert titles(find_matches(query, MatchIndex(corpus.matches))) == expected


def test_aliases_and_spellings():
    assert canonical_team("Man Utd") == "Manchester United"
    assert canonical_team("barca") == "Barcelona"
    assert canonical_team("PSG") == "Paris SG"
    assert canonical_team("Bayern") == canonical_team("Bayern Munich") == "Bayern Munich"
    assert canonical_team("Atl. Madrid") == "Atletico Madrid"
    assert closest_team("Chelsae") == "Chelsea"
    assert closest_team("Xyzzy FC") is None


def test_the_club_before_at_home_to_played_at_home():
    assert read_match_text("how many corners did Sassuolo win at home to Milan?").home == "Sassuolo"
    assert read_match_text("Juventus lost at home to Sassuolo").home == "Juventus"
    assert read_match_text("Juventus lost to Sassuolo").home is None


def test_a_win_suffered_is_a_loss_and_a_title_before_home_game_names_its_first_club_at_home():
    assert read_match_text("getafe got battered 7-3 at the bernabeu").result == ("Getafe", "loss")
    assert read_match_text("Real Madrid battered Getafe").result == ("Real Madrid", "win")
    assert read_match_text("chelsea maccabi home game highlights").home == "Chelsea"
    assert read_match_text("maccabi's home game against chelsea").home == "Maccabi Tel Aviv"
    assert read_match_text("qui a marqué pour Paris face à Guingamp").home is None
    assert read_match_text("les buts de Paris à Guingamp").home == "Guingamp"


def test_a_plural_possessive_is_the_word_an_apostrophe_closes_not_a_quote():
    text = "the red devils' shots, the cherries’ games and 'the reds'"
    assert {words_of(text)[i] for i in plural_possessives(text)} == {"devils", "cherries"}


def test_a_bare_derby_is_the_city_derby_only_of_clubs_with_one_rival_in_their_city():
    assert LOCAL_RIVALS["Lazio"] == {"AS Roma"}
    assert LOCAL_RIVALS["Manchester City"] == {"Manchester United"}
    assert "Manchester United" not in LOCAL_RIVALS.get("Liverpool", ())  # the north west derby: two cities


def test_a_lower_case_unknown_club_keeps_its_whole_name_and_no_known_clubs_ending():
    assert read_match_text("leeds united v arsenal corners").unknown_club == "leeds united v arsenal"
    assert read_match_text("goals nottingham forest v arsenal").unknown_club == "nottingham forest v arsenal"
    assert [m.team for m in read_match_text("man united v arsenal goals").teams] == ["Manchester United", "Arsenal"]
    assert read_match_text("goals in leeds vs millwall").unknown_club == "leeds vs millwall"  # two unknown clubs
    assert read_match_text("show me home vs away goals").unknown_club is None


def test_a_ground_named_after_its_club_says_where_but_a_clubs_own_name_does_not():
    assert read_match_text("juventus stadium, juve napoli, cards").ground == {"Juventus"}
    assert read_match_text("Chelsea v Maccabi Tel Aviv, shots").ground is None  # Tel Aviv: in the club's name


def test_an_action_no_class_holds_is_no_clubs_typo():
    assert [m.team for m in read_match_text("Schwalben im Spiel Dortmund Gladbach 4:1").teams] == [
        "Dortmund", "B. Monchengladbach"]  # fmt: skip


def test_common_words_are_teams_only_when_capitalised():
    assert [m.team for m in read_match_text("Nice vs Lyon").teams] == ["Nice", "Lyon"]
    assert read_match_text("that was a really nice goal").teams == ()


@pytest.mark.parametrize(
    ("words", "expected"),
    [
        (["goals"], ("Goal",)),
        (["free kicks"], FREE_KICKS),
        (["Free-kicks", "corners"], ("Indirect free-kick", "Direct free-kick", "Corner")),
        (["bookings"], ("Yellow card", "Yellow->red card")),
        (["cards"], ("Yellow card", "Red card", "Yellow->red card")),
        (["subs"], ("Substitution",)),
        (["chances"], ("Shots on target", "Shots off target")),
        (["highlights"], HIGHLIGHTS),
        (["penalites"], ("Penalty",)),
        (["Yellow->red card"], ("Yellow->red card",)),
        (None, LABELS),
        ([], LABELS),
    ],
)
def test_resolve_actions(words, expected):
    assert set(resolve_actions(words)) == set(expected)


def test_unknown_action_suggests():
    with pytest.raises(HighlightsError, match=r"unknown action 'dribbles'.*I can find: Penalty"):
        resolve_actions(["dribbles"])
    with pytest.raises(HighlightsError, match="did you mean 'foul"):
        resolve_actions(["fouled"])


def test_interval_sentences_and_clock():
    assert interval_sentence("Direct free-kick", 2169, 2184) == "A direct free-kick occurs at (36:09, 36:24)"
    assert interval_sentence("Offside", 5, 20) == "An offside occurs at (00:05, 00:20)"
    assert clock(3005.4) == "50:05"
    assert minute_label(1, 2169) == "37'"
    assert minute_label(1, 46 * 60 + 5) == "45+2'"
    assert minute_label(2, 600) == "56'"
    assert minute_label(2, 47 * 60) == "90+3'"
    assert match_minute(2, 15 * 60) == 60.0
    assert match_minute(1, 50 * 60) == 45.0  # first-half stoppage time counts as the 45th minute
    long = quote("word " * 100)
    assert long.startswith("“word") and long.endswith("…”") and len(long) <= 112


def test_spots_are_grouped_by_half_and_numbered_across(corpus):
    match = corpus.get(CW)
    spots = [
        Spot("Goal", 1, 1900.0, 1915.0, 1907000, 0.9, "Goal for Chelsea!", "test", "home"),
        Spot("Corner", 2, 60.0, 75.0, 67000, 0.5, "corner kick", "test"),
    ]
    text = spots_block(spots, match)
    assert text.splitlines() == [
        "First half:",
        "  1. A goal occurs at (31:40, 31:55) · 32' · Chelsea · confidence 0.90 — “Goal for Chelsea!”",
        "Second half:",
        "  2. A corner occurs at (01:00, 01:15) · 47' · confidence 0.50 — “corner kick”",
    ]


def test_team_of_a_spot_is_the_attributed_side(corpus, toolbox):
    match = corpus.get(CW)
    assert spot_team(Spot("Goal", 1, 0, 15, 0, 1.0, "", "x", "away"), match) == "Watford"
    assert spot_team(Spot("Goal", 1, 0, 15, 0, 1.0, "great save by the Watford keeper"), match) is None  # no guess
    goals = toolbox.spot_actions(MomentQuery(match=CW, classes=("Goal",)))
    assert goals and all(spot_team(g, match) in ("Chelsea", "Watford") for g in goals if g.team)
    assert any(g.team for g in goals)  # the commentary names who scored: the spots carry it


def test_spot_actions_filters_agree_with_the_spots(toolbox, corpus):
    match = corpus.get(BD)
    every = toolbox.spot_actions(MomentQuery(match=BD))
    assert every and {s.label for s in every} <= set(LABELS)
    second = toolbox.spot_actions(MomentQuery(match="Bayern Dortmund", classes=("goals",), half=2))
    assert second == [s for s in every if s.label == "Goal" and s.half == 2]
    late = toolbox.spot_actions(MomentQuery(match=BD, from_minute=60, to_minute=75))
    assert late == [s for s in every if 60 <= match_minute(s.half, s.start) < 75]
    added = toolbox.spot_actions(MomentQuery(match=BD, stoppage_time=True))
    assert added == [s for s in every if s.start >= 45 * 60]
    bayern = toolbox.spot_actions(MomentQuery(match=BD, team="bayern"))
    assert bayern == [s for s in every if spot_team(s, match) == "Bayern Munich"]
    assert MomentQuery(classes=("Goal",), half=1).keeps(Spot("Goal", 1, 10, 25, 17000, 0.5), match)


def test_answers_keep_spots_at_the_spotters_threshold(corpus):
    spotter = CountingSpotter()
    every = spotter.spot(corpus.get(CW))
    spotter.threshold = sorted(s.confidence for s in every)[len(every) // 2]
    toolbox = Toolbox(corpus, spotter)
    kept = toolbox.spot_actions(MomentQuery(match=CW))
    assert kept and len(kept) < len(every)
    where = lambda spots: {(s.label, s.half, s.start) for s in spots}  # noqa: E731 (kept spots carry a team too)
    timeline = toolbox.cache.moments(corpus.get(CW)).attribution.timeline
    # of the goals, one spot per goal on the score timeline: not those it discarded, nor a goal's second spot,
    # nor those it never weighed (beyond its MAX_GOALS)
    on_timeline = where(max(g.spots, key=lambda s: s.confidence) for g in timeline.goals if g.spots)
    above = [s for s in every if s.confidence >= spotter.threshold]
    assert where(kept) == where(s for s in above if s.label != "Goal") | on_timeline
    assert on_timeline <= where(s for s in above if s.label == "Goal")


def test_answers_follow_the_spotters_policy_and_say_when_goals_are_missing(corpus):
    spotter = CountingSpotter()
    spotter.answer_policy = AnswerPolicy({"Goal": ClassRule(cut_off=1.0, floor=0.0)}, default_cut_off=2.0)
    cache = SpotCache(spotter)
    match = corpus.get(BD)  # 5 - 1: six goals
    goals = [s for s in spotter.inner.spot(match) if s.label == "Goal"]
    answer = cache.moments(match).answer
    assert {s.label for s in answer.spots} <= {"Goal"} and 0 < len(answer.spots) <= 6
    if len(answer.spots) < 6:
        assert answer.shortfall("Goal").expected == 6 and answer.shortfall("Goal").found == len(answer.spots)
    moments = cache.moments(match)
    shown = {(s.half, s.start, s.label) for s in cache.spots(match)}
    ruled_out = {(s.half, s.start, s.label) for g in moments.attribution.timeline.discarded for s in g.spots}
    considered = {(s.half, s.start, s.label) for s in moments.attribution.spots}
    placed = {(s.half, s.start, s.label) for s in cache.spots(match) if s.backend == "score timeline"}
    assert not shown & ruled_out and shown <= considered | placed  # the timeline's choice of the goals found
    assert len(goals) >= len(answer.spots) and spotter.calls == 1


def test_spotter_runs_once_per_match(corpus):
    spotter = CountingSpotter()
    toolbox = Toolbox(corpus, spotter)
    toolbox.spot_actions(MomentQuery(match=CB, classes=("goals",)))
    toolbox.spot_actions(MomentQuery(match=CB, classes=("corners",), half=2))
    toolbox.match_summary(CB)
    assert spotter.calls == 1
    toolbox.spot_actions(MomentQuery(match=CW, classes=("goals",)))
    assert spotter.calls == 2


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (
            lambda t: t.spot_actions(MomentQuery(match="Juventus vs Napoli")),
            "no match in the corpus fits 'Juventus vs Napoli'",
        ),
        (lambda t: t.spot_actions(MomentQuery(match="Chelsea")), "2 matches fit 'Chelsea'; which one"),
        (lambda t: t.spot_actions(MomentQuery(match=CB, classes=("nutmegs",))), "unknown action 'nutmegs'"),
        (lambda t: t.spot_actions(MomentQuery(match=CB, half=3)), "half must be 1 or 2"),
        (
            lambda t: t.spot_actions(MomentQuery(match=CB, team="Arsenal")),
            "'Arsenal' does not play in Chelsea 1 - 1 Burnley",
        ),
        (lambda t: t.search_commentary("   ", MomentQuery()), "needs some words"),
    ],
)
def test_user_errors_name_the_problem(toolbox, call, message):
    with pytest.raises(HighlightsError, match=message):
        call(toolbox)


def test_match_summary(toolbox, corpus):
    summary = toolbox.match_summary("Bayern Munich 5 - 1 Dortmund")
    assert summary.score == "Bayern Munich 5 - 1 Dortmund"
    assert summary.match.competition == "Bundesliga"
    assert all(s.label == "Goal" for s in summary.goals)
    assert all(s.label in ("Yellow card", "Red card", "Yellow->red card") for s in summary.cards)
    assert all(s.label == "Substitution" for s in summary.substitutions)
    assert summary.spotter == "keywords"
    text = summary_text(summary, corpus.get(BD))
    assert text.startswith("Bayern Munich 5 - 1 Dortmund — Bundesliga, 2015-2016, 2015-10-04.")
    empty = summary_text(toolbox.match_summary("Real Madrid"), corpus.get(toolbox.resolve_match("Real Madrid").id))
    assert "Goals: none found." in empty and "Score note" in empty


def test_default_spotter_falls_back_only_without_the_embedded_model(caplog):
    from spotting.registry import BACKENDS
    from tools.toolbox import _embedded_model_present, default_spotter

    if "embedded" in BACKENDS and _embedded_model_present():
        assert default_spotter().name == "embedded"
    else:
        assert default_spotter().name == "keywords"
        assert "answering with the keywords baseline" in caplog.text
    with pytest.raises(HighlightsError, match="unknown spotting back end 'nope'"):
        default_spotter("nope")


@pytest.mark.parametrize(
    ("half", "from_minute", "to_minute", "spans"),
    [
        (None, None, None, [(None, None, None)]),
        (None, 60, None, [(2, 900.0, None)]),
        (None, 30, 60, [(1, 1800.0, None), (2, 0.0, 900.0)]),
        (None, None, 15, [(1, None, 900.0)]),
        (1, 80, None, []),
        (2, 45, 90, [(2, 0.0, 2700.0)]),  # minute 90 is stoppage time: excluded by "< 90"
    ],
)
def test_minute_ranges_become_spans_of_each_half(half, from_minute, to_minute, spans):
    from tools.commentary import half_spans

    assert half_spans(half, from_minute, to_minute) == spans


def test_search_keeps_only_passages_in_the_minute_range(toolbox):
    hits = toolbox.search_commentary("goal", MomentQuery(match=CW, from_minute=60), k=5)
    assert len(hits) == 5
    assert all(hit.half == 2 and hit.end > 15 * 60 for hit in hits)
    scores = [hit.score for hit in hits]
    assert scores == sorted(scores, reverse=True)


def test_a_five_letter_club_with_two_letters_swapped_is_read_but_not_a_word_that_is_one():
    assert [m.team for m in read_match_text("napoli 1-1 lazoi").teams] == ["Napoli", "Lazio"]
    assert read_match_text("ein Remis in der Nachspielzeit").teams == ()  # "Remis" (a draw) is no Reims
