"""What came of an ingested report: its claims in the graph, those awaiting review, and the names ingest could
not place, as kept when the report was ingested (``GraphStore.candidates_of``).

Reading an outcome runs no language pipeline. A name kept as "not in the registry" that the graph now
knows (an analyst added it since) is no longer listed. A report ingested before candidates were kept
(or a curated one) has none kept: the outcome says so (``candidates_kept`` false) rather than reading
the report again.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from graph.domain.model import ClaimView, SourceRef
from graph.services.review import Staging
from graph.stores import cite
from graph.stores.protocol import ClaimQuery, GraphStore

UNKNOWN = "not in the registry"


@dataclass(frozen=True)
class ReportOutcome:
    """One report now: its citation, claims loaded, claims staged, and names still unplaced (if kept)."""

    source: SourceRef
    loaded: list[ClaimView]
    staged: list[dict[str, Any]]
    candidates: list[dict[str, Any]]
    candidates_kept: bool


def report_outcome(store: GraphStore, source_id: str, staging: Path) -> ReportOutcome:
    """The state of one report now, read by id (``SourceNotFound`` for an unknown report)."""
    refs = store.source_refs([source_id])
    source = refs[source_id] if source_id in refs else cite.source_ref(store.get_source(source_id))
    kept = store.candidates_of(source_id)
    candidates = []
    if kept:
        index = store.name_index()
        candidates = [c for c in kept if not (c.get("reason") == UNKNOWN and index.knows(c["name"]))]
    return ReportOutcome(source=source, loaded=store.claims(ClaimQuery(source=source_id)),
                         staged=Staging(staging).claims(source_id), candidates=candidates,
                         candidates_kept=kept is not None)
