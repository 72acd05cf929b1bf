"""Running a structured query on a store: the entities that answer it, the claims behind them, and
the yes/no or count it asks for.

Everything an answer says comes from the store's claims and paths; the reader only decides which
query to run, and the query is returned with the answer so that it can be checked and run again
(``GET /v1/ask/query``). Entities are read by id, claims by the filters the store indexes; nothing
here lists the whole graph.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence

from graph.domain.dates import DateWindow, window
from graph.domain.errors import ClaimNotFound, EntityNotFound, InvalidParameter
from graph.domain.gazetteer import fold, load_gazetteer
from graph.domain.model import ClaimView, Count, Entity, Incident, IncidentOut
from graph.domain.ontology import Ontology
from graph.language.ask.coverage import asked_about, coverage, is_thin
from graph.language.ask.model import (
    Answer,
    AnswerCasualties,
    AnswerCount,
    AnswerEntity,
    AnswerPath,
    AskQuery,
    Reading,
)
from graph.stores.cite import cite, present
from graph.stores.protocol import ClaimQuery, GraphStore, IncidentQuery, newest_first

# Connection questions: how many shortest paths, and how long at most.
PATHS_K = 3
PATHS_MAX_HOPS = 4
# A "no" offers at most this many of the nearest claims the graph holds.
NEAREST = 10
# Incidents an answer reads: one page of the store's incident filters (the count says when there are more).
INCIDENT_PAGE = 200


class _Run:
    """One query on one store: the claims found and the entities they reach, gathered as the shapes go."""

    def __init__(self, store: GraphStore, ontology: Ontology, query: AskQuery) -> None:
        self.store = store
        self.ontology = ontology
        self.query = query
        self.span: DateWindow = window(query.since, query.until)
        self._entities: dict[str, Entity | None] = {}

    def entity(self, entity_id: str) -> Entity | None:
        """An entity by id, read once per run (the store answers id lookups from its index)."""
        if entity_id not in self._entities:
            try:
                self._entities[entity_id] = self.store.get_entity(entity_id)
            except EntityNotFound:
                self._entities[entity_id] = None
        return self._entities[entity_id]

    def prefetch(self, ids: Iterable[str]) -> None:
        """Read the entities not read yet in one batch (an answer can name hundreds)."""
        wanted = [i for i in dict.fromkeys(ids) if i not in self._entities]
        if wanted:
            found = self.store.get_entities(wanted)
            self._entities.update({i: found.get(i) for i in wanted})

    def name(self, entity_id: str | None) -> str:
        found = self.entity(entity_id) if entity_id else None
        return found.name if found else str(entity_id)

    def claims(self, **filters: object) -> list[ClaimView]:
        """Claims matching the query's statuses, dispute flag and window, and these filters."""
        q = self.query
        settings: dict[str, object] = {"statuses": tuple(q.statuses) or None, "disputed": q.disputed,
                                       "window": self.span}
        settings.update(filters)
        return self.store.claims(ClaimQuery(**settings))  # type: ignore[arg-type]

    def answers(self, by_entity: dict[str, list[str]]) -> list[AnswerEntity]:
        """Answering entities, the best supported first, each with its claim ids."""
        self.prefetch(by_entity)
        listed = []
        for entity_id, ids in by_entity.items():
            found = self.entity(entity_id)
            listed.append(AnswerEntity(id=entity_id, name=found.name if found else entity_id,
                                       kind=found.kind if found else "", claims=list(dict.fromkeys(ids))))
        return sorted(listed, key=lambda a: (-len(a.claims), a.name))

    def kind_ok(self, entity_id: str) -> bool:
        if not self.query.kinds:
            return True
        found = self.entity(entity_id)
        return found is not None and found.kind in self.query.kinds


def _at(side: str, entity_id: str, types: tuple[str, ...] | None = None) -> ClaimQuery:
    """Claims with an entity at one end (``subject`` or ``object``)."""
    if side == "subject":
        return ClaimQuery(subject=entity_id, types=types)
    return ClaimQuery(object=entity_id, types=types)


def _types(query: AskQuery) -> tuple[str, ...] | None:
    return tuple(query.types) or None


def check_query(ontology: Ontology, query: AskQuery) -> AskQuery:
    """The query with categories among its types expanded; ``InvalidParameter`` for a type, status or kind the
    ontology lacks, a bad date, or a field its shape needs and lacks, before any work."""
    expanded = {}
    for field in ("types", "via_types"):
        names = getattr(query, field)
        try:
            expanded[field] = ontology.expand_types(names) or []
        except InvalidParameter as error:
            raise InvalidParameter(field, error.details["value"], "neither a relation type nor a category",
                                   sorted(ontology.relation_types) + sorted(ontology.categories)) from error
    query = query.model_copy(update=expanded)
    for status in query.statuses:
        ontology.check_status(status)
    for kind in query.kinds:
        if kind not in ontology.entity_kinds:
            raise InvalidParameter("kinds", kind, "unknown entity kind", list(ontology.entity_kinds))
    window(query.since, query.until)
    needs = {"chain": ("via",), "pair": ("subject", "object"), "connection": ("subject", "object"),
             "profile": ("subject",), "assertions": ("asserted_by",)}
    for field in needs.get(query.shape, ()):
        if getattr(query, field) is None:
            raise InvalidParameter(field, None, f"a {query.shape} query needs {' and '.join(needs[query.shape])}")
    return query


def run(store: GraphStore, ontology: Ontology, query: AskQuery, *, question: str | None = None,
        reading: Reading | None = None) -> Answer:
    """Answer a structured query from the store."""
    query = check_query(ontology, query)
    for entity_id in (query.subject, query.object, query.place, query.asserted_by, query.via):
        if entity_id is not None:
            store.get_entity(entity_id)  # EntityNotFound, with suggestions, for an id the graph lacks
    if query.gazetteer is not None and load_gazetteer().get(query.gazetteer) is None:
        raise InvalidParameter("gazetteer", query.gazetteer, "no place of the gazetteer has this key")
    job = _Run(store, ontology, query)
    shapes = {"relation": _relation, "category": _relation, "chain": _chain, "pair": _pair,
              "connection": _connection, "profile": _about, "status": _about, "events": _events,
              "incident": _incident, "assertions": _assertions, "denials": _denials}
    if query.gazetteer is not None and query.place is None and query.shape in ("events", "incident"):
        result = _Result([])  # a place only the gazetteer knows: no claim is located there, incidents are
    else:
        result = shapes[query.shape](job)
    return _finish(job, result, question, reading)


class _Result:
    """What a shape found, before it becomes an answer."""

    def __init__(self, claims: Iterable[ClaimView], by_entity: dict[str, list[str]] | None = None, *,
                 counted: Sequence[ClaimView] | None = None, groups: bool = False,
                 paths: list[AnswerPath] | None = None, what: str = "", nearest: Iterable[ClaimView] = ()) -> None:
        found = {c.id: c for c in claims}
        self.claims = [found[i] for i in sorted(found)]
        self.by_entity = by_entity or {}
        self.counted = list(counted) if counted is not None else self.claims
        self.groups = groups
        self.paths = paths or []
        self.what = what
        self.nearest = list(nearest)


def _finish(job: _Run, result: _Result, question: str | None, reading: Reading | None) -> Answer:
    query = job.query
    by_entity = result.by_entity
    if query.form == "yes_no":
        # A yes/no question asks about the entities it names: each is listed with the claims that bear on it.
        named = [e for e in (query.subject, query.object, query.asserted_by, query.place, query.via) if e]
        by_entity = {e: ids for e in dict.fromkeys(named)
                     if (ids := [c.id for c in result.counted
                                 if e in (c.subject, c.object, c.asserted_by, c.location)])}
    answers = job.answers(by_entity)
    verdict = None
    nearest: list[ClaimView] = []
    if query.form == "yes_no":
        verdict = "yes" if result.counted else "no"
        if not result.counted:
            nearest = _nearest(job)
    found = _Incidents.read(job, result)
    if found is not None and query.shape == "incident" and query.direction == "in":
        answers = _perpetrators(job, found, answers)
        result.claims = sorted({c.id: c for c in [*result.claims, *found.claims]}.values(), key=lambda c: c.id)
    count = None
    casualties = None
    if query.form == "count" and query.count_of in ("killed", "injured"):
        casualties = _casualties(query, found)
        count = AnswerCount(value=casualties.min, of=casualties.of, claims=len(result.claims))
    elif query.form == "count":
        count = _count(query, result, answers)
    claims = result.claims
    if query.incidents:
        claims = _with_incidents(job, claims)
    if query.disputed:
        claims = _with_denials(job, claims)
    groups: dict[str, list[str]] = {}
    if result.groups:
        grouped: dict[str, list[str]] = defaultdict(list)
        for claim in claims:
            grouped[claim.type].append(claim.id)
        groups = dict(sorted(grouped.items()))
    shown = present(job.store, job.ontology, found.incidents) if found is not None else []
    explanation = _explain(job, result, claims, answers, verdict, nearest, count, reading, casualties)
    if found is not None and (count is None or casualties is not None):
        explanation = explanation.rstrip(".") + ". " + _told(found, shown)
    bounds = None
    if not shown and is_thin(query, len(result.counted), len(result.paths)):
        job.prefetch(asked_about(query))
        bounds = coverage(job.store, query, {i: job.name(i) for i in asked_about(query)}, job.span)
    return Answer(question=question, answers=answers, claims=cite(job.store, claims), paths=result.paths,
                  groups=groups, verdict=verdict, nearest=cite(job.store, nearest), count=count, coverage=bounds,
                  reading=reading, query=query, explanation=explanation, incidents=shown,
                  casualties=casualties)


# --- incidents ----------------------------------------------------------------------------------

class _Incidents:
    """The incidents a question of what happened, who did an attack or how many were killed asks about: one page of
    the store's incident filters (place, country, window, perpetrator), narrowed by what the filters cannot say (a
    target named or described), with the claims about them for "who did it"."""

    def __init__(self, incidents: list[Incident], total: int, claims: list[ClaimView]) -> None:
        self.incidents = incidents
        self.total = total
        self.claims = claims

    @classmethod
    def read(cls, job: _Run, result: _Result) -> _Incidents | None:
        """None when the question is not about incidents. The store's incident filters select them by place (a
        place or state named where it happened, or as the target), period and perpetrator; a target the filters
        cannot say (a community) selects them through the incidents of the attack claims found, read by id.
        A question that names nothing selecting them reads none (never a listing)."""
        q = job.query
        if q.form == "yes_no":
            return None
        if q.shape in ("relation", "category") and q.types and set(q.types) <= set(_event_types(job)):
            # "attacks on Shia Muslims in 2021": the incidents of the attack claims found, read by id
            ids = sorted({c.incident for c in result.claims if c.incident})
            kept = sorted(job.store.get_incidents(ids).values(), key=newest_first)
            return cls(kept, len(kept), []) if kept else None
        if q.shape not in ("events", "incident"):
            return None
        places, country = _incident_places(job, q.place)
        target = job.entity(q.object) if q.object is not None else None
        by_claims: list[str] = []
        if target is not None and not places and country is None:
            places, country = _incident_places(job, target.id)
            if not places and country is None:
                by_claims = sorted({c.incident for c in result.claims if c.incident})
        selects = bool(places or country or q.subject or not job.span.is_open)
        if not selects and not by_claims:
            return None
        if selects:
            query = IncidentQuery(places=places or None, country=country, window=job.span, perpetrator=q.subject,
                                  limit=INCIDENT_PAGE)
            page = job.store.incidents(query)
            total = job.store.count_incidents(query) if len(page) == INCIDENT_PAGE else len(page)
        else:
            page = sorted(job.store.get_incidents(by_claims).values(), key=newest_first)
            total = len(page)
        kept = [i for i in page if _hits(job, i, target.id if target else None, q.target)]
        if len(kept) < len(page):
            total = len(kept)
        claims: list[ClaimView] = []
        if q.shape == "incident" and q.direction == "in":
            # who did it, by the claims about each incident that say so: the attack, its claim, blame and denial
            bearing = {*_event_types(job), *(t.name for t in job.ontology.relation_types.values()
                                             if t.category == "discursive")}
            for incident in kept:
                claims += [c for c in job.store.claims(ClaimQuery(incident=incident.id)) if c.type in bearing]
        return cls(kept, total, claims)


def _incident_places(job: _Run, place: str | None) -> tuple[tuple[str, ...], str | None]:
    """The place filter an incident query takes (``Incident.place_keys``) and the country, for an entity named
    where it happened (else the query's gazetteer place): a state filters by country; a place by its entity, its
    gazetteer entry and, for a province, its ISO code (its towns are in it); any other kind by neither."""
    gazetteer = load_gazetteer()
    keys: list[str] = []
    found = None
    entity = job.entity(place) if place is not None else None
    if entity is not None and entity.kind == "state":
        return (), entity.id
    if entity is not None and entity.kind not in job.ontology.location_kinds:
        return (), None
    if entity is not None:
        keys.append(entity.id)
        found = gazetteer.get(entity.gazetteer) if entity.gazetteer else None
    elif job.query.gazetteer is not None and place == job.query.place:
        found = gazetteer.get(job.query.gazetteer)
    if found is not None:
        keys.append(found.key)
        if found.kind == "province" and found.admin1_code:
            keys.append(found.admin1_code)
    return tuple(dict.fromkeys(keys)), None


def _hits(job: _Run, incident: Incident, target: str | None, described: str | None) -> bool:
    """Whether an incident hit what the question names: an entity (as a target, or as the country or place it
    happened in) or a description ("police" finds "a police post" and "policemen")."""
    if target is not None and target not in {t.id for t in incident.targets} | incident.place_keys() | {
            incident.country}:
        return False
    if described is None:
        return True
    word = fold(described)
    said = [t.description for t in incident.targets if t.description]
    # the described targets say it; an incident that describes none is read by its quotes ("at the airport")
    return any(word in fold(d) for d in said) if said else any(word in fold(r.quote) for r in incident.reports)


def _perpetrators(job: _Run, found: _Incidents, answers: list[AnswerEntity]) -> list[AnswerEntity]:
    """Who did the attacks found, by the incidents' records where the claims name nobody (an attack on a place the
    claims record as hitting its state): each with the claims of its incident that make it one."""
    known = {a.id for a in answers}
    by_entity: dict[str, list[str]] = defaultdict(list)
    for incident in found.incidents:
        for perpetrator in incident.perpetrators:
            if perpetrator.id is None or perpetrator.basis == "denied" or perpetrator.id in known:
                continue
            by_entity[perpetrator.id] += [c.id for c in found.claims
                                          if c.incident == incident.id and perpetrator.id in (c.subject, c.object)]
    return sorted([*answers, *job.answers(by_entity)], key=lambda a: (-len(a.claims), a.name))


def _casualties(query: AskQuery, found: _Incidents | None) -> AnswerCasualties:
    """The killed or injured, added up from each incident's figure as stated: the lowest and highest totals the
    figures allow; an incident that states none leaves the highest open and is listed, never counted as 0."""
    field = query.count_of if query.count_of == "injured" else "killed"
    incidents = found.incidents if found is not None else []
    low, high, unstated = 0, 0, []
    open_above = False
    for incident in incidents:
        figure: Count | None = getattr(incident, field)
        if figure is None or (figure.min is None and figure.max is None):
            unstated.append(incident.id)
            open_above = True
            continue
        low += figure.min if figure.min is not None else 0
        if figure.max is None:
            open_above = True
        else:
            high += figure.max
    return AnswerCasualties(of="injured" if field == "injured" else "killed", min=low,
                            max=None if open_above or not incidents else high, incidents=len(incidents),
                            unstated=unstated)


def _figure(count: Count | None) -> str:
    if count is None:
        return "not stated"
    if count.min is not None and count.max is not None:
        said = str(count.min) if count.min == count.max else f"{count.min}-{count.max}"
    elif count.min is not None:
        said = f"{count.min}+"
    else:
        said = f"up to {count.max}"
    return f"{said} ({count.text})" if count.text else said


def _told(found: _Incidents, shown: list[IncidentOut]) -> str:
    """The incidents in a line each: when, what, where, who by whose account, the killed as stated, how many reports,
    and where the reports differ."""
    if not shown:
        return "No incident the graph holds matches."
    more = f" (the first {len(shown)} of {found.total})" if found.total > len(shown) else ""
    lines = []
    for incident in shown:
        who = ", ".join(f"{p.name} ({p.basis}{' by ' + p.asserted_by_name if p.asserted_by_name else ''})"
                        for p in incident.perpetrators) or "perpetrator not named"
        place = incident.place.name if incident.place else "place unknown"
        line = f"{incident.date or 'undated'} {incident.type_label} in {place}: {who}"
        line += f"; killed {_figure(incident.killed)}; {_s(incident.corroboration, 'report')}"
        for differ in incident.contradictions:
            if differ["field"] == "perpetrator":
                names = {p.id: p.name for p in incident.perpetrators} | {
                    p.asserted_by: p.asserted_by_name for p in incident.perpetrators if p.asserted_by}
                line += f"; who did it, side by side: {names.get(differ['id'], differ['id'])} " + ", ".join(
                    f"{a['basis']} by {names.get(a['asserted_by'], a['asserted_by'])}" for a in differ["accounts"])
            else:
                line += f"; {differ['field']} differs by report: " + ", ".join(
                    f"{r['source']} {_figure(Count.model_validate({k: r.get(k) for k in ('min', 'max', 'text')}))}"
                    for r in differ["reports"])
        lines.append(f"{line} [{incident.id}]")
    return f"{_s(len(shown), 'incident')}{more}: " + "; ".join(lines) + "."


def _with_denials(job: _Run, claims: list[ClaimView]) -> list[ClaimView]:
    """Disputed claims with the denials that dispute them: what makes them disputed is part of the answer."""
    found = {c.id: c for c in claims}
    for claim in claims:
        for denial_id in claim.disputed_by:
            if denial_id not in found:
                denial = _claim(job, denial_id)
                if denial is not None:
                    found[denial_id] = denial
    return [found[i] for i in sorted(found)]


def _with_incidents(job: _Run, claims: list[ClaimView]) -> list[ClaimView]:
    """Claims with the other claims of their incidents (read through the entities they touch)."""
    found = {c.id: c for c in claims}
    incidents = {c.incident for c in claims if c.incident}
    for entity_id in {e for c in claims if c.incident for e in (c.subject, c.object)}:
        for side in ("subject", "object"):
            for claim in job.store.claims(_at(side, entity_id)):
                if claim.incident in incidents:
                    found.setdefault(claim.id, claim)
    return [found[i] for i in sorted(found)]


def _count(query: AskQuery, result: _Result, answers: list[AnswerEntity]) -> AnswerCount:
    counted = result.counted
    if query.count_of == "entities":
        return AnswerCount(value=len(answers), of="entities", claims=len(counted))
    if query.count_of == "incidents":
        return AnswerCount(value=len({c.incident or c.id for c in counted}), of="incidents", claims=len(counted))
    return AnswerCount(value=len(counted), of="claims", claims=len(counted))


def _nearest(job: _Run) -> list[ClaimView]:
    """For a "no": what the graph does hold nearby, so that none reads as none, not as unknown."""
    q = job.query
    found: dict[str, ClaimView] = {}
    ends = [e for e in (q.subject, q.object) if e is not None]
    if len(ends) == 2:
        for one, other in ((ends[0], ends[1]), (ends[1], ends[0])):
            found.update({c.id: c for c in job.store.claims(ClaimQuery(subject=one, object=other))})
    elif ends:
        for side in ("subject", "object"):
            found.update({c.id: c for c in job.store.claims(_at(side, ends[0], _types(q)))})
    elif q.place is not None:
        found.update({c.id: c for c in job.store.claims(ClaimQuery(location=q.place))})
    return [found[i] for i in sorted(found)][:NEAREST]


def _others(claim: ClaimView, focus: str | None, direction: str) -> list[str]:
    """The end(s) of a claim that answer: the one that is not the entity asked about."""
    if focus is not None:
        return [claim.object] if claim.subject == focus else [claim.subject]
    if direction == "in":
        return [claim.subject]
    if direction == "out":
        return [claim.object]
    return [claim.subject, claim.object]


# --- shapes ---------------------------------------------------------------------------------

def _relation(job: _Run) -> _Result:
    """A relation type or category, with the entity named as subject or object (or both, or neither)."""
    q = job.query
    subject, obj = q.subject, q.object
    if q.direction == "both" and obj is None and subject is not None:
        # Either end: a symmetric type matches either way already; the others are asked both ways.
        found = job.claims(subject=subject, types=_types(q), location=q.place, asserted_by=q.asserted_by)
        found += job.claims(object=subject, types=_types(q), location=q.place, asserted_by=q.asserted_by)
        found = list({c.id: c for c in found}.values())
    else:
        found = job.claims(subject=subject, object=obj, types=_types(q), location=q.place, asserted_by=q.asserted_by)
        found += _struck_at(job, obj, q.types, subject=subject)
    focus = subject if obj is None else obj if subject is None else None
    by_entity: dict[str, list[str]] = defaultdict(list)
    kept = []
    for claim in found:
        others = [subject if claim.subject == obj else claim.object] if subject and obj else \
            _others(claim, focus, q.direction)
        others = [o for o in others if o is not None and job.kind_ok(o)]
        if not others:
            continue
        kept.append(claim)
        for other in others:
            by_entity[other].append(claim.id)
    if subject and obj:
        by_entity = {obj: [c.id for c in kept]} if kept else {}
    return _Result(kept, by_entity)


def _struck_at(job: _Run, place: str | None, types: list[str], *, subject: str | None = None,
               windowed: bool = True) -> list[ClaimView]:
    """Attacks at a place asked of as their object ("who attacked Peshawar"): the ontology keeps a place struck as
    an attack's location beside the community or state it hit, so those claims answer too."""
    entity = job.entity(place) if place is not None else None
    attacks = [t for t in (types or ()) if t in _event_types(job)]
    if entity is None or entity.kind not in job.ontology.location_kinds or not attacks:
        return []
    if windowed:
        return [c for c in job.claims(location=place, subject=subject, types=tuple(attacks)) if c.object != place]
    return [c for c in job.store.claims(ClaimQuery(location=place, subject=subject, types=tuple(attacks)))
            if c.object != place]


def _chain(job: _Run) -> _Result:
    """An entity reached through one relation, then the main relation from what it reached."""
    q = job.query
    assert q.via is not None
    via_types = tuple(q.via_types) or None
    side = {"out": "subject", "in": "object"}.get(q.via_direction)
    steps = job.store.claims(_at(side or "subject", q.via, via_types))
    if q.via_direction == "in":
        steps += _struck_at(job, q.via, q.via_types, windowed=False)
    reached: dict[str, list[ClaimView]] = defaultdict(list)
    for claim in steps:
        for other in _others(claim, q.via, "both"):
            found_entity = job.entity(other)
            if q.via_kinds and (found_entity is None or found_entity.kind not in q.via_kinds):
                continue
            reached[other].append(claim)
    by_entity: dict[str, list[str]] = defaultdict(list)
    claims: list[ClaimView] = []
    counted: list[ClaimView] = []
    for middle, leading in reached.items():
        if q.direction == "both":
            found = job.claims(subject=middle, types=_types(q), location=q.place, asserted_by=q.asserted_by)
        else:
            end = "subject" if q.direction == "out" else "object"
            found = job.claims(types=_types(q), location=q.place, asserted_by=q.asserted_by,
                               subject=middle if end == "subject" else None, object=middle if end == "object" else None)
        used = False
        for claim in found:
            for other in _others(claim, middle, q.direction):
                if other == q.via or not job.kind_ok(other):
                    continue
                by_entity[other].extend([*(c.id for c in leading), claim.id])
                claims.append(claim)
                counted.append(claim)
                used = True
        if used:
            claims.extend(leading)
    return _Result(claims, by_entity, counted=counted)


def _pair(job: _Run) -> _Result:
    """Every claim between two entities, both ways unless the query says from the first to the second."""
    q = job.query
    assert q.subject is not None and q.object is not None
    found = job.claims(subject=q.subject, object=q.object, types=_types(q), asserted_by=q.asserted_by)
    if q.direction == "both":
        found += job.claims(subject=q.object, object=q.subject, types=_types(q), asserted_by=q.asserted_by)
    unique = {c.id: c for c in found}
    other = q.object
    return _Result(unique.values(), {other: sorted(unique)} if unique else {}, groups=True)


def _connection(job: _Run) -> _Result:
    """The shortest paths between two entities, each hop with its claims; dates do not apply to paths."""
    q = job.query
    assert q.subject is not None and q.object is not None
    found = job.store.paths(q.subject, q.object, max_hops=PATHS_MAX_HOPS, k=PATHS_K)
    paths = [AnswerPath(length=len(hops), nodes=[hops[0].from_, *(h.to for h in hops)], hops=hops) for hops in found]
    claims = {c.id: c for hops in found for hop in hops for c in hop.claims}
    by_entity: dict[str, list[str]] = defaultdict(list)
    for hops in found:
        for hop in hops:
            by_entity[hop.to].extend(c.id for c in hop.claims)
    by_entity.pop(q.subject, None)
    return _Result(claims.values(), by_entity, paths=paths)


def _about(job: _Run) -> _Result:
    """Every claim with the entity at either end (a profile), or only those of a status or disputed."""
    q = job.query
    if q.subject is None:
        found = job.claims(types=_types(q), asserted_by=q.asserted_by)
        return _Result(found, _ends(found, None), groups=True)
    found = job.claims(subject=q.subject, types=_types(q), asserted_by=q.asserted_by)
    found += job.claims(object=q.subject, types=_types(q), asserted_by=q.asserted_by)
    entity = job.entity(q.subject)
    if entity is not None and entity.kind in job.ontology.location_kinds:
        found += job.claims(location=q.subject, types=_types(q), asserted_by=q.asserted_by)  # what happened there
    unique = list({c.id: c for c in found}.values())
    return _Result(unique, _ends(unique, q.subject), groups=True)


def _ends(claims: Iterable[ClaimView], focus: str | None) -> dict[str, list[str]]:
    by_entity: dict[str, list[str]] = defaultdict(list)
    for claim in claims:
        for end in (claim.subject, claim.object):
            if end != focus:
                by_entity[end].append(claim.id)
    return by_entity


def _event_types(job: _Run) -> tuple[str, ...]:
    words = job.ontology.questions.lexicon.attacks
    return tuple(dict.fromkeys(words.values()))


def _events(job: _Run) -> _Result:
    """What happened at a place (claims located there, and attacks on it) and in a period."""
    q = job.query
    types = _types(q)
    if q.object is not None:  # what was done to it
        found = job.claims(object=q.object, types=types)
    elif q.place is not None:
        found = []
        for place in _places_within(job, q.place):
            # What happened there or to it: acts of violence, and anything the report dates (an undated claim
            # located on a border river says where the border runs, not what happened).
            for claim in [*job.claims(location=place, types=types), *job.claims(object=place, types=types)]:
                if claim.date or claim.type in _event_types(job):
                    found.append(claim)
    else:
        if job.span.is_open:
            raise InvalidParameter("place", None, "an events query needs a place, an object or a period")
        found = job.claims(types=types)
    unique = list({c.id: c for c in found}.values())
    by_entity: dict[str, list[str]] = defaultdict(list)
    for claim in unique:
        by_entity[claim.subject].append(claim.id)
    return _Result(unique, by_entity, groups=True)


def _places_within(job: _Run, place: str, depth: int = 2) -> list[str]:
    """A place and the places the graph locates inside it (Mashhad in Iran, the Amu River in Balkh), two levels down."""
    within = job.ontology.questions.lexicon.within
    found = [place]
    frontier = [place]
    for _ in range(depth if within else 0):
        inner = [c.subject for p in frontier for c in job.store.claims(ClaimQuery(object=p, types=(str(within),)))]
        frontier = [p for p in dict.fromkeys(inner) if p not in found]
        found += frontier
    return found


def _attacks(job: _Run) -> list[ClaimView]:
    """The claims of the attacks a query names (by place, target, attacker, date), with every claim of the same
    incident and type."""
    q = job.query
    types = _types(q) or _event_types(job)
    named: dict[str, ClaimView] = {}
    if q.place is not None:
        named.update({c.id: c for c in job.claims(location=q.place, types=types, subject=q.subject,
                                                  object=q.object)})
        if q.object is None:
            named.update({c.id: c for c in job.claims(object=q.place, types=types, subject=q.subject)})
    else:
        named.update({c.id: c for c in job.claims(types=types, subject=q.subject, object=q.object)})
    incidents = {c.incident for c in named.values() if c.incident}
    for target in {c.object for c in named.values() if c.incident}:
        for claim in job.claims(object=target, types=types):
            if claim.incident in incidents:
                named[claim.id] = claim
    return [named[i] for i in sorted(named)]


def _incident(job: _Run) -> _Result:
    """The attackers of an attack named by place, target, attacker or date."""
    found = _attacks(job)
    by_entity: dict[str, list[str]] = defaultdict(list)
    for claim in found:
        # direction "in": the attack's object is what the query names, the attackers answer; "out": the victims
        by_entity[claim.object if job.query.direction == "out" else claim.subject].append(claim.id)
    return _Result(found, by_entity)


def _assertions(job: _Run) -> _Result:
    """What someone asserts, about an entity if one is named."""
    q = job.query
    if q.subject is None:
        found = job.claims(asserted_by=q.asserted_by, types=_types(q))
    else:
        found = job.claims(asserted_by=q.asserted_by, subject=q.subject, types=_types(q))
        found += job.claims(asserted_by=q.asserted_by, object=q.subject, types=_types(q))
    if q.about_others:
        found = [c for c in found if c.subject != q.asserted_by]
    unique = list({c.id: c for c in found}.values())
    return _Result(unique, _ends(unique, q.subject), groups=True)


def _denials(job: _Run) -> _Result:
    """Denials and the claims they deny: by who denies (``asserted_by``), or of the claims the query names."""
    q = job.query
    denial_type = job.ontology.denial_type
    if denial_type is None:
        raise InvalidParameter("shape", q.shape, "the ontology has no denial type")
    denied: dict[str, ClaimView] = {}
    denials: dict[str, ClaimView] = {}
    selects = any(v is not None for v in (q.subject, q.object, q.place)) or bool(q.types)
    if selects:
        for claim in _attacks(job) if (q.place or set(q.types) & set(_event_types(job))) else \
                job.claims(subject=q.subject, object=q.object, types=_types(q)):
            if not claim.disputed:
                continue
            denied[claim.id] = claim
            for denial_id in claim.disputed_by:
                denial = _claim(job, denial_id)
                if denial is not None and q.asserted_by in (None, denial.subject):
                    denials[denial.id] = denial
    else:
        for denial in job.store.claims(ClaimQuery(subject=q.asserted_by, types=(denial_type,), window=job.span)):
            denials[denial.id] = denial
            target = _claim(job, denial.denies) if denial.denies else None
            if target is not None:
                denied[target.id] = target
    denied = {i: c for i, c in denied.items() if any(d.denies == i for d in denials.values())}
    by_entity: dict[str, list[str]] = defaultdict(list)
    for denial in denials.values():
        if q.asserted_by is None:
            by_entity[denial.subject].append(denial.id)
        else:
            target = denied.get(denial.denies or "")
            by_entity[target.subject if target else denial.object].extend(
                [denial.id, *([target.id] if target else [])])
    return _Result([*denials.values(), *denied.values()], by_entity, counted=list(denials.values()))


def _claim(job: _Run, claim_id: str) -> ClaimView | None:
    try:
        return job.store.get_claim(claim_id)
    except ClaimNotFound:
        return None


# --- explanations -----------------------------------------------------------------------------

def _s(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def _named(job: _Run, entity_id: str | None) -> str:
    return f"{job.name(entity_id)} ({entity_id})"


def _types_said(job: _Run, types: list[str], relation: str | None) -> str:
    if relation and relation in job.ontology.categories:
        return f"every {relation} type ({', '.join(types)})"
    return " or ".join(types) if types else "any type"


def describe(job: _Run) -> str:
    """What a query asks, in words: the reading an answer reports."""
    q = job.query
    said = _types_said(job, q.types, q.relation)
    ends = {"out": "the subject", "in": "the object", "both": "either end"}
    shape = q.shape
    if shape in ("relation", "category"):
        if q.subject and q.object:
            text = f"{said} from {_named(job, q.subject)} to {_named(job, q.object)}"
        elif q.subject or q.object:
            role = "the object" if q.object else ends[q.direction] if q.direction != "in" else "the object"
            text = f"{said} with {_named(job, q.subject or q.object)} as {role}"
        else:
            text = f"{said}, the answers at {ends[inverse_end(q.direction)]}"
    elif shape == "chain":
        via = " or ".join(q.via_types) or "any type"
        reached = f"whoever {via} {_named(job, q.via)}" if q.via_direction == "in" else \
            f"whatever {_named(job, q.via)} {via}" if q.via_direction == "out" else \
            f"whatever has {via} with {_named(job, q.via)}"
        text = f"{said} with {reached} as {ends[q.direction]}"
    elif shape == "pair":
        text = f"every claim between {_named(job, q.subject)} and {_named(job, q.object)}" + (
            ", from the first to the second" if q.direction == "out" else ", both ways")
    elif shape == "connection":
        text = f"the shortest paths from {_named(job, q.subject)} to {_named(job, q.object)}"
    elif shape == "profile":
        text = f"every claim about {_named(job, q.subject)}"
    elif shape == "status":
        text = "claims" + (f" about {_named(job, q.subject)}" if q.subject else "") + (
            f" of {said}" if q.types else "")
    elif shape == "events":
        text = "what happened" + (f" at {_named(job, q.place)} (or a place in it)" if q.place else "") + (
            f" at {_spot(q.gazetteer)} (or a place in it)" if q.gazetteer and not q.place else "") + (
            f" to {_named(job, q.object)}" if q.object else "") + (
            f", of {said}" if q.types else "") + (f", on {q.target}" if q.target else "")
    elif shape == "incident":
        where = [f"in {_named(job, q.place)}" if q.place else "",
                 f"in {_spot(q.gazetteer)}" if q.gazetteer and not q.place else "",
                 f"on {_named(job, q.object)}" if q.object else "", f"by {_named(job, q.subject)}" if q.subject else "",
                 f"({q.target})" if q.target else ""]
        text = f"the attack {' '.join(w for w in where if w)}".rstrip() + (
            ": who was hit" if q.direction == "out" else ": who did it")
    elif shape == "assertions":
        text = f"what {_named(job, q.asserted_by)} asserts" + (
            f" about {_named(job, q.subject)}" if q.subject else "") + (" about others" if q.about_others else "")
    else:  # denials
        what = [f"in {_named(job, q.place)}" if q.place else "", f"on {_named(job, q.object)}" if q.object else "",
                f"by {_named(job, q.subject)}" if q.subject else ""]
        target = " ".join(w for w in what if w)
        text = "denials" + (f" by {_named(job, q.asserted_by)}" if q.asserted_by else "") + (
            f" of the claims {target}" if target else "")
    if shape not in ("assertions", "denials") and q.asserted_by:
        text += f", as {_named(job, q.asserted_by)} asserts"
    if q.statuses:
        text += f", {' or '.join(q.statuses)}"
    if q.disputed is not None:
        text += ", disputed by a denial" if q.disputed else ", disputed by no denial"
    if q.since or q.until:
        text += f", in {q.since}" if q.since == q.until else f", happened {q.since or '…'} to {q.until or '…'}"
    if q.kinds:
        text += f", answers of kind {' or '.join(q.kinds)}"
    return text


def _spot(key: str) -> str:
    """A gazetteer place as a reading names it: its name and key."""
    found = load_gazetteer().get(key)
    return f"{found.name if found else key} ({key})"


def inverse_end(direction: str) -> str:
    return {"out": "in", "in": "out"}.get(direction, "both")


def _explain(job: _Run, result: _Result, claims: list[ClaimView], answers: list[AnswerEntity],
             verdict: str | None, nearest: list[ClaimView], count: AnswerCount | None,
             reading: Reading | None, casualties: AnswerCasualties | None = None) -> str:
    q = job.query
    head = (f"Read as {reading.asks}: " if reading is not None else "Ran: ") + describe(job)
    if reading is not None and reading.notes:
        head += f" ({'; '.join(reading.notes)})"
    if casualties is not None:
        stated = casualties.incidents - len(casualties.unstated)
        if not stated:
            return f"{head}. No incident found states how many were {casualties.of}"
        low, high = casualties.min, casualties.max
        total = f"{low}" if high == low else f"at least {low}" if high is None else f"{low} to {high}"
        verb = "states" if len(casualties.unstated) == 1 else "state"
        unstated = f" ({_s(len(casualties.unstated), 'other incident')} found {verb} no figure)" \
            if casualties.unstated else ""
        return f"{head}. {total.capitalize()} {casualties.of} in {_s(stated, 'incident')}{unstated}, as the reports " \
            "state"
    if count is not None:
        unit = count.of if count.value != 1 else count.of.rstrip("s")
        return f"{head}. {count.value} {unit} ({_s(count.claims, 'claim')})."
    if verdict == "yes":
        return f"{head}. Yes: {_s(len(result.counted), 'claim')} say{'s' if len(result.counted) == 1 else ''} so."
    if verdict == "no":
        tail = f"; the nearest {_s(len(nearest), 'claim')} the graph holds are listed" if nearest else ""
        return f"{head}. No claim says so{tail}."
    text = f"{head}. {_s(len(claims), 'claim')}, {_s(len(answers), 'answer')}"
    if q.shape == "connection":
        shortest = f"the shortest has {_s(result.paths[0].length, 'hop')}" if result.paths else \
            f"none within {PATHS_MAX_HOPS} hops"
        text = f"{head}. {_s(len(result.paths), 'path')}, {shortest}"
    if not result.claims and q.shape in ("relation", "category") and (q.subject or q.object):
        text += _held(job)
    return text + "."


def _held(job: _Run) -> str:
    """For an empty answer, what the store holds in the same category: "none" should not read as "unknown"."""
    q = job.query
    category = job.ontology.relation(q.types[0]).category if q.types else None
    if category is None:
        return ""
    kin = tuple(t.name for t in job.ontology.relation_types.values() if t.category == category)
    others = job.store.claims(ClaimQuery(subject=q.subject, object=q.object, types=kin, window=job.span))
    if not others:
        return ""
    focus = q.subject or q.object
    role = "subject" if q.subject else "object"
    types = ", ".join(sorted({c.type for c in others}))
    return (f". The graph holds {_s(len(others), 'other ' + category + ' claim')} with {job.name(focus)} as the "
            f"{role} ({types})")
