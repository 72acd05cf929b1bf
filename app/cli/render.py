"""Plain-text rendering for people: aligned tables and claims with their quotes."""

from __future__ import annotations

import textwrap
from collections.abc import Callable, Iterable, Sequence

from graph.domain.model import ClaimView, Hop, Source

Names = Callable[[str], str]


def table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """Left-aligned columns, widths fitted to the content."""
    widths = fitted(headers, rows)
    return "\n".join([*table_head(headers, widths), *table_rows(rows, widths)])


def fitted(headers: Sequence[str], rows: Iterable[Sequence[object]], widths: Sequence[int] | None = None
           ) -> list[int]:
    """Column widths that fit the headers and these rows (and ``widths`` so far: a table printed a page at a time
    is fitted over every page first, holding only the widths)."""
    found = list(widths) if widths is not None else [len(str(h)) for h in headers]
    for row in rows:
        found = [max(width, len(_cell(value))) for width, value in zip(found, row, strict=True)]
    return found


def table_head(headers: Sequence[str], widths: Sequence[int]) -> list[str]:
    """The header line and the rule under it."""
    return [*table_rows([headers], widths), "  ".join("-" * width for width in widths)]


def table_rows(rows: Iterable[Sequence[object]], widths: Sequence[int]) -> list[str]:
    """Rows as lines of left-aligned columns of these widths."""
    return ["  ".join(_cell(value).ljust(width) for value, width in zip(row, widths, strict=True)).rstrip()
            for row in rows]


def _cell(value: object) -> str:
    return "" if value is None else str(value)


def claim_rows(claims: Sequence[ClaimView], name: Names) -> list[list[object]]:
    """One table row per claim, with display names."""
    return [
        [name(c.subject), c.type, name(c.object), c.status, name(c.asserted_by), c.date or "",
         "DISPUTED" if c.disputed else "", c.id]
        for c in claims
    ]


CLAIM_HEADERS = ("SUBJECT", "TYPE", "OBJECT", "STATUS", "ASSERTED BY", "DATE", "", "CLAIM")


def claims_with_quotes(claims: Sequence[ClaimView], name: Names, source: Callable[[str], Source]) -> str:
    """A table row for each claim followed by its quote, source and dispute, indented."""
    widths = fitted(CLAIM_HEADERS, claim_rows(claims, name))
    return "\n".join([*table_head(CLAIM_HEADERS, widths), *claim_lines(claims, name, source, widths)])


def claim_lines(claims: Sequence[ClaimView], name: Names, source: Callable[[str], Source],
                widths: Sequence[int]) -> list[str]:
    """``claims_with_quotes`` without its header, in columns of these widths: one page of a longer listing."""
    out = []
    for row, claim in zip(table_rows(claim_rows(claims, name), widths), claims, strict=True):
        out.append(row)
        out.extend(provenance(claim, name, source))
    return out


def provenance(claim: ClaimView, name: Names, source: Callable[[str], Source]) -> list[str]:
    """The quote, its source and what disputes or is denied by the claim, as indented lines."""
    report = source(claim.source)
    lines = textwrap.wrap(claim.quote, width=96, initial_indent="    │ ", subsequent_indent="    │ ")
    published = f", {report.published}" if report.published else ""
    lines.append(f"    — {report.outlet}{published}: {report.title} [{claim.source} {claim.span[0]}-{claim.span[1]}]")
    details = []
    if claim.location:
        details.append(f"at {name(claim.location)}")
    if claim.note:
        details.append(claim.note)
    if claim.denies:
        details.append(f"denies {claim.denies}")
    if claim.disputed:
        details.append(f"disputed by {', '.join(claim.disputed_by)}")
    if claim.extracted_by != "curated":
        details.append(f"extracted by {claim.extracted_by}, confidence {claim.confidence:g}")
    if details:
        lines.append("    (" + "; ".join(details) + ")")
    return lines


def path_text(number: int, hops: Sequence[Hop], name: Names, source: Callable[[str], Source]) -> str:
    """A path as its chain of names, then each hop with the claims behind it."""
    chain = " → ".join([name(hops[0].from_)] + [name(h.to) for h in hops])
    out = [f"Path {number} ({len(hops)} hop{'s' if len(hops) != 1 else ''}): {chain}"]
    for hop in hops:
        out.append(f"  {name(hop.from_)} — {name(hop.to)}")
        for claim in hop.claims:
            arrow = f"{name(claim.subject)} {claim.type} {name(claim.object)}"
            disputed = " DISPUTED" if claim.disputed else ""
            out.append(f"    {arrow} [{claim.status}{disputed}, {claim.id}]")
            out.extend("  " + line for line in provenance(claim, name, source))
    return "\n".join(out)
