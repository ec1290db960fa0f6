"""Adding one's own match, as the command line and the app both do it: the user's words (teams, date,
score, competition) into an ``AddRequest``, and the added match loaded back as the corpus reads it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path

from index.add_match import HEARD_CACHE, Added, AddRequest
from index.clock import parse_clock
from index.corpus import SAMPLE_ROOT, load_match
from index.errors import HighlightsError
from index.media import MAX_FILE_S, probe_media
from index.own_match import DEFAULT_LEAGUE, NewMatch, league_folder, parse_date, parse_score, parse_teams
from index.settings import DATA_ENV
from index.transcribe import AsrSettings
from index.types import Match
from spotting.registry import SPOTTER_TEXT
from tools.match_text import league_of


def new_match(
    teams: str,
    date: str | None = None,
    score: str | None = None,
    competition: str | None = None,
    recorded: dt.datetime | None = None,
) -> tuple[NewMatch, str]:
    """The match the user described, and where its date came from (for the user to check)."""
    home, away = parse_teams(teams or "")
    if date and date.strip():
        day, kickoff = parse_date(date)
        said = "given"
    elif recorded is not None:
        day, kickoff, said = recorded.date(), recorded.time().replace(second=0, microsecond=0, tzinfo=None), "recorded"
    else:
        day, kickoff, said = dt.date.today(), None, "today: give --date to set it"
    league = DEFAULT_LEAGUE
    if competition and competition.strip():
        league = league_of(competition.strip()) or league_folder(competition)
    parsed_score = parse_score(score) if score and score.strip() else None
    return NewMatch(home, away, day, kickoff, parsed_score, league), f"{day.isoformat()} ({said})"


def add_request(
    match: NewMatch,
    recordings: Sequence[Path] = (),
    transcripts: Sequence[Path] = (),
    second_half: str | None = None,
    asr: AsrSettings | None = None,
    force: bool = False,
    max_duration_s: float = MAX_FILE_S,
) -> AddRequest:
    return AddRequest(
        match=match,
        recordings=tuple(Path(p).expanduser() for p in recordings),
        transcripts=tuple(Path(p).expanduser() for p in transcripts),
        second_half=parse_clock(second_half, "--second-half") if second_half and second_half.strip() else None,
        asr=asr or AsrSettings(),
        force=force,
        max_duration_s=max_duration_s,
    )


def recorded_at(recordings: Sequence[Path]) -> dt.datetime | None:
    """When the first recording was made, from its own tags (None when it does not say, or is unreadable:
    the add itself reports a bad file)."""
    try:
        return probe_media(Path(recordings[0]).expanduser()).recorded if recordings else None
    except HighlightsError:
        return None


def data_folder(data: str | None, env: str | None) -> Path:
    """Where an added match goes: ``--data`` or ``$HIGHLIGHTS_DATA``, created when missing; never the
    shipped sample (it is part of the installed package), never a folder that holds something else."""
    chosen = data or env
    if not chosen:
        raise HighlightsError(
            f"say which data folder to add the match to: --data DIR (created if missing) or ${DATA_ENV}", "--data"
        )
    root = Path(chosen).expanduser()
    if root.resolve() == SAMPLE_ROOT.resolve():
        raise HighlightsError("the shipped sample is read-only: add the match to a folder of your own", root)
    if root.exists() and not root.is_dir():
        raise HighlightsError("not a folder", root)
    others = [p for p in root.iterdir() if p.name != HEARD_CACHE] if root.is_dir() else []
    if others and not ((root / "echoes").is_dir() or (root / "soccernet").is_dir()):
        raise HighlightsError("this folder holds other things: give an empty folder or a data folder", root)
    root.mkdir(parents=True, exist_ok=True)
    return root


def load_added(root: Path, added: Added) -> Match:
    """The added match as ``ask``, ``chat`` and the app will read it (every text the spotter uses)."""
    return load_match(root, added.game_id, text=SPOTTER_TEXT)
