"""What bounds an empty or thin answer: the claims, reports and dates the graph holds about the entities asked about.

An answer with nothing in it reads as "nothing happened" unless it says what was looked through. The graph
holds what the loaded reports say, no more: "who attacked Pakistan in 2023?" answered with nothing from a
graph whose last claim about Pakistan is dated 2022-05 says nothing about 2023. So an empty or thin answer
carries, for each entity it names, how many claims have it at either end, how many reports they cite, the
dates they cover and the reports citing most of them, and a sentence that says what absence here means.
The figures are an aggregate the store computes by id (``GraphStore.coverage``), never a read of the claims.
"""

from __future__ import annotations

from graph.domain.dates import DateWindow, parse_optional
from graph.language.ask.model import AnswerCoverage, AskQuery, EntityCoverage, ReportCount
from graph.stores.protocol import GraphStore

# An answer resting on at most this many claims is thin: one or two reports' word, worth bounding.
THIN_CLAIMS = 2
NOT_ABSENT = "absence in the graph is not absence in the world: it holds only what the reports loaded say"


def is_thin(query: AskQuery, claims: int, paths: int) -> bool:
    """Whether an answer is empty or thin: few claims behind it, or no path for a connection."""
    if query.shape == "connection":
        return paths == 0
    return claims <= THIN_CLAIMS


def asked_about(query: AskQuery) -> list[str]:
    """The entities a query names as what it is about (not who asserts: an asserter's word is not about it)."""
    return list(dict.fromkeys(e for e in (query.subject, query.object, query.place, query.via) if e))


def coverage(store: GraphStore, query: AskQuery, names: dict[str, str], span: DateWindow) -> AnswerCoverage | None:
    """The coverage of the entities ``query`` is about (``names``: their names by id), or None when it names
    none."""
    ids = asked_about(query)
    if not ids:
        return None
    found = store.coverage(ids)
    entities = [EntityCoverage(id=i, name=names.get(i, i), claims=found[i].claims, reports=found[i].reports,
                               first=found[i].first, last=found[i].last,
                               top=[ReportCount(id=s, claims=n) for s, n in found[i].top]) for i in ids]
    return AnswerCoverage(entities=entities, note=_note(entities, span))


def _s(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def _one(entity: EntityCoverage, span: DateWindow) -> str:
    """One entity's coverage: "Pakistan: 14 claims from 5 reports, dated 2015 to 2022-05; no claim after 2022-05"."""
    if not entity.claims:
        return f"the graph holds no claim about {entity.name}"
    text = f"{entity.name}: {_s(entity.claims, 'claim')} from {_s(entity.reports, 'report')}"
    if entity.first is None or entity.last is None:
        return text + ", none of them dated"
    text += f", dated {entity.first}" + (f" to {entity.last}" if entity.last != entity.first else "")
    first, last = parse_optional(entity.first), parse_optional(entity.last)
    outside = []
    if span.since is not None and last is not None and last.end < span.since.start:
        outside.append(f"no claim about {entity.name} after {entity.last}, and the question asks from {span.since}")
    if span.until is not None and first is not None and first.start > span.until.end:
        outside.append(f"no claim about {entity.name} before {entity.first}, and the question asks up to "
                       f"{span.until}")
    if not outside:
        outside.append(f"no claim about {entity.name} after {entity.last}")
    return text + "; " + "; ".join(outside)


def _note(entities: list[EntityCoverage], span: DateWindow) -> str:
    """The coverage in a sentence, ending with what absence in the graph means."""
    return "Coverage: " + "; ".join(_one(e, span) for e in entities) + f". {NOT_ABSENT[0].upper()}{NOT_ABSENT[1:]}."
