"""Round trips to Neo4j for a few API requests on the seed graph: transactions, queries and records, counted.

A request's cost on a remote Neo4j is mostly its round trips and what they carry, so this counts
them rather than timing them: the Neo4j store is given a driver that counts every transaction
(managed, or an auto-commit ``session.run``), every statement sent and every record the server sent
back, and the API (``create_app`` over that store, through a test client) answers each request
twice: the figures are the second answer's, what every request costs once the process has paid
what it pays once (the connection check, the alias index). A request that reads every matching
claim shows it in its records (one per claim); an aggregate sends a record per row of its answer.

    python benchmarks/roundtrips.py --home .cache/neo4j-test --bolt-port 7721 --http-port 7722 \\
        --before /path/to/a/checkout/of/main

loads the seed graph into that (test) server, wiping what it held, and prints, for each request,
the figures of the checkout given with ``--before`` beside this checkout's. Each checkout is
measured in a process of its own, importing its own ``app`` and ``graph``.
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent.parent
REQUESTS = [
    ("paths IS-K to China", "/v1/paths?source=IS-K&target=China"),
    ("paths IS-K to China, node-link", "/v1/paths?source=IS-K&target=China&format=node-link"),
    ("claims of the hub (isk)", "/v1/claims?subject=isk"),
    ("stats", "/v1/stats"),
    ("timeline, every claim", "/v1/timeline"),
    ("timeline of the hub (isk)", "/v1/timeline?actor=isk&interval=year"),
    ("claims grouped", "/v1/claims?group=true&limit=10"),
    ("claims of the hub grouped", "/v1/claims?subject=isk&group=true&limit=10"),
    ("entity detail of the hub", "/v1/entities/isk"),
]


@dataclass
class Tally:
    """Transactions begun and statements sent since the last reset."""

    transactions: int = 0
    queries: int = 0
    records: int = 0


class CountingResult:
    """A result that counts the records read from it (``data``, ``single``, iteration)."""

    def __init__(self, result: Any, tally: Tally) -> None:
        self._result = result
        self._tally = tally

    def data(self, *args: Any) -> Any:
        rows = self._result.data(*args)
        self._tally.records += len(rows)
        return rows

    def single(self, *args: Any, **kwargs: Any) -> Any:
        record = self._result.single(*args, **kwargs)
        self._tally.records += record is not None
        return record

    def __iter__(self) -> Iterator[Any]:
        for record in self._result:
            self._tally.records += 1
            yield record

    def __getattr__(self, name: str) -> Any:
        return getattr(self._result, name)


class CountingTransaction:
    """A managed transaction that counts the statements run in it."""

    def __init__(self, tx: Any, tally: Tally) -> None:
        self._tx = tx
        self._tally = tally

    def run(self, *args: Any, **kwargs: Any) -> Any:
        self._tally.queries += 1
        return CountingResult(self._tx.run(*args, **kwargs), self._tally)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._tx, name)


class CountingSession:
    """A session that counts its transactions (managed ones and auto-commit ``run``)."""

    def __init__(self, session: Any, tally: Tally) -> None:
        self._session = session
        self._tally = tally

    def __enter__(self) -> CountingSession:
        self._session.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        self._session.__exit__(*exc)

    def _managed(self, method: str, work: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        def counted(tx: Any, *a: Any, **k: Any) -> Any:
            self._tally.transactions += 1
            return work(CountingTransaction(tx, self._tally), *a, **k)

        functools.update_wrapper(counted, work)  # keeps the timeout unit_of_work set on it
        return getattr(self._session, method)(counted, *args, **kwargs)

    def execute_read(self, work: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        return self._managed("execute_read", work, *args, **kwargs)

    def execute_write(self, work: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        return self._managed("execute_write", work, *args, **kwargs)

    def run(self, *args: Any, **kwargs: Any) -> Any:
        self._tally.transactions += 1
        self._tally.queries += 1
        return CountingResult(self._session.run(*args, **kwargs), self._tally)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._session, name)


class CountingDriver:
    """A driver whose sessions count; everything else is the driver's own."""

    def __init__(self, driver: Any) -> None:
        self._driver = driver
        self.tally = Tally()

    def session(self, *args: Any, **kwargs: Any) -> CountingSession:
        return CountingSession(self._driver.session(*args, **kwargs), self.tally)

    def verify_connectivity(self, *args: Any, **kwargs: Any) -> Any:
        self.tally.transactions += 1
        return self._driver.verify_connectivity(*args, **kwargs)

    def execute_query(self, *args: Any, **kwargs: Any) -> Any:
        """One statement in a transaction of its own (BEGIN goes with it): a transaction, a query, its records."""
        transform = kwargs.pop("result_transformer_", None)
        tally = self.tally

        def counting(result: Any) -> Any:
            if transform is not None:
                return transform(CountingResult(result, tally))
            eager = result.to_eager_result()
            tally.records += len(eager.records)
            return eager

        tally.transactions += 1
        tally.queries += 1
        return self._driver.execute_query(*args, result_transformer_=counting, **kwargs)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._driver, name)


@contextmanager
def counted(driver: CountingDriver) -> Iterator[Tally]:
    """The round trips of what runs inside the block."""
    driver.tally = Tally()
    yield driver.tally


def measure(home: Path, bolt_port: int, http_port: int) -> dict[str, Any]:
    """This process's checkout: the seed graph loaded, then each request answered twice, counted."""
    from fastapi.testclient import TestClient  # noqa: PLC0415 - the checkout's own, imported after sys.path

    from app.api import create_app  # noqa: PLC0415
    from app.settings import PROJECT_ROOT, Settings  # noqa: PLC0415
    from graph.domain.ontology import load_ontology  # noqa: PLC0415
    from graph.services.loader import load  # noqa: PLC0415
    from graph.stores.neo4j.server import LocalServer  # noqa: PLC0415
    from graph.stores.neo4j.store import Neo4jStore, connect  # noqa: PLC0415

    status = LocalServer(home, bolt_port=bolt_port, http_port=http_port).status()
    if not status.running:
        raise SystemExit(f"no Neo4j server runs in {home} on port {bolt_port}: start it with `kg neo4j start`")
    ontology = load_ontology()
    raw = connect(status.bolt_uri, status.user, status.password)
    loader = Neo4jStore(raw, ontology, uri=status.bolt_uri)
    loader.clear()
    load(PROJECT_ROOT / "seeds", loader, ontology)
    driver = CountingDriver(raw)
    store = Neo4jStore(driver, ontology, uri=status.bolt_uri)  # type: ignore[arg-type]
    figures: dict[str, Any] = {"checkout": str(PROJECT_ROOT)}
    with tempfile.TemporaryDirectory() as scratch:
        settings = Settings(_env_file=None, data_file=Path(scratch) / "unused.json")
        client = TestClient(create_app(settings, store))
        for label, url in REQUESTS:
            runs = []
            for _ in range(2):
                with counted(driver) as tally:
                    response = client.get(url)
                if response.status_code != 200:
                    raise SystemExit(f"{url} answered {response.status_code}: {response.text[:300]}")
                runs.append({"transactions": tally.transactions, "queries": tally.queries, "records": tally.records})
            figures[label] = {**runs[1], "bytes": len(response.content)}
    raw.close()
    return figures


def run_in(checkout: Path, args: argparse.Namespace) -> dict[str, Any]:
    """``measure`` in a process importing ``checkout``'s own packages."""
    env = {**os.environ, "PYTHONPATH": str(checkout), "PYTHONDONTWRITEBYTECODE": "1"}
    result = subprocess.run(  # noqa: S603 - this interpreter, this script
        [sys.executable, str(Path(__file__).resolve()), "--measure", "--home", str(args.home),
         "--bolt-port", str(args.bolt_port), "--http-port", str(args.http_port)],
        cwd=checkout, env=env, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise SystemExit(f"measuring {checkout} failed:\n{result.stderr[-3000:]}")
    figures: dict[str, Any] = json.loads(result.stdout.strip().splitlines()[-1])
    return figures


def _figures(run: dict[str, int]) -> str:
    return f"{run['transactions']} / {run['queries']} / {run.get('records', '?')}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--home", type=Path, default=HERE / ".cache" / "neo4j-test",
                        help="The test server's folder (its credentials are read from there).")
    parser.add_argument("--bolt-port", type=int, default=7688)
    parser.add_argument("--http-port", type=int, default=7475)
    parser.add_argument("--before", type=Path, help="A checkout to measure beside this one (e.g. main).")
    parser.add_argument("--measure", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    args.home = args.home.resolve()
    if args.measure:
        sys.stdout.write(json.dumps(measure(args.home, args.bolt_port, args.http_port)) + "\n")
        return
    columns = [("before", run_in(args.before.resolve(), args))] if args.before else []
    columns.append(("after", run_in(HERE, args)))
    header = f"{'request':34}" + "".join(f" {name + ' tx/queries/records':>28}" for name, _ in columns)
    out = [header, "-" * len(header)]
    for label, url in REQUESTS:
        cells = "".join(f" {_figures(figures[label]):>28}" for _, figures in columns)
        out.append(f"{label:34}{cells}  GET {url}")
    out.extend(f"{name}: {figures['checkout']}" for name, figures in columns)
    sys.stdout.write("\n".join(out) + "\n")


if __name__ == "__main__":
    main()
