"""Ingesting reports: extract their claims, then load them, or stage them for review.

``ingest`` is the one function both the CLI and the HTTP API call: text and metadata in,
what was added or staged out; ``ingest_many`` does the same for a batch of reports as one
all-or-nothing write. The extraction becomes records in memory (``graph.services.loader.Record``),
which pass exactly the checks a curated claim passes (``graph.services.loader.validate``, reading
the store by id only) before one upsert. The report id is a hash of its text and claim ids
a hash of their content, so ingesting the same report twice adds nothing.

The extractor is built once by the caller (the API's holder, the CLI's environment) and
passed in: nothing here reads the whole store, so an ingest costs the same in a graph of
fifty thousand claims as in one of a million. An outlet the registry lacks is loaded with
its report as an organization.

Staged claims wait in the review queue (``graph.services.review``). The names the extractor could
not place are kept with the report in the store (``GraphStore.keep_candidates``), so what came of a
report is read back (``app.usecases.reports``) without running the language pipeline again.

The incidents the extractor reads from a report are placed among those the store holds
(``graph.services.incident_merge.place_incidents``): a report of an incident already told by another outlet joins
it, found by the store's incident query by country and date window; the claims follow their incident's id, and
each merge is recorded in the decisions log once the write has succeeded.

A claim that names a candidate entity (an actor the registry lacks, ``Extraction.entities``) never goes into
the graph at ingest, whatever the flags: it is staged with its candidate entities (each claim's ``waits_on`` lists them)
for an analyst to accept, merge or reject (``graph.services.actor_review``). ``ingest_many`` stages them too when
given the staging file, and otherwise holds them back and counts them (``IngestResult.held``). The decisions taken
in review are reapplied first (given ``verdicts``): a name accepted or merged before is its entity, and its claims
load directly; a claim naming a rejected actor is discarded and counted (``IngestResult.reviewed``).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol, cast

from graph.domain.errors import ExtractionInputError, InconsistentWrite
from graph.domain.model import Claim, Incident, UpsertResult
from graph.domain.ontology import Ontology
from graph.language.extract.pipeline import Candidate, ClaimExtractor, Extraction, claim_id, outlet_name
from graph.language.extract.text import ReportInput
from graph.services.actor_review import Reapplied, Verdicts, reapply
from graph.services.dedupe import extra_paragraphs
from graph.services.incident_merge import DecisionLog, Placement, place_incidents, repoint_claims
from graph.services.loader import Record, Records
from graph.services.records import claim_record, incident_record, load_report_records, report_records, source_record
from graph.services.review import Staging
from graph.stores.protocol import ClaimQuery, GraphStore


@dataclass
class IngestResult:
    """What one ingest did: the report, its claims and candidates, the incidents it told (as placed among the
    store's: ``placed`` says, per incident, whether it is new or joined one), what was written or staged."""

    source_id: str
    extraction: Extraction
    written: UpsertResult | None
    staged: int
    incidents: list[Incident] | None = None
    placed: list[str] | None = None
    staged_entities: int = 0  # candidate entities staged with the claims that name them
    held: int = 0  # claims naming candidate entities, neither loaded nor staged (no staging file was given)
    reviewed: Reapplied | None = None  # what the review's recorded decisions did to the claims

    def as_dict(self) -> dict[str, Any]:
        return {"source": self.source_id, "claims": [c.model_dump() for c in self.extraction.claims],
                "entities": [e.as_dict() for e in self.extraction.entities],
                "candidates": [candidate_dict(c) for c in self.extraction.candidates],
                "incidents": [i.model_dump(mode="json", exclude_none=True) for i in self.incidents or []],
                "placed": self.placed or [],
                "written": self.written.model_dump() if self.written else None, "staged": self.staged,
                "staged_entities": self.staged_entities, "held": self.held,
                "reviewed": {"resolved": self.reviewed.resolved if self.reviewed else {},
                             "rejected": sorted(self.reviewed.rejected.values()) if self.reviewed else [],
                             "discarded": self.reviewed.discarded if self.reviewed else 0}}


def candidate_dict(candidate: Candidate) -> dict[str, Any]:
    """A candidate name as plain data."""
    return {"name": candidate.name, "reason": candidate.reason, "sentences": list(candidate.sentences),
            "spans": [list(s) for s in candidate.spans]}


def outlet_record(report: ReportInput, extraction: Extraction) -> dict[str, Any] | None:
    """The registry entry of an outlet the registry lacks, created with the report (None when it is known).

    It says nothing of the report that brought it: reports of the same new outlet ingested at once,
    by several clients, then bring the same entry, and the graph ends as a sequential load leaves it.
    """
    if extraction.outlet_known:
        return None
    return {"id": extraction.outlet, "name": outlet_name(report), "kind": "organization",
            "description": "An outlet of reporting, added to the registry when a report of it was ingested."}


def _new_entities(store: GraphStore, entities: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The outlet entries the store does not hold yet: an entry another process wrote since this process's
    extractor was built is kept as it is (it may have been edited since), never overwritten by a generated one."""
    held = store.get_entities([e["id"] for e in entities]) if entities else {}
    return [e for e in entities if e["id"] not in held]


def _records_of(report: ReportInput, extraction: Extraction, placement: Placement | None = None
                ) -> tuple[dict[str, Any], list[dict[str, Any]], list[dict[str, Any]]]:
    """The report's metadata, its claims (with the incident ids placing gave) and the outlet entity it brings (if
    the registry lacks it)."""
    meta = source_record(report, extraction.source_id, extraction.outlet)
    placed = repoint_claims(extraction.claims, placement.ids) if placement is not None else extraction.claims
    claims = [{**claim_record(c), "source": extraction.source_id} for c in placed]
    outlet = outlet_record(report, extraction)
    return meta, claims, [outlet] if outlet is not None else []


def _incident_records(placement: Placement, origin: str) -> list[Record]:
    return [Record(incident_record(i), origin, f"incidents[{n}]") for n, i in enumerate(placement.incidents.values())]


def _waiting(extraction: Extraction, records: list[dict[str, Any]], reapplied: Reapplied
             ) -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[dict[str, Any]]]:
    """The claim records that can load, those that name candidate entities (each with ``waits_on``), and those
    entities as staged (each with the ids of its claims)."""
    return _waiting_on([e.as_dict() for e in extraction.entities], records, reapplied)


def _waiting_on(entities: Sequence[dict[str, Any]], records: list[dict[str, Any]], reapplied: Reapplied | None = None
                ) -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[dict[str, Any]]]:
    """``_waiting`` over candidate entities as plain data (a copy's are its leader's, named by the claims it runs).

    The review's recorded decisions come first (``reapplied``): a candidate accepted or merged before is its entity's
    id, and a claim naming a rejected one is discarded (``reapplied.discarded`` counts them), with any denial of it.
    """
    resolved = reapplied.resolved if reapplied is not None else {}
    rejected = reapplied.rejected if reapplied is not None else {}
    pending = [e for e in entities if e["id"] not in resolved and e["id"] not in rejected]
    candidates = {e["id"] for e in pending}
    free, waiting = [], []
    dropped: set[str] = set()
    for given in records:
        record = {**given, **{k: resolved[given[k]] for k in ("subject", "object", "asserted_by")
                              if given[k] in resolved}}
        ends = list(dict.fromkeys((record["subject"], record["object"], record["asserted_by"])))
        if any(e in rejected for e in ends):
            dropped.add(record["id"])
            continue
        names = [e for e in ends if e in candidates]
        if names:
            waiting.append({**record, "waits_on": names})
        else:
            free.append(record)
    # A denial goes the way of what it denies: dropped with a claim naming a rejected actor, and waiting with a
    # claim that waits (loaded alone, it would deny a claim the graph does not hold, which the loader refuses, and
    # with it the whole batch).
    while True:
        held = {r["id"]: r["waits_on"] for r in waiting}
        follow = [r for r in free if r.get("denies") in held or r.get("denies") in dropped]
        if not follow:
            break
        dropped.update(r["id"] for r in follow if r.get("denies") in dropped)
        waiting += [{**r, "waits_on": held[r["denies"]]} for r in follow if r.get("denies") in held]
        free = [r for r in free if r.get("denies") not in held and r.get("denies") not in dropped]
    if reapplied is not None:
        reapplied.discarded += len(dropped)
    return free, waiting, [{**e, "claims": [r["id"] for r in waiting if e["id"] in r["waits_on"]]} for e in pending]


def ingest(report: ReportInput, store: GraphStore, ontology: Ontology, *, extractor: ClaimExtractor,
           review: bool = False, staging: Path | None = None, min_confidence: float | None = None,
           extraction: Extraction | None = None, decisions: DecisionLog | None = None,
           verdicts: Verdicts | None = None) -> IngestResult:
    """Extract a report's claims and load them with the report, or stage them for review.

    With ``review`` every claim is staged; with ``min_confidence`` the claims below it are staged
    and the rest loaded. The report itself is always loaded (staged claims need their source),
    and so is its outlet when the registry lacks it, as an organization. ``extraction`` is the
    report already extracted (many reports are parsed together, in batches). The report's incidents are
    placed among the store's (``decisions``: the log the merges are recorded in; none keeps them unrecorded).
    ``verdicts`` are the review's decisions on candidate entities, reapplied to the actors the report names.
    """
    extraction = extraction or extractor.run(report)
    source_id = extraction.source_id
    log = decisions or DecisionLog(None)
    placement = place_incidents(store, ontology, extraction.incidents, log, published={source_id: report.published},
                                by="kg ingest")
    meta, records, entities = _records_of(report, extraction, placement)
    reviewed = reapply(extraction.entities, verdicts or Verdicts(), store)
    records, naming, candidates = _waiting(extraction, records, reviewed)
    kept, waiting = records, []
    if review or min_confidence is not None:
        if staging is None:
            raise ExtractionInputError("staging claims for review needs a staging file")
        threshold = 2.0 if review else float(min_confidence or 0.0)
        kept = [r for r in records if r["confidence"] >= threshold]
        waiting = [r for r in records if r["confidence"] < threshold]
    held = 0
    if staging is not None:
        waiting += naming
    else:
        held = len(naming)  # no queue to stage them in: neither loaded nor dropped silently
    # The report is loaded with what is kept (and its outlet), so that staged claims accepted later have
    # their source; staging comes after the load, so a load that fails stages nothing.
    part = report_records([(meta, report.text)], kept, report.origin,
                          [*_new_entities(store, entities), *reviewed.entities])
    part.incidents = _incident_records(placement, report.origin)
    written = load_report_records(store, ontology, part)
    log.append(placement.decisions)
    store.keep_candidates({source_id: [candidate_dict(c) for c in extraction.candidates]})
    added = Staging(staging).add(meta, report.text, waiting, candidates if naming else []) \
        if waiting and staging is not None else 0
    return IngestResult(source_id, extraction, written, added, list(placement.incidents.values()), placement.said,
                        len(candidates) if naming and staging else 0, held, reviewed)


@dataclass
class IngestedMany:
    """What one ``ingest_many`` did: each report's extraction, and the one write that loaded them all."""

    reports: list[IngestResult]
    written: UpsertResult


def ingest_many(reports: Sequence[ReportInput], store: GraphStore, ontology: Ontology, *,
                extractor: ClaimExtractor, processes: int = 1, decisions: DecisionLog | None = None,
                source_ids: Sequence[str | None] | None = None, staging: Path | None = None,
                verdicts: Verdicts | None = None) -> IngestedMany:
    """Extract a batch of reports and load them with their claims as one all-or-nothing write.

    Every report is extracted and every record checked before anything is written; a claim the
    loader refuses in any of them writes none of them, and the error names the report it comes from.
    The reports' incidents are placed together: reports of one incident in the batch make one incident.
    Claims naming candidate entities are staged with them after the write (given ``staging``), or held
    back and counted. It is ``prepare_batch`` and ``write_batch`` without copies, which the feeds call with them.
    """
    extractions = extractor.run_many(reports, n_process=processes, source_ids=source_ids)
    batch = prepare_batch(reports, [], store, ontology, extractor=extractor, extractions=extractions,
                          decisions=decisions, staging=staging, verdicts=verdicts)
    written = write_batch(store, ontology, batch)
    return IngestedMany(batch.reports, written)


# --- one text, several sources: a wire story that several outlets ran ----------------------------


class OutletReader(ClaimExtractor, Protocol):
    """An extractor that also says whose voice a report speaks in (what copies of a report need)."""

    def outlet_of(self, report: ReportInput) -> str | None:
        """The registry id of the report's outlet, if the registry has it."""
        ...

    def voice_of(self, report: ReportInput) -> str:
        """Who asserts what the report says in its own voice: its outlet, known or not."""
        ...


def copy_source_id(text: str, url: str) -> str:
    """The report id of a copy: its text and where it ran, so that the same text on two outlets is two reports
    (a report read on its own is named by its text alone, ``ReportInput.report_id``)."""
    return "r-" + hashlib.sha256(f"{url}\n{text}".encode()).hexdigest()[:16]


@dataclass(frozen=True)
class Copy:
    """A report that runs the text of another (``leader``, a report id): the same story on another outlet.

    ``similarity`` is 1.0 for the same text; below, the copy was found near (MinHash) and may add
    paragraphs of its own, which are read for claims (only those).
    """

    report: ReportInput
    source_id: str
    leader: str
    similarity: float = 1.0


@dataclass
class CopyResult:
    """What one copy brought: claims taken from its leader, claims left out (their sentence is not in the copy),
    and claims read from paragraphs of its own."""

    source_id: str
    leader: str
    copied: int
    left_out: int
    own: int

    def as_dict(self) -> dict[str, Any]:
        return {"source": self.source_id, "leader": self.leader, "copied": self.copied, "left_out": self.left_out,
                "own": self.own}


@dataclass(frozen=True)
class _Staged:
    """What one report (or copy) stages after the write: its metadata and text, the claims that name candidate
    entities, and those entities."""

    meta: dict[str, Any]
    text: str
    claims: list[dict[str, Any]]
    entities: list[dict[str, Any]]


@dataclass
class PreparedBatch:
    """A batch of reports and copies as loader records, not written yet: the claims it would load (by report), the
    claims it would stage instead (those naming candidate entities), and the incidents as placed, whose merge
    decisions are recorded once the write succeeds."""

    records: Records
    claims: dict[str, list[Claim]]
    reports: list[IngestResult]
    copies: list[CopyResult]
    candidates: dict[str, list[dict[str, Any]]]
    placement: Placement = field(default_factory=Placement)
    log: DecisionLog = field(default_factory=lambda: DecisionLog(None))
    staged: list[_Staged] = field(default_factory=list)
    staging: Path | None = None

    @property
    def claim_ids(self) -> list[str]:
        return [c.id for claims in self.claims.values() for c in claims]

    @property
    def held(self) -> int:
        """Claims naming candidate entities that no staging file was given for: neither loaded nor staged."""
        return 0 if self.staging is not None else sum(len(s.claims) for s in self.staged)


@dataclass(frozen=True)
class _Leader:
    text: str
    voice: str
    claims: list[Claim]  # as placed: their incident ids are those the write gives
    candidates: list[dict[str, Any]]
    entities: list[dict[str, Any]]  # candidate entities (actors the registry lacks) its claims may name
    incidents: list[str]  # ids of the incidents it tells, as placed


def prepare_batch(reports: Sequence[ReportInput], copies: Sequence[Copy], store: GraphStore, ontology: Ontology, *,
                  extractor: ClaimExtractor, extractions: Sequence[Extraction] | None = None,
                  decisions: DecisionLog | None = None, staging: Path | None = None,
                  by: str = "kg ingest", verdicts: Verdicts | None = None) -> PreparedBatch:
    """Reports read by the extractor and copies of reports (of this batch or already in the graph), as records.

    The reports go as ``ingest`` takes one: their incidents placed among the store's (and each other's), their
    claims following their incident's id, the claims naming candidate entities set apart to be staged with them.
    The text of a copy is not read again: each claim of its leader whose sentence the copy holds
    becomes a claim of the copy (its own id, its span in the copy's text, the copy's outlet where
    the leader's outlet spoke), so the relation reads as corroborated by one more source, as
    ``graph.services.analysis.group_claims`` groups claims; each incident its leader tells gains the copy as one
    more report of it. Claims whose sentence the copy lacks are left out and counted. A near copy's own
    paragraphs are the one part of it that is read. A copied claim naming a candidate entity is staged, as the
    leader's is.
    """
    extractions = list(extractions) if extractions is not None else extractor.run_many(reports)
    if copies and not hasattr(extractor, "voice_of"):
        raise ExtractionInputError(f"extractor {extractor.name} cannot say whose voice a copy speaks in "
                                   "(it has no voice_of), so copies cannot be loaded with it")
    reader = cast("OutletReader", extractor)
    log = decisions or DecisionLog(None)
    leaders_raw = {e.source_id: (r, e) for r, e in zip(reports, extractions, strict=True)}
    stored = _stored_leaders({c.leader for c in copies} - set(leaders_raw), store, reader)
    own: dict[str, Extraction] = {}
    for copy in copies:
        if copy.similarity < 1.0:
            text = leaders_raw[copy.leader][0].text if copy.leader in leaders_raw else stored[copy.leader].text
            if extra_paragraphs(copy.report.text, text):
                own[copy.source_id] = extractor.run(copy.report, source_id=copy.source_id)
    incoming = [i for e in extractions for i in e.incidents]
    published = {e.source_id: r.published for r, e in zip(reports, extractions, strict=True)}
    for copy in copies:  # a near copy's own paragraphs may tell an incident its leader does not
        if copy.source_id in own:
            text = leaders_raw[copy.leader][0].text if copy.leader in leaders_raw else stored[copy.leader].text
            incoming += [i for i in own[copy.source_id].incidents if all(r.quote not in text for r in i.reports)]
            published[copy.source_id] = copy.report.published
    placement = place_incidents(store, ontology, incoming, log, published=published, by=by)
    records = Records()
    claims: dict[str, list[Claim]] = {}
    results: list[IngestResult] = []
    outlets: dict[str, dict[str, Any]] = {}
    leaders: dict[str, _Leader] = dict(stored)
    candidates: dict[str, list[dict[str, Any]]] = {}
    staged: list[_Staged] = []
    accepted: dict[str, dict[str, Any]] = {}  # entities accepted in review that the graph lacks (reloaded since)
    for report, extraction in zip(reports, extractions, strict=True):
        source_id = extraction.source_id
        meta, claim_dicts, entities = _records_of(report, extraction, placement)
        reviewed = reapply(extraction.entities, verdicts or Verdicts(), store)
        free, naming, waiting_entities = _waiting(extraction, claim_dicts, reviewed)
        _add(records, meta, report, free)
        loaded = {r["id"] for r in free}
        placed = repoint_claims(extraction.claims, placement.ids)
        claims[source_id] = [c for c in placed if c.id in loaded]
        outlets.update({e["id"]: e for e in entities})  # one entity for an outlet many reports share
        accepted.update({e["id"]: e for e in reviewed.entities})
        mine = list(dict.fromkeys(placement.ids[(source_id, i.id)] for i in extraction.incidents
                                  if (source_id, i.id) in placement.ids))
        results.append(IngestResult(source_id, extraction, None, 0,
                                    [placement.incidents[i] for i in mine if i in placement.incidents],
                                    [line for line in placement.said if f"({source_id}):" in line],
                                    0, 0 if staging else len(naming), reviewed))
        if naming:
            staged.append(_Staged(meta, report.text, naming, waiting_entities))
        candidates[source_id] = [candidate_dict(c) for c in extraction.candidates]
        leaders[source_id] = _Leader(report.text, extraction.outlet, placed,
                                     candidates[source_id], [e.as_dict() for e in extraction.entities], mine)
    copied: list[CopyResult] = []
    for copy in copies:
        leader = leaders[copy.leader]
        voice = reader.voice_of(copy.report)
        taken, left_out = copied_claims(leader.claims, leader.text, leader.voice, copy.report.text, copy.source_id,
                                        voice)
        extra, extra_names, extra_entities = _own_claims(copy, leader, taken, own.get(copy.source_id), placement)
        candidates[copy.source_id] = _merged(copied_candidates(leader.candidates, copy.report.text) + extra_names)
        note = (f"runs the text of report {copy.leader}"
                + ("" if copy.similarity >= 1.0 else f" (near copy, similarity {copy.similarity:.2f})")
                + "; its claims were read once, from that report")
        meta = source_record(copy.report.with_metadata(note="; ".join(n for n in (copy.report.note, note) if n)),
                             copy.source_id, voice)
        everything = taken + extra
        free, naming, waiting_entities = _waiting_on(leader.entities + extra_entities,
                                                     [{**claim_record(c), "source": copy.source_id}
                                                      for c in everything])
        _add(records, meta, copy.report, free)
        loaded = {r["id"] for r in free}
        claims[copy.source_id] = [c for c in everything if c.id in loaded]
        if naming:  # the leader's candidates that this copy's claims name
            staged.append(_Staged(meta, copy.report.text, naming, [e for e in waiting_entities if e["claims"]]))
        _tell_too(placement, store, leader, copy)
        if reader.outlet_of(copy.report) is None:
            outlets.setdefault(voice, {"id": voice, "name": outlet_name(copy.report), "kind": "organization",
                                       "description": "An outlet of reporting, added to the registry when a "
                                                      "report of it was ingested."})
        copied.append(CopyResult(copy.source_id, copy.leader, len(taken), left_out, len(extra)))
    records.entities = [Record(e, "ingest", f"entities[{i}]")
                        for i, e in enumerate([*_new_entities(store, list(outlets.values())), *accepted.values()])]
    records.incidents = _incident_records(placement, "ingest")
    return PreparedBatch(records, claims, results, copied, candidates, placement, log, staged, staging)


def write_batch(store: GraphStore, ontology: Ontology, batch: PreparedBatch) -> UpsertResult:
    """Write a prepared batch all-or-nothing, through the loader's checks, as ``ingest`` writes one report: then the
    merge decisions are recorded, the names each report could not place kept, and the claims naming candidate
    entities staged with them (given a staging file; otherwise they are counted in ``held``)."""
    written = load_report_records(store, ontology, batch.records)
    batch.log.append(batch.placement.decisions)
    store.keep_candidates(batch.candidates)
    if batch.staging is not None:
        by_source = {r.source_id: r for r in batch.reports}
        for part in batch.staged:
            added = Staging(batch.staging).add(part.meta, part.text, part.claims, part.entities)
            result = by_source.get(part.meta["id"])
            if result is not None:
                result.staged, result.staged_entities = added, len(part.entities)
    return written


def _tell_too(placement: Placement, store: GraphStore, leader: _Leader, copy: Copy) -> None:
    """Each incident the leader tells gains the copy as one more report of it, at the leader's sentence in the
    copy's text (an incident whose sentence the copy lacks does not)."""
    missing = [i for i in leader.incidents if i not in placement.incidents]
    held = store.get_incidents(missing) if missing else {}
    for incident_id in leader.incidents:
        incident = placement.incidents.get(incident_id) or held.get(incident_id)
        if incident is None or copy.source_id in incident.sources:
            continue
        told = []
        for report in incident.reports:
            if report.source != copy.leader:
                continue
            span = relocate(report.quote, report.span, len(leader.text), copy.report.text)
            if span is not None:
                told.append(report.model_copy(update={"source": copy.source_id, "span": span}))
        if told:
            placement.incidents[incident_id] = incident.model_copy(update={"reports": [*incident.reports, *told]})


def _add(records: Records, meta: dict[str, Any], report: ReportInput, claims: list[dict[str, Any]]) -> None:
    part = report_records([(meta, report.text)], claims, report.origin)
    records.sources += part.sources
    records.claims += part.claims


def _stored_leaders(ids: set[str], store: GraphStore, extractor: OutletReader) -> dict[str, _Leader]:
    """Leaders already in the graph: their text, voice and claims, read by id."""
    found = store.get_sources(sorted(ids))
    missing = sorted(ids - set(found))
    if missing:
        raise InconsistentWrite(f"copies name reports the graph does not hold: {', '.join(missing)}",
                                details={"sources": missing})
    leaders = {}
    for source_id, source in found.items():
        report = ReportInput(text=source.text, title=source.title, outlet=source.outlet, outlet_id=source.outlet_id,
                             url=source.url, published=source.published, origin=f"report {source_id}")
        held = [Claim.model_validate(c.model_dump(include=set(Claim.model_fields)))
                for c in store.claims(ClaimQuery(source=source_id))]
        leaders[source_id] = _Leader(source.text, extractor.voice_of(report), held,
                                     store.candidates_of(source_id) or [], [],
                                     list(dict.fromkeys(c.incident for c in held if c.incident)))
    return leaders


def _merged(candidates: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """Candidates by name: one entry a name, with all its sentences."""
    by_name: dict[str, dict[str, Any]] = {}
    for candidate in candidates:
        held = by_name.get(candidate["name"])
        if held is None:
            by_name[candidate["name"]] = dict(candidate)
        else:
            held["sentences"] = [*held["sentences"], *candidate["sentences"]]
            held["spans"] = [*held["spans"], *candidate["spans"]]
    return list(by_name.values())


def copied_candidates(candidates: Sequence[dict[str, Any]], text: str) -> list[dict[str, Any]]:
    """A leader's unplaced names as a copy's: each with the sentences of it the copy holds, at their place there."""
    kept = []
    for candidate in candidates:
        sentences, spans = [], []
        for sentence in candidate["sentences"]:
            position = text.find(sentence)
            if position >= 0:
                sentences.append(sentence)
                spans.append([position, position + len(sentence)])
        if sentences:
            kept.append({**candidate, "sentences": sentences, "spans": spans})
    return kept


def copied_claims(claims: Sequence[Claim], leader_text: str, leader_voice: str, text: str, source_id: str,
                  voice: str) -> tuple[list[Claim], int]:
    """A leader's claims as claims of a copy with ``text``: those whose sentence the copy holds, and how many not.

    A claim the leader's outlet asserted in its own voice is asserted by the copy's outlet: each
    outlet that runs a story reports it. A denial keeps pointing at what it denies, in the copy
    when the denied claim is there too.
    """
    renamed: dict[str, str] = {}
    taken: list[Claim] = []
    left_out = 0
    for claim in sorted(claims, key=lambda c: (c.span, c.id)):
        span = relocate(claim.quote, claim.span, len(leader_text), text)
        if span is None:
            left_out += 1
            continue
        asserted_by = voice if claim.asserted_by == leader_voice else claim.asserted_by
        new_id = claim_id(source_id, claim.subject, claim.type, claim.object, claim.quote, claim.status, asserted_by)
        renamed[claim.id] = new_id
        taken.append(claim.model_copy(update={"id": new_id, "source": source_id, "span": span,
                                              "asserted_by": asserted_by}))
    return [c.model_copy(update={"denies": renamed.get(c.denies, c.denies)}) if c.denies else c
            for c in taken], left_out


def relocate(quote: str, span: tuple[int, int], leader_length: int, text: str) -> tuple[int, int] | None:
    """Where ``quote`` is in ``text``: of its occurrences, the one nearest where it stood in the leader."""
    expected = span[0] * len(text) / max(1, leader_length)
    best: int | None = None
    position = text.find(quote)
    while position >= 0:
        if best is None or abs(position - expected) < abs(best - expected):
            best = position
        position = text.find(quote, position + 1)
    return None if best is None else (best, best + len(quote))


def _own_claims(copy: Copy, leader: _Leader, taken: list[Claim], extraction: Extraction | None,
                placement: Placement) -> tuple[list[Claim], list[dict[str, Any]], list[dict[str, Any]]]:
    """Claims, unplaced names and candidate entities of a near copy's own paragraphs (read only when it has some):
    sentences the leader lacks. Their incidents are as placed; one placed only through the leader's sentences is
    the leader's, which the copy already joins, so the claim keeps none of its own."""
    if extraction is None:
        return [], [], []
    have = {c.id for c in taken}
    own = [c for c in extraction.claims if c.quote not in leader.text and c.id not in have]
    own = [c.model_copy(update={"incident": placement.ids.get((copy.source_id, c.incident))}) if c.incident else c
           for c in own]
    ids = have | {c.id for c in own}
    names = []
    for candidate in map(candidate_dict, extraction.candidates):
        fresh = [(s, span) for s, span in zip(candidate["sentences"], candidate["spans"], strict=True)
                 if s not in leader.text]
        if fresh:
            names.append({**candidate, "sentences": [s for s, _ in fresh], "spans": [span for _, span in fresh]})
    return [c for c in own if not c.denies or c.denies in ids], names, [e.as_dict() for e in extraction.entities]
