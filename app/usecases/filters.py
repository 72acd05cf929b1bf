"""Filters as the interfaces receive them (lists of words, dates as text), parsed once against the ontology.

Both interfaces accept repeats and commas alike in a list (``--type A,B`` or ``--type A --type B``;
``type=A,B`` or ``type=A&type=B``). They differ in one thing, kept as they were: the HTTP API
refuses a blank part (so a typo never widens a query), the CLI skips it (``Blank``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Literal

from graph.domain.dates import DateWindow, window
from graph.domain.errors import InvalidParameter
from graph.domain.ontology import Ontology

Blank = Literal["refuse", "skip"]


def split(parameter: str, values: Iterable[str] | None, accepted: list[str], blank: Blank = "refuse") -> list[str]:
    """The parts of a list parameter; a blank part is refused (``InvalidParameter``) or skipped."""
    given = list(values or [])
    parts = [part.strip() for value in given for part in value.split(",")]
    if blank == "skip":
        return [part for part in parts if part]
    if any(not part for part in parts):
        raise InvalidParameter(parameter, ",".join(given), "empty value", accepted)
    return parts


def accepted_types(ontology: Ontology) -> list[str]:
    """Every relation type and category name, as errors list them."""
    return sorted(ontology.relation_types) + sorted(ontology.categories)


def relation_types(ontology: Ontology, values: Iterable[str] | None, parameter: str = "types",
                   blank: Blank = "refuse") -> tuple[str, ...] | None:
    """Relation type names from types or categories (``hostile``); ``None`` for any. ``InvalidParameter`` names
    ``parameter`` and lists what exists."""
    accepted = accepted_types(ontology)
    names = split(parameter, values, accepted, blank)
    try:
        expanded = ontology.expand_types(names)
    except InvalidParameter as error:
        raise InvalidParameter(parameter, error.details["value"], "neither a relation type nor a category",
                               accepted) from error
    return tuple(expanded) if expanded else None


def statuses(ontology: Ontology, values: Iterable[str] | None, blank: Blank = "refuse") -> tuple[str, ...] | None:
    """Claim statuses, each checked against the ontology; ``None`` for any."""
    return tuple(ontology.check_status(s) for s in split("status", values, list(ontology.statuses), blank)) or None


def entity_kind(ontology: Ontology, kind: str | None) -> str | None:
    """An entity kind the ontology defines (or ``None``), else ``InvalidParameter`` listing them."""
    if kind is not None and kind not in ontology.entity_kinds:
        raise InvalidParameter("kind", kind, "unknown entity kind", list(ontology.entity_kinds))
    return kind


def entity_kinds(ontology: Ontology, values: Iterable[str] | None) -> list[str] | None:
    """Entity kinds, repeated or comma-separated, each one the ontology defines; ``None`` for any."""
    kinds = split("kind", values, list(ontology.entity_kinds))
    for kind in kinds:
        entity_kind(ontology, kind)
    return kinds or None


def date_window(since: str | None, until: str | None) -> DateWindow:
    """A date window; ``InvalidParameter`` names ``since`` or ``until`` when malformed."""
    return window(since, until)


def confidence(value: float) -> float:
    """A lowest confidence between 0 and 1 (the interfaces' own validators say so first)."""
    if not 0 <= value <= 1:
        raise InvalidParameter("min_confidence", value, "must be between 0 and 1")
    return value


@dataclass(frozen=True)
class ClaimFilters:
    """What a claim must be to count, parsed: relation types, statuses, a date window, a lowest confidence."""

    types: tuple[str, ...] | None = None
    statuses: tuple[str, ...] | None = None
    window: DateWindow = field(default_factory=DateWindow)
    min_confidence: float = 0.0


def claim_filters(ontology: Ontology, types: Iterable[str] | None = None, status: Iterable[str] | None = None,
                  since: str | None = None, until: str | None = None, min_confidence: float = 0.0, *,
                  types_parameter: str = "types", blank: Blank = "refuse") -> ClaimFilters:
    """Every claim filter of a request, parsed once, in the order errors are reported (types, statuses, dates)."""
    return ClaimFilters(relation_types(ontology, types, types_parameter, blank), statuses(ontology, status, blank),
                        date_window(since, until), confidence(min_confidence))
