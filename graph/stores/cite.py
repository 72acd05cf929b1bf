"""Claims as interfaces show them: with the display names of their ends and the report they cite.

The API's claim lists and the answers to questions (``graph.language.ask``) share this, so a claim
looks the same wherever it appears.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from graph.domain.model import ClaimOut, ClaimView, Source, SourceRef
from graph.stores.protocol import GraphStore


def source_ref(source: Source) -> SourceRef:
    """A report's citation, without its text."""
    return SourceRef(id=source.id, title=source.title, outlet=source.outlet, url=source.url,
                     published=source.published, reliability=source.reliability)


def _missing_source(source_id: str) -> SourceRef:
    # The stores refuse claims without their source, so this only guards a store mid-write.
    return SourceRef(id=source_id, title="", outlet=source_id, url=None, published=None, reliability=None)


def cite(store: GraphStore, claims: Sequence[ClaimView], names: Mapping[str, str] | None = None) -> list[ClaimOut]:
    """Claims with display names and citations: the entities and reports they name, read by id in two batches
    (one, when the caller has the display names already)."""
    if names is None:
        ends = {end for c in claims for end in (c.subject, c.object)}
        names = {e.id: e.name for e in store.get_entities(ends).values()}
    sources = store.source_refs({c.source for c in claims})
    return [
        ClaimOut(**c.model_dump(), subject_name=names.get(c.subject, c.subject),
                 object_name=names.get(c.object, c.object),
                 report=sources[c.source] if c.source in sources else _missing_source(c.source))
        for c in claims
    ]
