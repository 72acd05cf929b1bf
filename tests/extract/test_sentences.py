"""The claim reader's sentence tests, read from the table tests/extract/sentences.yaml (one test a record, under
its id), and the few sentence tests a record cannot express (a comparison of two readings, an either-or, a check
over every claim).

The table is the reader's behaviour written as data, in the shape of PETRARCH's validation records: a sentence,
the claims it must give with their status and asserter, the claims it must not give, and the convention it tests.
A record that fails names itself and says what differs; a malformed record fails with what is wrong and where.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml

from graph.domain.model import Claim
from graph.language.extract.pipeline import NAME, Extraction
from tests.extract.conftest import Run, only, triples

TABLE = Path(__file__).with_name("sentences.yaml")
DEFAULT_DATE = "2022-05-20"
RECORD_KEYS = {"id", "text", "date", "claims", "not", "exact", "discarded", "candidates", "note"}
CLAIM_KEYS = {"claim", "status", "by", "date", "note_has", "denies"}
ANY = "*"

Pattern = tuple[str, str, str]


def _pattern(text: Any, where: str) -> Pattern:
    parts = str(text).split() if isinstance(text, str) else []
    if len(parts) != 3:
        raise ValueError(f"{where}: a claim is written 'SUBJECT TYPE OBJECT', not {text!r}")
    return parts[0], parts[1], parts[2]


def _matches(pattern: Pattern, claim: Claim) -> bool:
    return all(p in (ANY, v) for p, v in zip(pattern, (claim.subject, claim.type, claim.object), strict=True))


@dataclass(frozen=True)
class Expected:
    """One claim a record expects: at least one match, or (with fields to check) exactly one, with those fields."""

    pattern: Pattern
    fields: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Record:
    id: str
    text: str
    date: str
    note: str
    claims: list[Expected]
    forbidden: list[Pattern]
    exact: bool | list[str]
    discarded: dict[str, int]
    candidates: int | None


def _record(raw: Any, index: int) -> Record:
    where = f"{TABLE.name} record {index + 1}"
    if not isinstance(raw, dict):
        raise ValueError(f"{where}: a record is a mapping")
    where = f"{TABLE.name} record {raw.get('id', index + 1)!r}"
    if unknown := set(raw) - RECORD_KEYS:
        raise ValueError(f"{where}: unknown keys {sorted(unknown)} (known: {sorted(RECORD_KEYS)})")
    for key in ("id", "text", "note"):
        if not isinstance(raw.get(key), str) or not raw[key].strip():
            raise ValueError(f"{where}: `{key}` is required text")
    claims: list[Expected] = []
    for item in raw.get("claims") or []:
        if isinstance(item, dict):
            if unknown := set(item) - CLAIM_KEYS:
                raise ValueError(f"{where}: unknown claim keys {sorted(unknown)} (known: {sorted(CLAIM_KEYS)})")
            fields = {k: str(v) for k, v in item.items() if k != "claim"}
            if "denies" in fields and fields["denies"] != ANY:
                _pattern(fields["denies"], where)
            claims.append(Expected(_pattern(item.get("claim"), where), fields))
        else:
            claims.append(Expected(_pattern(item, where)))
    forbidden = [_pattern(item, where) for item in raw.get("not") or []]
    exact = raw.get("exact", False)
    if not (isinstance(exact, bool) or (isinstance(exact, list) and all(isinstance(e, str) for e in exact))):
        raise ValueError(f"{where}: `exact` is true or a list of entity ids")
    discarded = raw.get("discarded") or {}
    if not isinstance(discarded, dict) or not all(isinstance(n, int) and n > 0 for n in discarded.values()):
        raise ValueError(f"{where}: `discarded` maps a reason to a positive count")
    candidates = raw.get("candidates")
    if candidates is not None and not isinstance(candidates, int):
        raise ValueError(f"{where}: `candidates` is a number")
    if not (claims or forbidden or exact or discarded or candidates is not None):
        raise ValueError(f"{where}: the record expects nothing (give claims, not, exact, discarded or candidates)")
    return Record(raw["id"], raw["text"], str(raw.get("date", DEFAULT_DATE)), raw["note"], claims, forbidden,
                  exact, discarded, candidates)


def read_table(path: Path = TABLE) -> list[Record]:
    """Every record of the table, checked: known keys, claims as 'SUBJECT TYPE OBJECT', unique ids."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(data, list):
        raise ValueError(f"{path.name}: the table is a list of records")
    records = [_record(raw, i) for i, raw in enumerate(data)]
    seen: set[str] = set()
    for record in records:
        if record.id in seen:
            raise ValueError(f"{path.name}: the id {record.id!r} is used twice")
        seen.add(record.id)
    return records


def _show(claim: Claim) -> str:
    return f"{claim.subject} {claim.type} {claim.object} [{claim.status}, by {claim.asserted_by}]"


def differences(record: Record, result: Extraction) -> list[str]:
    """What the extraction does not do that the record says it must (empty when it matches)."""
    wrong: list[str] = []
    found: dict[Pattern, Claim] = {}
    for expected in record.claims:
        name = " ".join(expected.pattern)
        hits = [c for c in result.claims if _matches(expected.pattern, c)]
        if not hits:
            wrong.append(f"missing {name}")
            continue
        if not expected.fields:
            continue
        if len(hits) != 1:
            wrong.append(f"{name}: {len(hits)} claims, expected exactly one: {[_show(c) for c in hits]}")
            continue
        claim = found[expected.pattern] = hits[0]
        for key, want in expected.fields.items():
            if key == "denies":
                continue  # checked below, once every expected claim is found
            got = {"status": claim.status, "by": claim.asserted_by, "date": claim.date}.get(key)
            if key == "note_has":
                if want not in (claim.note or ""):
                    wrong.append(f"{name}: note {claim.note!r} lacks {want!r}")
            elif got != want:
                wrong.append(f"{name}: {key} is {got!r}, expected {want!r}")
    for expected in record.claims:
        want = expected.fields.get("denies")
        claim = found.get(expected.pattern)
        if want is None or claim is None:
            continue
        if want == ANY:
            if claim.denies is None:
                wrong.append(f"{' '.join(expected.pattern)}: denies nothing, expected a denied claim")
            continue
        denied = [c for c in result.claims if _matches(_pattern(want, record.id), c)]
        if len(denied) != 1 or claim.denies != denied[0].id:
            wrong.append(f"{' '.join(expected.pattern)}: denies {claim.denies!r}, expected the one claim {want} "
                         f"({[c.id for c in denied]})")
    for pattern in record.forbidden:
        if hits := [c for c in result.claims if _matches(pattern, c)]:
            wrong.append(f"produced {' '.join(pattern)}, which must not be: {[_show(c) for c in hits]}")
    if record.exact:
        about = None if record.exact is True else set(record.exact)
        scope = [c for c in result.claims if about is None or {c.subject, c.object} & about]
        unexpected = [c for c in scope if not any(_matches(e.pattern, c) for e in record.claims)]
        if unexpected:
            what = "claims" if about is None else f"claims naming {sorted(about)}"
            wrong.append(f"{what} beyond those expected: {[_show(c) for c in unexpected]}")
    for reason, least in record.discarded.items():
        if (got := result.discarded.get(reason, 0)) < least:
            wrong.append(f"discarded {reason!r} {got} times, expected at least {least}")
    if record.candidates is not None and len(result.candidates) != record.candidates:
        wrong.append(f"{len(result.candidates)} candidate actors, expected {record.candidates}: "
                     f"{[c.name for c in result.candidates]}")
    return wrong


RECORDS = read_table()


@pytest.mark.parametrize("record", RECORDS, ids=[r.id for r in RECORDS])
def test_sentence(run: Run, record: Record) -> None:
    result = run(record.text, published=record.date)
    wrong = differences(record, result)
    assert not wrong, (f"record {record.id!r} ({record.note}):\n  " + "\n  ".join(wrong)
                       + f"\n  produced: {[_show(c) for c in result.claims]}")


def test_a_record_that_differs_from_the_reading_is_reported_with_what_differs(run: Run) -> None:
    """The table is read by content: a record whose expectation is wrong fails, naming the claim and the field."""
    record = next(r for r in RECORDS if r.id == "accusation-without-speech-verb")
    result = run(record.text, published=record.date)
    assert differences(record, result) == []
    wrong = Record(record.id, record.text, record.date, record.note,
                   [Expected(("iran", "ACCUSED", "pakistan"), {"status": "claimed", "by": "iran"}),
                    Expected(("pakistan", "ACCUSED", "iran"))], [("iran", ANY, ANY)], ["pakistan"], {"negated": 1}, 2)
    assert differences(wrong, result) == [
        "iran ACCUSED pakistan: status is 'alleged', expected 'claimed'",
        "missing pakistan ACCUSED iran",
        "produced iran * *, which must not be: ['iran ACCUSED pakistan [alleged, by iran]']",
        "claims naming ['pakistan'] beyond those expected: ['pakistan HOSTS jaish-al-adl [alleged, by iran]']",
        "discarded 'negated' 0 times, expected at least 1",
        f"{len(result.candidates)} candidate actors, expected 2: {[c.name for c in result.candidates]}",
    ]


@pytest.mark.parametrize(("text", "error"), [
    ("- {id: a, text: t}\n", "record 'a': `note` is required text"),
    ("- {id: a, text: t, note: n, claims: [isk ATTACKED]}\n", "a claim is written 'SUBJECT TYPE OBJECT'"),
    ("- {id: a, text: t, note: n, claim: [isk ATTACKED x]}\n", "unknown keys ['claim']"),
    ("- {id: a, text: t, note: n}\n", "the record expects nothing"),
    ("- {id: a, text: t, note: n, not: [a B c]}\n- {id: a, text: u, note: n, not: [a B c]}\n", "'a' is used twice"),
    ("- {id: a, text: t, note: n, claims: [{claim: a B c, asserted: x}]}\n", "unknown claim keys ['asserted']"),
])
def test_a_malformed_record_is_refused_naming_it(tmp_path: Path, text: str, error: str) -> None:
    path = tmp_path / "sentences.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ValueError, match=error.replace("[", r"\[").replace("]", r"\]").replace("*", r"\*")):
        read_table(path)


# --- what a record cannot say ---------------------------------------------------------------------------------

def test_a_hedged_attribution_is_kept_with_a_lower_confidence(run: Run) -> None:
    plain = only(run("IS-K carried out the attack on Tajik border guards."), "isk", "ATTACKED", "tajikistan")
    hedged = only(run("IS-K may have carried out the attack on Tajik border guards."), "isk", "ATTACKED",
                  "tajikistan")
    assert hedged.confidence < plain.confidence and "hedged" in (hedged.note or "")


def test_the_extremists_and_the_militants_refer_back_across_sentences(run: Run) -> None:
    result = run("The TTP ended its truce with Islamabad in November. "
                 "Since then the extremists have attacked Pakistani police almost daily.")
    assert ("ttp", "ATTACKED", "pakistan") in triples(result) or ("ttp", "TARGETS", "pakistan") in triples(result)


def test_every_claim_is_marked_as_extracted_with_its_span(run: Run) -> None:
    text = "Breaking News\n\nPakistan bombed Afghanistan on Saturday. The TTP attacked Pakistan."
    result = run(text)
    assert result.claims
    for claim in result.claims:
        assert claim.extracted_by.startswith(NAME + "/")
        assert 0 < claim.confidence < 1
        assert text[claim.span[0]:claim.span[1]] == claim.quote
