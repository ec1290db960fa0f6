"""Team names as people say them: "Man Utd", "Barca", "PSG", "Bayern", and SoccerNet's own variants.

SoccerNet's folder names spell some clubs two ways ("Bayern" and "Bayern Munich", "Atl. Madrid"
and "Atletico Madrid"); every spelling and alias maps to one canonical name, so "Bayern" finds
both spellings' games.
"""

from __future__ import annotations

from rapidfuzz import fuzz, process

from .words import normalise

# canonical name -> other spellings (SoccerNet's variants and everyday aliases), any case.
ALIASES: dict[str, tuple[str, ...]] = {
    "Manchester United": ("Man Utd", "Man United", "Manchester Utd", "MUFC"),
    "Manchester City": ("Man City", "MCFC"),
    "Barcelona": ("Barca", "Barça", "FC Barcelona", "Barcelona FC", "Blaugrana"),
    "Paris SG": ("PSG", "Paris Saint-Germain", "Paris Saint Germain", "Paris"),
    "Bayern Munich": ("Bayern", "FC Bayern", "Bayern Munchen", "Bayern München"),
    "Dortmund": ("Borussia Dortmund", "BVB"),
    "Atletico Madrid": ("Atl. Madrid", "Atletico", "Atlético Madrid", "Atlético", "Atleti"),
    "Real Madrid": ("Real", "Los Blancos"),
    "Internazionale": ("Inter", "Inter Milan"),
    "AC Milan": ("Milan",),
    "AS Roma": ("Roma",),
    "Juventus": ("Juve",),
    "B. Monchengladbach": ("Gladbach", "Monchengladbach", "Borussia Monchengladbach", "Mönchengladbach"),
    "Hamburger SV": ("Hamburger", "HSV", "Hamburg"),
    "Hertha Berlin": ("Hertha", "Hertha BSC"),
    "Granada CF": ("Granada",),
    "Ludogorets Razgrad": ("Ludogorets",),
    "Eintracht Frankfurt": ("Frankfurt",),
    "FC Augsburg": ("Augsburg",),
    "RB Leipzig": ("Leipzig",),
    "Saint Etienne": ("St Etienne", "St. Etienne", "Saint-Etienne"),
    "Newcastle Utd": ("Newcastle", "Newcastle United"),
    "Tottenham": ("Spurs", "Tottenham Hotspur"),
    "West Ham": ("West Ham United",),
    "West Brom": ("West Bromwich", "West Bromwich Albion"),
    "Ath Bilbao": ("Athletic Bilbao", "Bilbao", "Athletic Club"),
    "Dep. La Coruna": ("Deportivo", "La Coruna", "Deportivo La Coruna"),
    "SV Werder Bremen": ("Werder Bremen", "Werder", "Bremen"),
    "Dyn. Kiev": ("Dynamo Kiev", "Dynamo Kyiv"),
    "D. Zagreb": ("Dinamo Zagreb",),
    "Olympiakos Piraeus": ("Olympiakos", "Olympiacos"),
    "FC Koln": ("Koln", "Köln", "Cologne"),
    "1. FSV Mainz 05": ("Mainz", "Mainz 05"),
    "VfB Stuttgart": ("Stuttgart",),
    "SC Freiburg": ("Freiburg",),
    "Bayer Leverkusen": ("Leverkusen",),
    "Schalke": ("Schalke 04",),
    "FC Porto": ("Porto",),
    "Shakhtar Donetsk": ("Shakhtar",),
    "Zenit Petersburg": ("Zenit",),
    "Celta Vigo": ("Celta",),
    "Real Sociedad": ("Sociedad",),
    "Leicester": ("Leicester City",),
    "Hull City": ("Hull",),
    "Stoke City": ("Stoke",),
    "Swansea": ("Swansea City",),
    "Wolfsburg": ("VfL Wolfsburg",),
    "Maccabi Tel Aviv": ("Maccabi",),
    "Malmo FF": ("Malmo",),
    "Betis": ("Real Betis",),
    "Gijon": ("Sporting Gijon",),
    "Rayo Vallecano": ("Rayo",),
}

# Every club SoccerNet's 550 games name, so a known club missing from a smaller corpus is reported
# as "not in the corpus" instead of being ignored.
SOCCERNET_TEAMS: tuple[str, ...] = (
    "1. FSV Mainz 05", "AC Milan", "AS Roma", "Ajax", "Alaves", "Almeria", "Anderlecht", "Angers", "Arsenal",
    "Aston Villa", "Atalanta", "Ath Bilbao", "Atletico Madrid", "Augsburg", "B. Monchengladbach", "BATE",
    "Barcelona", "Basel", "Bastia", "Bayer Leverkusen", "Bayern Munich", "Benfica", "Besiktas", "Betis",
    "Bologna", "Bordeaux", "Borussia", "Bournemouth", "Burnley", "CSKA Moscow", "Caen", "Cagliari",
    "Celta Vigo", "Celtic", "Chelsea", "Chievo", "Cordoba", "Crotone", "Crystal Palace", "D. Zagreb",
    "Darmstadt", "Dep. La Coruna", "Dijon", "Dortmund", "Dyn. Kiev", "Eibar", "Eintracht Frankfurt", "Elche",
    "Empoli", "Espanyol", "Everton", "FC Astana", "FC Koln", "FC Porto", "Fiorentina", "Frosinone",
    "Galatasaray", "Genoa", "Gent", "Getafe", "Gijon", "Granada CF", "Guingamp", "Hamburger SV", "Hertha Berlin",
    "Hoffenheim", "Hull City", "Ingolstadt", "Internazionale", "Juventus", "Las Palmas", "Lazio", "Leganes",
    "Leicester", "Levante", "Lille", "Liverpool", "Lorient", "Ludogorets Razgrad", "Lyon", "Maccabi Tel Aviv",
    "Malaga", "Malmo FF", "Manchester City", "Manchester United", "Marseille", "Metz", "Middlesbrough", "Monaco",
    "Montpellier", "Nancy", "Nantes", "Napoli", "Newcastle Utd", "Nice", "Norwich", "Olympiakos Piraeus",
    "Osasuna", "PSV", "Paderborn", "Palermo", "Paris SG", "Pescara", "RB Leipzig", "Rayo Vallecano",
    "Real Madrid", "Real Sociedad", "Reims", "Rennes", "SC Freiburg", "SV Werder Bremen", "Saint Etienne",
    "Sampdoria", "Sassuolo", "Schalke", "Sevilla", "Shakhtar Donetsk", "Southampton", "Stoke City", "Sunderland",
    "Swansea", "Torino", "Tottenham", "Toulouse", "Udinese", "Valencia", "Verona", "VfB Stuttgart", "Villarreal",
    "Watford", "West Brom", "West Ham", "Wolfsburg", "Zenit Petersburg",
)  # fmt: skip

# Names that are also everyday words: read as a team only when written with a capital letter.
COMMON_WORDS = frozenset({"nice", "real", "inter", "paris", "gent", "hull", "milan", "city"})

_BY_FORM: dict[str, str] = {}
for _canonical, _forms in ALIASES.items():
    for _form in (_canonical, *_forms):
        _BY_FORM[normalise(_form)] = _canonical
for _team in SOCCERNET_TEAMS:
    _BY_FORM.setdefault(normalise(_team), _team)


def canonical_team(name: str) -> str:
    """The one name for a club however it is spelled; an unknown name is returned as given."""
    return _BY_FORM.get(normalise(name), name)


def team_forms(extra: tuple[str, ...] = ()) -> dict[str, str]:
    """Every known spelling (normalised) -> canonical name, plus ``extra`` names (a corpus's own)."""
    forms = dict(_BY_FORM)
    for name in extra:
        forms.setdefault(normalise(name), canonical_team(name))
    return forms


def closest_team(name: str, extra: tuple[str, ...] = (), score_cutoff: float = 80) -> str | None:
    """Canonical name of the club ``name`` most likely misspells, or None."""
    forms = team_forms(extra)
    best = process.extractOne(normalise(name), forms.keys(), scorer=fuzz.ratio, score_cutoff=score_cutoff)
    return forms[best[0]] if best else None
