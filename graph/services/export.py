"""The graph, or a part of it, in the formats other tools read.

Node-link JSON (networkx, D3), Cytoscape.js elements, GraphML (Gephi, yEd), CSV in the
header layout ``neo4j-admin database import`` reads, and a STIX 2.1 bundle for threat
intelligence platforms. ``admin_csv`` writes the whole graph as the CSV pair ``neo4j-admin``
imports into a database the Neo4j store then reads as its own (sources, REPORTS entries, every
property the store writes). Every format is built from the same ``GraphPart`` and is
deterministic: the same graph always exports byte for byte the same, so exports diff.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import multiprocessing
import os
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import networkx as nx

from graph.domain.dates import PartialDate
from graph.domain.errors import BackupInvalid, KgError
from graph.domain.inputs import url_problem
from graph.domain.model import Batch, Claim, ClaimView, Entity, Incident, Source
from graph.domain.ontology import Ontology
from graph.stores.protocol import ClaimQuery, GraphStore, IncidentQuery
from graph.stores.rows import claim_row, entity_row, incident_row, source_row

FORMATS = ("node-link", "cytoscape", "graphml", "csv-nodes", "csv-edges", "stix")

# Fixed so STIX ids are stable across exports and machines (see stix_id).
STIX_NAMESPACE = uuid.UUID("6f1c5b0e-8a1d-5f5e-9c57-4b6a3c1e2d40")
# The namespace STIX 2.1 fixes for the UUIDv5 ids of cyber-observable objects.
STIX_OBSERVABLE_NAMESPACE = uuid.UUID("00abedb4-aa42-466c-9c01-fed23315a9b7")
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


NODE_HEADER = ["id:ID", "name", "kind", "description", "aliases:string[]", "parent", "parent_relation", "source",
               ":LABEL"]
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
                         ";".join(a.name for a in entity.aliases), entity.parent or "", entity.parent_relation or "",
                         entity.source or "", ";".join(["Entity", *filter(None, [label])])])
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
    """A STIX identifier that is the same for the same record in every export.

    STIX asks domain, relationship and meta objects for UUIDv4 ids. These are version-4 UUIDs
    whose bits come from a SHA-256 of the record's kind and id rather than from a random source,
    so an export is stable (it diffs, and a platform that imports it twice merges, not doubles).
    """
    digest = hashlib.sha256(STIX_NAMESPACE.bytes + f"{kind}:{key}".encode()).digest()
    return f"{kind}--{uuid.UUID(bytes=digest[:16], version=4)}"


def observable_id(kind: str, properties: dict[str, str]) -> str:
    """A cyber-observable's id as the spec derives it: UUIDv5 in its namespace over the ID contributing
    properties, serialised canonically (RFC 8785; for plain strings, sorted keys and no spaces)."""
    canonical = json.dumps(properties, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return f"{kind}--{uuid.uuid5(STIX_OBSERVABLE_NAMESPACE, canonical)}"


PRODUCER_ID = stix_id("identity", "kg")
EXTENSION_ID = stix_id("extension-definition", "kg-ontology")


def _common(kind: str, key: str) -> dict[str, Any]:
    return {"type": kind, "spec_version": "2.1", "id": stix_id(kind, key), "created_by_ref": PRODUCER_ID,
            "created": STIX_EPOCH, "modified": STIX_EPOCH}


def _producer() -> dict[str, Any]:
    """The identity every object of the bundle is created by: this graph."""
    return {**_common("identity", "kg"), "name": "kg", "identity_class": "system",
            "description": "A knowledge graph of militant groups and the states around them, built from "
                           "reporting: every relationship is a claim, with its quote and its report."}


def _extension(ontology: Ontology) -> dict[str, Any]:
    """The extension definition that declares what STIX has no word for: the graph's relation types
    (``x_kg_relation`` on each relationship) and places without coordinates (``x-kg-place`` objects)."""
    types = "; ".join(f"{name} ({rel.meaning})" for name, rel in ontology.relation_types.items())
    schema = ("Relationships are related-to, and their top-level property x_kg_relation names the claim's "
              f"relation type, one of: {types}. Objects of type x-kg-place are named places (a province, a "
              "city, a river) whose region, country and coordinates the graph does not hold; they carry a "
              "name and a description.")
    return {**_common("extension-definition", "kg-ontology"), "name": "kg ontology", "version": "1.0.0",
            "description": "The relation types and entity kinds of the kg ontology (graph/domain/ontology.yaml).",
            "schema": schema, "extension_types": ["toplevel-property-extension", "new-sdo"],
            "extension_properties": ["x_kg_relation"]}


def _stix_entity(entity: Entity, ontology: Ontology) -> dict[str, Any]:
    """An entity in the STIX form its kind's ``stix`` mapping in the ontology gives."""
    spec = ontology.entity_kinds[entity.kind].stix if entity.kind in ontology.entity_kinds else None
    kind = spec.type if spec is not None else "identity"
    obj: dict[str, Any] = {**_common(kind, entity.id), "name": entity.name}
    if entity.description:
        obj["description"] = entity.description
    if kind == "threat-actor":
        assert spec is not None
        obj["threat_actor_types"] = list(spec.threat_actor_types)
        if entity.aliases:
            obj["aliases"] = [a.name for a in entity.aliases]
    elif kind == "identity":
        obj["identity_class"] = spec.identity_class if spec is not None and spec.identity_class else "unspecified"
        if spec is not None and spec.sectors:
            obj["sectors"] = list(spec.sectors)
    else:
        obj["extensions"] = {EXTENSION_ID: {"extension_type": "new-sdo"}}
    return obj


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
    description = claim.quote
    if claim.denies:
        description += f" (denies claim {claim.denies})"
    relationship: dict[str, Any] = {
        **_common("relationship", claim.id),
        # STIX suggests no relationship type for most of the ontology's; the type travels in x_kg_relation,
        # which the bundle's extension definition declares.
        "relationship_type": "related-to", "x_kg_relation": claim.type,
        "source_ref": refs[claim.subject], "target_ref": refs[claim.object],
        "description": description, "confidence": round(claim.confidence * 100),
        "labels": [claim.status, *(["disputed"] if claim.disputed else [])],
        "external_references": [reference],
        "extensions": {EXTENSION_ID: {"extension_type": "toplevel-property-extension"}},
    }
    if claim.date:
        # start and stop span the date's own precision: a claim dated 2022-05 covers May.
        relationship["start_time"] = _timestamp(PartialDate.parse(claim.date), end=False)
        relationship["stop_time"] = _timestamp(PartialDate.parse(claim.end_date or claim.date), end=True)
    return relationship


def _stix_report(source: Source, claims: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A report as a STIX report of the relationships it supports, and its address as a url observable.

    The address is an observable, not an external reference: a reference with a url should carry
    the hash of what the url serves, and the graph holds the report's text, not the page's bytes.
    """
    refs = list(dict.fromkeys(ref for c in claims for ref in (c["id"], c["source_ref"], c["target_ref"])))
    objects: list[dict[str, Any]] = []
    if source.url and url_problem(source.url) is None:
        address = {"type": "url", "spec_version": "2.1", "id": observable_id("url", {"value": source.url}),
                   "value": source.url}
        objects.append(address)
        refs.insert(0, address["id"])
    published = PartialDate.parse(source.published) if source.published else None
    report = {**_common("report", source.id), "name": source.title, "description": f"Reported by {source.outlet}.",
              "report_types": ["threat-report"],
              # STIX requires a publication time; a report the graph holds without a date gets the export's epoch.
              "published": _timestamp(published, end=False) if published else STIX_EPOCH,
              "object_refs": refs, "external_references": [{"source_name": source.outlet, "external_id": source.id}]}
    return [report, *objects]


def stix_bundle(part: GraphPart, ontology: Ontology) -> dict[str, Any]:
    """A STIX 2.1 bundle that passes stix2-validator --strict: the graph as producer, one object per entity,
    one relationship per claim, one report per source cited, stable ids."""
    entities = [_stix_entity(e, ontology) for e in part.entities]
    refs = {e.id: o["id"] for e, o in zip(part.entities, entities, strict=True)}
    kept = [c for c in part.claims if c.subject in refs and c.object in refs]
    relationships = [_stix_relationship(c, refs, part.sources) for c in kept]
    reports = [obj for source_id in sorted({c.source for c in kept}) if source_id in part.sources
               for obj in _stix_report(part.sources[source_id],
                                       [r for c, r in zip(kept, relationships, strict=True) if c.source == source_id])]
    key = ",".join(sorted(refs)) + "|" + ",".join(c.id for c in part.claims)
    return {"type": "bundle", "id": stix_id("bundle", key),
            "objects": [_producer(), _extension(ontology), *entities, *relationships, *reports]}


# --- the whole graph for neo4j-admin ------------------------------------------------------------

# Between the elements of an array (labels, aliases, spans): a control character, which no name or text the
# loader admits holds, so no alias is ever split. neo4j-admin takes it spelled as below.
ARRAY_DELIMITER = "\x1f"
ARRAY_DELIMITER_OPTION = "U+001F"
ADMIN_PAGE = 1_000  # entities or sources read per page while writing
# Every property the Neo4j store writes, with the importer's type: a property the store starts writing that is
# missing here stops the export (see _csv_row) rather than being dropped.
ADMIN_NODE_COLUMNS = {
    "id": "string", "name": "string", "kind": "string", "description": "string", "aliases": "string[]",
    "alias_details": "string", "gazetteer": "string", "parent": "string", "parent_relation": "string",
    "source": "string", "rev": "long", "fp": "string",
    "title": "string", "outlet": "string", "outlet_id": "string", "url": "string", "published": "string",
    "reliability": "string", "note": "string", "text": "string",
    "revision": "long", "unlinked": "boolean",
    "type": "string", "date": "string", "end_date": "string", "happened_from": "string", "happened_to": "string",
    "place": "string", "admin1": "string", "country": "string", "lat": "double", "lon": "double", "killed": "long",
    "injured": "long", "places": "string[]", "perpetrators": "string[]", "sources": "string[]", "body": "string",
}
ADMIN_RELATIONSHIP_COLUMNS = {
    "id": "string", "source": "string", "quote": "string", "span": "long[]", "status": "string",
    "asserted_by": "string", "date": "string", "end_date": "string", "location": "string", "confidence": "double",
    "extracted_by": "string", "incident": "string", "note": "string", "denies": "string",
    "happened_from": "string", "happened_to": "string", "claim": "string", "type": "string", "fp": "string",
    "basis": "string", "role": "string",
}
# From how many claims a batch's CSV is written by several processes (below, forking costs more than it saves).
PARALLEL_FROM = 50_000
# The revision an imported graph starts at; its entities carry it as the revision that wrote them.
IMPORTED_REVISION = 1
_T = TypeVar("_T")


@dataclass(frozen=True)
class AdminCsv:
    """The files ``admin_csv`` wrote and how many records each holds."""

    nodes: Path
    relationships: Path
    entities: int
    sources: int
    claims: int
    incidents: int = 0
    # Claims written beside ``relationships`` by other processes (no header: the importer reads the group as one
    # file, ``relationships`` first).
    more_relationships: tuple[Path, ...] = ()

    @property
    def relationship_files(self) -> list[Path]:
        """Every relationships file, the one with the header first."""
        return [self.relationships, *self.more_relationships]

    def command(self, database: str = "neo4j") -> str:
        """The ``neo4j-admin`` command that imports the pair (into a stopped server; what was there is replaced)."""
        return (f"neo4j-admin database import full {database} --overwrite-destination=true --multiline-fields=true "
                f"--array-delimiter={ARRAY_DELIMITER_OPTION} --nodes={self.nodes} "
                f"--relationships={','.join(map(str, self.relationship_files))}")


def admin_csv(store: GraphStore, ontology: Ontology, directory: Path) -> AdminCsv:
    """Write the whole graph as ``nodes.csv`` and ``relationships.csv`` for ``neo4j-admin database import full``.

    Nodes are the entities (labels ``Entity`` and their kind's), the sources with their text, the incidents and
    one ``GraphMeta`` node; relationships are the claims (typed by relation type), one ``REPORTS`` entry per
    claim from its source, and each incident's links to its reports and the entities it names. Properties are
    those the Neo4j store itself writes (the same functions build them), so after the import the store reads the
    graph as if ``kg load`` had written it; ``GraphMeta.unlinked`` asks the first store that opens it to link the
    REPORTS entries and create the schema (``Neo4jStore.finish_admin_import``). Entities, sources and incidents
    are read a page at a time.
    """
    try:
        return _write_admin_csv(store, ontology, directory)
    except OSError as error:
        raise BackupInvalid(f"cannot write the admin CSV in {directory}: {error.strerror or error}") from error


def _write_admin_csv(store: GraphStore, ontology: Ontology, directory: Path) -> AdminCsv:
    return write_admin_csv(
        directory, ontology,
        entities=read_pages(lambda offset: store.list_entities(limit=ADMIN_PAGE, offset=offset)),
        sources=read_pages(lambda offset: store.list_sources(limit=ADMIN_PAGE, offset=offset)),
        incidents=read_pages(lambda offset: store.incidents(IncidentQuery(limit=ADMIN_PAGE, offset=offset))),
        claims=map(stored_claim, store.claims(ClaimQuery())))


def batch_admin_csv(batch: Batch, ontology: Ontology, directory: Path, *, processes: int | None = None) -> AdminCsv:
    """A batch (checked by the store, one record per id) as the CSV pair of ``admin_csv``: what ``kg load`` hands
    to ``neo4j-admin database import full`` when it loads into an empty local Neo4j.

    Building a claim's two rows is Python work (its fingerprint, its days, its quoting); with more than
    ``PARALLEL_FROM`` claims, ``processes`` processes (default: one per core, at most four) each write a share of
    them to a file of their own."""
    processes = processes or min(4, os.cpu_count() or 1)
    try:
        return write_admin_csv(directory, ontology, entities=batch.entities, sources=batch.sources,
                               incidents=batch.incidents, claims=batch.claims,
                               processes=processes if len(batch.claims) >= PARALLEL_FROM else 1)
    except OSError as error:
        raise BackupInvalid(f"cannot write the admin CSV in {directory}: {error.strerror or error}") from error


def write_admin_csv(directory: Path, ontology: Ontology, *, entities: Iterable[Entity], sources: Iterable[Source],
                    incidents: Iterable[Incident], claims: Iterable[Claim], processes: int = 1) -> AdminCsv:
    """The records as ``nodes.csv`` and ``relationships.csv`` (see ``admin_csv``), read once each, in this order.

    With ``processes`` > 1 (``claims`` then a sequence), the last shares of the claims are written by forked
    processes to ``relationships-2.csv`` … while this one writes the first share."""
    directory.mkdir(parents=True, exist_ok=True)
    more: list[Path] = []
    if processes > 1:
        claims = list(claims)
        share = -(-len(claims) // processes)
        more = [directory / f"relationships-{part + 1}.csv" for part in range(1, processes)]
        children = _fork_claim_writers(claims, share, more)
        claims = claims[:share]
    nodes, relationships = directory / "nodes.csv", directory / "relationships.csv"
    counts = {"entities": 0, "sources": 0, "claims": 0, "incidents": 0}
    incident_rows = []
    with nodes.open("w", encoding="utf-8", newline="") as out:
        out.write(_admin_header([":ID", ":LABEL"], ADMIN_NODE_COLUMNS))
        for entity in entities:
            row = entity_row(entity, ontology, IMPORTED_REVISION, None)
            out.write(_csv_row([f"e:{entity.id}", ["Entity", row["label"]]], row["properties"], ADMIN_NODE_COLUMNS))
            counts["entities"] += 1
        for source in sources:
            out.write(_csv_row([f"s:{source.id}", ["Source"]], source_row(source, None), ADMIN_NODE_COLUMNS))
            counts["sources"] += 1
        for incident in incidents:
            row = incident_row(incident, None)
            out.write(_csv_row([f"i:{incident.id}", ["Incident"]], row["properties"], ADMIN_NODE_COLUMNS))
            incident_rows.append(_incident_links(row))
            counts["incidents"] += 1
        meta = {"id": "graph", "revision": IMPORTED_REVISION, "unlinked": True}
        out.write(_csv_row(["m:graph", ["GraphMeta"]], meta, ADMIN_NODE_COLUMNS))
    with relationships.open("w", encoding="utf-8", newline="") as out:
        out.write(_admin_header([":START_ID", ":END_ID", ":TYPE"], ADMIN_RELATIONSHIP_COLUMNS))
        for claim in claims:
            out.write(_claim_rows(claim))
            counts["claims"] += 1
        for links in incident_rows:
            for ends, kind, properties in links:
                out.write(_csv_row([*ends, kind], properties, ADMIN_RELATIONSHIP_COLUMNS))
    if more:
        counts["claims"] += _join_claim_writers(children, more)
    return AdminCsv(nodes, relationships, **counts, more_relationships=tuple(more))


def _claim_rows(claim: Claim) -> str:
    """A claim's relationship and its REPORTS entry from its source, as two CSV lines."""
    row = claim_row(claim, None)
    entry = {"claim": claim.id, "type": claim.type, "status": claim.status, "date": claim.date,
             "end_date": claim.end_date, "denies": claim.denies, "incident": claim.incident, "fp": row["fp"]}
    return (_csv_row([f"e:{claim.subject}", f"e:{claim.object}", claim.type], row["properties"],
                     ADMIN_RELATIONSHIP_COLUMNS)
            + _csv_row([f"s:{claim.source}", f"e:{claim.subject}", "REPORTS"], entry, ADMIN_RELATIONSHIP_COLUMNS))


# The claims the forked writers share with their parent (copy-on-write memory: nothing is sent to them).
_FORKED_CLAIMS: list[Claim] = []


def _write_claim_share(path: str, start: int, end: int) -> None:
    with open(path, "w", encoding="utf-8", newline="") as out:
        out.writelines(_claim_rows(claim) for claim in _FORKED_CLAIMS[start:end])


def _fork_claim_writers(claims: list[Claim], share: int, paths: list[Path]) -> list[Any]:
    """Start a forked process per path, each writing its share of ``claims`` (after the first share)."""
    global _FORKED_CLAIMS  # noqa: PLW0603 - handed to the children by fork, not by pickling a million claims
    _FORKED_CLAIMS = claims
    context = multiprocessing.get_context("fork")
    children = []
    for number, path in enumerate(paths, start=1):
        child = context.Process(target=_write_claim_share, args=(str(path), number * share, (number + 1) * share),
                                name=f"admin-csv-{number}")
        child.start()
        children.append((child, min(len(claims), (number + 1) * share) - min(len(claims), number * share)))
    _FORKED_CLAIMS = []
    return children


def _join_claim_writers(children: list[Any], paths: list[Path]) -> int:
    """Wait for the forked writers; how many claims they wrote. A writer that failed fails the whole CSV."""
    written = 0
    failed = []
    for (child, count), path in zip(children, paths, strict=True):
        child.join()
        if child.exitcode != 0:
            failed.append(f"{path.name} (exit {child.exitcode})")
        written += count
    if failed:
        raise KgError(f"writing the admin CSV's claims failed in {', '.join(failed)}; see the error above")
    return written


def _incident_links(row: dict[str, Any]) -> list[tuple[list[str], str, dict[str, Any]]]:
    """An incident's relationships as upsert_incidents.cypher writes them: to its reports' sources and the
    entities it names."""
    node = f"i:{row['id']}"
    links: list[tuple[list[str], str, dict[str, Any]]] = [
        ([node, f"s:{r['source']}"], "REPORT", {"quote": r["quote"], "span": r["span"]}) for r in row["reports"]]
    links += [([node, f"e:{p['id']}"], "PERPETRATOR",
               {"basis": p["basis"], "asserted_by": p["asserted_by"], "role": p["role"]}) for p in row["perpetrators"]]
    links += [([node, f"e:{t}"], "TARGET", {}) for t in row["targets"]]
    links += [([node, f"e:{row[kind]}"], kind.upper(), {}) for kind in ("place", "country") if row[kind]]
    return links


def stored_claim(view: ClaimView) -> Claim:
    """A claim as it was written, without what reading adds (``disputed``): what its fingerprint is of."""
    return Claim.model_validate(view.model_dump(include=set(Claim.model_fields)))


def read_pages(read: Callable[[int], Sequence[_T]], size: int = ADMIN_PAGE) -> Iterator[_T]:
    """Every record of a paged read (``read(offset)`` gives one page of ``size`` ordered by id), a page in memory
    at a time."""
    offset = 0
    while True:
        page = read(offset)
        yield from page
        if len(page) < size:
            return
        offset += len(page)


def _admin_header(fixed: list[str], columns: dict[str, str]) -> str:
    return ",".join([*fixed, *(f"{name}:{kind}" for name, kind in columns.items())]) + "\n"


def _csv_row(fixed: Sequence[str | list[str]], properties: dict[str, Any], columns: dict[str, str]) -> str:
    """One CSV line: the fixed fields, then a field per column; an absent (None) property an empty unquoted field,
    which the importer leaves unset, and every present value quoted, so an empty string stays one.

    Only the properties present are converted (a claim sets a dozen of the columns, a REPORTS entry eight): at a
    million claims this line is most of the time a bulk load spends in Python."""
    positions = _POSITIONS.get(id(columns))
    if positions is None:
        positions = _POSITIONS.setdefault(id(columns), {name: i for i, name in enumerate(columns)})
    fields = [""] * len(positions)
    for name, value in properties.items():
        if value is None:
            continue
        at = positions.get(name)
        if at is None:
            raise KgError(f"the admin CSV has no column for {name!r}: add it to graph.services.export's columns")
        fields[at] = _csv_field(value)
    return ",".join([*map(_csv_field, fixed), *fields]) + "\n"


_POSITIONS: dict[int, dict[str, int]] = {}


def _csv_field(value: Any) -> str:
    if type(value) is str:  # the common case first
        return '"' + value.replace('"', '""') + '"'
    if value is None or value == []:
        return ""
    if isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, list | tuple):
        items = [str(v) for v in value]
        if any(ARRAY_DELIMITER in item for item in items):
            raise KgError(f"cannot write {items!r} as an array for neo4j-admin: an element holds the delimiter")
        text = ARRAY_DELIMITER.join(items)
    elif isinstance(value, float):
        text = repr(value)
    else:
        text = str(value)
    return '"' + text.replace('"', '""') + '"'

