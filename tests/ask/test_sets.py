"""The committed question sets, asked of both stores: the reader's figures hold, and the stores agree on every answer.

blind-1 was written before the reader and without reading it; dev-1 is what the reader was built against; both
were tuned on since. blind-2 and blind-3 were written blind later and scored once before anything changed.
Both are scored as ``kg ask-eval`` scores them (``graph.language.ask.evaluate``).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from graph.domain.errors import KgError
from graph.domain.ontology import Ontology
from graph.language.ask import QuestionReader, ask
from graph.language.ask.evaluate import Evaluation, evaluate, read_questions
from graph.services.loader import load
from graph.stores.protocol import GraphStore
from graph.stores.sqlite.store import SqliteStore
from tests.conftest import EVALUATION, SEEDS, Neo4jTestDatabase

SETS = sorted((EVALUATION / "questions").glob("*.yaml"))
# The targets the reader is held to on the sets it was built or tuned against: at least this share answered
# right, at most this share answered wrong.
TARGETS = {"dev-1": (0.90, 0.02), "blind-1": (0.90, 0.02)}
# A set written blind later is scored once before the reader changes with it in view (docs/evaluation-log.md);
# it is held to a floor under that first run (blind-2: 56 right, 4 wrong of 120; blind-3: 47 right,
# 8 wrong, 46 right once '<' in a question is refused as the API refuses it), so that a change cannot lose what
# it read then.
# blind-4 and blind-5 (issue 23, written blind at 1ac4664 and eecb291): first run 74 right, 3 wrong of 138 and
# 56 right, 11 wrong of 122; with the trained question reader (intent-7028e27180), scored after it landed and not
# tuned on since, 77 right, 6 wrong and 56 right, 14 wrong: the trained reader read 9 of their questions, 3 right
# and 6 wrong. blind-6 (written blind at 0c347bf), first run with the trained reader: 70 right, 10 wrong of 141.
FLOORS = {"blind-2": (0.45, 0.04), "blind-3": (0.38, 0.07), "blind-4": (0.55, 0.05), "blind-5": (0.45, 0.12),
          "blind-6": (0.49, 0.075)}


@pytest.fixture(scope="module")
def stores(neo4j_database: Neo4jTestDatabase, ontology: Ontology,
           tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, GraphStore]]:
    memory = SqliteStore(ontology, Path(tmp_path_factory.mktemp("sets")) / "graph.json")
    load(SEEDS, memory, ontology)
    neo4j = neo4j_database.reset(ontology, seeded=True)
    neo4j_database.seeded_readers += 1
    yield {"memory": memory, "neo4j": neo4j}
    neo4j_database.seeded_readers -= 1


def scored(store: GraphStore, reader: QuestionReader, path: Path) -> Evaluation:
    return evaluate(read_questions(path), lambda question: ask(store, reader, question))


@pytest.mark.parametrize("path", SETS, ids=[p.stem for p in SETS])
def test_each_set_meets_the_targets_on_both_stores(stores: dict[str, GraphStore], reader: QuestionReader,
                                                   path: Path) -> None:
    right_at_least, wrong_at_most = TARGETS.get(path.stem) or FLOORS[path.stem]
    for kind, store in stores.items():
        overall = scored(store, reader, path).overall
        assert overall.share("right") >= right_at_least, (kind, overall)
        assert overall.share("wrong") <= wrong_at_most, (kind, overall)


@pytest.mark.parametrize("path", SETS, ids=[p.stem for p in SETS])
def test_both_stores_give_the_same_answer_to_every_question(stores: dict[str, GraphStore], reader: QuestionReader,
                                                            path: Path) -> None:
    for question in read_questions(path):
        replies = []
        for store in stores.values():
            try:
                replies.append(ask(store, reader, question.text).model_dump(mode="json"))
            except KgError as error:
                replies.append(error.to_dict())
        assert replies[0] == replies[1], question.id
