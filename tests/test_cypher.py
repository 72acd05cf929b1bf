"""The named Cypher in ``cypher/``: every file is used, declares its parameters, and runs on a real server."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from graph.domain.ontology import Ontology
from graph.services.browser_style import grass
from graph.stores.neo4j import store as neo4j_store
from graph.stores.neo4j.cypher import CYPHER_DIR, query, statements
from tests.conftest import Neo4jTestDatabase

STORE_QUERIES = sorted(path.stem for path in CYPHER_DIR.glob("*.cypher"))
GUIDE_QUERIES = sorted(CYPHER_DIR.glob("guide/*.cypher"))
PARAM = re.compile(r"^// :param (\w+) => (.+)$", re.MULTILINE)


def declared(text: str) -> dict[str, str]:
    return dict(PARAM.findall(text))


def used(text: str) -> set[str]:
    body = "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("//"))
    return set(re.findall(r"\$(\w+)", body))


def evaluate(database: Neo4jTestDatabase, expressions: dict[str, str]) -> dict[str, Any]:
    """Parameter values as Browser's :param computes them: by evaluating the Cypher expression."""
    values = {}
    for name, expression in expressions.items():
        records, _, _ = database.driver.execute_query(f"RETURN {expression} AS value")
        values[name] = records[0]["value"]
    return values


def test_every_named_query_is_run_by_the_store() -> None:
    source = Path(neo4j_store.__file__).read_text(encoding="utf-8")
    unused = [name for name in STORE_QUERIES if f'"{name}"' not in source]
    assert unused == []


@pytest.mark.parametrize("name", STORE_QUERIES)
def test_parameters_are_declared_for_browser(name: str) -> None:
    text = query(name)
    assert text.startswith("//"), "each file opens with a comment saying what it answers"
    assert used(text) <= set(declared(text)), f"declare every parameter with // :param in {name}.cypher"


@pytest.mark.parametrize("name", [n for n in STORE_QUERIES if n not in ("schema", "clear", "clear_relationships")])
def test_each_query_compiles_on_the_server_with_its_declared_parameters(
        name: str, neo4j_database: Neo4jTestDatabase) -> None:
    text = query(name)
    records, summary, _ = neo4j_database.driver.execute_query("EXPLAIN " + text,
                                                              evaluate(neo4j_database, declared(text)))
    assert records == [] and summary.plan is not None


def test_the_schema_is_idempotent_and_complete(neo4j_database: Neo4jTestDatabase) -> None:
    with neo4j_database.driver.session() as session:
        for _ in range(2):
            for statement in statements("schema"):
                session.run(statement).consume()  # type: ignore[arg-type]
        names = {row["name"] for row in session.run("SHOW INDEXES YIELD name").data()}
    assert {"entity_id", "source_id", "claim_id", "claim_type", "claim_status", "claim_date",
            "entity_names", "incident_id", "incident_type", "incident_date", "incident_country"} <= names


@pytest.mark.parametrize("path", GUIDE_QUERIES, ids=lambda p: p.stem)
def test_guide_queries_answer_on_the_seed_graph(path: Path, neo4j_seeded: Neo4jTestDatabase) -> None:
    neo4j_database = neo4j_seeded
    text = path.read_text(encoding="utf-8")
    assert used(text) <= set(declared(text))
    records, _, _ = neo4j_database.driver.execute_query(text, evaluate(neo4j_database, declared(text)))
    assert records, f"{path.name} returned nothing on the seed graph"
    if path.stem.startswith("1-"):
        assert {r["target"] for r in records} == {"Pakistan", "Iran"}
        assert all(r["quote"] and r["source"] for r in records)
    if path.stem.startswith("3-"):
        assert {r["denier"] for r in records} >= {"Tajikistan", "Uzbekistan"}


def test_browser_style_is_generated_from_the_ontology(ontology: Ontology) -> None:
    checked_in = (CYPHER_DIR / "style.grass").read_text(encoding="utf-8")
    assert checked_in == grass(ontology), "regenerate with: kg neo4j style > cypher/style.grass"
    for kind in ontology.entity_kinds.values():
        rule = re.search(rf"node\.{kind.label} \{{\n(.*?)\n\}}", checked_in, re.DOTALL)
        assert rule and f"color: {kind.colour};" in rule.group(1) and 'caption: "{name}";' in rule.group(1)
    for rel in ontology.relation_types.values():
        rule = re.search(rf"relationship\.{rel.name} \{{\n(.*?)\n\}}", checked_in, re.DOTALL)
        assert rule and 'caption: "<type>";' in rule.group(1)
        assert f"color: {ontology.category_colours[rel.category]};" in rule.group(1)
