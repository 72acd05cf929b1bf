"""Scoring the incidents read from a set of reports against the incidents curators coded from them.

A set is a bundle directory: ``reports/<id>.txt`` and ``reports/<id>.yaml`` (several outlets' reports, often of
the same incidents), optionally ``entities.yaml`` (names the registry lacks), and ``incidents.yaml``, the gold::

    incidents:
      - id: kabul-airport-2021-08-26
        type: suicide_bombing
        date: 2021-08-26
        place: {name: Kabul, id: kabul, precision: city}
        admin1: Kabul
        country: afghanistan
        location: {lat: 34.56, lon: 69.21}
        perpetrators: [{id: isk, basis: claimed, asserted_by: isk}]
        targets: [{description: airport gate}]
        killed: {min: 170, text: at least 170}
        injured: {min: 150}
        reports: [{source: report-a, quote: "A suicide bomber ..."}, {source: report-b, quote: "..."}]
    must_not_merge: [[kabul-airport-2021-08-26, kabul-rocket-2021-08-30]]   # optional

Every report of the set is read and ingested into a scratch store, in the order of publication, so that reports of
one incident are merged as ingest merges them; the incidents holding the set's reports are then aligned with the
gold, one to one, by the reports they share (a gold report and an output report share when their quotes overlap
in the same report). The figures:

- **recall**: gold incidents found (aligned with an output incident);
- **precision**: output incidents that are real (aligned with a gold incident);
- **merge F1**: over pairs of (report, gold incident) mentions, the pairs the gold puts in one incident against
  the pairs the output does (B-cubed's stricter cousin: pairwise precision and recall);
- **perpetrator right**: of the incidents found, those whose perpetrators (entities named on any basis but a
  denial) are the gold's;
- **casualties right**: of the figures the gold states (killed, injured) for incidents found, those the output
  states and that overlap the gold's range ("at least 40" and "43" agree; "12" and "40" do not);
- beside them, type right (the same type), date right (overlapping at their precision) and place right (the same
  place, or one within the other), and ``must_not_merge`` pairs merged anyway.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import combinations
from pathlib import Path
from typing import Any

import yaml

from graph.domain.errors import Problem, ValidationFailed
from graph.domain.incident_match import dates_overlap
from graph.domain.model import Batch, Count, Entity, Incident, Source
from graph.domain.ontology import Ontology
from graph.domain.yamlio import read_yaml
from graph.language.extract.pipeline import ClaimExtractor
from graph.language.extract.text import ReportInput
from graph.services.incident_merge import DecisionLog
from graph.services.ingest import ingest_many
from graph.services.loader import Records, Registry, read_bundle_records, validate
from graph.stores.protocol import GraphStore, IncidentQuery

Mention = tuple[str, str]  # (report id, gold incident id)


@dataclass(frozen=True)
class GoldReport:
    """A report of a gold incident: the report's id and the quote's span in its text (None: not found)."""

    source: str
    span: tuple[int, int] | None


@dataclass(frozen=True)
class GoldIncident:
    """A gold incident as the scorer needs it."""

    id: str
    type: str | None
    date: str | None
    place: str | None
    place_id: str | None
    admin1: str | None
    country: str | None
    perpetrators: frozenset[str]
    killed: Count | None
    injured: Count | None
    reports: tuple[GoldReport, ...]


@dataclass
class GoldSet:
    """The gold of a set: its incidents and the pairs that must stay apart."""

    incidents: list[GoldIncident]
    must_not_merge: list[tuple[str, str]] = field(default_factory=list)


@dataclass
class Ratio:
    """``right`` of ``total``."""

    right: int = 0
    total: int = 0

    @property
    def value(self) -> float | None:
        return self.right / self.total if self.total else None

    def as_dict(self) -> dict[str, Any]:
        value = self.value
        return {"right": self.right, "of": self.total, "value": round(value, 3) if value is not None else None}


@dataclass
class IncidentScore:
    """The figures of one run (see the module's docstring), and what lies behind them."""

    recall: Ratio = field(default_factory=Ratio)
    precision: Ratio = field(default_factory=Ratio)
    merge_precision: Ratio = field(default_factory=Ratio)
    merge_recall: Ratio = field(default_factory=Ratio)
    perpetrators: Ratio = field(default_factory=Ratio)
    casualties: Ratio = field(default_factory=Ratio)
    types: Ratio = field(default_factory=Ratio)
    dates: Ratio = field(default_factory=Ratio)
    places: Ratio = field(default_factory=Ratio)
    must_not_merge: Ratio = field(default_factory=Ratio)
    aligned: dict[str, str] = field(default_factory=dict)  # gold id -> output id
    missed: list[str] = field(default_factory=list)
    spurious: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    @property
    def merge_f1(self) -> float | None:
        p, r = self.merge_precision.value, self.merge_recall.value
        if p is None or r is None:
            return None
        return 2 * p * r / (p + r) if p + r else 0.0

    def as_dict(self) -> dict[str, Any]:
        f1 = self.merge_f1
        return {"recall": self.recall.as_dict(), "precision": self.precision.as_dict(),
                "merge": {"precision": self.merge_precision.as_dict(), "recall": self.merge_recall.as_dict(),
                          "f1": round(f1, 3) if f1 is not None else None},
                "perpetrator_right": self.perpetrators.as_dict(), "casualties_right": self.casualties.as_dict(),
                "type_right": self.types.as_dict(), "date_right": self.dates.as_dict(),
                "place_right": self.places.as_dict(), "must_not_merge_kept_apart": self.must_not_merge.as_dict(),
                "aligned": self.aligned, "missed": self.missed, "spurious": self.spurious, "errors": self.errors}


# --- reading the gold ----------------------------------------------------------------------------------------


def read_gold(path: Path, ontology: Ontology, texts: Mapping[str, str],
              resolve: Mapping[str, str] | None = None) -> GoldSet:
    """The gold incidents of ``path`` (an ``incidents.yaml``), each report's quote found in its text.

    ``resolve`` maps names the gold may use for entities ("IS-K") to their ids. Raises ``ValidationFailed``
    listing every problem (file, incident, field) when the file is not a gold set this scorer can read.
    """
    origin = str(path)
    problems: list[Problem] = []
    try:
        data = read_yaml(path)
    except (OSError, yaml.YAMLError) as error:
        raise ValidationFailed([Problem(origin, None, "(file)", None, f"cannot read the gold: {error}")]) from error
    if not isinstance(data, Mapping) or not isinstance(data.get("incidents"), list):
        raise ValidationFailed([Problem(origin, None, "incidents", None, "must be a list of incidents")])
    names = dict(resolve or {})
    incidents: list[GoldIncident] = []
    for position, item in enumerate(data["incidents"]):
        where = f"incidents[{position}]"
        if not isinstance(item, Mapping) or not isinstance(item.get("id"), str):
            problems.append(Problem(origin, None, where, None, "must be a mapping with an id"))
            continue
        incidents.append(_gold_incident(item, where, origin, ontology, texts, names, problems))
    ids = {i.id for i in incidents}
    pairs: list[tuple[str, str]] = []
    for position, entry in enumerate(data.get("must_not_merge") or []):
        # A decoy pair is written bare, [a, b], or with the reason it is a decoy: {incidents: [a, b], why: ...}.
        pair = entry.get("incidents") if isinstance(entry, Mapping) else entry
        if not isinstance(pair, list) or len(pair) != 2 or not all(isinstance(p, str) for p in pair) \
                or not set(pair) <= ids:
            problems.append(Problem(origin, None, f"must_not_merge[{position}]", entry,
                                    "must be a pair of ids of the gold's incidents, bare or as {incidents: [a, b]}"))
            continue
        pairs.append((str(pair[0]), str(pair[1])))
    if problems:
        raise ValidationFailed(problems)
    return GoldSet(incidents, pairs)


def _gold_incident(item: Mapping[str, Any], where: str, origin: str, ontology: Ontology, texts: Mapping[str, str],
                   names: Mapping[str, str], problems: list[Problem]) -> GoldIncident:
    kind = item.get("type")
    if kind is not None and kind not in ontology.incident_types:
        problems.append(Problem(origin, None, f"{where}.type", kind, "unknown incident type"))
    place = item.get("place")
    place_name = place.get("name") if isinstance(place, Mapping) else place if isinstance(place, str) else None
    place_id = place.get("id") if isinstance(place, Mapping) else None
    perpetrators = set()
    for entry in item.get("perpetrators") or []:
        if isinstance(entry, Mapping) and entry.get("id") and entry.get("basis") != "denied":
            perpetrators.add(names.get(str(entry["id"]).casefold(), str(entry["id"])))
    reports = []
    for number, entry in enumerate(item.get("reports") or []):
        if not isinstance(entry, Mapping) or not isinstance(entry.get("source"), str):
            problems.append(Problem(origin, None, f"{where}.reports[{number}]", entry, "must name a source"))
            continue
        text = texts.get(entry["source"])
        if text is None:
            problems.append(Problem(origin, None, f"{where}.reports[{number}].source", entry["source"],
                                    "is no report of the set"))
            continue
        quote = entry.get("quote")
        start = text.find(quote) if isinstance(quote, str) and quote else -1
        reports.append(GoldReport(entry["source"], (start, start + len(quote)) if start >= 0 and quote else None))
    if not reports:
        problems.append(Problem(origin, None, f"{where}.reports", None, "a gold incident needs a report"))
    country = item.get("country")
    return GoldIncident(
        id=str(item["id"]), type=kind, date=str(item["date"]) if item.get("date") is not None else None,
        place=str(place_name) if place_name else None, place_id=str(place_id) if place_id else None,
        admin1=str(item["admin1"]) if item.get("admin1") else None,
        country=names.get(str(country).casefold(), str(country)) if country else None,
        perpetrators=frozenset(perpetrators), killed=_count(item.get("killed"), f"{where}.killed", origin, problems),
        injured=_count(item.get("injured"), f"{where}.injured", origin, problems), reports=tuple(reports))


def _count(raw: Any, where: str, origin: str, problems: list[Problem]) -> Count | None:
    if raw is None:
        return None
    if isinstance(raw, int) and not isinstance(raw, bool):
        return Count(min=raw, max=raw)
    if isinstance(raw, Mapping):
        try:
            return Count(min=raw.get("min"), max=raw.get("max"), text=raw.get("text"))
        except ValueError as error:
            problems.append(Problem(origin, None, where, dict(raw), str(error)))
            return None
    problems.append(Problem(origin, None, where, raw, "must be a number or {min, max, text}"))
    return None


# --- scoring --------------------------------------------------------------------------------------------------


def _covers(incident: Incident, report: GoldReport) -> bool:
    """Whether an output incident tells a gold report: a report entry of the same report whose quote overlaps."""
    for entry in incident.reports:
        if entry.source != report.source:
            continue
        if report.span is None:
            return True
        if entry.span[0] < report.span[1] and report.span[0] < entry.span[1]:
            return True
    return False


def _tellers(outputs: Sequence[Incident], report: GoldReport) -> list[Incident]:
    """The output incidents that tell a gold report: those whose quotes overlap its quote, else, when none does,
    the one output incident that holds that report at all (it quotes another sentence of it)."""
    overlapping = [o for o in outputs if _covers(o, report)]
    if overlapping:
        return overlapping
    holding = [o for o in outputs if report.source in o.sources]
    return holding if len(holding) == 1 else []


def _interval(count: Count) -> tuple[float, float]:
    low = count.min if count.min is not None else (0 if count.max is not None else math.nan)
    high = count.max if count.max is not None else math.inf
    return float(low), float(high)


def figures_agree(gold: Count, output: Count | None) -> bool:
    """Whether a stated figure agrees with the gold's: their ranges overlap ("at least 40" and "43" agree)."""
    if output is None or (output.min is None and output.max is None):
        return False
    if gold.min is None and gold.max is None:
        return True
    (a, b), (c, d) = _interval(gold), _interval(output)
    return a <= d and c <= b


def _place_right(gold: GoldIncident, output: Incident) -> bool:
    place = output.place
    if gold.place is None and gold.place_id is None:
        return True
    if place is None:
        return False
    names = {n.casefold() for n in (place.name, place.id) if n}
    wanted = {n.casefold() for n in (gold.place, gold.place_id) if n}
    if names & wanted:
        return True
    admin = (output.admin1 or "").casefold()
    return bool(admin and admin in wanted) or bool(gold.admin1 and place.name.casefold() in
                                                   {gold.admin1.casefold()} and place.precision == "province")


def score_incidents(gold: GoldSet, output: Sequence[Incident], sources: Iterable[str]) -> IncidentScore:
    """Align output incidents with the gold's by the reports they share and score them (module docstring)."""
    wanted = set(sources)
    outputs = [i for i in output if set(i.sources) & wanted]
    result = IncidentScore()
    overlap: list[tuple[int, str, str]] = []
    tellers = {(item.id, n): {o.id for o in _tellers(outputs, r)} for item in gold.incidents
               for n, r in enumerate(item.reports)}
    for incident in outputs:
        for item in gold.incidents:
            shared = sum(incident.id in tellers[(item.id, n)] for n in range(len(item.reports)))
            if shared:
                overlap.append((shared, item.id, incident.id))
    taken_gold: set[str] = set()
    taken_output: set[str] = set()
    for _, gold_id, output_id in sorted(overlap, key=lambda o: (-o[0], o[1], o[2])):
        if gold_id in taken_gold or output_id in taken_output:
            continue
        taken_gold.add(gold_id)
        taken_output.add(output_id)
        result.aligned[gold_id] = output_id
    by_id = {i.id: i for i in outputs}
    result.recall = Ratio(len(result.aligned), len(gold.incidents))
    result.precision = Ratio(len(taken_output), len(outputs))
    result.missed = [g.id for g in gold.incidents if g.id not in result.aligned]
    result.spurious = [i.id for i in outputs if i.id not in taken_output]
    _merges(gold, outputs, result)
    for item in gold.incidents:
        found = by_id.get(result.aligned.get(item.id, ""))
        if found is None:
            continue
        named = {p.id for p in found.perpetrators if p.id and p.basis != "denied"}
        right = named == set(item.perpetrators)
        result.perpetrators.total += 1
        result.perpetrators.right += right
        if not right:
            result.errors.append(f"{item.id}: perpetrators {sorted(named)} where the gold has "
                                 f"{sorted(item.perpetrators)}")
        for casualty, count in (("killed", item.killed), ("injured", item.injured)):
            if count is None:
                continue
            stated = getattr(found, casualty)
            agree = figures_agree(count, stated)
            result.casualties.total += 1
            result.casualties.right += agree
            if not agree:
                result.errors.append(f"{item.id}: {casualty} {_said(stated)} where the gold has {_said(count)}")
        if item.type is not None:
            result.types.total += 1
            result.types.right += found.type == item.type
        if item.date is not None:
            result.dates.total += 1
            result.dates.right += bool(dates_overlap(item.date, found.date, slack_days=0))
        if item.place is not None or item.place_id is not None:
            result.places.total += 1
            result.places.right += _place_right(item, found)
    return result


def _said(count: Count | None) -> str:
    if count is None:
        return "no figure"
    return count.text or f"{count.min}-{count.max}"


def _merges(gold: GoldSet, outputs: Sequence[Incident], result: IncidentScore) -> None:
    """Pairwise merge precision and recall over (report, gold incident) mentions, and the pairs kept apart."""
    assigned: dict[Mention, str] = {}
    for item in gold.incidents:
        for source in dict.fromkeys(r.source for r in item.reports):
            reports = [r for r in item.reports if r.source == source]
            told = [o.id for r in reports for o in _tellers(outputs, r)]
            if told:
                assigned[(source, item.id)] = max(sorted(set(told)), key=told.count)
    mentions = [(source, item.id) for item in gold.incidents for source in dict.fromkeys(r.source
                                                                                            for r in item.reports)]
    gold_pairs = {frozenset(p) for p in combinations(mentions, 2) if p[0][1] == p[1][1]}
    output_pairs = {frozenset(p) for p in combinations(mentions, 2)
                    if p[0] in assigned and p[1] in assigned and assigned[p[0]] == assigned[p[1]]}
    both = len(gold_pairs & output_pairs)
    result.merge_precision = Ratio(both, len(output_pairs))
    result.merge_recall = Ratio(both, len(gold_pairs))
    for first, second in gold.must_not_merge:
        merged = any(assigned.get((s, first)) is not None and assigned.get((s, first)) == assigned.get((t, second))
                     for s, _ in [m for m in mentions if m[1] == first] for t, _ in [m for m in mentions
                                                                                      if m[1] == second])
        result.must_not_merge.total += 1
        result.must_not_merge.right += not merged
        if merged:
            result.errors.append(f"{first} and {second} must stay apart and were merged")


# --- a run over a set -------------------------------------------------------------------------------------------


@dataclass
class SetRun:
    """A set read: its reports (ordered by publication) and the registry its names resolve against."""

    sources: list[Source]
    entities: list[Entity]


def read_set(path: Path, ontology: Ontology, registry: Sequence[Entity]) -> SetRun:
    """The reports and entities of a set (its claims and incidents are gold, not read here)."""
    raw = read_bundle_records(path)
    batch = validate(Records(entities=raw.entities, sources=raw.sources, problems=raw.problems), ontology,
                     Registry(registry))
    sources = sorted(batch.sources, key=lambda s: (s.published or "", s.id))
    return SetRun(sources, batch.entities)


def evaluate_incidents(path: Path, store: GraphStore, ontology: Ontology, extractor: ClaimExtractor,
                       registry: Sequence[Entity]) -> tuple[IncidentScore, int]:
    """Read every report of a set into ``store`` (a scratch store holding nothing yet) as ingest does, and score
    the incidents that come of them against the set's ``incidents.yaml``; the number of reports read."""
    run = read_set(path, ontology, registry)
    store.upsert(Batch(entities=[*registry, *run.entities]))
    texts = {s.id: s.text for s in run.sources}
    names: dict[str, str] = {}
    for entity in [*registry, *run.entities]:
        for name in [entity.id, entity.name, *(a.name for a in entity.aliases if a.valid_until is None)]:
            names.setdefault(name.casefold(), entity.id)
    gold = read_gold(path / "incidents.yaml", ontology, texts, names)
    reports = [ReportInput(text=s.text, title=s.title, outlet=s.outlet, outlet_id=s.outlet_id, url=s.url,
                           published=s.published, reliability=s.reliability, origin=s.id) for s in run.sources]
    if reports:
        ingest_many(reports, store, ontology, extractor=extractor, decisions=DecisionLog(None),
                    source_ids=[s.id for s in run.sources])
    output: dict[str, Incident] = {}
    for source in run.sources:
        for incident in store.incidents(IncidentQuery(source=source.id, limit=500)):
            output[incident.id] = incident
    return score_incidents(gold, list(output.values()), texts), len(run.sources)
