"""Neo4j killed under a serving API: reads and writes answer 503 with the reason, nothing hangs, nothing
staged is lost, and the API answers again, unchanged, once Neo4j is back, without a restart.

The API is a real uvicorn on a loopback port, over a throwaway Neo4j (``fault_server``) that this
module kills with SIGKILL (as a crash or the OOM killer would) and starts again.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
from pydantic import SecretStr

from app.api import create_app
from graph.domain.ontology import Ontology
from graph.services.loader import load
from graph.services.review import Staging
from graph.stores.protocol import ClaimQuery
from tests.api.conftest import served_in_thread
from tests.conftest import SEEDS
from tests.faults.conftest import FaultServer

# Seconds a read may run and a transient failure is retried: what a request waits at most for a dead server.
TIMEOUT = 6.0
# A request still unanswered after this long hangs (a guard against a hang, not a measure of speed).
HANG = 60.0
KEY = "fault-key-5c2e"
READS = ["/v1/entities/isk", "/v1/claims?subject=isk&type=SEEKS_TO_PROVOKE", "/v1/entities/isk/neighbourhood",
         "/v1/paths?source=isk&target=china", "/v1/sources", "/v1/stats?top=3", "/v1/entities?q=valle"]
STAGED = {"text": "IS-K claimed that it fired rockets at Tajikistan on May 7. Dushanbe denied that any attack took "
                  "place. Analysts say IS-K seeks to provoke Uzbekistan.\n",
          "title": "Rockets over the Panj", "outlet": "RFE/RL", "published": "2022-05-20", "review": True}
WRITTEN = {"text": "Pakistan accused the TTP of attacking a checkpoint in Khyber on June 2. Islamabad says the "
                   "Taliban shelter the TTP.\n", "title": "Checkpoint attack", "outlet": "Dawn",
           "published": "2022-06-03"}


def unavailable(response: httpx.Response, server: FaultServer) -> str:
    """The 503's message, checked to name the store and where it is."""
    assert response.status_code == 503, response.text
    body = response.json()
    assert body["error"] == "store_unavailable" and server.uri in body["message"], body
    message: str = body["message"]
    return message


def test_neo4j_killed_and_started_again_under_a_serving_api(fault_server: FaultServer, ontology: Ontology,
                                                            tmp_path: Path) -> None:
    store = fault_server.store(ontology, timeout=TIMEOUT)
    store.clear()
    load(SEEDS, store, ontology)
    staging = tmp_path / "staged.json"
    settings = fault_server.settings(tmp_path, query_timeout=TIMEOUT, api_keys=[SecretStr(KEY)], staging_file=staging)
    key = {"X-API-Key": KEY}
    with served_in_thread(create_app(settings, store)) as base, httpx.Client(base_url=base, timeout=HANG) as http:
        staged = http.post("/v1/reports", json=STAGED, headers=key)
        assert staged.status_code == 201, staged.text
        report = staged.json()["source"]["id"]
        waiting = Staging(staging).claims(report)
        assert len(waiting) == staged.json()["staged"] >= 3
        before: dict[str, Any] = {}
        for path in READS:
            response = http.get(path)
            assert response.status_code == 200, (path, response.text)
            before[path] = response.json()

        assert fault_server.server.kill()
        # Every request of the outage at once, as clients would send them: each waits for the retries
        # (TIMEOUT at most), then is answered 503 with the reason; none hangs.
        requests = [("GET", path, None) for path in [*READS, "/ready"]] + [
            ("POST", "/v1/reports", WRITTEN), ("POST", f"/v1/reports/{report}/review", {"accept": ["all"]})]
        with ThreadPoolExecutor(len(requests)) as pool:
            answers = list(pool.map(lambda r: http.request(r[0], r[1], json=r[2], headers=key), requests))
        for (_, path, _), answer in zip(requests, answers, strict=True):
            assert "cannot reach Neo4j" in unavailable(answer, fault_server), path
        assert http.get("/health").json() == {"status": "ok"}
        # The refused review left what was staged for review staged.
        assert Staging(staging).claims(report) == waiting

        fault_server.server.start("java")
        for path in READS:
            response = http.get(path)
            assert response.status_code == 200, (path, response.text)
            assert response.json() == before[path], path
        assert http.get("/ready").json()["claims"] == before["/v1/stats?top=3"]["claims"]
        written = http.post("/v1/reports", json=WRITTEN, headers=key)
        assert written.status_code == 201, written.text
        assert written.json()["written"]["created"]["claims"] == len(written.json()["claims"]) >= 1
        accepted = http.post(f"/v1/reports/{report}/review", json={"accept": ["all"]}, headers=key)
        assert accepted.status_code == 200, accepted.text
        assert sorted(accepted.json()["accepted"]) == sorted(c["id"] for c in waiting)
    assert Staging(staging).claims(report) == []
    loaded = {c.id for c in store.claims(ClaimQuery(source=report))}
    assert loaded == {c["id"] for c in waiting}
    assert {c.id for c in store.claims(ClaimQuery(source=written.json()["source"]["id"]))} == {
        c["id"] for c in written.json()["claims"]}
    store.close()
