"""Builders for small claim files used by loader and CLI tests."""

from __future__ import annotations

from typing import Any

import yaml

SEED_REPORT = "rferl-2022-05-isk-central-asia"
# One valid claim of the seed report, by names as a curator writes them.
BASE_CLAIM: dict[str, Any] = {
    "id": "test-claim",
    "subject": "IS-K",
    "type": "ATTACKED",
    "object": "Tajikistan",
    "quote": "In the latest attack, IS-K claimed that it had fire rockets on unspecified targets "
             "inside Tajikistan from the northern Afghan province of Takhar on May 7.",
    "status": "claimed",
    "asserted_by": "IS-K",
    "date": "2022-05-07",
}


def claim_yaml(**fields: Any) -> str:
    """One claim of the seed report as YAML text, valid unless ``fields`` say otherwise.

    A field given as None is left out, so tests can drop required fields.
    """
    base = {**BASE_CLAIM, **fields}
    return yaml.safe_dump({k: v for k, v in base.items() if v is not None}, allow_unicode=True,
                          sort_keys=False, width=1000)


def claims_file(*claims: str, source: str = SEED_REPORT) -> str:
    """A claims file holding the given claim YAML snippets."""
    body = "".join("  - " + snippet.rstrip("\n").replace("\n", "\n    ") + "\n" for snippet in claims)
    return f"source: {source}\nclaims:\n{body}"


def line_of(text: str, needle: str) -> int:
    """1-based line of the first line containing ``needle``."""
    return next(i for i, line in enumerate(text.splitlines(), start=1) if needle in line)
