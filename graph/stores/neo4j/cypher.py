"""Named Cypher: the queries the Neo4j store runs, one per file in ``cypher/``.

Keeping them as files means each can be pasted into Neo4j Browser as is (after the
``:param`` lines in its header) and reviewed as Cypher rather than as Python strings.
"""

from __future__ import annotations

import re
from functools import cache

from graph.domain.resources import data_dir

CYPHER_DIR = data_dir("cypher")
_STATEMENT_END = re.compile(r";\s*$", re.MULTILINE)


@cache
def query(name: str) -> str:
    """The text of ``cypher/<name>.cypher``."""
    path = CYPHER_DIR / f"{name}.cypher"
    return path.read_text(encoding="utf-8")


def statements(name: str) -> list[str]:
    """The statements of a multi-statement file (such as the schema), split at line-final semicolons."""
    body = "\n".join(line for line in query(name).splitlines() if not line.lstrip().startswith("//"))
    return [part.strip() for part in _STATEMENT_END.split(body) if part.strip()]
