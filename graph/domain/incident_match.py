"""Whether two tellings may be one incident: types related by the ontology's ``broader`` chains, places one
within the other (a town in its province, a province in its country, or two names a few kilometres apart), dates
that overlap at their precision, perpetrators that do not exclude each other.

The incident reader asks it of the events of one report, the merge of incidents of reports from several outlets;
each answer says what matched, so a merge can explain itself. Nothing here reads a store or a text.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any, Literal

from graph.domain.dates import PartialDate, parse_optional
from graph.domain.model import Count, Incident
from graph.domain.ontology import Ontology

PRECISION_RANK = {"site": 0, "neighbourhood": 0, "city": 1, "district": 2, "province": 3, "country": 4}
NEAR_KM = 40.0  # two fine places closer than this may be one (a town and the district named after it)
PlaceRelation = Literal["same", "within", "near", "unknown", "apart"]


def broader_chain(ontology: Ontology, name: str) -> list[str]:
    """The type and every type it refines, narrowest first (suicide_bombing, bombing)."""
    chain = [name]
    spec = ontology.incident_types.get(name)
    while spec is not None and spec.broader is not None and spec.broader not in chain:
        chain.append(spec.broader)
        spec = ontology.incident_types.get(spec.broader)
    return chain


def fallback_type(ontology: Ontology) -> str | None:
    """The type a generic "attack" gives."""
    return next((name for name, spec in ontology.incident_types.items() if spec.fallback), None)


def types_related(ontology: Ontology, a: str, b: str) -> Literal["same", "broader", "fallback", "none"]:
    """How two incident types relate: the same, one refining the other, one the generic fallback, or not at all."""
    if a == b:
        return "same"
    if a in broader_chain(ontology, b) or b in broader_chain(ontology, a):
        return "broader"
    if fallback_type(ontology) in (a, b):
        return "fallback"
    return "none"


def narrower_type(ontology: Ontology, a: str, b: str) -> str:
    """Of two related types, the one the words support most narrowly (the fallback gives way to any other)."""
    fallback = fallback_type(ontology)
    if a == fallback:
        return b
    if b == fallback:
        return a
    return b if a in broader_chain(ontology, b) else a


def span(value: str | None) -> tuple[date, date] | None:
    """The first and last day a partial date may mean."""
    parsed = parse_optional(value)
    return (parsed.start, parsed.end) if parsed else None


def dates_overlap(a: str | None, b: str | None, *, slack_days: int = 1) -> bool | None:
    """Whether two dates may be the same day at their precisions (a day of grace either way, for "late on
    Tuesday" told as Wednesday); None when either is unknown."""
    first, second = span(a), span(b)
    if first is None or second is None:
        return None
    slack = timedelta(days=slack_days)
    return first[0] - slack <= second[1] and second[0] - slack <= first[1]


def more_precise_date(a: str | None, b: str | None) -> str | None:
    """Of two overlapping dates, the more precise (a day over its month); the first when equally precise."""
    if a is None:
        return b
    if b is None:
        return a
    first, second = PartialDate.parse(a), PartialDate.parse(b)
    depth = (first.month is not None) + (first.day is not None)
    other = (second.month is not None) + (second.day is not None)
    return b if other > depth else a


def km(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Great-circle distance in kilometres between two (lat, lon) points."""
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * 6371.0 * math.asin(min(1.0, math.sqrt(h)))


def place_rank(incident: Incident) -> int | None:
    """How precisely an incident's place is known (0 a site … 4 a country), None when it has none."""
    precision = (incident.place.precision if incident.place else None) or (
        incident.location.precision if incident.location else None)
    if incident.place is None and incident.country is None:
        return None
    if precision is None:
        return PRECISION_RANK["country"] if incident.place is None else PRECISION_RANK["city"]
    return PRECISION_RANK.get(precision, PRECISION_RANK["city"])


def _key(incident: Incident) -> str | None:
    place = incident.place
    return (place.gazetteer or place.id or place.name.casefold()) if place else None


def place_relation(a: Incident, b: Incident) -> PlaceRelation:  # noqa: PLR0911 - a return per relation
    """Whether two incidents' places may be one: the same place, one within the other (a town in its province, a
    province in its country), two fine places close together, unknown (either has none), or apart."""
    if a.country and b.country and a.country != b.country:
        return "apart"
    rank_a, rank_b = place_rank(a), place_rank(b)
    if rank_a is None or rank_b is None:
        return "unknown"
    if _key(a) is not None and _key(a) == _key(b):
        return "same"
    coarse, fine = (a, b) if rank_a >= rank_b else (b, a)
    coarse_rank = max(rank_a, rank_b)
    if coarse_rank == PRECISION_RANK["country"]:
        return "within" if coarse.country in (fine.country, None) or fine.country is None else "apart"
    if coarse_rank == PRECISION_RANK["province"]:
        if coarse.admin1_code and fine.admin1_code:
            return "within" if coarse.admin1_code == fine.admin1_code else "apart"
        return "within" if coarse.admin1 and coarse.admin1 == fine.admin1 else "apart"
    if a.location is not None and b.location is not None and \
            km((a.location.lat, a.location.lon), (b.location.lat, b.location.lon)) <= NEAR_KM:
        return "near"
    return "apart"


def perpetrators_exclude(a: Incident, b: Incident) -> bool:
    """Whether two tellings name different attackers on their own word: each has an actor that claims it (or that
    the outlet reports) and neither names the other's on any basis."""
    def firm(incident: Incident) -> set[str]:
        return {p.id for p in incident.perpetrators if p.id and p.basis in ("claimed", "reported", "confirmed")
                and p.role == "perpetrator"}

    def named(incident: Incident) -> set[str]:
        return {p.id for p in incident.perpetrators if p.id}

    firm_a, firm_b = firm(a), firm(b)
    return bool(firm_a and firm_b and not firm_a & named(b) and not firm_b & named(a))


@dataclass
class Match:
    """What two incidents share and where they differ: enough to decide a merge and to explain it."""

    compatible: bool
    score: int
    matched: dict[str, str] = field(default_factory=dict)
    differ: dict[str, str] = field(default_factory=dict)

    def explain(self) -> str:
        """One line: what matched, and what the two tellings differ on."""
        said = "; ".join(f"{k} {v}" for k, v in self.matched.items())
        if self.differ:
            said += "; differs: " + "; ".join(f"{k} {v}" for k, v in self.differ.items())
        return said


def _figures(incident: Incident) -> tuple[float, float] | None:
    killed = incident.killed
    if killed is None or (killed.min is None and killed.max is None):
        return None
    low = killed.min if killed.min is not None else 0
    high = killed.max if killed.max is not None else math.inf
    return float(low), float(high)


def match(ontology: Ontology, a: Incident, b: Incident, *, confusable: frozenset[frozenset[str]] = frozenset(),
          a_published: str | None = None, b_published: str | None = None) -> Match:
    """Whether ``b`` may be the incident ``a`` is, with what matched (type, place, date, perpetrators, targets,
    casualties). Types must be related by ``broader`` (or the fallback), or be a ``confusable`` pair told of one
    place and one day; places within each other; dates overlapping at their precision (an undated telling is
    taken as of the ten days before its report's ``published`` date); perpetrators not excluding each other.
    A match also needs some evidence beyond "nothing contradicts": the same place at city level or finer, the
    same day, or a perpetrator or target in common."""
    result = Match(True, 0)
    relation = types_related(ontology, a.type, b.type)
    places = place_relation(a, b)
    when = dates_overlap(a.date, b.date)
    if when is None:
        when = _published_overlap(a, b, a_published, b_published)
    same_day = a.date is not None and a.date == b.date and len(a.date) == 10
    if relation == "none":
        pair = frozenset((a.type, b.type))
        if pair in confusable and same_day and places in ("same", "near"):
            result.matched["type"] = f"{a.type}~{b.type} (told of one place and one day)"
            result.score += 1
        else:
            result.compatible = False
            result.differ["type"] = f"{a.type} vs {b.type}"
    else:
        result.matched["type"] = a.type if relation == "same" else f"{a.type}~{b.type} ({relation})"
        result.score += 2 if relation == "same" else 1
    if places == "apart":
        result.compatible = False
        result.differ["place"] = f"{_where(a)} vs {_where(b)}"
    elif places != "unknown":
        result.matched["place"] = f"{_where(a)} {'=' if places == 'same' else '~'} {_where(b)} ({places})"
        result.score += {"same": 3, "near": 2, "within": 1}[places]
    if when is False:
        result.compatible = False
        result.differ["date"] = f"{a.date or 'undated'} vs {b.date or 'undated'}"
    elif when:
        result.matched["date"] = f"{a.date or 'undated'} ~ {b.date or 'undated'}"
        result.score += 3 if same_day else 1
    else:
        result.compatible = False
        result.differ["date"] = "neither telling is dated"
    if perpetrators_exclude(a, b):
        # two tellings of one place and one day that name different attackers contradict each other; otherwise
        # the attackers tell them apart
        result.differ["perpetrators"] = "each names another attacker on its own word"
        if not (same_day and places in ("same", "near")):
            result.compatible = False
    shared = ({p.id for p in a.perpetrators if p.id} & {p.id for p in b.perpetrators if p.id})
    if shared:
        result.matched["perpetrators"] = ", ".join(sorted(shared))
        result.score += 2
    targets = ({t.id or (t.description or "").casefold() for t in a.targets}
               & {t.id or (t.description or "").casefold() for t in b.targets}) - {""}
    if targets:
        result.matched["targets"] = ", ".join(sorted(targets))
        result.score += 1
    figures_a, figures_b = _figures(a), _figures(b)
    if figures_a and figures_b:
        if figures_a[0] <= figures_b[1] and figures_b[0] <= figures_a[1]:
            result.matched["killed"] = "figures agree"
            result.score += 1
        else:
            result.differ["killed"] = f"{_said(a)} vs {_said(b)}"
    # a hijacking told on the 11th by one outlet and on the 12th by another, in one country: the same rare kind
    # of event a day apart is evidence too
    close = relation == "same" and a.type != fallback_type(ontology) and len(a.date or "") == len(b.date or "") == 10 \
        and dates_overlap(a.date, b.date, slack_days=1) is True and (a.country is None or b.country is None
                                                                      or a.country == b.country)
    evidence = places in ("same", "near") or same_day or bool(shared) or bool(targets) or close
    if result.compatible and not evidence:
        result.compatible = False
        result.differ["evidence"] = "nothing but the absence of contradictions links them"
    return result


def _published_overlap(a: Incident, b: Incident, a_published: str | None, b_published: str | None) -> bool | None:
    """Dates compared when one telling is undated: the undated one as of the ten days before its report."""
    def window(incident: Incident, published: str | None) -> tuple[date, date] | None:
        if incident.date is not None:
            return span(incident.date)
        days = span(published)
        return (days[0] - timedelta(days=10), days[1]) if days else None

    first, second = window(a, a_published), window(b, b_published)
    if first is None or second is None:
        return None
    return first[0] <= second[1] and second[0] <= first[1]


def _where(incident: Incident) -> str:
    return incident.place.name if incident.place else (incident.country or "somewhere")


def _said(incident: Incident) -> str:
    killed = incident.killed
    if killed is None:
        return "no figure"
    return killed.text or f"{killed.min}-{killed.max}"


def contradictions(incident: Incident) -> list[dict[str, Any]]:
    """Where an incident's tellings differ, side by side: casualty figures that reports state differently (each
    report's own), and perpetrators one side names and another denies."""
    found: list[dict[str, Any]] = []
    for casualty in ("killed", "injured"):
        by_report: dict[str, Count] = {}
        for report in incident.reports:
            count = getattr(report, casualty)
            if count is not None:
                by_report.setdefault(report.source, count)
        if len({(c.min, c.max) for c in by_report.values()}) > 1:
            found.append({"field": casualty, "reports": [
                {"source": source, **count.model_dump(exclude_none=True)} for source, count in by_report.items()]})
    for actor in dict.fromkeys(p.id for p in incident.perpetrators if p.id):
        said = [p for p in incident.perpetrators if p.id == actor]
        if any(p.basis == "denied" for p in said) and any(p.basis != "denied" for p in said):
            found.append({"field": "perpetrator", "id": actor, "accounts": [
                {"basis": p.basis, "asserted_by": p.asserted_by} for p in said]})
    return found
