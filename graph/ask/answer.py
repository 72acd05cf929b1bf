"""Running a parsed question on a store: the entities that answer it and the claims behind them.

Everything an answer says comes from the store's claims and paths; the parser only decides
which query to run. The query is returned too, with the ``/v1`` request that gives the same
claims, so an answer can always be checked and rerun.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from urllib.parse import urlencode

from graph.ask.model import Answer, AnswerEntity, AnswerPath, AskQuery
from graph.ask.parse import Parsed, parse
from graph.cite import cite
from graph.dates import window
from graph.model import ClaimView, Entity, Hop
from graph.ontology import Ontology, load_ontology
from graph.store import ClaimQuery, GraphStore

# Connection questions: how many shortest paths, and how long at most.
PATHS_K = 3
PATHS_MAX_HOPS = 4


def ask(store: GraphStore, question: str, ontology: Ontology | None = None) -> Answer:
    """Answer a question in plain English from the store (see ``graph.ask.parse`` for how it is read)."""
    ontology = ontology or load_ontology()
    return answer(store, parse(question, ontology, store.name_index()), ontology)


def answer(store: GraphStore, parsed: Parsed, ontology: Ontology) -> Answer:
    """Run what a question was read as."""
    shape = parsed.template.shape
    if shape == "connection":
        return _connection(store, parsed)
    if shape in ("profile", "status"):
        return _about(store, parsed)
    return _relation(store, ontology, parsed)


def _url(path: str, **params: object) -> str:
    """A ``/v1`` request with its non-empty parameters, lists repeated."""
    kept = {k: v for k, v in params.items() if v not in (None, (), [])}
    return f"{path}?{urlencode(kept, doseq=True)}" if kept else path


def _answers(store: GraphStore, claims_by_entity: dict[str, list[str]]) -> list[AnswerEntity]:
    """Answering entities, the best supported first, each with its claim ids."""
    known = store.get_entities(claims_by_entity)
    listed = [AnswerEntity(id=i, name=known[i].name if i in known else i, kind=known[i].kind if i in known else "",
                           claims=list(dict.fromkeys(ids)))
              for i, ids in claims_by_entity.items()]
    return sorted(listed, key=lambda a: (-len(a.claims), a.name))


def _others(claim: ClaimView, focus: str | None, direction: str) -> list[str]:
    """The end(s) of a claim that answer: the one that is not the entity asked about."""
    if focus is not None:
        return [claim.object] if claim.subject == focus else [claim.subject]
    if direction == "in":
        return [claim.subject]
    if direction == "out":
        return [claim.object]
    return [claim.subject, claim.object]


def _window_text(parsed: Parsed) -> str:
    if parsed.since is None and parsed.until is None:
        return ""
    if parsed.since == parsed.until:
        return f", in {parsed.since}"
    return f", from {parsed.since or '…'} to {parsed.until or '…'}"


def _relation(store: GraphStore, ontology: Ontology, parsed: Parsed) -> Answer:
    """A relation type or a category, with the entity named as subject or object (or neither)."""
    template = parsed.template
    focus = parsed.entities[0] if parsed.entities else None
    as_object = focus is not None and template.direction == "in"
    subject = focus.id if focus is not None and not as_object else None
    obj = focus.id if as_object and focus is not None else None
    query = ClaimQuery(subject=subject, object=obj, types=template.types, window=window(parsed.since, parsed.until),
                       statuses=parsed.statuses or None, disputed=parsed.disputed)
    claims = store.claims(query)
    by_entity: dict[str, list[str]] = defaultdict(list)
    for claim in claims:
        for other in _others(claim, focus.id if focus else None, template.direction):
            by_entity[other].append(claim.id)
    endpoint = _url("/v1/claims", subject=subject, object=obj, type=template.name, since=parsed.since,
                    until=parsed.until, status=list(parsed.statuses),
                    disputed="true" if parsed.disputed else None)
    answers = _answers(store, by_entity)
    if focus is None:
        role = "nobody named: every claim of the type"
    else:
        role = f"{{x}} = {focus.name} ({focus.id}) as the {'object' if as_object else 'subject'}"
        if template.direction == "both":
            role = f"{{x}} = {focus.name} ({focus.id}) at either end"
    explanation = (f'Read as "{template.phrase}" ({template.shape} {template.name}), {role}{_window_text(parsed)}: '
                   f"{len(claims)} claim{_s(claims)}, {len(answers)} answer{_s(answers)}.")
    if not claims and focus is not None and template.shape == "relation":
        explanation += _nearby(store, ontology, query, focus, as_object)
    return Answer(
        question=parsed.question, answers=answers, claims=cite(store, claims), explanation=explanation,
        query=AskQuery(shape=template.shape, phrasing=template.phrase, score=parsed.score, relation=template.name,
                       types=list(template.types), direction=template.direction, subject=subject, object=obj,
                       since=parsed.since, until=parsed.until, statuses=list(parsed.statuses),
                       disputed=parsed.disputed, endpoint=endpoint, endpoints=[endpoint]),
    )


def _nearby(store: GraphStore, ontology: Ontology, query: ClaimQuery, focus: Entity, as_object: bool) -> str:
    """For an empty answer, what the store holds in the same category: "none" should not read as "unknown"."""
    category = ontology.relation(query.types[0]).category if query.types else None
    if category is None:
        return ""
    kin = tuple(t.name for t in ontology.relation_types.values() if t.category == category)
    others = store.claims(ClaimQuery(subject=query.subject, object=query.object, types=kin, window=query.window))
    if not others:
        return ""
    types = ", ".join(sorted({c.type for c in others}))
    return (f" The graph holds {len(others)} other {category} claim{_s(others)} with {focus.name} as the "
            f"{'object' if as_object else 'subject'} ({types}).")


def _about(store: GraphStore, parsed: Parsed) -> Answer:
    """Every claim with the entity at either end (a profile), or only those of a status or disputed."""
    template = parsed.template
    focus = parsed.entities[0]
    span = window(parsed.since, parsed.until)
    filters = {"window": span, "statuses": parsed.statuses or None, "disputed": parsed.disputed}
    found = {c.id: c for side in (ClaimQuery(subject=focus.id, **filters),  # type: ignore[arg-type]
                                  ClaimQuery(object=focus.id, **filters))  # type: ignore[arg-type]
             for c in store.claims(side)}
    claims = [found[i] for i in sorted(found)]
    by_entity: dict[str, list[str]] = defaultdict(list)
    groups: dict[str, list[str]] = defaultdict(list)
    for claim in claims:
        groups[claim.type].append(claim.id)
        for other in _others(claim, focus.id, "both"):
            by_entity[other].append(claim.id)
    common = {"since": parsed.since, "until": parsed.until, "status": list(parsed.statuses),
              "disputed": "true" if parsed.disputed else None}
    endpoints = [_url("/v1/claims", subject=focus.id, **common), _url("/v1/claims", object=focus.id, **common)]
    answers = _answers(store, by_entity)
    what = "every claim" if template.shape == "profile" else (
        "claims a denial disputes" if parsed.disputed else f"claims {' or '.join(parsed.statuses)}")
    explanation = (f'Read as "{template.phrase}" ({template.shape}): {what} with {focus.name} ({focus.id}) at either '
                   f"end{_window_text(parsed)}: {len(claims)} claim{_s(claims)} of {len(groups)} type{_s(groups)}, "
                   f"{len(answers)} other entit{'y' if len(answers) == 1 else 'ies'}.")
    return Answer(
        question=parsed.question, answers=answers, claims=cite(store, claims), groups=dict(sorted(groups.items())),
        explanation=explanation,
        query=AskQuery(shape=template.shape, phrasing=template.phrase, score=parsed.score, subject=focus.id,
                       since=parsed.since, until=parsed.until, statuses=list(parsed.statuses),
                       disputed=parsed.disputed, endpoint=endpoints[0], endpoints=endpoints),
    )


def _connection(store: GraphStore, parsed: Parsed) -> Answer:
    """The shortest paths between two entities, each hop with its claims; dates do not apply to paths."""
    template = parsed.template
    source, target = parsed.entities[0], parsed.entities[1]
    found = store.paths(source.id, target.id, max_hops=PATHS_MAX_HOPS, k=PATHS_K)
    paths = [AnswerPath(length=len(hops), nodes=[hops[0].from_, *(h.to for h in hops)], hops=hops) for hops in found]
    claims = _path_claims(hops for hops in found)
    by_entity: dict[str, list[str]] = defaultdict(list)
    for hops in found:
        for hop in hops:
            by_entity[hop.to].extend(c.id for c in hop.claims)
    by_entity.pop(source.id, None)
    endpoint = _url("/v1/paths", source=source.id, target=target.id, max_hops=PATHS_MAX_HOPS, k=PATHS_K)
    shortest = f"the shortest has {paths[0].length} hop{_s(range(paths[0].length))}" if paths else \
        f"none within {PATHS_MAX_HOPS} hops"
    explanation = (f'Read as "{template.phrase}" (connection) from {source.name} ({source.id}) to {target.name} '
                   f"({target.id}): {len(paths)} path{_s(paths)}, {shortest}"
                   + ("; dates are not applied to paths" if parsed.since or parsed.until else "") + ".")
    return Answer(
        question=parsed.question, answers=_answers(store, by_entity), claims=cite(store, claims), paths=paths,
        explanation=explanation,
        query=AskQuery(shape="connection", phrasing=template.phrase, score=parsed.score, subject=source.id,
                       object=target.id, endpoint=endpoint, endpoints=[endpoint]),
    )


def _path_claims(paths: Iterable[Sequence[Hop]]) -> list[ClaimView]:
    found = {c.id: c for hops in paths for hop in hops for c in hop.claims}
    return [found[i] for i in sorted(found)]


def _s(items: Sequence[object] | dict[str, list[str]] | range) -> str:
    return "" if len(items) == 1 else "s"
