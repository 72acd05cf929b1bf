"""A synthetic graph shaped like coded reporting, for benchmarks: deterministic, any size.

Shaped after event data such as ACLED's: a few hub states and groups hold most of the
claims (each kind's entities are drawn with Zipf weights, so at a million claims the top
state has tens of thousands), relation types come in the proportions reporting has them
(attacks and targeting first, alliances and denials rare), dates spread over five years at
the precision reports give (mostly days, some months and years, a few undated), and an
incident is told by several sources (one to four reports each carry a claim of it). Every
claim respects the ontology's subject and object kinds, quotes are cut from their report's
text at their span, and denials point at claims of the same graph. A small share of the
entities sit in pairs of their own, unconnected to the rest, so that benchmarks have
disconnected pairs to ask for paths between.
"""

from __future__ import annotations

import itertools
import random
from bisect import bisect_left
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from graph.domain.model import Alias, Batch, Claim, Entity, Source
from graph.domain.ontology import Ontology


@dataclass(frozen=True)
class Size:
    """How big a synthetic graph is."""

    name: str
    entities: int
    claims: int


SIZES = {"XS": Size("XS", 2_000, 10_000), "S": Size("S", 10_000, 50_000), "M": Size("M", 100_000, 1_000_000)}

# Shares of the entities by kind (states are capped: there are not a thousand states).
KIND_SHARES = {"armed_group": 0.20, "person": 0.33, "place": 0.20, "community": 0.10, "organization": 0.15,
               "state": 0.02}
MAX_STATES = 200
# Relative frequency of a relation type in coded reporting, by its category (violence dominates
# event data), and within the category by the order the ontology lists its types in (the first,
# say an attack, far more often than the last). Code names no relation type: the ontology does.
CATEGORY_WEIGHTS = {"hostile": 12.0, "territorial": 3.0, "organisational": 3.0, "cooperative": 3.0,
                    "discursive": 2.0}
DENIAL_SHARE = 0.02
STATUS_WEIGHTS = {"reported": 50, "claimed": 15, "alleged": 15, "assessed": 15, "confirmed": 5}
FIRST_YEAR = 2020
YEARS = 5
ISOLATED_SHARE = 0.01
ZIPF = 1.0
SYLLABLES = ("ka", "ri", "lo", "ne", "sa", "tu", "mi", "da", "vo", "ze", "ha", "ji", "po", "qa", "ru", "xe")


@dataclass
class Synthetic:
    """A generated graph: the batch to load, and what benchmarks pick from it."""

    batch: Batch
    isolated: list[tuple[str, str]]


def _name(number: int) -> str:
    parts = []
    while True:
        number, digit = divmod(number, len(SYLLABLES))
        parts.append(SYLLABLES[digit])
        if not number:
            break
    return "".join(parts).capitalize()


def _weights(count: int) -> list[float]:
    """Cumulative Zipf weights over ``count`` entities: the first is the hub."""
    return list(itertools.accumulate(1.0 / (rank + 1) ** ZIPF for rank in range(count)))


def _pick(rng: random.Random, ids: Sequence[str], cumulative: Sequence[float]) -> str:
    return ids[min(bisect_left(cumulative, rng.random() * cumulative[-1]), len(ids) - 1)]


def generate(ontology: Ontology, size: Size, seed: int = 7) -> Synthetic:
    """A graph of ``size``, the same for the same seed on every machine."""
    rng = random.Random(seed)  # noqa: S311 - a reproducible sample, not a secret
    entities: list[Entity] = []
    by_kind: dict[str, list[str]] = {}
    counts = {kind: int(size.entities * share) for kind, share in KIND_SHARES.items()}
    counts["state"] = min(counts["state"], MAX_STATES)
    counts["person"] += size.entities - sum(counts.values())
    number = 0
    for kind in sorted(counts):
        if kind not in ontology.entity_kinds:
            continue
        for _ in range(counts[kind]):
            name = f"{_name(number)} {kind.replace('_', ' ').title()}"
            entity_id = f"{kind.replace('_', '-')}-{number}"
            entities.append(Entity.model_construct(id=entity_id, name=name, kind=kind, description=None,
                                                   aliases=[Alias.model_construct(name=f"{_name(number)}-{number}",
                                                                                  valid_from=None, valid_until=None,
                                                                                  note=None)]))
            by_kind.setdefault(kind, []).append(entity_id)
            number += 1
    isolated_count = int(size.entities * ISOLATED_SHARE) // 2 * 2
    people = by_kind["person"]
    isolated_ids = people[-isolated_count:] if isolated_count else []
    apart = set(isolated_ids)
    by_kind["person"] = [e for e in people if e not in apart]
    cumulative = {kind: _weights(len(ids)) for kind, ids in by_kind.items()}
    outlets = by_kind["organization"][:50]
    analysts = by_kind["person"][:200]

    relations = [r for r in ontology.relation_types.values() if not r.denial]
    position: dict[str, int] = {}
    weights = []
    for relation in relations:
        position[relation.category] = position.get(relation.category, 0) + 1
        weights.append(CATEGORY_WEIGHTS.get(relation.category, 1.0) / position[relation.category])
    type_cumulative = list(itertools.accumulate(weights))
    statuses = [s for s in STATUS_WEIGHTS if s in ontology.statuses]
    status_cumulative = list(itertools.accumulate(STATUS_WEIGHTS[s] for s in statuses))
    assert ontology.denial_type is not None, "the ontology names a denial type"
    denial = ontology.relation_types[ontology.denial_type]

    claims: list[Claim] = []
    sources: list[Source] = []
    pending: list[tuple[str, dict[str, Any]]] = []  # (sentence, claim fields) waiting for their report
    claims_per_source = 10
    denials_wanted = int(size.claims * DENIAL_SHARE)
    ordinary = size.claims - denials_wanted - isolated_count // 2

    def flush() -> None:
        if not pending:
            return
        source_id = f"report-{len(sources)}"
        text, spans = "", []
        for sentence, _ in pending:
            spans.append((len(text), len(text) + len(sentence)))
            text += sentence + "\n"
        sources.append(Source.model_construct(
            id=source_id, title=f"Synthetic report {len(sources)}", outlet="Synthetic Wire", outlet_id=outlets[0],
            url=None, published=None, reliability="B", note=None, text=text))
        for (sentence, fields), span in zip(pending, spans, strict=True):
            claims.append(Claim.model_validate({**fields, "source": source_id, "span": span, "quote": sentence}))
        pending.clear()

    def add(claim: dict[str, Any]) -> None:
        sentence = f"{claim['subject']} {claim['type'].lower().replace('_', ' ')} {claim['object']} ({claim['id']})."
        pending.append((sentence, claim))
        if len(pending) >= claims_per_source:
            flush()

    made = 0
    while made < ordinary:
        relation = relations[bisect_left(type_cumulative, rng.random() * type_cumulative[-1])]
        subject_kind = rng.choice([k for k in relation.subject_kinds if k in by_kind])
        object_kind = rng.choice([k for k in relation.object_kinds if k in by_kind])
        subject = _pick(rng, by_kind[subject_kind], cumulative[subject_kind])
        obj = _pick(rng, by_kind[object_kind], cumulative[object_kind])
        if subject == obj:
            continue
        status = statuses[bisect_left(status_cumulative, rng.random() * status_cumulative[-1])]
        if relation.statuses is not None and status not in relation.statuses:
            status = relation.statuses[0]
        date = _date(rng)
        incident = f"incident-{made}"
        for told in range(min(rng.choice((1, 1, 1, 2, 2, 3, 4)), ordinary - made)):
            asserted = (subject if status == "claimed" else rng.choice(analysts) if status == "assessed"
                        else rng.choice(outlets))
            add({
                "id": f"c{made}", "subject": subject, "type": relation.name, "object": obj,
                "status": status, "asserted_by": asserted, "date": date, "end_date": None, "location": None,
                "confidence": 1.0 if told == 0 else round(0.6 + rng.random() * 0.35, 2), "extracted_by": "synthetic",
                "incident": incident, "note": None, "denies": None})
            made += 1
    flush()
    kind_of = {e.id: e.kind for e in entities}
    # Denials answer the commonest hostile claim (an attack, in reporting): the first hostile type.
    first_hostile = next(r.name for r in relations if r.category == "hostile")
    hostile = [c for c in claims if c.type == first_hostile]
    for number in range(denials_wanted):
        denied = hostile[int(rng.random() * len(hostile))]
        # The attacked side denies it happened, or else a state does.
        denier = denied.object if kind_of[denied.object] in denial.subject_kinds \
            else by_kind["state"][number % len(by_kind["state"])]
        if kind_of[denier] not in denial.subject_kinds or kind_of[denied.subject] not in denial.object_kinds:
            continue
        add({
            "id": f"d{number}", "subject": denier, "type": denial.name, "object": denied.subject,
            "status": "denied", "asserted_by": denier, "date": denied.date, "end_date": None, "location": None,
            "confidence": 1.0, "extracted_by": "synthetic", "incident": None, "note": None, "denies": denied.id})
    between_people = [r for r in relations if "person" in r.subject_kinds and "person" in r.object_kinds]
    pairs: list[tuple[str, str]] = []
    for first, second in zip(isolated_ids[0::2], isolated_ids[1::2], strict=True):
        relation = between_people[0]
        add({
            "id": f"i{len(pairs)}", "subject": first, "type": relation.name, "object": second,
            "status": "reported", "asserted_by": outlets[0], "date": _date(rng), "end_date": None, "location": None,
            "confidence": 1.0, "extracted_by": "synthetic", "incident": None, "note": None, "denies": None})
        pairs.append((first, second))
    flush()
    return Synthetic(Batch.model_construct(entities=entities, sources=sources, claims=claims), pairs)


def _date(rng: random.Random) -> str | None:
    roll = rng.random()
    year = FIRST_YEAR + int(rng.random() * YEARS)
    month = 1 + int(rng.random() * 12)
    if roll < 0.02:
        return None
    if roll < 0.10:
        return f"{year:04d}"
    if roll < 0.30:
        return f"{year:04d}-{month:02d}"
    return f"{year:04d}-{month:02d}-{1 + int(rng.random() * 28):02d}"
