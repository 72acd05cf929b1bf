"""The graph, or a part of it, in the formats other tools read.

Node-link JSON (networkx, D3), Cytoscape.js elements, GraphML (Gephi, yEd), CSV in the
header layout ``neo4j-admin database import`` reads, and a STIX 2.1 bundle for threat
intelligence platforms. Every format is built from the same ``GraphPart`` and is
deterministic: the same graph always exports byte for byte the same, so exports diff.
"""

from __future__ import annotations

import csv
import io
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import networkx as nx

from graph.dates import PartialDate
from graph.model import ClaimView, Entity, Source
from graph.ontology import Ontology

FORMATS = ("node-link", "cytoscape", "graphml", "csv-nodes", "csv-edges", "stix")

# Fixed so STIX ids are stable across exports and machines: uuid5(namespace, kind:id).
STIX_NAMESPACE = uuid.UUID("6f1c5b0e-8a1d-5f5e-9c57-4b6a3c1e2d40")
# STIX requires created/modified timestamps; the graph has no record times, and a clock
# reading would make every export differ, so one fixed instant stands for "as exported".
STIX_EPOCH = "2020-01-01T00:00:00.000Z"


@dataclass(frozen=True)
class GraphPart:
    """Entities and the claims among them, with the sources those claims cite."""

    entities: Sequence[Entity]
    claims: Sequence[ClaimView]
    sources: dict[str, Source]


def _claim_fields(claim: ClaimView) -> dict[str, Any]:
    """A claim's properties for formats with flat edges, without its endpoints.

    The claim's ``source`` (its report) becomes ``report``: in node-link and Cytoscape,
    ``source`` and ``target`` are the edge's ends.
    """
    data = claim.model_dump(exclude={"subject", "object"})
    data["report"] = data.pop("source")
    data["span"] = list(claim.span)
    return data


def node_link(part: GraphPart) -> dict[str, Any]:
    """networkx node-link JSON of a directed multigraph (``nx.node_link_graph(data, edges="links")``)."""
    return {
        "directed": True,
        "multigraph": True,
        "graph": {},
        "nodes": [{"id": e.id, "name": e.name, "kind": e.kind} for e in part.entities],
        "links": [{"source": c.subject, "target": c.object, "key": c.id, **_claim_fields(c)} for c in part.claims],
    }


def cytoscape(part: GraphPart) -> dict[str, Any]:
    """Cytoscape.js elements: ``{"nodes": [{"data": …}], "edges": [{"data": …}]}``."""
    return {
        "nodes": [{"data": {"id": e.id, "label": e.name, "kind": e.kind}} for e in part.entities],
        "edges": [{"data": {"id": c.id, "source": c.subject, "target": c.object, "label": c.type,
                            **_claim_fields(c)}} for c in part.claims],
    }


def graphml(part: GraphPart) -> str:
    """GraphML of a directed multigraph; absent values are left out, since GraphML has no null."""
    graph = nx.MultiDiGraph()
    for entity in part.entities:
        graph.add_node(entity.id, name=entity.name, kind=entity.kind)
    for claim in part.claims:
        fields = _claim_fields(claim)
        fields.pop("id")
        fields["span"] = f"{claim.span[0]}-{claim.span[1]}"
        fields["disputed_by"] = ",".join(claim.disputed_by)
        graph.add_edge(claim.subject, claim.object, key=claim.id, claim_id=claim.id,
                       **{k: v for k, v in fields.items() if v is not None})
    return '<?xml version="1.0" encoding="utf-8"?>\n' + "\n".join(nx.generate_graphml(graph, prettyprint=True)) + "\n"


NODE_HEADER = ["id:ID", "name", "kind", "description", "aliases:string[]", ":LABEL"]
EDGE_HEADER = [":START_ID", ":END_ID", ":TYPE", "id", "status", "asserted_by", "source", "quote",
               "span_start:int", "span_end:int", "date", "end_date", "location", "confidence:float",
               "extracted_by", "incident", "note", "denies", "disputed:boolean"]


def csv_nodes(part: GraphPart, ontology: Ontology) -> str:
    """Entities as a ``neo4j-admin database import --nodes`` file (labels ``Entity;<Kind>``)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(NODE_HEADER)
    for entity in part.entities:
        label = ontology.entity_kinds[entity.kind].label if entity.kind in ontology.entity_kinds else None
        writer.writerow([entity.id, entity.name, entity.kind, entity.description or "",
                         ";".join(a.name for a in entity.aliases), ";".join(["Entity", *filter(None, [label])])])
    return out.getvalue()


def csv_edges(part: GraphPart) -> str:
    """Claims as a ``neo4j-admin database import --relationships`` file, one row per claim."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(EDGE_HEADER)
    for c in part.claims:
        writer.writerow([c.subject, c.object, c.type, c.id, c.status, c.asserted_by, c.source, c.quote,
                         c.span[0], c.span[1], c.date or "", c.end_date or "", c.location or "", c.confidence,
                         c.extracted_by, c.incident or "", c.note or "", c.denies or "",
                         "true" if c.disputed else "false"])
    return out.getvalue()


def stix_id(kind: str, key: str) -> str:
    """A STIX identifier that is the same for the same record in every export."""
    return f"{kind}--{uuid.uuid5(STIX_NAMESPACE, f'{kind}:{key}')}"


def _stix_entity(entity: Entity) -> dict[str, Any]:
    """Armed groups as threat actors, states and organisations as identities, places as locations."""
    common: dict[str, Any] = {"spec_version": "2.1", "created": STIX_EPOCH, "modified": STIX_EPOCH,
                              "name": entity.name}
    if entity.description:
        common["description"] = entity.description
    if entity.kind == "armed_group":
        actor: dict[str, Any] = {"type": "threat-actor", "id": stix_id("threat-actor", entity.id), **common}
        if entity.aliases:
            actor["aliases"] = [a.name for a in entity.aliases]
        return actor
    if entity.kind == "place":
        # STIX wants a region, country or coordinates on a location; the graph knows none of
        # them for a place, so the open-vocabulary region says so rather than guessing.
        return {"type": "location", "id": stix_id("location", entity.id), **common, "region": "unknown"}
    identity_class = {"person": "individual", "community": "class", "state": "organization"}.get(
        entity.kind, "organization")
    identity: dict[str, Any] = {"type": "identity", "id": stix_id("identity", entity.id), **common,
                                "identity_class": identity_class}
    if entity.kind == "state":
        identity["sectors"] = ["government-national"]
    return identity


def _timestamp(date: PartialDate, *, end: bool) -> str:
    day = date.end if end else date.start
    return f"{day.isoformat()}T{'23:59:59.999' if end else '00:00:00.000'}Z"


def _stix_relationship(claim: ClaimView, refs: dict[str, str], sources: dict[str, Source]) -> dict[str, Any]:
    """A claim as a relationship: confidence 0-100, when it happened, and its source and quote."""
    report = sources.get(claim.source)
    reference: dict[str, Any] = {
        "source_name": report.outlet if report else claim.source,
        "description": f"{claim.quote} [{claim.source} {claim.span[0]}-{claim.span[1]}]",
        "external_id": claim.source,
    }
    if report and report.url:
        reference["url"] = report.url
    description = claim.quote
    if claim.denies:
        description += f" (denies claim {claim.denies})"
    relationship: dict[str, Any] = {
        "type": "relationship", "spec_version": "2.1", "id": stix_id("relationship", claim.id),
        "created": STIX_EPOCH, "modified": STIX_EPOCH,
        "relationship_type": claim.type.lower().replace("_", "-"),
        "source_ref": refs[claim.subject], "target_ref": refs[claim.object],
        "description": description, "confidence": round(claim.confidence * 100),
        "labels": [claim.status, *(["disputed"] if claim.disputed else [])],
        "external_references": [reference],
    }
    if claim.date:
        # start and stop span the date's own precision: a claim dated 2022-05 covers May.
        relationship["start_time"] = _timestamp(PartialDate.parse(claim.date), end=False)
        relationship["stop_time"] = _timestamp(PartialDate.parse(claim.end_date or claim.date), end=True)
    return relationship


def stix_bundle(part: GraphPart) -> dict[str, Any]:
    """A STIX 2.1 bundle: one object per entity, one relationship per claim, stable ids."""
    objects = [_stix_entity(e) for e in part.entities]
    refs = {e.id: o["id"] for e, o in zip(part.entities, objects, strict=True)}
    relationships = [_stix_relationship(c, refs, part.sources) for c in part.claims
                     if c.subject in refs and c.object in refs]
    key = ",".join(sorted(refs)) + "|" + ",".join(c.id for c in part.claims)
    return {"type": "bundle", "id": stix_id("bundle", key), "objects": objects + relationships}
