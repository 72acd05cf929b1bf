"""Questions over the whole graph that dashboards ask: corroboration, centrality, timelines.

Everything here is computed from ``GraphStore`` protocol calls only, so it answers the
same on every store; the graph algorithms (degree, betweenness) run in networkx on the
graph's adjacency (who is joined to whom, and by how many claims), which is small next to
what a store holds.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence

import networkx as nx
from pydantic import BaseModel, ConfigDict

from graph.domain.model import ClaimView, Entity, Source, SourceRef
from graph.stores.base import relation_key, timeline_of
from graph.stores.protocol import TimelineCounts

Interval = str  # "year", "month" or "day"; checked by the caller against INTERVALS
INTERVALS = ("year", "month", "day")


class _Out(BaseModel):
    model_config = ConfigDict(extra="forbid")


class SupportingSource(_Out):
    """One report behind a grouped relation, with the claim it carries and the quote."""

    source: str
    outlet: str
    title: str
    url: str | None
    claim: str
    quote: str
    status: str
    asserted_by: str


class GroupedRelation(_Out):
    """Claims of one subject, type, object and incident (or date) read as one relation."""

    subject: str
    type: str
    object: str
    incident: str | None
    date: str | None
    end_date: str | None
    claims: list[str]
    statuses: list[str]
    disputed: bool
    sources: list[SupportingSource]
    source_count: int


class Centrality(_Out):
    """How connected one entity is: distinct neighbours (degree) and betweenness (0..1)."""

    id: str
    name: str
    kind: str
    degree: int
    claims: int
    betweenness: float


class TimelineBucket(_Out):
    """Claims that happened in one period, in total and by relation type."""

    period: str
    count: int
    by_type: dict[str, int]


class Timeline(_Out):
    """Counts per period; claims too coarse for the interval or undated are counted apart."""

    interval: str
    buckets: list[TimelineBucket]
    imprecise: int
    undated: int


def group_claims(claims: Sequence[ClaimView], sources: Mapping[str, Source | SourceRef]) -> list[GroupedRelation]:
    """Merge claims of the same subject, type, object and incident (else date) into relations.

    Ten outlets repeating one attack read as one attack with ten sources. Without an
    incident, the dates (``date`` and ``end_date``) tell relations apart, so a rule that
    ended in 2001 stays apart from the current one; claims with no incident and no dates
    are grouped by subject, type and object alone. Order follows the first claim id.
    """
    groups: dict[tuple[str, ...], list[ClaimView]] = defaultdict(list)
    for claim in sorted(claims, key=lambda c: c.id):
        groups[relation_key(claim)].append(claim)
    relations = []
    for members in groups.values():
        first = members[0]
        supporting = []
        for claim in members:
            report = sources.get(claim.source)
            supporting.append(SupportingSource(
                source=claim.source, outlet=report.outlet if report else claim.source,
                title=report.title if report else "", url=report.url if report else None,
                claim=claim.id, quote=claim.quote, status=claim.status, asserted_by=claim.asserted_by,
            ))
        relations.append(GroupedRelation(
            subject=first.subject, type=first.type, object=first.object, incident=first.incident,
            date=first.date or next((c.date for c in members if c.date), None),
            end_date=first.end_date or next((c.end_date for c in members if c.end_date), None),
            claims=[c.id for c in members], statuses=sorted({c.status for c in members}),
            disputed=any(c.disputed for c in members), sources=supporting,
            source_count=len({c.source for c in members}),
        ))
    return relations


def centrality(entities: Iterable[Entity], claims: Iterable[ClaimView], *, top: int = 10,
               kinds: Iterable[str] | None = None) -> list[Centrality]:
    """The ``top`` entities by degree (distinct neighbours), ties by betweenness then name.

    Degree and betweenness are computed on the undirected simple projection of the
    claims: who is connected to whom, whatever the type or how often it is said.
    """
    pairs: Counter[tuple[str, str]] = Counter((c.subject, c.object) for c in claims)
    return most_connected(ranked_centrality(entities, ((a, b, n) for (a, b), n in pairs.items())), top=top,
                          kinds=kinds)


def ranked_centrality(entities: Iterable[Entity], pairs: Iterable[tuple[str, str, int]]) -> list[Centrality]:
    """Every entity ranked by degree (distinct neighbours), then betweenness, then name, from the graph's
    adjacency: each (subject, object) some claim joins and how many claims join them (``GraphStore.claim_pairs``).

    Betweenness costs a pass over the graph per entity: callers compute this once per store revision and
    keep it (``app.usecases.stats``), then take ``most_connected`` from it per request.
    """
    by_id = {e.id: e for e in sorted(entities, key=lambda e: e.id)}
    graph = nx.Graph()
    graph.add_nodes_from(by_id)
    claim_counts: Counter[str] = Counter()
    for subject, obj, count in sorted(pairs):
        claim_counts[subject] += count
        claim_counts[obj] += count
        if subject != obj:
            graph.add_edge(subject, obj)
    betweenness: dict[str, float] = nx.betweenness_centrality(graph) if graph.number_of_nodes() > 2 else {}
    ranked = [
        Centrality(id=node, name=by_id[node].name, kind=by_id[node].kind, degree=int(graph.degree(node)),
                   claims=claim_counts[node], betweenness=round(betweenness.get(node, 0.0), 6))
        for node in graph.nodes
        if node in by_id
    ]
    ranked.sort(key=lambda c: (-c.degree, -c.betweenness, c.name))
    return ranked


def most_connected(ranked: Sequence[Centrality], *, top: int = 10, kinds: Iterable[str] | None = None
                   ) -> list[Centrality]:
    """The first ``top`` of a ranking, of these kinds only (all by default)."""
    wanted = set(kinds) if kinds is not None else None
    return [c for c in ranked if wanted is None or c.kind in wanted][:top]


def timeline(claims: Iterable[ClaimView], interval: Interval = "month") -> Timeline:
    """Counts of claims in hand per year, month or day of when they happened (``timeline_from``'s rule)."""
    return timeline_from(timeline_of(claims, interval))


def timeline_from(counts: TimelineCounts) -> Timeline:
    """A store's timeline counts as the answer: one bucket per period with claims, in order.

    A claim counts in the period its ``date`` falls in. One known only to a coarser
    precision than the interval (``2022`` when counting months) is counted as
    ``imprecise`` rather than placed in a made-up month; an undated one as ``undated``.
    """
    return Timeline(
        interval=counts.interval,
        buckets=[TimelineBucket(period=p, count=sum(by_type.values()), by_type=dict(sorted(by_type.items())))
                 for p, by_type in sorted(counts.buckets.items())],
        imprecise=counts.imprecise, undated=counts.undated,
    )
