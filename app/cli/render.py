"""Plain-text rendering for people: aligned tables and claims with their quotes."""

from __future__ import annotations

import textwrap
from collections.abc import Callable, Sequence

from graph.domain.model import ClaimView, Hop, Source

Names = Callable[[str], str]


def table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """Left-aligned columns, widths fitted to the content."""
    cells = [[str(h) for h in headers]] + [["" if v is None else str(v) for v in row] for row in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]
    lines = ["  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip() for row in cells]
    lines.insert(1, "  ".join("-" * width for width in widths))
    return "\n".join(lines)


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
    rendered = table(CLAIM_HEADERS, claim_rows(claims, name)).splitlines()
    out = rendered[:2]
    for row, claim in zip(rendered[2:], claims, strict=True):
        out.append(row)
        out.extend(provenance(claim, name, source))
    return "\n".join(out)


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
